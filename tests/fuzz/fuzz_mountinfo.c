/* fuzz_mountinfo: any bytes as /proc/self/mountinfo give a sorted table of absolute points and a consistent diff, never a fault. */
/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mountinfo.h"

/*
 * Input: two tables separated by the first byte 0xff (none: the second is
 * empty). Each is copied to a buffer of its exact size, so that a read past
 * it is caught. The diff of the two, applied to the first as a set, must give
 * the second.
 */

struct count {
	size_t added, removed;
};

static void counter(void *ctx, const char *point, bool added)
{
	struct count *c = ctx;
	if (point[0] != '/')
		abort();
	if (added)
		c->added++;
	else
		c->removed++;
}

static bool keep_odd(const char *point, void *ctx)
{
	(void)ctx;
	return strlen(point) % 2;
}

static void check(const struct mnt_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].point[0] != '/')
			abort();
		if (i) {
			int r = strcmp(v[i - 1].point, v[i].point);
			if (r > 0 || (r == 0 && v[i - 1].id >= v[i].id))
				abort();
		}
	}
}

static size_t common(const struct mnt_entry *a, size_t na, const struct mnt_entry *b, size_t nb)
{
	size_t i = 0, j = 0, k = 0;
	while (i < na && j < nb) {
		int r = strcmp(a[i].point, b[j].point);
		if (!r)
			r = a[i].id < b[j].id ? -1 : a[i].id > b[j].id;
		if (r < 0)
			i++;
		else if (r > 0)
			j++;
		else
			i++, j++, k++;
	}
	return k;
}

static char *copy(const uint8_t *p, size_t n)
{
	char *c = malloc(n ? n : 1);
	if (c && n)
		memcpy(c, p, n);
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = memchr(data, 0xff, size);
	size_t n1 = sep ? (size_t)(sep - data) : size;
	char *t1 = copy(data, n1);
	char *t2 = sep ? copy(sep + 1, size - n1 - 1) : copy(data, 0);
	char *t3 = copy(data, n1);
	if (!t1 || !t2 || !t3)
		goto out;
	struct mnt_entry *a = NULL, *b = NULL, *c = NULL;
	size_t na, nb, nc, bad;
	if (mountinfo_parse(t1, n1, NULL, NULL, &a, &na, &bad) < 0 ||
	    mountinfo_parse(t2, sep ? size - n1 - 1 : 0, NULL, NULL, &b, &nb, NULL) < 0 ||
	    mountinfo_parse(t3, n1, keep_odd, NULL, &c, &nc, NULL) < 0)
		goto out2;
	check(a, na);
	check(b, nb);
	check(c, nc);
	if (nc > na)
		abort();
	struct count k = { 0 };
	mountinfo_diff(a, na, b, nb, counter, &k);
	size_t both = common(a, na, b, nb);
	if (k.removed != na - both || k.added != nb - both)
		abort();
	struct mnt_table tab = { 0 };
	if (mnt_table_set(&tab, a, na) == 0) {
		for (size_t i = 0; i < na; i++)
			if (!mnt_table_has(&tab, a[i].point))
				abort();
		for (size_t i = 0; i < nb; i++)
			(void)mnt_table_has(&tab, b[i].point);
		mnt_table_free(&tab);
	}
out2:
	free(a);
	free(b);
	free(c);
out:
	free(t1);
	free(t2);
	free(t3);
	return 0;
}
