/* condcycle: finds cycles through service-state conditions among service definitions (keel and keel check). */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"
#include "diag.h"
#include "svc.h"

struct dfs {
	struct svc_def *const *defs;
	size_t n;
	bool *skip;
	struct diags *diags;
	uint8_t *color; /* 0 unseen, 1 on the path, 2 done */
	size_t *path;
	size_t depth;
	bool oom;
};

static bool waits_for(const struct svc_cond *c)
{
	/* `failed` and `!service` hold while the other is not running: they
	 * cannot deadlock a start. */
	return c->kind == COND_SERVICE && !c->neg && c->sub != COND_SVC_FAILED;
}

static void report(struct dfs *d, size_t from, const struct svc_def *closer, const struct svc_cond *c)
{
	size_t len = 1;
	for (size_t k = from; k < d->depth; k++)
		len += strlen(d->defs[d->path[k]]->instance) + 4;
	len += strlen(d->defs[d->path[from]]->instance);
	char *text = malloc(len);
	if (!text) {
		d->oom = true;
		return;
	}
	char *o = text;
	for (size_t k = from; k < d->depth; k++)
		o += sprintf(o, "%s -> ", d->defs[d->path[k]]->instance);
	strcpy(o, d->defs[d->path[from]]->instance);
	diag_add(d->diags, DIAG_ERROR, closer->file ? closer->file : closer->instance, c->line,
		 "condition cycle: %s; these services are skipped", text);
	free(text);
	for (size_t k = from; k < d->depth; k++)
		d->skip[d->path[k]] = true;
}

static void visit(struct dfs *d, size_t i)
{
	const struct svc_def *s = d->defs[i];
	d->color[i] = 1;
	d->path[d->depth++] = i;
	const struct svc_conds *cs = s->o->cs;
	for (size_t k = 0; cs && k < cs->n; k++) {
		if (!waits_for(&cs->v[k]))
			continue;
		for (size_t j = 0; j < d->n; j++) {
			if (!d->defs[j] || !svc_matches(d->defs[j], cs->v[k].arg))
				continue;
			if (d->color[j] == 1) {
				size_t from = 0;
				while (d->path[from] != j)
					from++;
				report(d, from, s, &cs->v[k]);
			} else if (d->color[j] == 0) {
				visit(d, j);
			}
		}
	}
	d->depth--;
	d->color[i] = 2;
}

int cond_find_cycles(struct svc_def *const *defs, size_t n, bool *skip, struct diags *diags)
{
	struct dfs d = { .defs = defs, .n = n, .skip = skip, .diags = diags,
			 .color = calloc(n ? n : 1, 1), .path = calloc(n ? n : 1, sizeof(size_t)) };
	if (!d.color || !d.path) {
		free(d.color);
		free(d.path);
		return -1;
	}
	/* Only services with a condition can start a cycle: most are passed over. */
	for (size_t i = 0; i < n; i++)
		if (defs[i] && defs[i]->o->cs && !d.color[i])
			visit(&d, i);
	free(d.color);
	free(d.path);
	return d.oom ? -1 : 0;
}
