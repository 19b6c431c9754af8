/* logrec: one log record, and its line in the log socket protocol and the log file (format and parse). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_LOGREC_H
#define KEEL_LOGREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

enum log_source {
	LOG_SRC_KERN,
	LOG_SRC_KEEL,
	LOG_SRC_STDOUT,
	LOG_SRC_STDERR,
	LOG_SRC_SYSLOG,
	LOG_SRC_COUNT
};

enum { LOG_F_CONT = 1 }; /* the message continues in the next record */

/* Longest message of one record: a longer line is cut into several. */
#define LOG_MSG_MAX 1024
/* Longest tag kept. */
#define LOG_TAG_MAX 64

struct log_rec {
	uint64_t seq;
	uint64_t mono_us;
	int64_t real_us;
	uint32_t pid;
	uint8_t pri;    /* facility * 8 + severity */
	uint8_t source; /* enum log_source */
	uint8_t flags;  /* LOG_F_* */
	const char *tag;
	size_t tag_len;
	const char *msg;
	size_t msg_len;
};

const char *logrec_source_name(unsigned source);
const char *logrec_facility_name(unsigned facility); /* "daemon"; "?" if unknown */
const char *logrec_severity_name(unsigned severity); /* "info" */

/*
 * Appends the record's line, with its '\n':
 *   SEQ MONO_US REAL_US PRI SOURCE PID FLAGS TAG MESSAGE   (tab-separated)
 * FLAGS is "-" or letters ("c"). TAG and MESSAGE are escaped: "\\" "\t"
 * "\n" "\r", and "\xHH" for other bytes below 0x20, 0x7f, and each byte
 * of an invalid UTF-8 sequence. The line is valid UTF-8 whatever the
 * record holds.
 */
void logrec_format(struct buf *b, const struct log_rec *r);

/* The escaping of logrec_format, alone. */
void logrec_escape(struct buf *b, const char *s, size_t n);

/*
 * Parses one line (without its '\n'; len bytes) in place: tag and message
 * are unescaped into the line's own bytes and r points into it. Returns 0,
 * or -1 if the line is not a record line (wrong field count, bad number).
 * Pure.
 */
int logrec_parse(char *line, size_t len, struct log_rec *r);

#endif
