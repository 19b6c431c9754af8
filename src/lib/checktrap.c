/* checktrap: the traps a newcomer falls into in a service file, found in its raw text (keel check). */
/* SPDX-License-Identifier: MIT */
#include "checktrap.h"

#include <stdbool.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* A word of [s, e) starting or ending with ' outside double quotes: where
 * it starts, or NULL. Backslash escapes count only inside quotes, as in
 * the lexer. */
static const char *single_quoted_word(const char *s, const char *e)
{
	bool dq = false;
	const char *word = NULL;
	for (const char *q = s; q < e; q++) {
		if (dq) {
			if (*q == '\\' && q + 1 < e)
				q++;
			else if (*q == '"')
				dq = false;
			continue;
		}
		if (*q == '#')
			break;
		if (is_blank(*q)) {
			word = NULL;
			continue;
		}
		if (!word)
			word = q;
		if (*q == '"')
			dq = true;
		else if (*q == '\'' && (q == word || q + 1 == e || is_blank(q[1])))
			return word;
	}
	return NULL;
}

void checktrap_scan(const char *file, const char *text, size_t len, struct diags *d)
{
	const char *end = text + len;
	if (len >= 2 && text[0] == '#' && text[1] == '!') {
		const char *nl = memchr(text, '\n', len);
		size_t l1 = nl ? (size_t)(nl - text) : len;
		static const char rc_common[] = "/etc/rc.common";
		if (l1 >= sizeof rc_common - 1 && memmem(text, l1, rc_common, sizeof rc_common - 1))
			return;
		/* busybox/Buildroot's own: S??name, K??name, rcS, rcK belong here
		 * (their rcS runs them); keel leaves them out with one note. */
		const char *base = strrchr(file, '/');
		base = base ? base + 1 : file;
		if (((base[0] == 'S' || base[0] == 'K') && base[1] >= '0' && base[1] <= '9') ||
		    !strcmp(base, "rcS") || !strcmp(base, "rcK"))
			return;
		int shown = l1 > 40 ? 40 : (int)l1;
		diag_add(d, DIAG_WARNING, file, 1,
			 "this is a script (\"%.*s\"), not a service description: service files are "
			 "keyword lines read by keel, never run; put the script elsewhere (such as "
			 "/usr/libexec) and start it with an \"exec\" line",
			 shown, text);
		return;
	}
	unsigned line = 0;
	for (const char *s = text; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		line++;
		const char *w = single_quoted_word(s, e);
		if (w) {
			size_t wl = 0;
			while (w + wl < e && !is_blank(w[wl]))
				wl++;
			int shown = wl > 40 ? 40 : (int)wl;
			diag_add(d, DIAG_WARNING, file, line,
				 "%.*s: single quotes do not group words in service files, they stay in "
				 "the argument; use double quotes (\"like this\")",
				 shown, w);
		}
		s = nl ? nl + 1 : end;
	}
}
