/* test_kmsgrec: unit tests of the /dev/kmsg record parser (header, escapes, dictionary lines, bad records). */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kmsgrec.h"

static bool parse(const char *text, struct kmsg_rec *k, char *buf, size_t cap)
{
	size_t n = strlen(text);
	assert_true(n < cap);
	memcpy(buf, text, n + 1);
	return kmsgrec_parse(buf, n, k);
}

static void test_banner(void **state)
{
	(void)state;
	char b[256];
	struct kmsg_rec k;
	assert_true(parse("6,339,1795570,-;Linux version 6.1.0\n SUBSYSTEM=acpi\n DEVICE=+acpi:x\n", &k, b, sizeof b));
	assert_int_equal(k.pri, 6);
	assert_int_equal(k.seq, 339);
	assert_int_equal(k.ts_us, 1795570);
	assert_int_equal(k.msg_len, strlen("Linux version 6.1.0"));
	assert_memory_equal(k.msg, "Linux version 6.1.0", k.msg_len);
	/* Userspace's lines (facility user) and a header with more fields. */
	assert_true(parse("12,7,99,-,caller=T1;hello", &k, b, sizeof b));
	assert_int_equal(k.pri, 12);
	assert_memory_equal(k.msg, "hello", 5);
	assert_int_equal(k.msg_len, 5);
}

static void test_escapes(void **state)
{
	(void)state;
	char b[256];
	struct kmsg_rec k;
	/* \xHH decoded (a backslash too); a cut or bad escape stays as it is. */
	assert_true(parse("4,1,2,-;a\\x41\\x5cb\\x0a\\xZZ end\\x4", &k, b, sizeof b));
	assert_int_equal(k.msg_len, strlen("aA\\b\n\\xZZ end\\x4"));
	assert_memory_equal(k.msg, "aA\\b\n\\xZZ end\\x4", k.msg_len);
}

static void test_bad(void **state)
{
	(void)state;
	char b[256];
	struct kmsg_rec k;
	assert_false(parse("no header at all", &k, b, sizeof b));
	assert_false(parse("6,1;only two fields", &k, b, sizeof b));
	assert_false(parse("x,1,2,-;not a number", &k, b, sizeof b));
	assert_false(parse("6,1,2x;junk after the time", &k, b, sizeof b));
	assert_false(parse("6,99999999999999999999999,2,-;overflow", &k, b, sizeof b));
	/* A facility above 23 (old kernels' continuations) is kern. */
	assert_true(parse("198,1,2,-;cont", &k, b, sizeof b));
	assert_int_equal(k.pri, 6);
	/* Empty text. */
	assert_true(parse("3,1,2,-;", &k, b, sizeof b));
	assert_int_equal(k.msg_len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_banner),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
