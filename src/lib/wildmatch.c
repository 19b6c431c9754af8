/* wildmatch: shell wildcards (* ? [...]) against a name, as fnmatch(3) with FNM_PERIOD or no flags does, in bytes. */
/* SPDX-License-Identifier: MIT */
#include "wildmatch.h"

#include <ctype.h>
#include <string.h>

/*
 * Why not fnmatch(3): in a static PID 1, musl's brings its wide-character
 * tables (~18 KiB of code and data that stay resident) for what keel
 * matches: file and interface names, byte by byte. Names are not
 * multibyte-aware here, as in the kernel.
 */

/* 1 if c is in the class, 0 if not, -1 if there is no such class. */
static int in_class(const char *name, size_t len, unsigned char c)
{
	static const struct {
		const char *name;
		int (*is)(int);
	} classes[] = {
		{ "alpha", isalpha }, { "digit", isdigit }, { "alnum", isalnum }, { "upper", isupper },
		{ "lower", islower }, { "space", isspace }, { "xdigit", isxdigit }, { "punct", ispunct },
	};
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
		if (strlen(classes[i].name) == len && !memcmp(classes[i].name, name, len))
			return c < 128 && classes[i].is(c);
	return -1;
}

/* Matches c against the set at p (just after '['). Returns the byte after
 * the closing ']', or NULL if the set has none (then '[' is itself). An
 * unknown class name reached before c matched makes *bad true: no match
 * here, as with glibc. */
static const char *set_match(const char *p, unsigned char c, bool *hit, bool *bad)
{
	bool neg = *p == '!' || *p == '^';
	if (neg)
		p++;
	bool in = false;
	const char *first = p;
	for (;;) {
		if (!*p)
			return NULL;
		if (*p == ']' && p != first)
			break;
		if (p[0] == '[' && p[1] == ':') {
			/* A class name is lower-case letters (glibc: a to y)
			 * ending in ":]"; anything else makes '[' a byte. */
			const char *e = p + 2;
			while (*e >= 'a' && *e <= 'y')
				e++;
			if (e[0] == ':' && e[1] == ']') {
				int k = in_class(p + 2, (size_t)(e - p - 2), c);
				/* glibc gives up at an unknown class, unless
				 * the byte matched an element before it. */
				if (k < 0 && !in) {
					*bad = true;
					return p;
				}
				in |= k > 0;
				p = e + 2;
				continue;
			}
		}
		unsigned char lo = (unsigned char)*p;
		if (lo == '\\' && p[1])
			lo = (unsigned char)*++p;
		p++;
		unsigned char hi = lo;
		if (p[0] == '-' && p[1] && p[1] != ']') {
			hi = (unsigned char)p[1];
			if (hi == '\\' && p[2])
				hi = (unsigned char)*++p;
			p += 2;
		}
		if (lo <= c && c <= hi)
			in = true;
	}
	*hit = in != neg;
	return p + 1;
}

bool wildmatch(const char *pat, const char *name, int flags)
{
	const char *p = pat, *n = name;
	/* The last '*' seen and where the name stood: on a mismatch, that star
	 * takes one more byte. One star is enough to go back to: what the
	 * earlier ones took can only grow, never needs to. */
	const char *star_p = NULL, *star_n = NULL;
	if ((flags & WILD_PERIOD) && *n == '.' && *p != '.')
		return false;
	while (*n) {
		unsigned char c = (unsigned char)*n;
		if (*p == '*') {
			while (*p == '*')
				p++;
			star_p = p;
			star_n = n;
			continue;
		}
		const char *next = NULL;
		bool hit = false, bad = false;
		if (*p == '?') {
			hit = true;
			next = p + 1;
		} else if (*p == '[' && (next = set_match(p + 1, c, &hit, &bad))) {
			hit = hit && !bad;
		} else if (*p) {
			const char *q = p;
			if (*q == '\\' && q[1])
				q++;
			hit = (unsigned char)*q == c;
			next = q + 1;
		}
		if (hit) {
			p = next;
			n++;
			continue;
		}
		if (!star_p)
			return false;
		p = star_p;
		n = ++star_n;
	}
	while (*p == '*')
		p++;
	return !*p;
}
