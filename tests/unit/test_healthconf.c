/* test_healthconf: the boot-health file's keywords, its errors with file:line, the counter file's text. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "healthconf.h"

#define FILE_NAME "/etc/keel/health"

static size_t parse(struct health_conf *c, const char *text, struct diags *d)
{
	*d = (struct diags){ 0 };
	*c = (struct health_conf){ 0 };
	return health_conf_parse(c, text, strlen(text), FILE_NAME, d);
}

/* One diagnostic of the given level at that line whose message holds want. */
static bool has_diag(const struct diags *d, enum diag_level lv, unsigned line, const char *want)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == lv && d->v[i].line == line && d->v[i].file &&
		    !strcmp(d->v[i].file, FILE_NAME) && strstr(d->v[i].msg, want))
			return true;
	return false;
}

static void test_full(void **state)
{
	(void)state;
	struct health_conf c;
	struct diags d;
	const char *text = "# healthy when these are ready within the deadline\n"
			   "require dropbear dnsmasq   # two services\n"
			   "require target boot\n"
			   "require getty@ttyS0\n"
			   "within 120s\n"
			   "commit /usr/sbin/fw_setenv bootcount \"0\"\n"
			   "counter /data/keel/bootcount\n"
			   "fallback-after 3\n"
			   "on-unhealthy reboot\n";
	assert_int_equal(parse(&c, text, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(c.nreq, 4);
	assert_string_equal(c.req[0].name, "dropbear");
	assert_false(c.req[0].target);
	assert_int_equal(c.req[0].line, 2);
	assert_string_equal(c.req[1].name, "dnsmasq");
	assert_string_equal(c.req[2].name, "boot");
	assert_true(c.req[2].target);
	assert_int_equal(c.req[2].line, 3);
	assert_string_equal(c.req[3].name, "getty@ttyS0");
	assert_int_equal(c.within_ms, 120000);
	assert_non_null(c.commit);
	assert_string_equal(c.commit[0], "/usr/sbin/fw_setenv");
	assert_string_equal(c.commit[2], "0");
	assert_null(c.commit[3]);
	assert_string_equal(c.counter, "/data/keel/bootcount");
	assert_int_equal(c.fallback_after, 3);
	assert_true(c.reboot);
	health_conf_free(&c);
	diags_free(&d);
}

static void test_minimal_defaults(void **state)
{
	(void)state;
	struct health_conf c;
	struct diags d;
	assert_int_equal(parse(&c, "require sshd\n", &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(c.nreq, 1);
	assert_int_equal(c.within_ms, 0); /* no deadline */
	assert_null(c.commit);
	assert_null(c.counter);
	assert_int_equal(c.fallback_after, 0);
	assert_false(c.reboot); /* stay */
	health_conf_free(&c);
	diags_free(&d);

	assert_int_equal(parse(&c, "require a\nwithin 1.5\non-unhealthy stay\n", &d), 0);
	assert_int_equal(c.within_ms, 1500);
	assert_false(c.reboot);
	health_conf_free(&c);
	diags_free(&d);
}

static void test_errors_named(void **state)
{
	(void)state;
	struct health_conf c;
	struct diags d;
	const char *text = "require a\n"            /* 1 */
			   "bogus x\n"              /* 2 */
			   "within soon\n"          /* 3 */
			   "counter relative/path\n" /* 4 */
			   "fallback-after 0\n"     /* 5 */
			   "on-unhealthy panic\n"   /* 6 */
			   "commit\n"               /* 7 */
			   "require target nowhere\n" /* 8 */
			   "require target\n"       /* 9: "target" alone is no target */
			   "require ../etc\n"       /* 10 */
			   "within 1s 2s\n"         /* 11 */
			   "require \"a b\"\n"      /* 12 */
			   "require \"unterminated\n"; /* 13: lexer */
	size_t errors = parse(&c, text, &d);
	assert_int_equal(errors, 12);
	assert_true(has_diag(&d, DIAG_ERROR, 2, "unknown keyword \"bogus\""));
	assert_true(has_diag(&d, DIAG_ERROR, 3, "within: bad duration \"soon\""));
	assert_true(has_diag(&d, DIAG_ERROR, 4, "not an absolute path"));
	assert_true(has_diag(&d, DIAG_ERROR, 5, "fallback-after: bad number \"0\""));
	assert_true(has_diag(&d, DIAG_ERROR, 6, "expected reboot or stay"));
	assert_true(has_diag(&d, DIAG_ERROR, 7, "commit: expected COMMAND"));
	assert_true(has_diag(&d, DIAG_ERROR, 8, "unknown target \"nowhere\""));
	assert_true(has_diag(&d, DIAG_ERROR, 9, "expected one target name"));
	assert_true(has_diag(&d, DIAG_ERROR, 10, "not a service name"));
	assert_true(has_diag(&d, DIAG_ERROR, 11, "within: expected one argument, got 2"));
	assert_true(has_diag(&d, DIAG_ERROR, 12, "not a service name"));
	assert_int_equal(d.nerrors, 12);
	/* What parsed is kept: a valid counter line still counts the boot. */
	assert_int_equal(c.nreq, 1);
	health_conf_free(&c);
	diags_free(&d);

	assert_int_equal(parse(&c, "counter /data/bootcount\nrequire\n", &d), 1);
	assert_string_equal(c.counter, "/data/bootcount");
	assert_true(has_diag(&d, DIAG_ERROR, 2, "require: expected NAME"));
	health_conf_free(&c);
	diags_free(&d);
}

static void test_given_twice(void **state)
{
	(void)state;
	struct health_conf c;
	struct diags d;
	const char *text = "require a\nwithin 10s\ncounter /a\ncommit true\nwithin 20s\n"
			   "counter /b\ncommit false\nfallback-after 2\nfallback-after 3\n"
			   "on-unhealthy stay\non-unhealthy reboot\n";
	assert_int_equal(parse(&c, text, &d), 5);
	assert_true(has_diag(&d, DIAG_ERROR, 5, "within given twice (first at line 2)"));
	assert_true(has_diag(&d, DIAG_ERROR, 6, "counter given twice (first at line 3)"));
	assert_true(has_diag(&d, DIAG_ERROR, 7, "commit given twice (first at line 4)"));
	assert_true(has_diag(&d, DIAG_ERROR, 9, "fallback-after given twice (first at line 8)"));
	assert_true(has_diag(&d, DIAG_ERROR, 11, "on-unhealthy given twice (first at line 10)"));
	/* The first of each stays. */
	assert_int_equal(c.within_ms, 10000);
	assert_string_equal(c.counter, "/a");
	assert_string_equal(c.commit[0], "true");
	assert_int_equal(c.fallback_after, 2);
	assert_false(c.reboot);
	health_conf_free(&c);
	diags_free(&d);
}

static void test_whole_file_checks(void **state)
{
	(void)state;
	struct health_conf c;
	struct diags d;
	/* Nothing defines health. */
	assert_int_equal(parse(&c, "# only a comment\nwithin 5s\n", &d), 1);
	assert_true(has_diag(&d, DIAG_ERROR, 0, "no require line"));
	health_conf_free(&c);
	diags_free(&d);
	/* Reboot with no deadline would never fire. */
	assert_int_equal(parse(&c, "require a\non-unhealthy reboot\n", &d), 1);
	assert_true(has_diag(&d, DIAG_ERROR, 2, "needs a deadline"));
	health_conf_free(&c);
	diags_free(&d);
	/* A limit nobody counts towards: a note, not an error. */
	assert_int_equal(parse(&c, "require a\nfallback-after 3\n", &d), 0);
	assert_true(has_diag(&d, DIAG_NOTE, 2, "fallback-after without counter"));
	health_conf_free(&c);
	diags_free(&d);
	/* The same service twice: a note, kept once. */
	assert_int_equal(parse(&c, "require a b\nrequire a\nrequire target boot\n"
				   "require target boot\n", &d), 0);
	assert_int_equal(c.nreq, 3);
	assert_true(has_diag(&d, DIAG_NOTE, 2, "already required at line 1"));
	assert_true(has_diag(&d, DIAG_NOTE, 4, "already required at line 3"));
	health_conf_free(&c);
	diags_free(&d);
}

static void test_values_at_limits(void **state)
{
	(void)state;
	struct health_conf c;
	struct diags d;
	assert_int_equal(parse(&c, "require a\nwithin 24h\nfallback-after 1000\n", &d), 0);
	assert_int_equal(c.within_ms, 24UL * 3600 * 1000);
	assert_int_equal(c.fallback_after, 1000);
	health_conf_free(&c);
	diags_free(&d);
	assert_int_equal(parse(&c, "require a\nwithin 25h\nfallback-after 1001\nwithin 0\n", &d), 3);
	health_conf_free(&c);
	diags_free(&d);
	/* Counter paths: a file, not a directory. */
	const char *bad[] = { "counter /\n", "counter /data/\n", "counter /data/..\n",
			      "counter /data/.\n", "counter \"\"\n" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[64];
		snprintf(text, sizeof text, "require a\n%s", bad[i]);
		assert_int_equal(parse(&c, text, &d), 1);
		assert_null(c.counter);
		health_conf_free(&c);
		diags_free(&d);
	}
	assert_int_equal(parse(&c, "require a\ncounter /bootcount\n", &d), 0);
	assert_string_equal(c.counter, "/bootcount");
	health_conf_free(&c);
	diags_free(&d);
}

static void test_counter_text(void **state)
{
	(void)state;
	unsigned long v = 99;
	assert_int_equal(health_counter_parse("0", 1, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(health_counter_parse("3\n", 2, &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(health_counter_parse("42 \r\n\n", 6, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(health_counter_parse("1000000", 7, &v), 0);
	assert_int_equal(v, HEALTH_COUNTER_MAX);
	v = 7;
	const char *bad[] = { "", "\n", "-1", "+1", " 1", "1x", "1 2", "1000001",
			      "99999999999999999999999", "0x10", "1\0" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t len = strlen(bad[i]);
		if (i == sizeof bad / sizeof bad[0] - 1)
			len = 2; /* a NUL byte */
		assert_int_equal(health_counter_parse(bad[i], len, &v), -1);
		assert_int_equal(v, 7); /* untouched on failure */
	}
	/* Longer than a counter file can be, even when blank. */
	char big[HEALTH_COUNTER_TEXT_MAX + 1];
	memset(big, ' ', sizeof big);
	big[0] = '1';
	assert_int_equal(health_counter_parse(big, sizeof big, &v), -1);
	assert_int_equal(health_counter_parse(big, HEALTH_COUNTER_TEXT_MAX, &v), 0);
}

static void test_counter_format_round_trip(void **state)
{
	(void)state;
	char out[HEALTH_COUNTER_TEXT_MAX];
	unsigned long vals[] = { 0, 1, 9, 10, 12345, HEALTH_COUNTER_MAX };
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		size_t n = health_counter_format(vals[i], out);
		assert_int_equal(n, strlen(out));
		assert_int_equal(out[n - 1], '\n');
		unsigned long back;
		assert_int_equal(health_counter_parse(out, n, &back), 0);
		assert_int_equal(back, vals[i]);
	}
	assert_int_equal(health_counter_format(0, out), 2);
	assert_string_equal(out, "0\n");
	/* Beyond the maximum: written as the maximum, never wrapped. */
	health_counter_format(HEALTH_COUNTER_MAX + 5, out);
	assert_string_equal(out, "1000000\n");
	health_counter_format((unsigned long)-1, out);
	assert_string_equal(out, "1000000\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_errors_named),
		cmocka_unit_test(test_given_twice),
		cmocka_unit_test(test_whole_file_checks),
		cmocka_unit_test(test_values_at_limits),
		cmocka_unit_test(test_counter_text),
		cmocka_unit_test(test_counter_format_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
