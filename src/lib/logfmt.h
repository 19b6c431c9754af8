/* logfmt: log records as readers show them — OpenWrt's logread line, JSON, an RFC 3164 message — and the reader protocol's lines. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_LOGFMT_H
#define KEEL_LOGFMT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "logrec.h"

/*
 * Shared by logread and `keelctl log`, so both print a record the same way.
 * Pure: the caller turns REAL_US into local time (localtime_r reads the
 * time zone file), everything else happens here.
 *
 * In the text forms, bytes below 0x20 (but tab) and 0x7f become "\n", "\r"
 * or "\xHH", so one record is always one line and cannot drive a terminal;
 * every other byte, invalid UTF-8 included, is written as it came, as
 * OpenWrt's logread does.
 */

/* Seconds of the epoch of a REAL_US value (rounded down, also before 1970). */
time_t logfmt_seconds(int64_t real_us);

/* "Tue Dec  1 04:08:56 2026 daemon.info dnsmasq[1234]: message\n"; the
 * "[PID]" only when pid is not 0. local: REAL_US in local time. */
void logfmt_text(struct buf *b, const struct log_rec *r, const struct tm *local);

/* One JSON object and '\n': seq, mono_us, real_us, time (UTC, microseconds),
 * facility, severity, source, pid, flags ("" or "c"), tag, message. Valid
 * UTF-8 JSON whatever the record holds: a byte of an invalid UTF-8 sequence
 * becomes "\u00XX" (that byte's value), control characters (C0, 0x7f and
 * C1) "\uXXXX". */
void logfmt_json(struct buf *b, const struct log_rec *r);

/* "<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MESSAGE", no newline (the TCP
 * framing adds one). HOST is left out when NULL or empty. */
void logfmt_rfc3164(struct buf *b, const struct log_rec *r, const struct tm *local,
		    const char *host);

/* Orders records by MONO_US, keeping the order of equal ones (the kernel's
 * lines, read after keel started, belong before keel's first ones). Returns
 * 0, or -1 when out of memory for the merge (then v is sorted anyway, more
 * slowly). */
int logfmt_sort(struct log_rec *v, size_t n);

/* What one line of the reader protocol says. */
enum logfmt_line {
	LOGFMT_RECORD, /* *r is filled, pointing into line */
	LOGFMT_LOST,   /* "lost N": *lost = N */
	LOGFMT_END,    /* "end": the dump is complete */
	LOGFMT_ERR,    /* "ERR ...": keel refused the request */
	LOGFMT_OTHER,  /* anything else: ignored, for later additions */
};

/* Classifies line (len bytes, no '\n', with one writable byte after it)
 * and parses a record in place with logrec_parse; r->tag and r->msg are
 * then NUL-terminated too (a NUL inside them ends them early for C string
 * functions, not for the formatters, which use the lengths). */
enum logfmt_line logfmt_parse_line(char *line, size_t len, struct log_rec *r, uint64_t *lost);

#endif
