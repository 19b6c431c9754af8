/* skip: debug switches — services named by keel.skip= on the kernel command line or in a marker file are not started at boot. */
/* SPDX-License-Identifier: MIT */
#include "skip.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "lex.h"
#include "svcdir.h"
#include "trim.h"

struct skip_name {
	char *name;
	const char *why; /* static text */
};

static struct skip_name *names;
static size_t nnames;

static void add(const char *s, size_t n, const char *why)
{
	if (!n)
		return;
	struct skip_name *nv = realloc(names, (nnames + 1) * sizeof *nv);
	if (!nv)
		return;
	names = nv;
	if ((names[nnames].name = strndup(s, n))) {
		names[nnames].why = why;
		nnames++;
	}
}

KEEL_BOOT void skip_init(const char *cmdline, const char *file, struct diags *diags)
{
	const char *p = cmdline;
	const char *w;
	size_t n;
	while (p && (w = cmdline_next_word(&p, &n)))
		if (n > 10 && !memcmp(w, "keel.skip=", 10))
			for (size_t i = 10; i < n;) {
				size_t e = i;
				while (e < n && w[e] != ',')
					e++;
				add(w + i, e - i, "skipped: keel.skip= on the kernel command line");
				i = e + 1;
			}
	if (!file || (access(file, F_OK) < 0 && errno == ENOENT))
		return;
	char *text = NULL;
	size_t len;
	if (svcdir_read(file, &text, &len, diags) < 0)
		return;
	struct lexer lx;
	struct lex_line l;
	int r;
	lex_init(&lx, text, len, file, NULL, 0, diags);
	while ((r = lex_next(&lx, &l)) != 0) {
		if (r < 0)
			continue;
		for (size_t i = 0; i < l.argc; i++)
			add(l.argv[i], strlen(l.argv[i]), "skipped: named in the skip file");
		lex_line_free(&l);
	}
	free(text);
}

bool skip_listed(struct svc *s)
{
	for (size_t i = 0; i < nnames; i++)
		if (svc_matches(s->def, names[i].name)) {
			sup_skip(s, names[i].why);
			return true;
		}
	return false;
}
