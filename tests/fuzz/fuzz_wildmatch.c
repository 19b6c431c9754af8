/* fuzz_wildmatch: keel's wildcard matcher agrees with the C library's fnmatch(3) on any pattern and name. */
/* SPDX-License-Identifier: MIT */
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wildmatch.h"

/* An unterminated set, one holding a '[' other than a well-formed class
 * ("[:alpha:]"), or a range next to a class: the C library's own corners
 * (see below). */
static int quirky_set(const char *p)
{
	for (; *p; p++) {
		if (*p != '[')
			continue;
		const char *q = p + 1;
		if (*q == '!' || *q == '^')
			q++;
		if (*q == ']')
			q++;
		for (; *q && *q != ']'; q++) {
			if (*q == '-' && (q[1] == '[' || (q > p + 1 && q[-1] == ']')))
				return 1;
			if (*q != '[')
				continue;
			if (q[1] != ':')
				return 1;
			const char *e = q + 2;
			while (*e >= 'a' && *e <= 'y')
				e++;
			if (e[0] != ':' || e[1] != ']')
				return 1;
			q = e + 1;
		}
		if (!*q)
			return 1; /* unterminated */
		p = q;
	}
	return 0;
}

/* Input: PATTERN '\n' NAME (no NUL bytes). Collating symbols and
 * equivalence classes ([. .] [= =]) are the C library's alone, and its
 * backslashes and its unterminated sets ("[a-" matches nothing, "[a" is
 * itself) follow rules of their own: such patterns are only run (no
 * crash, no hang), the rest compared. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 512 || memchr(data, '\0', size))
		return 0;
	char buf[520];
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *nl = strchr(buf, '\n');
	if (!nl)
		return 0;
	*nl = '\0';
	const char *pat = buf, *name = nl + 1;
	const char *lb = strrchr(pat, '['), *rb = strrchr(pat, ']');
	if (strstr(pat, "[.") || strstr(pat, "[=") || strchr(pat, '\\') || (lb && (!rb || rb < lb)) ||
	    quirky_set(pat)) {
		(void)wildmatch(pat, name, 0);
		return 0;
	}
	for (int period = 0; period < 2; period++) {
		int r = fnmatch(pat, name, period ? FNM_PERIOD : 0);
		if (r != 0 && r != FNM_NOMATCH)
			continue; /* a pattern the C library calls invalid */
		if ((r == 0) != wildmatch(pat, name, period ? WILD_PERIOD : 0))
			abort();
	}
	return 0;
}
