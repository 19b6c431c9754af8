/* test_jsonfilter: the JSON parser and printer and the JsonPath matcher behind jsonfilter and jshn -r. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpath.h"
#include "json.h"

static struct jval *parse(const char *text)
{
	const char *err = NULL;
	size_t used;
	return json_parse(text, strlen(text), &used, &err);
}

/* The JSON text of v, as jsonfilter prints it. */
static char *print(const struct jval *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	json_print(f, v);
	fclose(f);
	return buf;
}

struct acc {
	char text[512];
};

static void add(const struct jval *v, void *ctx)
{
	struct acc *a = ctx;
	char *s = v->t == J_STRING ? strdup(v->s) : print(v);
	if (a->text[0])
		strcat(a->text, "|");
	strncat(a->text, s, sizeof a->text - strlen(a->text) - 1);
	free(s);
}

/* The matches of path in doc, joined by |; "ERR" when the path does not parse. */
static void match(const char *doc, const char *path, const char *want)
{
	struct jval *v = parse(doc);
	assert_non_null(v);
	const char *err;
	size_t pos;
	struct jpath *jp = jp_parse(path, &err, &pos);
	struct acc a = { "" };
	if (!jp)
		strcpy(a.text, "ERR");
	else
		jp_match(jp, v, add, &a);
	assert_string_equal(a.text, want);
	jp_free(jp);
	json_free(v);
}

static void test_print_like_json_c(void **state)
{
	(void)state;
	struct jval *v = parse(" {\"a\": [1, 2.50, true, null, \"x/\\\"y\\n\"], \"e\": {}, \"l\": []} ");
	assert_non_null(v);
	char *s = print(v);
	assert_string_equal(s, "{ \"a\": [ 1, 2.50, true, null, \"x\\/\\\"y\\n\" ], \"e\": { }, \"l\": [ ] }");
	free(s);
	json_free(v);
}

static void test_unicode_and_repeated_keys(void **state)
{
	(void)state;
	struct jval *v = parse("{\"k\":\"\\u00e9\\ud83d\\ude00\",\"k2\":1,\"k\":2}");
	assert_non_null(v);
	assert_int_equal(v->n, 2);
	assert_string_equal(v->keys[0], "k");
	assert_int_equal(v->kids[0]->t, J_INT);
	json_free(v);
	/* json-c takes single-quoted strings too (OpenWrt's service command sends them) */
	v = parse("{ 'name': 'it\\'s' }");
	assert_non_null(v);
	assert_string_equal(v->keys[0], "name");
	assert_string_equal(v->kids[0]->s, "it's");
	json_free(v);
	v = parse("\"\\u00e9\\ud83d\\ude00\"");
	assert_string_equal(v->s, "\xc3\xa9\xf0\x9f\x98\x80");
	json_free(v);
}

static void test_errors(void **state)
{
	(void)state;
	const char *bad[] = { "", "{", "[1,]", "{\"a\" 1}", "\"abc", "01x", "tru", "{\"a\":\"\\x\"}", "\"\x01\"" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *err = NULL;
		size_t used;
		struct jval *v = json_parse(bad[i], strlen(bad[i]), &used, &err);
		if (v && used == strlen(bad[i]) && strcmp(bad[i], "01x") != 0)
			fail_msg("accepted: %s", bad[i]);
		if (!v)
			assert_non_null(err);
		json_free(v);
	}
	/* nesting is bounded: no stack overflow on hostile input */
	char deep[3001];
	memset(deep, '[', 3000);
	deep[3000] = 0;
	const char *err = NULL;
	size_t used;
	assert_null(json_parse(deep, 3000, &used, &err));
	assert_string_equal(err, "nesting too deep");
}

static void test_paths(void **state)
{
	(void)state;
	const char *d = "{\"a\":{\"b\":[1,2,{\"c\":\"x\"}]},\"ipv4-address\":[{\"address\":\"10.0.0.2\",\"mask\":24}],"
			"\"l\":[{\"n\":\"wan\",\"up\":false,\"mtu\":1500},{\"n\":\"lan\",\"up\":true,\"mtu\":1400}]}";
	match(d, "@.a.b[2].c", "x");
	match(d, "$['a'][\"b\"][-1].c", "x");
	match(d, "@[\"ipv4-address\"][0].address", "10.0.0.2");
	match(d, "@.a.b[*]", "1|2|{ \"c\": \"x\" }");
	match(d, "@.a.b[0,2,5]", "1|{ \"c\": \"x\" }");
	match(d, "@.l[@.up=true].n", "lan");
	match(d, "@.l[@.up==false || @.mtu<1450].n", "wan|lan");
	match(d, "@.l[@.n!='wan' && @.mtu>=1400].n", "lan");
	match(d, "@.l[!(@.up)].n", "");
	match(d, "@.l[!(@.up=true)].n", "wan");
	match(d, "@.l[@.nosuch].n", "");
	match(d, "@.l[@.n='lan'].mtu", "1400");
	match(d, "X=@.l[*].n", "wan|lan");
	match(d, "@.nosuch", "");
	match(d, "@.", "ERR");
	match(d, "a.b", "ERR");
	match(d, "@['unterminated", "ERR");
	match(d, "@[@.x=]", "ERR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_print_like_json_c),
		cmocka_unit_test(test_unicode_and_repeated_keys),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
