/* test_cmdline: keel's options on the kernel command line. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "cmdline.h"

static void parse(const char *text, struct cmdline *cl, struct diags *d)
{
	*d = (struct diags){ 0 };
	cmdline_parse(text, cl, d);
}

static void test_defaults(void **state)
{
	(void)state;
	struct cmdline cl;
	struct diags d;
	parse("BOOT_IMAGE=/vmlinuz root=/dev/vda ro quiet console=ttyS0\n", &cl, &d);
	assert_false(cl.debug);
	assert_false(cl.single);
	assert_int_equal(cl.target, SVC_TARGET_BOOT);
	assert_int_equal(d.n, 0);
	diags_free(&d);
}

static void test_options(void **state)
{
	(void)state;
	struct cmdline cl;
	struct diags d;
	parse("quiet keel.debug keel.single keel.target=shutdown", &cl, &d);
	assert_true(cl.quiet); /* the kernel's own quiet is keel's too */
	assert_false(cl.verbose);
	assert_true(cl.debug);
	assert_true(cl.single);
	assert_int_equal(cl.target, SVC_TARGET_SHUTDOWN);
	assert_int_equal(d.n, 0);
	diags_free(&d);
	parse("keel.quiet", &cl, &d);
	assert_true(cl.quiet);
	assert_int_equal(d.n, 0);
	diags_free(&d);
	parse("quiet keel.verbose", &cl, &d);
	assert_true(cl.quiet);
	assert_true(cl.verbose);
	assert_int_equal(d.n, 0);
	diags_free(&d);
	parse("quiet=1 quieter", &cl, &d); /* not the word itself */
	assert_false(cl.quiet);
	assert_int_equal(d.n, 0);
	diags_free(&d);
}

static void test_plain_single(void **state)
{
	(void)state;
	struct cmdline cl;
	struct diags d;
	parse("root=/dev/sda1 single", &cl, &d);
	assert_true(cl.single);
	diags_free(&d);
	parse("root=/dev/sda1 S", &cl, &d);
	assert_true(cl.single);
	diags_free(&d);
	parse("root=/dev/sda1 Single=1", &cl, &d);
	assert_false(cl.single);
	diags_free(&d);
}

static void test_unknown_reported(void **state)
{
	(void)state;
	struct cmdline cl;
	struct diags d;
	parse("keel.foo keel.debug=1 keel.target=nowhere keel.target=ctrlaltdel", &cl, &d);
	assert_int_equal(d.n, 4);
	assert_int_equal(d.v[0].level, DIAG_WARNING);
	assert_string_equal(d.v[0].file, "kernel command line");
	assert_string_equal(d.v[0].msg, "unknown option \"keel.foo\"");
	assert_string_equal(d.v[1].msg, "unknown option \"keel.debug=1\"");
	assert_non_null(strstr(d.v[2].msg, "nowhere"));
	assert_int_equal(cl.target, SVC_TARGET_BOOT);
	assert_false(cl.debug);
	diags_free(&d);
}

static void test_quotes_and_blanks(void **state)
{
	(void)state;
	struct cmdline cl;
	struct diags d;
	parse("  dyndbg=\"file foo.c +p\"\t keel.debug  \n", &cl, &d);
	assert_true(cl.debug);
	assert_int_equal(d.n, 0);
	diags_free(&d);
	parse("", &cl, &d);
	assert_false(cl.debug);
	diags_free(&d);
	parse("keel.target=\"unterminated", &cl, &d);
	assert_int_equal(d.n, 1);
	diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_plain_single),
		cmocka_unit_test(test_unknown_reported),
		cmocka_unit_test(test_quotes_and_blanks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
