/* test_suggest: the "did you mean" distance and choice, and the parser's use of it. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "suggest.h"
#include "svc.h"

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(suggest_distance("", ""), 0);
	assert_int_equal(suggest_distance("exec", "exec"), 0);
	assert_int_equal(suggest_distance("", "abc"), 3);
	assert_int_equal(suggest_distance("abc", ""), 3);
	assert_int_equal(suggest_distance("descripton", "description"), 1); /* deletion */
	assert_int_equal(suggest_distance("tpye", "type"), 1);              /* swap */
	assert_int_equal(suggest_distance("afterr", "after"), 1);           /* insertion */
	assert_int_equal(suggest_distance("targer", "target"), 1);          /* change */
	assert_int_equal(suggest_distance("kitten", "sitting"), 3);
	assert_int_equal(suggest_distance("ca", "abc"), 3); /* OSA: no edit after a swap */
	char longw[SUGGEST_MAX_LEN + 2];
	memset(longw, 'a', sizeof longw - 1);
	longw[sizeof longw - 1] = '\0';
	assert_int_equal(suggest_distance(longw, "a"), SUGGEST_MAX_LEN + 1);
	longw[SUGGEST_MAX_LEN] = '\0';
	assert_int_equal(suggest_distance(longw, longw), 0);
}

static const char *pick(const char *word)
{
	static const char *const kw[] = { "description", "type", "target", "after", "before",
					  "requires", "exec", "env", "cwd", "tty", "timeout" };
	struct suggest s;
	suggest_init(&s, word);
	for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
		suggest_try(&s, kw[i]);
	return suggest_best(&s);
}

static void test_choice(void **state)
{
	(void)state;
	assert_string_equal(pick("descripton"), "description");
	assert_string_equal(pick("tpye"), "type");
	assert_string_equal(pick("requries"), "requires");
	assert_string_equal(pick("Exec"), "exec");
	assert_string_equal(pick("afer"), "after");
	assert_string_equal(pick("timout"), "timeout");
	/* too far for a short word, or nothing alike */
	assert_null(pick("ex"));
	assert_null(pick("echo"));
	assert_null(pick("frobnicate"));
	assert_null(pick("user"));
	/* the word itself is no suggestion */
	assert_null(pick("exec"));
	/* nearest of several: "ttx" is one edit from "tty", two from "env" */
	assert_string_equal(pick("ttx"), "tty");
}

static struct diags D;

static void test_parser_did_you_mean(void **state)
{
	(void)state;
	const char *text = "descripton \"x\"\nexec /bin/true\nfrobnicate 1\nrequries net\n";
	assert_null(svc_parse(text, strlen(text), "/etc/init.d/x", "x", &D));
	assert_int_equal(D.n, 3);
	assert_string_equal(D.v[0].msg, "unknown keyword \"descripton\" (did you mean \"description\"?)");
	assert_int_equal(D.v[0].line, 1);
	assert_string_equal(D.v[1].msg, "unknown keyword \"frobnicate\"");
	assert_string_equal(D.v[2].msg, "unknown keyword \"requries\" (did you mean \"requires\"?)");
	diags_free(&D);
}

static void test_parser_timeout_on_respawn(void **state)
{
	(void)state;
	const char *text = "type respawn\ntimeout 5s\nexec /bin/true\n";
	struct svc_def *s = svc_parse(text, strlen(text), "/etc/init.d/x", "x", &D);
	assert_non_null(s);
	assert_int_equal(D.nerrors, 0);
	assert_int_equal(D.n, 1);
	assert_int_equal(D.v[0].level, DIAG_WARNING);
	assert_int_equal(D.v[0].line, 2);
	assert_non_null(strstr(D.v[0].msg, "timeout has no effect on a respawn service"));
	svc_def_free(s);
	diags_free(&D);
	text = "type once\ntimeout 5s\nexec /bin/true\n";
	s = svc_parse(text, strlen(text), "/etc/init.d/x", "x", &D);
	assert_non_null(s);
	assert_int_equal(D.n, 0);
	svc_def_free(s);
	diags_free(&D);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_choice),
		cmocka_unit_test(test_parser_did_you_mean),
		cmocka_unit_test(test_parser_timeout_on_respawn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
