/* notifymsg: parses one sd_notify datagram (KEY=VALUE lines) into what keel acts on. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_NOTIFYMSG_H
#define KEEL_NOTIFYMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What one datagram says; absent keys are 0/false/NULL. Strings point into
 * the datagram. Unknown keys and malformed values are ignored (counted in
 * bad, as systemd ignores them), never an error. Pure. */
struct notify_msg {
	const char *status;
	size_t status_len;
	uint64_t extend_usec;   /* EXTEND_TIMEOUT_USEC */
	uint64_t watchdog_usec; /* WATCHDOG_USEC */
	int32_t mainpid;        /* MAINPID, 0 if absent */
	unsigned bad;           /* lines that were not understood */
	bool ready, reloading, stopping, has_status, watchdog, watchdog_trigger, has_extend,
		has_watchdog_usec;
};

void notifymsg_parse(const char *buf, size_t len, struct notify_msg *m);

#endif
