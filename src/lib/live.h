/* live: a service's liveness settings — watchdog, pidfile, crash hook, what to do on giving up. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_LIVE_H
#define KEEL_LIVE_H

#include <stdbool.h>
#include <stdint.h>

enum live_give_up { LIVE_GIVE_UP_FAIL, LIVE_GIVE_UP_RESTART_DEPS, LIVE_GIVE_UP_REBOOT,
		    LIVE_GIVE_UP_FAILSAFE };

/* NULL in svc_opt when a service sets none of it (nearly all). */
struct svc_live {
	char *pidfile;            /* absolute */
	char **on_crash;          /* argv, NULL-terminated, or NULL */
	unsigned long watchdog_ms; /* `watchdog D`: keepalive interval, 0 none */
	unsigned long jitter_ms;  /* `respawn jitter D` */
	unsigned line_watchdog;
	uint8_t give_up;          /* enum live_give_up */
	bool critical;
};

void live_free(struct svc_live *l);
bool live_equal(const struct svc_live *a, const struct svc_live *b);
const char *live_give_up_name(unsigned g);

#endif
