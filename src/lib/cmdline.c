/* cmdline: keel's options on the kernel command line (keel.debug, keel.single, keel.target=). */
#include "cmdline.h"

#include <stdlib.h>
#include <string.h>

#define WHERE "kernel command line"

static void cmdline_word(const char *w, size_t n, struct cmdline *out, struct diags *diags)
{
	char *word = strndup(w, n);
	if (!word)
		return;
	char *eq = strchr(word, '=');
	const char *val = eq ? eq + 1 : NULL;
	if (eq)
		*eq = '\0';
	if (!strcmp(word, "single") || !strcmp(word, "S")) {
		if (!val)
			out->single = true;
	} else if (!strncmp(word, "keel.", 5)) {
		const char *opt = word + 5;
		if (!strcmp(opt, "debug") && !val) {
			out->debug = true;
		} else if (!strcmp(opt, "quiet") && !val) {
			out->quiet = true;
		} else if (!strcmp(opt, "single") && !val) {
			out->single = true;
		} else if (!strcmp(opt, "target") && val) {
			int t = svc_target_from_name(val);
			if (t < 0 || t == SVC_TARGET_CTRLALTDEL)
				diag_add(diags, DIAG_WARNING, WHERE, 0,
					 "keel.target: unknown target \"%s\" (using boot)", val);
			else
				out->target = (enum svc_target)t;
		} else {
			diag_add(diags, DIAG_WARNING, WHERE, 0, "unknown option \"%s%s%s\"", word,
				 val ? "=" : "", val ? val : "");
		}
	}
	free(word);
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
