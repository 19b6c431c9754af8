/* envfile: the model's /etc/initd.env — KEY=VALUE lines giving every service its base environment. */
/* SPDX-License-Identifier: MIT */
#include "envfile.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "envop.h"
#include "lex.h"

char **envfile_parse(const char *buf, size_t len, const char *file, size_t *n,
		     struct diags *diags)
{
	struct lexer lx;
	struct lex_line l;
	char **env = calloc(1, sizeof *env);
	size_t cnt = 0;
	int r;
	if (!env)
		return NULL;
	lex_init(&lx, buf, len, file, NULL, 0, diags);
	while ((r = lex_next(&lx, &l)) != 0) {
		if (r < 0)
			continue; /* reported by the lexer */
		size_t keylen;
		enum envop op;
		const char *value;
		if (l.argc != 1 || !envop_split(l.argv[0], &keylen, &op, &value)) {
			diag_add(diags, DIAG_ERROR, file, l.lineno,
				 "expected one KEY=VALUE, KEY+=VALUE or KEY^=VALUE (quote a value with blanks), got \"%s%s\"",
				 l.argv[0], l.argc > 1 ? " ..." : "");
			lex_line_free(&l);
			continue;
		}
		/* Appends and prepends apply in order, each one: never merged. */
		size_t kl = (size_t)(value - l.argv[0]);
		size_t i = op == ENVOP_SET ? 0 : cnt;
		while (i < cnt && strncmp(env[i], l.argv[0], kl))
			i++;
		char *kv = strdup(l.argv[0]);
		lex_line_free(&l);
		if (!kv)
			goto oom;
		if (i < cnt) {
			free(env[i]);
			env[i] = kv;
			continue;
		}
		char **nv = realloc(env, (cnt + 2) * sizeof *nv);
		if (!nv) {
			free(kv);
			goto oom;
		}
		env = nv;
		env[cnt++] = kv;
		env[cnt] = NULL;
	}
	*n = cnt;
	return env;
oom:
	env[cnt] = NULL;
	envfile_free(env);
	diag_add(diags, DIAG_ERROR, file, 0, "out of memory");
	return NULL;
}

void envfile_free(char **env)
{
	if (!env)
		return;
	for (char **e = env; *e; e++)
		free(*e);
	free(env);
}
