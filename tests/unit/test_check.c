/* test_check: keel check's pure parts and its image paths — newcomer traps in raw text, links resolved inside a root. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
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

#include "checktrap.h"
#include "rootpath.h"

static struct diags D;

/* Scans text; returns the warnings as "LINE: MESSAGE-START" joined by '|'. */
static const char *scan(const char *text)
{
	static char out[4096];
	diags_free(&D);
	checktrap_scan("/f", text, strlen(text), &D);
	out[0] = '\0';
	for (size_t i = 0; i < D.n; i++) {
		assert_int_equal(D.v[i].level, DIAG_WARNING);
		assert_string_equal(D.v[i].file, "/f");
		char one[128];
		snprintf(one, sizeof one, "%s%u: %.20s", i ? "|" : "", D.v[i].line, D.v[i].msg);
		strcat(out, one);
	}
	return out;
}

static void test_single_quotes(void **state)
{
	(void)state;
	assert_string_equal(scan("exec /bin/sh -c 'echo hi'\n"),
			    "1: 'echo: single quotes");
	assert_string_equal(scan("description x\nexec echo 'a'\n"), "2: 'a': single quotes d");
	/* closing quote only: the word ends with it */
	assert_string_equal(scan("exec echo a'\n"), "1: a': single quotes do");
	/* apostrophes inside words, double-quoted, escaped or in comments are fine */
	assert_string_equal(scan("description it's mine\n"), "");
	assert_string_equal(scan("exec sh -c \"echo 'hi'\"\n"), "");
	assert_string_equal(scan("exec sh -c \"a \\\" 'b' \\\"\"\n"), "");
	assert_string_equal(scan("# don't 'quote'\nexec x # 'c'\n"), "");
	/* one warning per line, lines counted from 1 with CRLF too */
	assert_string_equal(scan("type once\r\nexec 'a' 'b'\r\n"), "2: 'a': single quotes d");
}

static void test_script(void **state)
{
	(void)state;
	assert_string_equal(scan("#!/bin/sh\necho 'x'\n"), "1: this is a script (\"#");
	assert_non_null(strstr(D.v[0].msg, "(\"#!/bin/sh\")"));
	/* busybox/Buildroot's S??name and rcS scripts belong in /etc/init.d */
	diags_free(&D);
	checktrap_scan("/etc/init.d/S40network", "#!/bin/sh\n", 10, &D);
	checktrap_scan("/etc/init.d/rcS", "#!/bin/sh\n", 10, &D);
	assert_int_equal(D.n, 0);
	/* OpenWrt's scripts are at home in /etc/init.d */
	assert_string_equal(scan("#!/bin/sh /etc/rc.common\nSTART=10\n"), "");
	/* "#" then "!" later is a comment */
	assert_string_equal(scan("# !/bin/sh\nexec x\n"), "");
	assert_string_equal(scan(""), "");
	diags_free(&D);
}

/* ---- rootpath ---- */

static char top[64];

static void mk(const char *rel, const char *text)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", top, rel);
	if (text) {
		FILE *f = fopen(p, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	} else {
		assert_int_equal(mkdir(p, 0755), 0);
	}
}

static void ln(const char *target, const char *rel)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", top, rel);
	assert_int_equal(symlink(target, p), 0);
}

/* The resolved path relative to top ("" for top itself), or "E<errno>". */
static const char *res(const char *path)
{
	static char out[256];
	errno = 0;
	char *r = rootpath_resolve(top, path);
	if (!r) {
		snprintf(out, sizeof out, "E%d", errno);
		return out;
	}
	size_t tl = strlen(top);
	assert_memory_equal(r, top, tl);
	snprintf(out, sizeof out, "%s", r + tl);
	free(r);
	return out;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void test_rootpath(void **state)
{
	(void)state;
	snprintf(top, sizeof top, "/tmp/keel-rootpath-XXXXXX");
	assert_non_null(mkdtemp(top));
	mk("etc", NULL);
	mk("etc/init.d", NULL);
	mk("usr", NULL);
	mk("usr/share", NULL);
	mk("usr/share/init", NULL);
	mk("usr/share/init/web", "exec x\n");
	mk("bin", NULL);
	mk("bin/busybox", "");
	ln("/usr/share/init/web", "etc/init.d/web");        /* absolute: inside the root */
	ln("../../usr/share/init/web", "etc/init.d/rel");   /* relative */
	ln("/bin", "usr/bin");                               /* absolute link to a dir */
	ln("../../../../../../bin/busybox", "usr/share/up"); /* ".." stops at the root */
	ln("/nowhere", "etc/init.d/gone");
	ln("loop2", "etc/loop1");
	ln("loop1", "etc/loop2");
	assert_string_equal(res("/etc/init.d/web"), "/usr/share/init/web");
	assert_string_equal(res("etc/init.d/rel"), "/usr/share/init/web");
	assert_string_equal(res("/usr/bin/busybox"), "/bin/busybox");
	assert_string_equal(res("/usr/share/up"), "/bin/busybox");
	assert_string_equal(res("/../../etc/./init.d//web"), "/usr/share/init/web");
	assert_string_equal(res("/"), "/");
	assert_string_equal(res("/etc/init.d/"), "/etc/init.d");
	char e[16];
	snprintf(e, sizeof e, "E%d", ENOENT);
	assert_string_equal(res("/etc/init.d/gone"), e);
	assert_string_equal(res("/etc/nope"), e);
	snprintf(e, sizeof e, "E%d", ENOTDIR);
	assert_string_equal(res("/bin/busybox/x"), e);
	assert_string_equal(res("/etc/init.d/web/"), e);
	snprintf(e, sizeof e, "E%d", ELOOP);
	assert_string_equal(res("/etc/loop1"), e);
	/* no root: the path as given */
	char *r = rootpath_resolve(NULL, "/etc/x");
	assert_string_equal(r, "/etc/x");
	free(r);
	assert_int_equal(nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_quotes),
		cmocka_unit_test(test_script),
		cmocka_unit_test(test_rootpath),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
