/* diag: collects diagnostics with file and line and renders them in one voice. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* Make room for `more` entries; 0 or -1 (allocation failed, d unchanged). */
static int diags_reserve(struct diags *d, size_t more)
{
	if (d->cap - d->n >= more)
		return 0;
	size_t cap = d->cap ? d->cap : 8;
	while (cap - d->n < more) {
		if (cap > ((size_t)-1) / 2 / sizeof(*d->v))
			return -1;
		cap *= 2;
	}
	struct diag *v = realloc(d->v, cap * sizeof(*v));
	if (!v)
		return -1;
	d->v = v;
	d->cap = cap;
	return 0;
}

/* s with control bytes as \xNN: a file name or a text from a file must not
 * forge a console line (a newline, an escape sequence). NULL: no memory. */
static char *diag_escape(const char *s)
{
	size_t n = 0, ctl = 0;
	for (; s[n]; n++)
		ctl += (unsigned char)s[n] < 0x20 || s[n] == 0x7f;
	char *out = malloc(n + ctl * 3 + 1);
	if (!out)
		return NULL;
	char *o = out;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f)
			o += sprintf(o, "\\x%02x", c);
		else
			*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

static bool diag_needs_escape(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

void diag_add(struct diags *d, enum diag_level level, const char *file,
	      unsigned line, const char *fmt, ...)
{
	char *msg = NULL;
	char *fcopy = NULL;
	va_list ap;

	bool same = file && d->n && d->v[d->n - 1].file && !strcmp(d->v[d->n - 1].file, file);
	bool file_full = same && d->run >= DIAG_FILE_MAX, all_full = d->n >= DIAG_MAX;
	if (file_full || all_full) {
		if (level == DIAG_ERROR)
			d->nerrors++;
		d->nlost++;
		/* Said once per file run, and once for the whole limit. */
		bool say = all_full ? !d->full : d->run == DIAG_FILE_MAX;
		d->run++;
		if (!say)
			return;
		if (all_full) {
			d->full = 1;
			d->n--; /* the note takes the last entry's place: it is lost too */
			d->nlost++;
			free(d->v[d->n].file);
			free(d->v[d->n].msg);
		}
		fcopy = file && !all_full ? diag_escape(file) : NULL;
		if (asprintf(&msg, "too many problems%s: the rest are counted, not shown",
			     all_full ? "" : " in this file") < 0)
			goto oom;
		if (!all_full && diags_reserve(d, 1) < 0)
			goto oom;
		d->v[d->n++] = (struct diag){ .level = DIAG_WARNING, .file = fcopy, .msg = msg };
		return;
	}
	d->run = same ? d->run + 1 : 1;

	va_start(ap, fmt);
	int r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0) {
		msg = NULL;
		goto oom;
	}
	if (diag_needs_escape(msg)) {
		char *e = diag_escape(msg);
		if (!e)
			goto oom;
		free(msg);
		msg = e;
	}
	if (file) {
		fcopy = diag_needs_escape(file) ? diag_escape(file) : strdup(file);
		if (!fcopy)
			goto oom;
	}
	if (diags_reserve(d, 1) < 0)
		goto oom;
	d->v[d->n++] = (struct diag){
		.level = level, .file = fcopy, .line = line, .msg = msg,
	};
	if (level == DIAG_ERROR)
		d->nerrors++;
	return;
oom:
	free(msg);
	free(fcopy);
	d->oom = 1;
}

void diags_move(struct diags *dst, struct diags *src)
{
	if (dst == src)
		return;
	if (src->oom)
		dst->oom = 1;
	if (src->n && diags_reserve(dst, src->n) == 0) {
		memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
		dst->n += src->n;
		dst->nerrors += src->nerrors;
		free(src->v);
		*src = (struct diags){0};
		return;
	}
	if (src->n)
		dst->oom = 1; /* could not grow dst: the moved entries are lost */
	diags_free(src);
}

void diags_free(struct diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	*d = (struct diags){0};
}

const char *diag_level_name(enum diag_level level)
{
	switch (level) {
	case DIAG_NOTE:
		return "note";
	case DIAG_WARNING:
		return "warning";
	case DIAG_ERROR:
		return "error";
	}
	return "error";
}

char *diag_format(const struct diag *dg)
{
	char *out = NULL;
	const char *lvl = diag_level_name(dg->level);
	const char *msg = dg->msg ? dg->msg : "";
	int r;

	if (dg->file && dg->line)
		r = asprintf(&out, "%s: %s:%u: %s", lvl, dg->file, dg->line, msg);
	else if (dg->file)
		r = asprintf(&out, "%s: %s: %s", lvl, dg->file, msg);
	else if (dg->line)
		r = asprintf(&out, "%s: %u: %s", lvl, dg->line, msg);
	else
		r = asprintf(&out, "%s: %s", lvl, msg);
	return r < 0 ? NULL : out;
}
