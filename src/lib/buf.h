/* buf: a growable byte buffer — the one way keel builds text of unknown length. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_BUF_H
#define KEEL_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *p;
	size_t len, cap;
	bool oom; /* an append failed: contents are incomplete */
	bool off; /* appends are dropped: an output nobody asked for */
};

void buf_add(struct buf *b, const char *s, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s with tabs, newlines and other control characters turned into
 * spaces: for one field of a tab-separated line. */
void buf_add_field(struct buf *b, const char *s);
/* Append s as a JSON string literal (with quotes), valid UTF-8 whatever s
 * holds: a byte of an invalid UTF-8 sequence becomes "\u00XX" (that byte's
 * value), control characters (C0, 0x7f, C1) "\uXXXX". */
void buf_add_json(struct buf *b, const char *s);
void buf_add_json_n(struct buf *b, const char *s, size_t n);
/* Drop the first n bytes. */
void buf_consume(struct buf *b, size_t n);
void buf_free(struct buf *b);
/* Length of the valid UTF-8 sequence at s (n bytes left, n > 0), 0 if
 * invalid (overlong, surrogate, past U+10FFFF, cut); *cp: its code point. */
size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp);

#endif
