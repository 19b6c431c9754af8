/* buf: a growable byte buffer — the one way keel builds text of unknown length. */
/* SPDX-License-Identifier: MIT */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool buf_reserve(struct buf *b, size_t extra)
{
	if (b->oom || b->off)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	size_t ncap = b->cap ? b->cap : 128;
	while (ncap < b->len + extra + 1) {
		if (ncap > ((size_t)-1) / 2) {
			b->oom = true;
			return false;
		}
		ncap *= 2;
	}
	char *n = realloc(b->p, ncap);
	if (!n) {
		b->oom = true;
		return false;
	}
	b->p = n;
	b->cap = ncap;
	return true;
}

void buf_add(struct buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[128];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0) {
		va_end(ap2);
		return;
	}
	if ((size_t)n < sizeof tmp) {
		buf_add(b, tmp, (size_t)n);
	} else if (buf_reserve(b, (size_t)n)) {
		vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap2);
		b->len += (size_t)n;
	}
	va_end(ap2);
}

void buf_add_field(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	if (!buf_reserve(b, n))
		return;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		b->p[b->len++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
	}
	b->p[b->len] = '\0';
}

static const char hexd[] = "0123456789abcdef";

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid;
 * *cp gets its code point. */
size_t utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	size_t len;
	unsigned min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	unsigned v = c & (0x3fu >> (len - 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3fu);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

void buf_add_json_n(struct buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0;
	buf_add(b, "\"", 1);
	for (size_t i = 0; i < n;) {
		unsigned cp = 0;
		size_t ul = utf8_seq(p + i, n - i, &cp);
		int plain = ul && cp >= 0x20 && cp != '"' && cp != '\\' && !(cp >= 0x7f && cp <= 0x9f);
		if (plain) {
			run += ul;
			i += ul;
			continue;
		}
		if (run)
			buf_add(b, s + i - run, run);
		run = 0;
		if (cp == '"' || cp == '\\') {
			char e[2] = { '\\', (char)cp };
			buf_add(b, e, 2);
		} else {
			/* A control character, or one byte of an invalid sequence:
			 * that byte's value, so nothing is lost and the JSON stays
			 * valid. */
			unsigned v = ul ? cp : p[i];
			char e[6] = { '\\', 'u', '0', '0', hexd[(v >> 4) & 15], hexd[v & 15] };
			buf_add(b, e, 6);
		}
		i += ul ? ul : 1;
	}
	if (run)
		buf_add(b, s + n - run, run);
	buf_add(b, "\"", 1);
}

void buf_add_json(struct buf *b, const char *s)
{
	buf_add_json_n(b, s, strlen(s));
}

void buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
	} else {
		memmove(b->p, b->p + n, b->len - n);
		b->len -= n;
	}
	if (b->p)
		b->p[b->len] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->p);
	*b = (struct buf){ 0 };
}
