/* test_envfile: the model's initd.env — KEY=VALUE lines, errors with file:line. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "envfile.h"

static char **parse(const char *text, size_t *n, struct diags *d)
{
	*d = (struct diags){ 0 };
	return envfile_parse(text, strlen(text), "/etc/initd.env", n, d);
}

static void test_model_file(void **state)
{
	(void)state;
	struct diags d;
	size_t n;
	char **env = parse("#####\n# initd.env\n#####\n\nPATH=/bin:/sbin\n", &n, &d);
	assert_non_null(env);
	assert_int_equal(n, 1);
	assert_string_equal(env[0], "PATH=/bin:/sbin");
	assert_null(env[1]);
	assert_int_equal(d.n, 0);
	envfile_free(env);
	diags_free(&d);
}

static void test_quotes_and_override(void **state)
{
	(void)state;
	struct diags d;
	size_t n;
	char **env = parse("A=1\n\"B=two words\"\nA=3 # again\nEMPTY=\n", &n, &d);
	assert_int_equal(n, 3);
	assert_string_equal(env[0], "A=3");
	assert_string_equal(env[1], "B=two words");
	assert_string_equal(env[2], "EMPTY=");
	assert_int_equal(d.n, 0);
	envfile_free(env);
	diags_free(&d);
}

static void test_errors(void **state)
{
	(void)state;
	struct diags d;
	size_t n;
	char **env = parse("GOOD=1\nnoequals\n1BAD=x\nA=1 B=2\n\"unterminated\nLAST=ok\n", &n, &d);
	assert_int_equal(n, 2);
	assert_string_equal(env[0], "GOOD=1");
	assert_string_equal(env[1], "LAST=ok");
	assert_int_equal(d.nerrors, 4);
	assert_int_equal(d.v[0].line, 2);
	assert_string_equal(d.v[0].file, "/etc/initd.env");
	assert_non_null(strstr(d.v[0].msg, "noequals"));
	assert_int_equal(d.v[1].line, 3);
	assert_int_equal(d.v[2].line, 4);
	assert_int_equal(d.v[3].line, 5);
	envfile_free(env);
	diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_file),
		cmocka_unit_test(test_quotes_and_override),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
