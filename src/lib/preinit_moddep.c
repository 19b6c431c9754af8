/* preinit_moddep: resolves kernel module names to an ordered list of files through modules.dep. */
/* SPDX-License-Identifier: MIT */
#include "preinit_moddep.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmdline.h"

bool preinit_modname_equal(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
		if (x != y)
			return false;
	}
	return !*a && !*b;
}

char *preinit_modname(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *ko = strstr(base, ".ko");
	size_t n = ko ? (size_t)(ko - base) : strlen(base);
	return strndup(base, n);
}

/* Is the module of path[0..n) called name? */
static bool path_is(const char *path, size_t n, const char *name)
{
	char *p = strndup(path, n);
	char *m = p ? preinit_modname(p) : NULL;
	bool eq = m && preinit_modname_equal(m, name);
	free(m);
	free(p);
	return eq;
}

static int order_add(struct preinit_strv *order, const char *path, size_t n)
{
	for (size_t i = 0; i < order->n; i++)
		if (strlen(order->v[i]) == n && !strncmp(order->v[i], path, n))
			return 0;
	char *p = strndup(path, n);
	int r = p ? preinit_strv_add(order, p) : -1;
	free(p);
	return r;
}

int preinit_moddep_resolve(const char *dep, const char *name, struct preinit_strv *order)
{
	for (const char *line = dep; line && *line;) {
		const char *nl = strchr(line, '\n');
		const char *end = nl ? nl : line + strlen(line);
		const char *colon = memchr(line, ':', (size_t)(end - line));
		if (colon && path_is(line, (size_t)(colon - line), name)) {
			/* modules.dep lists the whole closure, each entry needing
			 * the ones after it: load from the last to the first. */
			for (const char *p = end; p > colon + 1;) {
				while (p > colon + 1 && (p[-1] == ' ' || p[-1] == '\t'))
					p--;
				const char *e = p;
				while (p > colon + 1 && p[-1] != ' ' && p[-1] != '\t')
					p--;
				if (e > p && order_add(order, p, (size_t)(e - p)) < 0)
					return -1;
			}
			return order_add(order, line, (size_t)(colon - line)) < 0 ? -1 : 1;
		}
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

bool preinit_modbuiltin(const char *builtin, const char *name)
{
	for (const char *line = builtin; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		if (n && path_is(line, n, name))
			return true;
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

char *preinit_modparams(const char *cmdline, const char *name)
{
	struct buf b = { 0 };
	buf_adds(&b, "");
	size_t nlen = strlen(name), n;
	const char *p = cmdline, *w;
	while ((w = cmdline_next_word(&p, &n))) {
		const char *dot = memchr(w, '.', n);
		if (!dot || (size_t)(dot - w) != nlen || !memchr(dot, '=', n - (size_t)(dot - w)))
			continue;
		char *mod = strndup(w, nlen);
		bool mine = mod && preinit_modname_equal(mod, name);
		free(mod);
		if (!mine)
			continue;
		if (b.len)
			buf_adds(&b, " ");
		buf_add(&b, dot + 1, n - nlen - 1);
	}
	if (b.oom) {
		buf_free(&b);
		return NULL;
	}
	return b.p;
}
