/* hexdigit: the value of one hexadecimal digit, for the parsers that read escapes (lex, logrec, JSON). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_HEXDIGIT_H
#define KEEL_HEXDIGIT_H

/* 0..15, or -1 for anything else. Inline: jsonfilter links none of src/lib. */
static inline int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
