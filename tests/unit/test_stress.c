/* test_stress: the bounds that keep PID 1 small under hostile input — diagnostics kept and escaped, ids parsed, starts in flight. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diag.h"
#include "spawn_flight.h"
#include "spawn_ids.h"

static void test_diag_escapes_control_bytes(void **state)
{
	(void)state;
	struct diags d = { 0 };
	diag_add(&d, DIAG_ERROR, "/etc/init.d/evil\nkeel: [ OK ] forged\033[2J", 3, "bad name \"a\rb\"");
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].file, "/etc/init.d/evil\\x0akeel: [ OK ] forged\\x1b[2J");
	assert_string_equal(d.v[0].msg, "bad name \"a\\x0db\"");
	char *s = diag_format(&d.v[0]);
	assert_null(strchr(s, '\n'));
	free(s);
	diags_free(&d);
}

static void test_diag_per_file_bound(void **state)
{
	(void)state;
	struct diags d = { 0 };
	for (int i = 0; i < 100000; i++)
		diag_add(&d, DIAG_ERROR, "big", (unsigned)i + 1, "problem %d", i);
	diag_add(&d, DIAG_WARNING, "other", 1, "kept");
	assert_int_equal(d.n, DIAG_FILE_MAX + 2);
	assert_int_equal(d.nerrors, 100000);
	assert_int_equal(d.nlost, 100000 - DIAG_FILE_MAX);
	assert_string_equal(d.v[DIAG_FILE_MAX].msg,
			    "too many problems in this file: the rest are counted, not shown");
	assert_string_equal(d.v[DIAG_FILE_MAX + 1].msg, "kept");
	diags_free(&d);
}

static void test_diag_total_bound(void **state)
{
	(void)state;
	struct diags d = { 0 };
	char file[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(file, sizeof file, "f%d", i);
		diag_add(&d, DIAG_ERROR, file, 1, "problem %d", i);
	}
	assert_int_equal(d.n, DIAG_MAX);
	assert_int_equal(d.nerrors, 5000);
	assert_null(d.v[DIAG_MAX - 1].file);
	assert_string_equal(d.v[DIAG_MAX - 1].msg, "too many problems: the rest are counted, not shown");
	diags_free(&d);
}

static void test_ids(void **state)
{
	(void)state;
	unsigned long v;
	gid_t g = 7;
	assert_int_equal(spawn_parse_id("4242", &v), 0);
	assert_int_equal(v, 4242);
	assert_int_equal(spawn_parse_id("-1", &v), -1);
	assert_int_equal(spawn_parse_id("nobody", &v), -1);
	assert_int_equal(spawn_parse_id("", &v), -1);
	assert_int_equal(spawn_parse_id("99999999999999999999", &v), -1);
	/* Only `group GID` alone is resolved without a lookup. */
	assert_false(spawn_ids_need_lookup(NULL, "4243", &g));
	assert_int_equal(g, 4243);
	assert_true(spawn_ids_need_lookup(NULL, "dialout", &g));
	assert_true(spawn_ids_need_lookup("4242", "4243", &g));
	assert_true(spawn_ids_need_lookup("nobody", NULL, &g));
	assert_false(spawn_ids_need_lookup(NULL, NULL, &g));
}

static void test_ids_numeric_user_needs_group(void **state)
{
	(void)state;
	uid_t u;
	gid_t g = 0, *groups = NULL;
	int ng = -1;
	char msg[256];
	/* An id no passwd file has: without `group` there is no gid to take. */
	assert_int_equal(spawn_ids_resolve("4000000001", NULL, &u, &g, &groups, &ng, msg, sizeof msg), -1);
	assert_non_null(strstr(msg, "no passwd entry"));
	assert_int_equal(spawn_ids_resolve("4000000001", "4243", &u, &g, &groups, &ng, msg, sizeof msg), 0);
	assert_int_equal(u, 4000000001u);
	assert_int_equal(g, 4243);
	assert_int_equal(ng, 0);
	free(groups);
}

static void test_flight_looks(void **state)
{
	(void)state;
	/* Soon after the clone, then at most once a second. */
	assert_int_equal(flight_next_look(1000, 1000), 1005);
	assert_int_equal(flight_next_look(1000, 1400), 1500);
	assert_int_equal(flight_next_look(0, 100000), 101000);
	assert_int_equal(flight_check(0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diag_escapes_control_bytes),
		cmocka_unit_test(test_diag_per_file_bound),
		cmocka_unit_test(test_diag_total_bound),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_ids_numeric_user_needs_group),
		cmocka_unit_test(test_flight_looks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
