/* test_procstat: /proc/PID/stat lines with hostile process names, and the decimal scanner behind them. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <unistd.h>

#include "procstat.h"

static void stat_lines(void **state)
{
	(void)state;
	struct procstat ps;
	assert_true(procstat_parse("42 (sleep) S 1 42 42 0 -1 4194560 97 0", &ps));
	assert_int_equal(ps.state, 'S');
	assert_int_equal(ps.ppid, 1);
	assert_int_equal(ps.pgrp, 42);
	assert_int_equal(ps.session, 42);
	/* A name may hold spaces, parentheses and digits: the last ')' ends it. */
	assert_true(procstat_parse("7 (a) Z 9 9 9 (b)) R 3 17 18 0 -1", &ps));
	assert_int_equal(ps.state, 'R');
	assert_int_equal(ps.ppid, 3);
	assert_int_equal(ps.pgrp, 17);
	assert_int_equal(ps.session, 18);
	/* The kernel's own threads have parent, group and session 0. */
	assert_true(procstat_parse("2 (kthreadd) S 0 0 0 0", &ps));
	assert_int_equal(ps.session, 0);
	/* Refused: no name, a cut line, no numbers, a negative or huge value. */
	assert_false(procstat_parse("42 sleep S 1 42 42", &ps));
	assert_false(procstat_parse("42 (sleep) S 1 42", &ps));
	assert_false(procstat_parse("42 (sleep) S", &ps));
	assert_false(procstat_parse("42 (sleep)", &ps));
	assert_false(procstat_parse("42 (sleep) S -1 42 42", &ps));
	assert_false(procstat_parse("42 (sleep) S 1 99999999999 42", &ps));
}

static void this_process(void **state)
{
	(void)state;
	struct procstat ps;
	assert_true(procstat_read(getpid(), &ps));
	assert_int_equal(ps.ppid, getppid());
	assert_int_equal(ps.pgrp, getpgrp());
	assert_int_equal(ps.session, getsid(0));
	assert_false(procstat_read(-5, &ps));
}

static void decimal(void **state)
{
	(void)state;
	unsigned long long v = 7;
	const char *s = "18446744073709551615,x";
	const char *e = scan_dec(s, &v);
	assert_non_null(e);
	assert_string_equal(e, ",x");
	assert_true(v == 18446744073709551615ULL);
	v = 7;
	assert_null(scan_dec("18446744073709551616", &v)); /* one too many */
	assert_null(scan_dec("", &v));
	assert_null(scan_dec("-1", &v));
	assert_null(scan_dec(" 1", &v));
	assert_true(v == 7);
	e = scan_dec("0012a", &v);
	assert_string_equal(e, "a");
	assert_true(v == 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stat_lines),
		cmocka_unit_test(this_process),
		cmocka_unit_test(decimal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
