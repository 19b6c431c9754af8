/* test_lex: unit tests of the line lexer, durations, numbers and diagnostics. */
/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diag.h"
#include "lex.h"

/*
 * Lexes text and renders every line as "LINE:[arg][arg]" and every error
 * line as "LINE:!", joined by spaces, so one string comparison checks the
 * whole outcome. Diagnostics are left in *d for the caller to inspect.
 */
static char *lex_render(const char *text, size_t len, const char *const *params,
			size_t nparams, struct diags *d)
{
	struct lexer lx;
	struct lex_line l;
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	assert_non_null(f);
	lex_init(&lx, text, len, "t.conf", params, nparams, d);
	int r;
	while ((r = lex_next(&lx, &l)) != 0) {
		if (r < 0) {
			fprintf(f, "%u:! ", lx.lineno);
			continue;
		}
		assert_true(l.argc >= 1);
		assert_null(l.argv[l.argc]);
		fprintf(f, "%u:", l.lineno);
		for (size_t i = 0; i < l.argc; i++)
			fprintf(f, "[%s]", l.argv[i]);
		fputc(' ', f);
		lex_line_free(&l);
	}
	fclose(f);
	if (outlen && out[outlen - 1] == ' ')
		out[outlen - 1] = '\0';
	return out;
}

static void check(const char *text, const char *expect, unsigned nerrors)
{
	struct diags d = {0};
	const char *params[] = { "ttyS0", "b c" };
	char *got = lex_render(text, strlen(text), params, 2, &d);
	assert_string_equal(got, expect);
	assert_int_equal(d.nerrors, nerrors);
	free(got);
	diags_free(&d);
}

/* The message of the only diagnostic produced by text. */
static void check_error(const char *text, size_t len, unsigned line, const char *msg)
{
	struct diags d = {0};
	char *got = lex_render(text, len, NULL, 0, &d);
	free(got);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].level, DIAG_ERROR);
	assert_int_equal(d.v[0].line, line);
	assert_string_equal(d.v[0].file, "t.conf");
	assert_string_equal(d.v[0].msg, msg);
	diags_free(&d);
}

static void test_lex_words(void **state)
{
	(void)state;
	check("exec /bin/foo  -a\t-b\n", "1:[exec][/bin/foo][-a][-b]", 0);
	check("  type   wait  ", "1:[type][wait]", 0);
	check("a\nb c\n\nd", "1:[a] 2:[b][c] 4:[d]", 0);
	check("", "", 0);
	check("\n\n \t \n", "", 0);
}

static void test_lex_comments(void **state)
{
	(void)state;
	check("# a comment\n   # indented\nexec foo # trailing\n", "3:[exec][foo]", 0);
	check("exec \"a # not a comment\"#c\n", "1:[exec][a # not a comment]", 0);
	check("exec foo#bar\n", "1:[exec][foo]", 0);
	check("#only", "", 0);
}

static void test_lex_quotes(void **state)
{
	(void)state;
	check("description \"hello world\"", "1:[description][hello world]", 0);
	check("a \"\" b", "1:[a][][b]", 0);
	check("a pre\"mid dle\"post", "1:[a][premid dlepost]", 0);
	check("a \"x\"\"y\"", "1:[a][xy]", 0);
	check("a it's", "1:[a][it's]", 0);
	/* backslashes are literal outside quotes */
	check("a b\\n", "1:[a][b\\n]", 0);
}

static void test_lex_escapes(void **state)
{
	(void)state;
	check("a \"\\n\\t\\r\\\\\\\"\\'\"", "1:[a][\n\t\r\\\"']", 0);
	check("a \"\\a\\b\\f\\v\\e\"", "1:[a][\a\b\f\v\x1b]", 0);
	check("a \"\\x41\\x4a\\x7z\"", "1:[a][AJ\az]", 0);
	check("a \"\\101\\60\\1x\\0101\"", "1:[a][A0\001x\b1]", 0);
	check("a \"\\q\"\nb", "1:! 2:[b]", 1);
	check("a \"\\xg\"", "1:!", 1);
	check("a \"\\400\"", "1:!", 1);
	check("a \"\\0\"", "1:!", 1);
	check("a \"\\x00\"", "1:!", 1);
	check("a \"ab\\", "1:!", 1);
	check_error("a \"\\q\"", 6, 1, "bad escape \"\\q\"");
	check_error("x\na \"\\400\"", 10, 2, "bad escape \"\\400\": octal value over 377");
	check_error("a \"\\\001\"", 6, 1, "bad escape: '\\' followed by byte 0x01");
}

static void test_lex_unterminated_quote(void **state)
{
	(void)state;
	check("a \"open\nb \"ok\"\n", "1:! 2:[b][ok]", 1);
	check_error("\n\nexec \"foo", 10, 3, "unterminated quote");
}

