/* mountinfo: the lines of /proc/self/mountinfo as a sorted table of mount points, and the difference of two tables. */
/* SPDX-License-Identifier: MIT */
#include "mountinfo.h"

#include <stdlib.h>
#include <string.h>

static bool is_odigit(char c)
{
	return c >= '0' && c <= '7';
}

bool mountinfo_unescape(char *p)
{
	bool ok = true;
	char *w = p;
	for (char *r = p; *r; r++) {
		/* The kernel writes exactly three digits; anything else is taken
		 * as it stands, as the kernel would never have written it. */
		char c = 0;
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && is_odigit(r[2]) && is_odigit(r[3]))
			c = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
		if (c) {
			*w++ = c;
			r += 3;
		} else {
			ok &= !(r[0] == '\\' && r[1] == '0' && r[2] == '0' && r[3] == '0');
			*w++ = *r;
		}
	}
	*w = '\0';
	return ok;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct mnt_entry *x = a, *y = b;
	int r = strcmp(x->point, y->point);
	if (r)
		return r;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Field i (0-based) of the line [p, end): its start, and its end in *fe. */
static char *field(char *p, char *end, int i, char **fe)
{
	for (; i > 0; i--) {
		char *sp = memchr(p, ' ', (size_t)(end - p));
		if (!sp)
			return NULL;
		p = sp + 1;
	}
	char *sp = memchr(p, ' ', (size_t)(end - p));
	*fe = sp ? sp : end;
	return p;
}

/* One line [p, end) into e; false if malformed. */
static bool parse_line(char *p, char *end, struct mnt_entry *e)
{
	if (memchr(p, '\0', (size_t)(end - p)))
		return false;
	char *fe;
	char *id = field(p, end, 0, &fe);
	if (!id || fe == id || fe - id > 10)
		return false;
	uint64_t v = 0;
	for (char *c = id; c < fe; c++) {
		if (*c < '0' || *c > '9')
			return false;
		v = v * 10 + (uint64_t)(*c - '0');
	}
	if (v > UINT32_MAX)
		return false;
	char *point = field(p, end, 4, &fe);
	/* The point is followed by the mount options at least: a line without
	 * them was cut off, and so may its point be. */
	if (!point || fe == end || *point != '/')
		return false;
	*fe = '\0';
	if (!mountinfo_unescape(point))
		return false;
	e->point = point;
	e->id = (uint32_t)v;
	return true;
}

int mountinfo_parse(char *text, size_t len, bool (*keep)(const char *point, void *ctx), void *ctx,
		    struct mnt_entry **out, size_t *n, size_t *bad)
{
	struct mnt_entry *v = NULL;
	size_t nv = 0, cap = 0, nbad = 0;
	char *p = text, *end = text + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *le = nl ? nl : end;
		struct mnt_entry e;
		if (le == p) {
			/* an empty line: nothing, not an error */
		} else if (!nl || !parse_line(p, le, &e)) {
			nbad++;
		} else if (!keep || keep(e.point, ctx)) {
			if (nv == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct mnt_entry *nvv = realloc(v, ncap * sizeof *nvv);
				if (!nvv) {
					free(v);
					return -1;
				}
				v = nvv;
				cap = ncap;
			}
			v[nv++] = e;
		}
		p = le + 1;
	}
	if (nv > 1)
		qsort(v, nv, sizeof *v, entry_cmp);
	size_t w = 0;
	for (size_t i = 0; i < nv; i++)
		if (!w || entry_cmp(&v[w - 1], &v[i]))
			v[w++] = v[i];
	*out = v;
	*n = w;
	if (bad)
		*bad = nbad;
	return 0;
}

void mountinfo_diff(const struct mnt_entry *a, size_t na, const struct mnt_entry *b, size_t nb,
		    void (*cb)(void *ctx, const char *point, bool added), void *ctx)
{
	/* Two merge walks: the removals of the first, the additions of the second. */
	for (int pass = 0; pass < 2; pass++) {
		size_t i = 0, j = 0;
		while (i < na || j < nb) {
			int r = i == na ? 1 : j == nb ? -1 : entry_cmp(&a[i], &b[j]);
			if (r < 0) {
				if (pass == 0)
					cb(ctx, a[i].point, false);
				i++;
			} else if (r > 0) {
				if (pass == 1)
					cb(ctx, b[j].point, true);
				j++;
			} else {
				i++;
				j++;
			}
		}
	}
}

int mnt_table_set(struct mnt_table *t, const struct mnt_entry *v, size_t n)
{
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++)
		bytes += strlen(v[i].point) + 1;
	struct mnt_entry *nv = n ? malloc(n * sizeof *nv) : NULL;
	char *s = bytes ? malloc(bytes) : NULL;
	if ((n && !nv) || (bytes && !s)) {
		free(nv);
		free(s);
		return -1;
	}
	char *w = s;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i].point) + 1;
		memcpy(w, v[i].point, l);
		nv[i] = (struct mnt_entry){ .point = w, .id = v[i].id };
		w += l;
	}
	mnt_table_free(t);
	t->v = nv;
	t->n = n;
	t->strings = s;
	return 0;
}

void mnt_table_free(struct mnt_table *t)
{
	free(t->v);
	free(t->strings);
	*t = (struct mnt_table){ 0 };
}

bool mnt_table_has(const struct mnt_table *t, const char *point)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(point, t->v[mid].point);
		if (!r)
			return true;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return false;
}
