/* test_inittab: busybox's inittab format, its default steps and how a process becomes a command line. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "inittab.h"

static void parse(const char *text, struct inittab *t, struct diags *d)
{
	*d = (struct diags){ 0 };
	assert_int_equal(inittab_parse(text, strlen(text), "/etc/inittab", t, d), 0);
}

static void test_buildroot_inittab(void **state)
{
	(void)state;
	struct inittab t;
	struct diags d;
	parse("# /etc/inittab\n"
	      "::sysinit:/bin/mount -t proc proc /proc\n"
	      "::sysinit:/etc/init.d/rcS\n"
	      "\n"
	      "console::respawn:/sbin/getty -L  console 0 vt100 # GENERIC_SERIAL\n"
	      "ttyS0::askfirst:-/bin/sh\n"
	      "::shutdown:/bin/umount -a -r\n"
	      "null::wait:/bin/echo a:b:c\n"
	      "/dev/tty2:2345:once:/bin/true\n"
	      "::ctrlaltdel:/sbin/reboot\n"
	      "::restart:/sbin/init\n",
	      &t, &d);
	assert_int_equal(d.n, 0);
	assert_int_equal(t.n, 9);
	assert_int_equal(t.v[0].action, IT_SYSINIT);
	assert_null(t.v[0].tty);
	assert_int_equal(t.v[0].line, 2);
	assert_string_equal(t.v[1].process, "/etc/init.d/rcS");
	assert_int_equal(t.v[2].action, IT_RESPAWN);
	assert_string_equal(t.v[2].tty, "/dev/console");
	/* '#' ends the line wherever it is; trailing blanks go */
	assert_string_equal(t.v[2].process, "/sbin/getty -L  console 0 vt100");
	assert_int_equal(t.v[3].action, IT_ASKFIRST);
	assert_string_equal(t.v[3].tty, "/dev/ttyS0");
	assert_int_equal(t.v[4].action, IT_SHUTDOWN);
	/* the process keeps its colons */
	assert_int_equal(t.v[5].action, IT_WAIT);
	assert_string_equal(t.v[5].process, "/bin/echo a:b:c");
	/* "/dev/" in the id is not doubled; runlevels are ignored */
	assert_string_equal(t.v[6].tty, "/dev/tty2");
	assert_int_equal(t.v[6].action, IT_ONCE);
	assert_int_equal(t.v[7].action, IT_CTRLALTDEL);
	assert_int_equal(t.v[8].action, IT_RESTART);
	inittab_free(&t);
	diags_free(&d);
}

static void test_bad_lines(void **state)
{
	(void)state;
	struct inittab t;
	struct diags d;
	parse("::sysinit\n"
	      "::frobnicate:/bin/x\n"
	      "::respawn:\n"
	      "::respawn:   \n"
	      "  # only a comment\n"
	      "::once:/bin/ok\r\n",
	      &t, &d);
	assert_int_equal(d.nerrors, 4);
	assert_int_equal(d.v[0].line, 1);
	assert_string_equal(d.v[0].file, "/etc/inittab");
	assert_non_null(strstr(d.v[0].msg, "id:runlevels:action:process"));
	assert_int_equal(d.v[1].line, 2);
	assert_non_null(strstr(d.v[1].msg, "unknown action \"frobnicate\""));
	assert_non_null(strstr(d.v[2].msg, "no process"));
	assert_int_equal(d.v[3].line, 4);
	assert_int_equal(t.n, 1);
	assert_string_equal(t.v[0].process, "/bin/ok");
	assert_int_equal(t.v[0].line, 6);
	inittab_free(&t);
	diags_free(&d);
}

/* busybox: the same process on the same tty again replaces the first,
 * moved to the end. */
static void test_duplicate_moves_to_end(void **state)
{
	(void)state;
	struct inittab t;
	struct diags d;
	parse("::shutdown:umount -a -r\n::shutdown:swapoff -a\n::shutdown:umount -a -r\n"
	      "tty1::respawn:/bin/sh\ntty2::respawn:/bin/sh\n",
	      &t, &d);
	assert_int_equal(t.n, 4);
	assert_string_equal(t.v[0].process, "swapoff -a");
	assert_string_equal(t.v[1].process, "umount -a -r");
	assert_int_equal(t.v[1].line, 3);
	assert_string_equal(t.v[2].tty, "/dev/tty1");
	assert_string_equal(t.v[3].tty, "/dev/tty2");
	inittab_free(&t);
	diags_free(&d);
}

static void test_default(void **state)
{
	(void)state;
	struct inittab t;
	assert_int_equal(inittab_default(&t), 0);
	assert_int_equal(t.n, 9);
	assert_int_equal(t.v[0].action, IT_SYSINIT);
	assert_string_equal(t.v[0].process, "/etc/init.d/rcS");
	int ask = 0, shut = 0;
	for (size_t i = 0; i < t.n; i++) {
		ask += t.v[i].action == IT_ASKFIRST;
		shut += t.v[i].action == IT_SHUTDOWN;
	}
	assert_int_equal(ask, 4);
	assert_int_equal(shut, 2);
	assert_null(t.v[1].tty);
	assert_string_equal(t.v[2].tty, "/dev/tty2");
	inittab_free(&t);
}

static void test_argv(void **state)
{
	(void)state;
	bool login;
	char **v = inittab_argv("/sbin/getty  -L\tttyS0 115200", &login);
	assert_false(login);
	assert_string_equal(v[0], "/sbin/getty");
	assert_string_equal(v[1], "-L");
	assert_string_equal(v[2], "ttyS0");
	assert_string_equal(v[3], "115200");
	assert_null(v[4]);
	free(v);
	v = inittab_argv("-/bin/sh", &login);
	assert_true(login);
	assert_string_equal(v[0], "/bin/sh");
	assert_null(v[1]);
	free(v);
	/* a character the shell would interpret: sh -c "exec ..." */
	v = inittab_argv("/etc/init.d/rcS > /dev/console 2>&1", &login);
	assert_string_equal(v[0], "/bin/sh");
	assert_string_equal(v[1], "-c");
	assert_string_equal(v[2], "exec /etc/init.d/rcS > /dev/console 2>&1");
	assert_null(v[3]);
	free(v);
	assert_null(inittab_argv("-", &login));
	assert_null(inittab_argv("  ", &login));
	assert_string_equal(inittab_action_name(IT_ASKFIRST), "askfirst");
}

static void test_procd(void **state)
{
	(void)state;
	const char *owrt = "::sysinit:/etc/init.d/rcS S boot\n::shutdown:/etc/init.d/rcS K shutdown\n"
			   "::askconsole:/usr/libexec/login.sh\n";
	assert_true(inittab_is_procd(owrt, strlen(owrt)));
	const char *bb = "::sysinit:/etc/init.d/rcS\nttyS0::askfirst:-/bin/sh\n";
	assert_false(inittab_is_procd(bb, strlen(bb)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buildroot_inittab),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_duplicate_moves_to_end),
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_procd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
