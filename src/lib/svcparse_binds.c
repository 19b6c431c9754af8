/* svcparse_binds: the bind, hook and module keywords — run-time changes to a stock system, each a step of the service's exec sequence. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "svcparse_int.h"

/* The steps run keel itself in the service's process (never in PID 1: a
 * mount or a module load may wait on a file system or a device). */
#define SVC_SELF "/proc/self/exe"

/* Appends {SVC_SELF, verb, l->argv[1..]} to the exec sequence (strings move). */
static void svc_step_add(struct svc_parser *p, struct lex_line *l, const char *verb)
{
	struct svc_def *s = p->s;
	size_t n = l->argc - 1;
	char **argv = malloc((n + 3) * sizeof(*argv));
	char *self = svc_strdup(p, SVC_SELF), *v = svc_strdup(p, verb);
	struct svc_cmd *c = argv && self && v ? svc_grow(p, s->exec, s->nexec, sizeof(*c)) : NULL;
	if (!c) {
		if (!argv)
			p->oom = true;
		free(argv);
		free(self);
		free(v);
		return;
	}
	s->exec = c;
	argv[0] = self;
	argv[1] = v;
	for (size_t i = 0; i < n; i++) {
		argv[i + 2] = l->argv[i + 1];
		l->argv[i + 1] = NULL;
	}
	argv[n + 2] = NULL;
	s->exec[s->nexec++] = (struct svc_cmd){ .argv = argv, .line = l->lineno };
}

static bool svc_abs(struct svc_parser *p, struct lex_line *l, size_t i, const char *what)
{
	if (l->argv[i][0] == '/')
		return true;
	svc_err(p, l->lineno, "%s: %s must be an absolute path, got %s", l->argv[0], what,
		svc_quote(p, l->argv[i]));
	return false;
}

/* bind SRC DST [ro] */
void svc_kw_bind(struct svc_parser *p, struct lex_line *l)
{
	if (!svc_abs(p, l, 1, "the source") || !svc_abs(p, l, 2, "the target"))
		return;
	if (l->argc == 4 && strcmp(l->argv[3], "ro")) {
		svc_err(p, l->lineno, "bind: expected \"ro\" or nothing after the target, got %s",
			svc_quote(p, l->argv[3]));
		return;
	}
	svc_step_add(p, l, "bind");
}

/* hook FILE before|after TEXT LINE */
void svc_kw_hook(struct svc_parser *p, struct lex_line *l)
{
	if (!svc_abs(p, l, 1, "the file"))
		return;
	if (strcmp(l->argv[2], "before") && strcmp(l->argv[2], "after")) {
		svc_err(p, l->lineno, "hook: expected before or after, got %s", svc_quote(p, l->argv[2]));
		return;
	}
	if (!l->argv[3][0]) {
		svc_err(p, l->lineno, "hook: the text to find is empty");
		return;
	}
	if (strchr(l->argv[4], '\n')) {
		svc_err(p, l->lineno, "hook: the line to add holds a newline (one hook line per line)");
		return;
	}
	svc_step_add(p, l, "hook");
}

/* module PATH [PARAM=VALUE...] */
void svc_kw_module(struct svc_parser *p, struct lex_line *l)
{
	if (!svc_abs(p, l, 1, "the module"))
		return;
	for (size_t i = 2; i < l->argc; i++)
		if (!strchr(l->argv[i], '=') || l->argv[i][0] == '=') {
			svc_err(p, l->lineno, "module: expected PARAM=VALUE, got %s", svc_quote(p, l->argv[i]));
			return;
		}
	svc_step_add(p, l, "module");
}
