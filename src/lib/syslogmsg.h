/* syslogmsg: parses what programs send to /dev/log (RFC 3164 and RFC 5424 forms) into priority, tag, pid and text. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SYSLOGMSG_H
#define KEEL_SYSLOGMSG_H

#include <stddef.h>
#include <stdint.h>

/*
 * One datagram as glibc's and musl's syslog(3), busybox `logger`, and
 * RFC 5424 senders write it. Accepted forms (PRI is 0..191; a missing or
 * bad <PRI> means user.notice, 13, as RFC 3164 section 4.3.3 says):
 *   <PRI>Mmm dd hh:mm:ss TAG[PID]: MSG      glibc, busybox logger
 *   <PRI>Mmm dd hh:mm:ss TAG: MSG
 *   <PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG (a HOST word is skipped when
 *                                           the word after it ends in ':' or "]:")
 *   <PRI>TAG[PID]: MSG                      no timestamp (some clients)
 *   <PRI>MSG                                no tag: the tag is empty
 *   <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG   RFC 5424 ("-" for nil
 *                                           fields; SD is "-" or one or more
 *                                           [..] elements, skipped; a UTF-8
 *                                           BOM before MSG is dropped)
 * The result points into the datagram (nothing is copied or written):
 * tag/msg are (pointer, length) pairs; trailing '\n' and NUL bytes of the
 * message are left out. pid is 0 when absent or not a number below 2^31.
 * TAG is at most 64 bytes (longer: cut). Never fails: any bytes give some
 * record. Pure.
 */
struct syslog_msg {
	const char *tag;
	size_t tag_len;
	const char *msg;
	size_t msg_len;
	uint32_t pid;
	uint8_t pri; /* facility * 8 + severity */
};

void syslogmsg_parse(const char *buf, size_t len, struct syslog_msg *out);

#endif
