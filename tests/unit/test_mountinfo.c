/* test_mountinfo: /proc/self/mountinfo parsing (escapes, long and bad lines, thousands of mounts), the difference of two tables, and which mount points a trigger names. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cond_internal.h"
#include "mountinfo.h"

/* A real table, as a 6.1 kernel writes it (the escapes included). */
static const char real[] =
	"22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
	"23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
	"24 22 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n"
	"25 22 0:5 / /dev rw,nosuid shared:8 - devtmpfs udev rw,size=4096k,nr_inodes=1024,mode=755\n"
	"40 22 0:35 / /mnt/my\\040card rw,relatime shared:20 - vfat /dev/mmcblk0p1 rw,fmask=0022\n"
	"41 22 0:36 / /mnt/back\\134slash\\011tab\\012nl rw - tmpfs none rw\n"
	"42 22 0:37 / /mnt/data rw master:3 - ext4 /dev/sda1 rw\n"
	"43 42 0:38 /sub /mnt/data rw - tmpfs t rw\n";

struct parsed {
	char *text;
	struct mnt_entry *v;
	size_t n, bad;
};

static void parse(struct parsed *p, const char *text)
{
	p->text = strdup(text);
	assert_non_null(p->text);
	assert_int_equal(mountinfo_parse(p->text, strlen(text), NULL, NULL, &p->v, &p->n, &p->bad), 0);
}

static void parsed_free(struct parsed *p)
{
	free(p->v);
	free(p->text);
}

static bool has(const struct parsed *p, const char *point, uint32_t id)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].point, point) && p->v[i].id == id)
			return true;
	return false;
}

static void real_table(void **state)
{
	(void)state;
	struct parsed p;
	parse(&p, real);
	assert_int_equal(p.bad, 0);
	assert_int_equal(p.n, 8);
	assert_true(has(&p, "/", 22));
	assert_true(has(&p, "/mnt/my card", 40));
	assert_true(has(&p, "/mnt/back\\slash\ttab\nnl", 41));
	/* two mounts stacked on one point are two entries, sorted by ID */
	assert_true(has(&p, "/mnt/data", 42));
	assert_true(has(&p, "/mnt/data", 43));
	for (size_t i = 1; i < p.n; i++) {
		int r = strcmp(p.v[i - 1].point, p.v[i].point);
		assert_true(r < 0 || (r == 0 && p.v[i - 1].id < p.v[i].id));
	}
	parsed_free(&p);
}

static void bad_lines(void **state)
{
	(void)state;
	static const char text[] =
		"\n"                                         /* empty: not counted */
		"1 1 0:1 / /ok rw - tmpfs t rw\n"
		"x 1 0:1 / /id-not-a-number rw - t t rw\n"
		"99999999999 1 0:1 / /id-too-big rw - t t rw\n"
		"2 1 0:1 / relative rw - t t rw\n"
		"3 1 0:1 / /no-options\n"                   /* cut after the point */
		"4 1 0:1\n"                                 /* too few fields */
		"5 1 0:1 / /nul\\000point rw - t t rw\n"     /* an escape giving NUL */
		"6 1 0:1 / /bad\\9escape rw - t t rw\n"      /* not an escape: kept as written */
		"7 1 0:1 / /cut-off-at-the-end rw - t t rw"; /* no newline: a short read */
	struct parsed p;
	parse(&p, text);
	assert_int_equal(p.bad, 7);
	assert_int_equal(p.n, 2);
	assert_true(has(&p, "/ok", 1));
	assert_true(has(&p, "/bad\\9escape", 6));
	parsed_free(&p);

	/* a NUL byte inside a line */
	char withnul[] = "1 1 0:1 / /a rw - t t rw\n2 1 0:1 / /b\0c rw - t t rw\n";
	struct mnt_entry *v;
	size_t n, bad;
	assert_int_equal(mountinfo_parse(withnul, sizeof withnul - 1, NULL, NULL, &v, &n, &bad), 0);
	assert_int_equal(n, 1);
	assert_int_equal(bad, 1);
	assert_string_equal(v[0].point, "/a");
	free(v);

	/* nothing at all */
	assert_int_equal(mountinfo_parse(withnul, 0, NULL, NULL, &v, &n, NULL), 0);
	assert_int_equal(n, 0);
	free(v);
}