static void test_lex_percent(void **state)
{
	(void)state;
	check("tty /dev/%0", "1:[tty][/dev/ttyS0]", 0);
	check("tty \"/dev/%0\"", "1:[tty][/dev/ttyS0]", 0);
	/* a parameter's blanks do not split the argument */
	check("x %1 y", "1:[x][b c][y]", 0);
	check("x 100%%", "1:[x][100%]", 0);
	check("x \"%%0\"", "1:[x][%0]", 0);
	check("x %0%1", "1:[x][ttyS0b c]", 0);
	check("x %2\ny", "1:! 2:[y]", 1);
	check("x %q", "1:!", 1);
	check("x %", "1:!", 1);
	check("x \"%\"", "1:!", 1);
	check_error("x %0", 4, 1, "%0 used but there is no parameter 0");
	check_error("x %z", 4, 1, "bad \"%z\": '%' must be followed by a digit or '%' (write \"%%z\" for a literal \"%z\")");
	/* Pygos: "\%" inside quotes is a literal '%', never a parameter */
	check("x \"\\%0\\%\" \"a\\%%%\"", "1:[x][%0%][a%%]", 0);
	check("x \\%", "1:!", 1);
}

static void test_lex_noparam_why(void **state)
{
	(void)state;
	struct diags d = {0};
	struct lexer lx;
	struct lex_line l;
	lex_init(&lx, "tty %0", 6, "f", NULL, 0, &d);
	lx.noparam_why = "the link name has no @argument";
	assert_int_equal(lex_next(&lx, &l), -1);
	assert_int_equal(lex_next(&lx, &l), 0);
	assert_string_equal(d.v[0].msg, "%0 used but the link name has no @argument");
	diags_free(&d);
}

static void test_lex_braces(void **state)
{
	(void)state;
	check("exec {\n  mount -a\n}\n", "1:[exec][{] 2:[mount][-a] 3:[}]", 0);
}

static void test_lex_crlf(void **state)
{
	(void)state;
	check("type wait\r\nexec a b\r\n\r\n# c\r\nx\r", "1:[type][wait] 2:[exec][a][b] 5:[x]", 0);
	check("a \"q\r\nb", "1:! 2:[b]", 1);
	/* a '\r' not at the end of a line is an ordinary byte */
	check("a b\rc\n", "1:[a][b\rc]", 0);
}

static void test_lex_nul(void **state)
{
	(void)state;
	static const char text[] = "a b\nc\0d\ne f";
	struct diags d = {0};
	char *got = lex_render(text, sizeof(text) - 1, NULL, 0, &d);
	assert_string_equal(got, "1:[a][b] 2:! 3:[e][f]");
	assert_int_equal(d.nerrors, 1);
	assert_string_equal(d.v[0].msg, "NUL byte in line");
	assert_int_equal(d.v[0].line, 2);
	free(got);
	diags_free(&d);
	check_error("# comment \0 with nul", 20, 1, "NUL byte in line");
}

static void test_lex_not_nul_terminated(void **state)
{
	(void)state;
	/* the lexer must stop at len even without a terminating NUL */
	char *buf = malloc(5);
	assert_non_null(buf);
	memcpy(buf, "ab cd", 5);
	struct diags d = {0};
	char *got = lex_render(buf, 5, NULL, 0, &d);
	assert_string_equal(got, "1:[ab][cd]");
	free(got);
	free(buf);
	diags_free(&d);
}

static void test_lex_long_line(void **state)
{
	(void)state;
	/* no fixed buffers: a 1 MiB argument and 100000 arguments */
	size_t n = 1024 * 1024;
	char *text = malloc(n + 8);
	assert_non_null(text);
	memcpy(text, "x \"", 3);
	memset(text + 3, 'a', n);
	memcpy(text + 3 + n, "\" y", 3);
	struct diags d = {0};
	struct lexer lx;
	struct lex_line l;
	lex_init(&lx, text, n + 6, "f", NULL, 0, &d);
	assert_int_equal(lex_next(&lx, &l), 1);
	assert_int_equal(l.argc, 3);
	assert_int_equal(strlen(l.argv[1]), n);
	assert_string_equal(l.argv[2], "y");
	lex_line_free(&l);
	for (size_t i = 0; i < 200000; i += 2) {
		text[i] = 'z';
		text[i + 1] = ' ';
	}
	lex_init(&lx, text, 200000, "f", NULL, 0, &d);
	assert_int_equal(lex_next(&lx, &l), 1);
	assert_int_equal(l.argc, 100000);
	lex_line_free(&l);
	assert_int_equal(d.n, 0);
	free(text);
}

