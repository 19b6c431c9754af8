/* test_svcdir: unit tests of loading a service directory from a temp dir. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "svcdir.h"

struct fixture {
	char root[64];   /* mkdtemp result */
	char dir[128];   /* root/init.d: the service dir */
	char share[128]; /* root/share: link targets */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/keel-svcdir-XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/init.d", f->root);
	snprintf(f->share, sizeof(f->share), "%s/share", f->root);
	if (mkdir(f->dir, 0755) < 0 || mkdir(f->share, 0755) < 0)
		return -1;
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int r = nftw(f->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return r;
}

static void write_file(const char *dir, const char *name, const char *text, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void put(const char *dir, const char *name, const char *text)
{
	write_file(dir, name, text, strlen(text));
}

static void link_to(const char *target, const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(symlink(target, path), 0);
}

/* Index of the diagnostic whose file ends in "/entry", or -1. */
static int find_diag(const struct diags *d, const char *dir, const char *entry)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, entry);
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].file && strcmp(d->v[i].file, path) == 0)
			return (int)i;
	return -1;
}

static void test_missing_dir(void **state)
{
	struct fixture *f = *state;
	char path[256];
	struct svc_set set = { .v = (void *)1, .n = 5 };
	struct diags d = {0};
	snprintf(path, sizeof(path), "%s/nope", f->root);
	assert_int_equal(svcdir_load(path, &set, &d), 0);
	assert_int_equal(set.n, 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].level, DIAG_ERROR);
	assert_string_equal(d.v[0].file, path);
	assert_string_equal(d.v[0].msg, "cannot open service directory: No such file or directory");
	svc_set_free(&set);
	diags_free(&d);
}

static void test_empty_dir(void **state)
{
	struct fixture *f = *state;
	struct svc_set set;
	struct diags d = {0};
	assert_int_equal(svcdir_load(f->dir, &set, &d), 0);
	assert_int_equal(set.n, 0);
	assert_int_equal(d.n, 0);
	svc_set_free(&set);
}