static void unescape(void **state)
{
	(void)state;
	char a[] = "/a\\040b\\134\\011", b[] = "\\0", c[] = "\\400x", d[] = "x\\000y", e[] = "end\\";
	assert_true(mountinfo_unescape(a));
	assert_string_equal(a, "/a b\\\t");
	assert_true(mountinfo_unescape(b));
	assert_string_equal(b, "\\0");
	assert_true(mountinfo_unescape(c)); /* \4xx is out of range: as written */
	assert_string_equal(c, "\\400x");
	assert_false(mountinfo_unescape(d));
	assert_string_equal(d, "x\\000y");
	assert_true(mountinfo_unescape(e));
	assert_string_equal(e, "end\\");
}

/* A point of 4000 bytes (PATH_MAX-sized), escapes all along it. */
static void long_line(void **state)
{
	(void)state;
	struct buf b = { 0 }, want = { 0 };
	buf_adds(&b, "7 1 0:1 / /");
	buf_adds(&want, "/");
	for (int i = 0; i < 500; i++) {
		buf_adds(&b, "dir\\040");
		buf_adds(&want, "dir ");
	}
	buf_adds(&b, " rw,relatime shared:1 - tmpfs tmpfs rw,size=1k\n");
	assert_false(b.oom || want.oom);
	struct mnt_entry *v;
	size_t n, bad;
	assert_int_equal(mountinfo_parse(b.p, b.len, NULL, NULL, &v, &n, &bad), 0);
	assert_int_equal(n, 1);
	assert_int_equal(bad, 0);
	assert_string_equal(v[0].point, want.p);
	free(v);
	buf_free(&b);
	buf_free(&want);
}

struct rec {
	struct buf b;
	size_t added, removed;
};

static void record(void *ctx, const char *point, bool added)
{
	struct rec *r = ctx;
	buf_addf(&r->b, "%c%s\n", added ? '+' : '-', point);
	if (added)
		r->added++;
	else
		r->removed++;
}

static void diff(void **state)
{
	(void)state;
	struct parsed a, b;
	parse(&a, real);
	/* /mnt/my card unmounted, /mnt/data's top mount remounted (new ID),
	 * /mnt/usb mounted */
	parse(&b, "22 1 254:1 / / rw - ext4 /dev/vda1 rw\n"
		  "23 22 0:21 / /proc rw - proc proc rw\n"
		  "24 22 0:22 / /sys rw - sysfs sysfs rw\n"
		  "25 22 0:5 / /dev rw - devtmpfs udev rw\n"
		  "41 22 0:36 / /mnt/back\\134slash\\011tab\\012nl rw - tmpfs none rw\n"
		  "42 22 0:37 / /mnt/data rw - ext4 /dev/sda1 rw\n"
		  "50 42 0:38 / /mnt/data rw - tmpfs t rw\n"
		  "51 22 0:39 / /mnt/usb rw - vfat /dev/sdb1 rw\n");
	struct rec r = { 0 };
	mountinfo_diff(a.v, a.n, b.v, b.n, record, &r);
	assert_string_equal(r.b.p, "-/mnt/data\n-/mnt/my card\n+/mnt/data\n+/mnt/usb\n");
	buf_free(&r.b);

	/* the same table: nothing */
	r = (struct rec){ 0 };
	mountinfo_diff(a.v, a.n, a.v, a.n, record, &r);
	assert_int_equal(r.added + r.removed, 0);

	/* from nothing, to nothing */
	mountinfo_diff(NULL, 0, b.v, b.n, record, &r);
	assert_int_equal(r.added, b.n);
	mountinfo_diff(b.v, b.n, NULL, 0, record, &r);
	assert_int_equal(r.removed, b.n);
	buf_free(&r.b);
	parsed_free(&a);
	parsed_free(&b);
}

static bool keep_mnt(const char *point, void *ctx)
{
	(*(int *)ctx)++;
	return !strncmp(point, "/mnt/", 5);
}

static void filter(void **state)
{
	(void)state;
	char *t = strdup(real);
	struct mnt_entry *v;
	size_t n;
	int asked = 0;
	assert_int_equal(mountinfo_parse(t, strlen(t), keep_mnt, &asked, &v, &n, NULL), 0);
	assert_int_equal(asked, 8);
	assert_int_equal(n, 4);
	free(v);
	free(t);
}