static void test_lex_uint(void **state)
{
	(void)state;
	unsigned long v = 7;
	assert_int_equal(lex_uint("0", 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(lex_uint("0042", 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(lex_uint("100", 100, &v), 0);
	assert_int_equal(lex_uint("101", 100, &v), -1);
	assert_int_equal(lex_uint("", 100, &v), -1);
	assert_int_equal(lex_uint("-1", 100, &v), -1);
	assert_int_equal(lex_uint("+1", 100, &v), -1);
	assert_int_equal(lex_uint(" 1", 100, &v), -1);
	assert_int_equal(lex_uint("1x", 100, &v), -1);
	assert_int_equal(lex_uint("0x10", 100, &v), -1);
	char big[64];
	snprintf(big, sizeof(big), "%lu", ULONG_MAX);
	assert_int_equal(lex_uint(big, ULONG_MAX, &v), 0);
	assert_true(v == ULONG_MAX);
	snprintf(big, sizeof(big), "%lu0", ULONG_MAX);
	assert_int_equal(lex_uint(big, ULONG_MAX, &v), -1);
	assert_int_equal(lex_uint("99999999999999999999999999", ULONG_MAX, &v), -1);
}

static void test_lex_duration(void **state)
{
	(void)state;
	unsigned long ms = 1;
	assert_int_equal(lex_duration_ms("250ms", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(lex_duration_ms("3s", &ms), 0);
	assert_int_equal(ms, 3000);
	assert_int_equal(lex_duration_ms("2m", &ms), 0);
	assert_int_equal(ms, 120000);
	assert_int_equal(lex_duration_ms("1h", &ms), 0);
	assert_int_equal(ms, 3600000);
	assert_int_equal(lex_duration_ms("5", &ms), 0);
	assert_int_equal(ms, 5000);
	assert_int_equal(lex_duration_ms("1.5", &ms), 0);
	assert_int_equal(ms, 1500);
	assert_int_equal(lex_duration_ms("0.25s", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(lex_duration_ms("1.5m", &ms), 0);
	assert_int_equal(ms, 90000);
	assert_int_equal(lex_duration_ms("0", &ms), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(lex_duration_ms("0.0001", &ms), 0);
	assert_int_equal(ms, 0);
	assert_int_equal(lex_duration_ms("0.1234567890123s", &ms), 0);
	assert_int_equal(ms, 123);
	const char *bad[] = { "", "s", "ms", ".5", "1.", "1.s", "-1", "+1", " 1", "1 ",
			      "1sec", "1x", "1S", "1.5.5", "1e3", "99999999999999999999999h" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ms = 77;
		assert_int_equal(lex_duration_ms(bad[i], &ms), -1);
		assert_int_equal(ms, 77);
	}
	char big[64];
	snprintf(big, sizeof(big), "%luh", ULONG_MAX / 3600000UL + 1);
	assert_int_equal(lex_duration_ms(big, &ms), -1);
	snprintf(big, sizeof(big), "%lums", ULONG_MAX);
	assert_int_equal(lex_duration_ms(big, &ms), 0);
	assert_true(ms == ULONG_MAX);
}

static void test_diag_format(void **state)
{
	(void)state;
	struct diags d = {0};
	diag_add(&d, DIAG_ERROR, "/etc/init.d/foo", 12, "unknown keyword \"%s\"", "bar");
	diag_add(&d, DIAG_WARNING, "/etc/init.d/foo", 0, "w");
	diag_add(&d, DIAG_NOTE, NULL, 0, "n %d", 5);
	diag_add(&d, DIAG_ERROR, NULL, 3, "x");
	assert_int_equal(d.n, 4);
	assert_int_equal(d.nerrors, 2);
	const char *expect[] = {
		"error: /etc/init.d/foo:12: unknown keyword \"bar\"",
		"warning: /etc/init.d/foo: w",
		"note: n 5",
		"error: 3: x",
	};
	for (size_t i = 0; i < 4; i++) {
		char *s = diag_format(&d.v[i]);
		assert_non_null(s);
		assert_string_equal(s, expect[i]);
		free(s);
	}
	assert_string_equal(diag_level_name(DIAG_NOTE), "note");
	assert_string_equal(diag_level_name(DIAG_WARNING), "warning");
	assert_string_equal(diag_level_name(DIAG_ERROR), "error");
	diags_free(&d);
	assert_int_equal(d.n, 0);
	assert_null(d.v);
}

static void test_diag_move(void **state)
{
	(void)state;
	struct diags a = {0}, b = {0};
	diag_add(&a, DIAG_ERROR, "a", 1, "one");
	for (int i = 0; i < 20; i++)
		diag_add(&b, i % 2 ? DIAG_ERROR : DIAG_NOTE, "b", (unsigned)i, "m%d", i);
	b.oom = 1;
	diags_move(&a, &b);
	assert_int_equal(a.n, 21);
	assert_int_equal(a.nerrors, 11);
	assert_int_equal(a.oom, 1);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.nerrors, 0);
	assert_null(b.v);
	assert_string_equal(a.v[20].msg, "m19");
	diags_move(&a, &b); /* moving an empty set changes nothing */
	assert_int_equal(a.n, 21);
	diags_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lex_words),
		cmocka_unit_test(test_lex_comments),
		cmocka_unit_test(test_lex_quotes),
		cmocka_unit_test(test_lex_escapes),
		cmocka_unit_test(test_lex_unterminated_quote),
		cmocka_unit_test(test_lex_percent),
		cmocka_unit_test(test_lex_noparam_why),
		cmocka_unit_test(test_lex_braces),
		cmocka_unit_test(test_lex_crlf),
		cmocka_unit_test(test_lex_nul),
		cmocka_unit_test(test_lex_not_nul_terminated),
		cmocka_unit_test(test_lex_long_line),
		cmocka_unit_test(test_lex_uint),
		cmocka_unit_test(test_lex_duration),
		cmocka_unit_test(test_diag_format),
		cmocka_unit_test(test_diag_move),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
