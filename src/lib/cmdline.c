/* cmdline: keel's options on the kernel command line (keel.debug, keel.quiet, keel.single, keel.target=, quiet). */
#include "cmdline.h"

#include <stdlib.h>
#include <string.h>

#define WHERE "kernel command line"

static bool word_is(const char *w, size_t n, const char *lit)
{
	return strlen(lit) == n && !memcmp(w, lit, n);
}

/* Works on the word in place: no allocation per word of a command line
 * that is mostly the kernel's own options. */
static void cmdline_word(const char *w, size_t n, struct cmdline *out, struct diags *diags)
{
	const char *eq = memchr(w, '=', n);
	size_t klen = eq ? (size_t)(eq - w) : n;
	if (word_is(w, klen, "single") || word_is(w, klen, "S")) {
		if (!eq)
			out->single = true;
		return;
	}
	/* The kernel's "quiet" asks for a quiet boot: init's lines too (as
	 * systemd and finit read it). */
	if (!eq && word_is(w, klen, "quiet")) {
		out->quiet = true;
		return;
	}
	if (klen < 5 || memcmp(w, "keel.", 5))
		return;
	const char *opt = w + 5;
	size_t olen = klen - 5;
	if (!eq && word_is(opt, olen, "debug")) {
		out->debug = true;
	} else if (!eq && word_is(opt, olen, "quiet")) {
		out->quiet = true;
	} else if (!eq && word_is(opt, olen, "verbose")) {
		out->verbose = true;
	} else if (!eq && word_is(opt, olen, "single")) {
		out->single = true;
	} else if (eq && word_is(opt, olen, "target")) {
		const char *val = eq + 1;
		size_t vlen = n - klen - 1;
		char name[32]; /* longer than any target name */
		int t = -1;
		if (vlen < sizeof name) {
			memcpy(name, val, vlen);
			name[vlen] = '\0';
			t = svc_target_from_name(name);
		}
		if (t < 0 || t == SVC_TARGET_CTRLALTDEL)
			diag_add(diags, DIAG_WARNING, WHERE, 0,
				 "keel.target: unknown target \"%.*s\" (using boot)", (int)vlen, val);
		else
			out->target = (enum svc_target)t;
	} else {
		diag_add(diags, DIAG_WARNING, WHERE, 0, "unknown option \"%.*s\"", (int)n, w);
	}
}

const char *cmdline_next_word(const char **pp, size_t *len)
{
	const char *p = *pp;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p) {
		*pp = p;
		return NULL;
	}
	const char *start = p;
	bool quoted = false;
	while (*p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n'))) {
		if (*p == '"')
			quoted = !quoted;
		p++;
	}
	*len = (size_t)(p - start);
	*pp = p;
	return start;
}

void cmdline_parse(const char *text, struct cmdline *out, struct diags *diags)
{
	*out = (struct cmdline){ .target = SVC_TARGET_BOOT };
	const char *p = text, *w;
	size_t n;
	while ((w = cmdline_next_word(&p, &n)))
		cmdline_word(w, n, out, diags);
}