static void test_links_and_instances(void **state)
{
	struct fixture *f = *state;
	char target[256];
	put(f->share, "agetty", "description \"login on %0\"\ntype respawn\ntty \"/dev/%0\"\nexec agetty %0 linux\n");
	put(f->share, "syslogd", "type respawn\nexec syslogd -n\n");
	snprintf(target, sizeof(target), "%s/agetty", f->share);
	link_to(target, f->dir, "agetty@ttyS0");
	link_to(target, f->dir, "agetty@tty1");
	link_to("../share/syslogd", f->dir, "syslogd"); /* relative link */
	put(f->dir, "dropbear", "exec dropbear -F\n");

	struct svc_set set;
	struct diags d = {0};
	assert_int_equal(svcdir_load(f->dir, &set, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(set.n, 4);
	assert_string_equal(set.v[0]->instance, "agetty@tty1");
	assert_string_equal(set.v[1]->instance, "agetty@ttyS0");
	assert_string_equal(set.v[2]->instance, "dropbear");
	assert_string_equal(set.v[3]->instance, "syslogd");
	assert_string_equal(set.v[0]->name, "agetty");
	assert_string_equal(set.v[0]->o->tty, "/dev/tty1");
	assert_string_equal(set.v[1]->o->tty, "/dev/ttyS0");
	assert_string_equal(set.v[1]->description, "login on ttyS0");
	assert_string_equal(set.v[1]->exec[0].argv[1], "ttyS0");
	assert_int_equal(set.v[3]->type, SVC_TYPE_RESPAWN);
	/* diagnostics name the entry in the dir, not the link target */
	char want[256];
	snprintf(want, sizeof(want), "%s/agetty@ttyS0", f->dir);
	assert_string_equal(set.v[1]->file, want);
	svc_set_free(&set);
	assert_int_equal(set.n, 0);
	assert_null(set.v);
	diags_free(&d);
}

static void test_bad_entries(void **state)
{
	struct fixture *f = *state;
	char path[256];
	put(f->dir, "good", "exec true\n");
	link_to("/nonexistent/keel-target", f->dir, "dangling");
	put(f->dir, "broken", "exec true\nfoo\ntype never\n");
	snprintf(path, sizeof(path), "%s/subdir", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/fifo", f->dir);
	assert_int_equal(mkfifo(path, 0644), 0); /* must neither hang nor be read */
	link_to("loop2", f->dir, "loop1");
	link_to("loop1", f->dir, "loop2");
	put(f->dir, "percent", "exec echo %0\n");

	struct svc_set set;
	struct diags d = {0};
	assert_int_equal(svcdir_load(f->dir, &set, &d), 0);
	assert_int_equal(set.n, 1);
	assert_string_equal(set.v[0]->instance, "good");

	int i = find_diag(&d, f->dir, "dangling");
	assert_true(i >= 0);
	assert_int_equal(d.v[i].line, 0);
	assert_string_equal(d.v[i].msg, "link target \"/nonexistent/keel-target\" does not exist");
	char *s = diag_format(&d.v[i]);
	char want[512];
	snprintf(want, sizeof(want),
		 "error: %s/dangling: link target \"/nonexistent/keel-target\" does not exist", f->dir);
	assert_string_equal(s, want);
	free(s);

	i = find_diag(&d, f->dir, "broken");
	assert_true(i >= 0);
	assert_int_equal(d.v[i].line, 2);
	assert_string_equal(d.v[i].msg, "unknown keyword \"foo\"");
	assert_int_equal(d.v[i + 1].line, 3);

	i = find_diag(&d, f->dir, "subdir");
	assert_true(i >= 0);
	assert_string_equal(d.v[i].msg, "not a regular file");
	i = find_diag(&d, f->dir, "fifo");
	assert_true(i >= 0);
	assert_string_equal(d.v[i].msg, "not a regular file");
	i = find_diag(&d, f->dir, "loop1");
	assert_true(i >= 0);
	assert_string_equal(d.v[i].msg, "too many levels of symbolic links");
	i = find_diag(&d, f->dir, "percent");
	assert_true(i >= 0);
	assert_string_equal(d.v[i].msg, "%0 used but the link name has no @argument");
	/* broken x2, dangling, subdir, fifo, loop1, loop2, percent */
	assert_int_equal(d.nerrors, 8);
	svc_set_free(&set);
	diags_free(&d);
}

static void test_ignored_entries(void **state)
{
	struct fixture *f = *state;
	put(f->dir, "network", "#!/bin/sh /etc/rc.common\n# Copyright\n\nSTART=40\nstart() {\n\tifup -a\n}\n");
	put(f->dir, "bare-rc", "#!/bin/sh /etc/rc.common");
	put(f->dir, "dos-rc", "#!/bin/sh /etc/rc.common\r\nSTART=10\r\n");
	put(f->dir, ".hidden", "garbage\n");
	put(f->dir, "backup~", "garbage\n");
	put(f->dir, "real", "exec x\n");
	/* any other "#!": a shell script (busybox/Buildroot S??name), left
	 * out with one note for the directory */
	put(f->dir, "shell", "#!/bin/sh /etc/rc.commonx\nfoo\n");
	put(f->dir, "S01syslogd", "#!/bin/sh\ncase \"$1\" in\nstart) syslogd;;\nesac\n");

	struct svc_set set;
	struct diags d = {0};
	assert_int_equal(svcdir_load(f->dir, &set, &d), 0);
	assert_int_equal(set.n, 1);
	assert_string_equal(set.v[0]->instance, "real");
	assert_int_equal(d.n, 1);
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(d.v[0].level, DIAG_NOTE);
	assert_string_equal(d.v[0].file, f->dir);
	assert_non_null(strstr(d.v[0].msg, "2 shell scripts, not service files, left out"));
	assert_non_null(strstr(d.v[0].msg, "S01syslogd, shell"));
	svc_set_free(&set);
	diags_free(&d);
}

static void test_size_limit(void **state)
{
	struct fixture *f = *state;
	size_t n = 1024 * 1024;
	char *big = malloc(n + 1);
	assert_non_null(big);
	memset(big, '#', n + 1);
	big[n - 1] = '\n';
	write_file(f->dir, "exactly-1mib", big, n); /* a comment of exactly 1 MiB is fine */
	big[n] = '\n';
	write_file(f->dir, "too-big", big, n + 1);
	free(big);

	struct svc_set set;
	struct diags d = {0};
	assert_int_equal(svcdir_load(f->dir, &set, &d), 0);
	assert_int_equal(set.n, 1);
	assert_string_equal(set.v[0]->instance, "exactly-1mib");
	assert_int_equal(d.n, 1);
	assert_int_equal(find_diag(&d, f->dir, "too-big"), 0);
	assert_string_equal(d.v[0].msg, "file too large (1048577 bytes, limit 1048576)");
	svc_set_free(&set);
	diags_free(&d);
}

static void test_bad_instance_names(void **state)
{
	struct fixture *f = *state;
	put(f->dir, "foo@", "exec x\n");
	put(f->dir, "@foo", "exec x\n");
	put(f->dir, "a b", "exec x\n");
	put(f->dir, "ok@1", "exec x %0\n");

	struct svc_set set;
	struct diags d = {0};
	assert_int_equal(svcdir_load(f->dir, &set, &d), 0);
	assert_int_equal(set.n, 1);
	assert_string_equal(strchr(set.v[0]->instance, '@') + 1, "1");
	assert_int_equal(d.nerrors, 3);
	int i = find_diag(&d, f->dir, "foo@");
	assert_true(i >= 0);
	assert_string_equal(d.v[i].msg, "bad service name \"foo@\": empty argument after '@'");
	svc_set_free(&set);
	diags_free(&d);
}

/* Every entry skipped for an error is recorded with its first error, up
 * to SVC_BAD_MAX; a long reason is cut with "...", never inside a UTF-8
 * character. */
static void test_bad_records(void **state)
{
	struct fixture *f = *state;
	char name[64];
	put(f->dir, "good", "exec x\n");
	put(f->dir, "a_typo", "exec x\ntpye once\n");
	for (int i = 0; i < SVC_BAD_MAX + 6; i++) {
		snprintf(name, sizeof name, "junk%03d", i);
		put(f->dir, name, "bogus\n");
	}
	/* a reason over the bound, to be cut among multi-byte characters: the
	 * entry's name is in it (a file whose name is 100 "\xc3\xa9") */
	char longname[256] = "a_";
	for (int i = 0; i < 100; i++)
		strcat(longname, "\xc3\xa9");
	put(f->dir, longname, "bogus\n");
	struct svc_set set;
	struct diags d = {0};
	assert_int_equal(svcdir_load(f->dir, &set, &d), 0);
	assert_int_equal(set.n, 1);
	assert_int_equal(set.nbad, SVC_BAD_MAX);
	assert_int_equal(set.nbad_more, 8);
	/* in name order: a_typo, a_\xc3\xa9..., junk000... */
	assert_string_equal(set.bad[0].instance, "a_typo");
	char want[512];
	snprintf(want, sizeof want, "%s/a_typo:2: unknown keyword \"tpye\" (did you mean \"type\"?)", f->dir);
	assert_string_equal(set.bad[0].reason, want);
	const char *r = set.bad[1].reason;
	size_t rl = strlen(r);
	assert_true(rl <= SVC_BAD_REASON_MAX);
	assert_string_equal(r + rl - 3, "...");
	assert_true(((unsigned char)r[rl - 4] & 0xc0) != 0xc0); /* no lead byte left alone */
	assert_string_equal(set.bad[2].instance, "junk000");
	/* moving keeps the bound */
	struct svc_set other = { 0 };
	svc_set_move_bad(&other, &set);
	assert_int_equal(other.nbad, SVC_BAD_MAX);
	assert_int_equal(other.nbad_more, 8);
	assert_int_equal(set.nbad, 0);
	assert_null(set.bad);
	svc_set_free(&other);
	svc_set_free(&set);
	diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_missing_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links_and_instances, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ignored_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_instance_names, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