/* 5000 mounts (and each twice in the text), shuffled: sorted, deduplicated;
 * the diff after unmounting every other one and mounting 100 more. */
static void thousands(void **state)
{
	(void)state;
	enum { N = 5000 };
	struct buf t1 = { 0 }, t2 = { 0 };
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < N; i++) {
			int j = (int)(((unsigned)i * 7919u) % N); /* a permutation: 7919 is prime */
			buf_addf(&t1, "%d 1 0:%d / /srv/m\\040%05d rw,relatime - tmpfs tmpfs rw\n", 100 + j, j, j);
			if (k == 0 && j % 2 == 0)
				buf_addf(&t2, "%d 1 0:%d / /srv/m\\040%05d rw - tmpfs tmpfs rw\n", 100 + j, j, j);
		}
	for (int i = 0; i < 100; i++)
		buf_addf(&t2, "%d 1 0:1 / /srv/new%03d rw - tmpfs tmpfs rw\n", 10000 + i, i);
	assert_false(t1.oom || t2.oom);
	struct mnt_entry *a, *b;
	size_t na, nb, bad;
	assert_int_equal(mountinfo_parse(t1.p, t1.len, NULL, NULL, &a, &na, &bad), 0);
	assert_int_equal(na, N);
	assert_int_equal(bad, 0);
	for (size_t i = 1; i < na; i++)
		assert_true(strcmp(a[i - 1].point, a[i].point) < 0);
	assert_string_equal(a[0].point, "/srv/m 00000");
	assert_int_equal(a[0].id, 100);
	assert_int_equal(mountinfo_parse(t2.p, t2.len, NULL, NULL, &b, &nb, NULL), 0);
	assert_int_equal(nb, N / 2 + 100);

	struct rec r = { 0 };
	mountinfo_diff(a, na, b, nb, record, &r);
	assert_int_equal(r.removed, N / 2);
	assert_int_equal(r.added, 100);

	/* the table PID 1 keeps: its own copy, looked up by point */
	struct mnt_table tab = { 0 };
	assert_int_equal(mnt_table_set(&tab, b, nb), 0);
	assert_true(mnt_table_has(&tab, "/srv/m 00000"));
	assert_false(mnt_table_has(&tab, "/srv/m 00001"));
	assert_true(mnt_table_has(&tab, "/srv/new099"));
	assert_false(mnt_table_has(&tab, "/srv"));
	memset(t2.p, 'x', t2.len); /* the copy does not point into the text */
	assert_true(mnt_table_has(&tab, "/srv/m 04998"));
	assert_int_equal(mnt_table_set(&tab, NULL, 0), 0);
	assert_false(mnt_table_has(&tab, "/srv/m 00000"));
	mnt_table_free(&tab);
	buf_free(&r.b);
	free(a);
	free(b);
	buf_free(&t1);
	buf_free(&t2);
}

/* Which mount points a trigger's path names (PID 1's matcher, cond_watch.c). */
static void trigger_paths(void **state)
{
	(void)state;
	static const struct {
		const char *trig, *point;
		bool want;
	} cases[] = {
		{ "/mnt/data", "/mnt/data", true },   { "/mnt/data", "/mnt/data2", false },
		{ "/mnt/data", "/mnt", false },       { "/mnt/data", "/mnt/data/x", false },
		{ "/mnt/data", "/srv/data", false },  { "/mnt/", "/mnt/usb", true },
		{ "/mnt/", "/mnt/usb/sda1", false },  { "/mnt/", "/mnt", false },
		{ "/mnt/", "/mnt/.snap", false },     { "/mnt/sd*", "/mnt/sda1", true },
		{ "/mnt/sd*", "/mnt/usb", false },    { "/", "/mnt", true },
		{ "/", "/", false },                  { "/mnt", "/mnt", true },
		{ "/media/my card", "/media/my card", true },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct svc_trigger t = { .path = (char *)cases[i].trig, .events = COND_EV_MOUNTED };
		if (trigger_path_matches(&t, cases[i].point) != cases[i].want)
			fail_msg("trigger %s, mount point %s: want %d", cases[i].trig, cases[i].point,
				 cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_table), cmocka_unit_test(bad_lines), cmocka_unit_test(unescape),
		cmocka_unit_test(long_line),  cmocka_unit_test(diff),      cmocka_unit_test(filter),
		cmocka_unit_test(thousands),  cmocka_unit_test(trigger_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
