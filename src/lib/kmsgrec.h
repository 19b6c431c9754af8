/* kmsgrec: parses one record read from /dev/kmsg into priority, kernel time and text. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_KMSGREC_H
#define KEEL_KMSGREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A record as one read(2) of /dev/kmsg gives it (Documentation/ABI/testing/
 * dev-kmsg): "PRI,SEQ,TS_USEC,FLAGS[,...];MESSAGE\n" and then dictionary
 * lines " KEY=VALUE\n", which are left out. PRI is facility * 8 + level
 * (a facility above 23, the continuation records of old kernels, becomes
 * kern); TS_USEC is the kernel's monotonic clock. The kernel writes
 * unprintable bytes and '\' as \xHH: they are decoded in place (the text
 * only shrinks), so *msg points into buf. False (nothing set) if the
 * header is not of that form. Pure.
 */
struct kmsg_rec {
	uint8_t pri;
	uint64_t seq;
	uint64_t ts_us;
	const char *msg;
	size_t msg_len;
};

bool kmsgrec_parse(char *buf, size_t len, struct kmsg_rec *out);

#endif
