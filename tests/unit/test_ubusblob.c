/* test_ubusblob: keel-ubusd's blob/blobmsg reading and writing, JSON <-> blobmsg, and ubus message parsing, against bytes written out by hand from libubox's format. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "json.h"
#include "ubusmsg.h"

static struct jval *parse(const char *text)
{
	const char *err = NULL;
	size_t used;
	return json_parse(text, strlen(text), &used, &err);
}

/* JSON -> blobmsg list -> JSON */
static char *round_trip(const char *text)
{
	struct jval *v = parse(text);
	assert_non_null(v);
	struct buf b = { 0 }, out = { 0 };
	assert_int_equal(bm_from_json_object(&b, v), 0);
	json_free(v);
	assert_int_equal(bm_check_list((const uint8_t *)b.p, b.len, 1), 0);
	bm_to_json(&out, (const uint8_t *)b.p, b.len, true);
	buf_add(&out, "", 1);
	buf_free(&b);
	return out.p;
}

static void test_encoding_bytes(void **state)
{
	(void)state;
	struct buf b = { 0 };
	bm_put_str(&b, "ab", "xyz");
	/* ext bit, STRING (3), length 16: namelen 2, "ab\0" padded to 8, "xyz\0" */
	static const uint8_t want[] = { 0x83, 0, 0, 16, 0, 2, 'a', 'b', 0, 0, 0, 0, 'x', 'y', 'z', 0 };
	assert_int_equal(b.len, sizeof want);
	assert_memory_equal(b.p, want, sizeof want);
	b.len = 0;
	blob_put_u32(&b, UBUS_ATTR_OBJID, 0x01020304);
	static const uint8_t want2[] = { 3, 0, 0, 8, 1, 2, 3, 4 };
	assert_memory_equal(b.p, want2, sizeof want2);
	/* an INT8 is padded to 4 bytes but its length says 1 */
	b.len = 0;
	blob_put_u8(&b, UBUS_ATTR_NO_REPLY, 1);
	static const uint8_t want3[] = { 10, 0, 0, 5, 1, 0, 0, 0 };
	assert_int_equal(b.len, 8);
	assert_memory_equal(b.p, want3, sizeof want3);
	buf_free(&b);
}

static void test_json_round_trip(void **state)
{
	(void)state;
	char *s = round_trip("{ \"a\": 1, \"b\": true, \"c\": \"x\", \"d\": [ 1, \"two\", false ], "
			     "\"e\": { \"f\": -5 }, \"g\": null, \"big\": 1099511627776, \"neg\": -2147483648 }");
	assert_string_equal(s, "{\"a\":1,\"b\":true,\"c\":\"x\",\"d\":[1,\"two\",false],\"e\":{\"f\":-5},"
			       "\"g\":null,\"big\":1099511627776,\"neg\":-2147483648}");
	free(s);
	s = round_trip("{ \"d\": 1.5, \"q\": \"a\\\"b\\u00e9\" }");
	assert_string_equal(s, "{\"d\":1.5,\"q\":\"a\\\"b\xc3\xa9\"}");
	free(s);
	s = round_trip("{}");
	assert_string_equal(s, "{}");
	free(s);
}

static void test_types_chosen(void **state)
{
	(void)state;
	struct jval *v = parse("{ \"i\": 7, \"l\": 4294967296, \"b\": false }");
	struct buf b = { 0 };
	struct bm m;
	assert_int_equal(bm_from_json_object(&b, v), 0);
	assert_non_null(bm_find((const uint8_t *)b.p, b.len, "i", &m));
	assert_int_equal(m.type, BM_INT32);
	assert_int_equal(bm_int(&m), 7);
	assert_non_null(bm_find((const uint8_t *)b.p, b.len, "l", &m));
	assert_int_equal(m.type, BM_INT64);
	assert_true(bm_int(&m) == 4294967296LL);
	assert_non_null(bm_find((const uint8_t *)b.p, b.len, "b", &m));
	assert_int_equal(m.type, BM_INT8);
	assert_null(bm_find((const uint8_t *)b.p, b.len, "nope", &m));
	/* a JSON array is not a table */
	json_free(v);
	v = parse("[1]");
	assert_int_equal(bm_from_json_object(&b, v), -1);
	json_free(v);
	buf_free(&b);
}

static void test_check_rejects(void **state)
{
	(void)state;
	/* not extended */
	static const uint8_t plain[] = { 0x03, 0, 0, 8, 0, 0, 0, 0 };
	assert_int_equal(bm_check(plain, 1), -1);
	/* name longer than the attribute */
	static const uint8_t longname[] = { 0x83, 0, 0, 8, 0, 9, 'a', 0 };
	assert_int_equal(bm_check(longname, 1), -1);
	/* string without its NUL */
	static const uint8_t nonul[] = { 0x83, 0, 0, 9, 0, 0, 0, 0, 'x', 0, 0, 0 };
	assert_int_equal(bm_check(nonul, 1), -1);
	/* INT32 of 2 bytes */
	static const uint8_t shortint[] = { 0x85, 0, 0, 10, 0, 0, 0, 0, 1, 2, 0, 0 };
	assert_int_equal(bm_check(shortint, 1), -1);
	/* unknown type 9 */
	static const uint8_t unknown[] = { 0x89, 0, 0, 8, 0, 0, 0, 0 };
	assert_int_equal(bm_check(unknown, 1), -1);
	/* a list whose attribute claims more than there is */
	static const uint8_t over[] = { 0x83, 0, 0, 40, 0, 0, 0, 0 };
	assert_int_equal(bm_check_list(over, sizeof over, 1), -1);
	/* a table member without a name */
	struct buf b = { 0 };
	size_t t = bm_open(&b, BM_TABLE, "t");
	bm_put_u32(&b, "", 1);
	bm_close(&b, t);
	assert_int_equal(bm_check_list((const uint8_t *)b.p, b.len, 1), -1);
	/* nesting deeper than BM_MAX_DEPTH */
	b.len = 0;
	size_t offs[BM_MAX_DEPTH + 2];
	for (int i = 0; i < BM_MAX_DEPTH + 2; i++)
		offs[i] = bm_open(&b, BM_ARRAY, "");
	for (int i = BM_MAX_DEPTH + 1; i >= 0; i--)
		bm_close(&b, offs[i]);
	assert_int_equal(bm_check_list((const uint8_t *)b.p, b.len, 1), -1);
	buf_free(&b);
}

static void test_message(void **state)
{
	(void)state;
	struct buf m = { 0 };
	ubus_msg_begin(&m, UBUS_MSG_INVOKE, 0x1234, 0xdeadbeef);
	blob_put_u32(&m, UBUS_ATTR_OBJID, 42);
	blob_put_str(&m, UBUS_ATTR_METHOD, "list");
	size_t d = blob_open(&m, UBUS_ATTR_DATA);
	bm_put_str(&m, "name", "dropbear");
	blob_close(&m, d);
	assert_int_equal(ubus_msg_end(&m), 0);
	assert_int_equal(ubus_msg_len((const uint8_t *)m.p), m.len);

	struct ubus_hdr h;
	const uint8_t *tb[UBUS_ATTR_MAX];
	assert_int_equal(ubus_msg_parse((const uint8_t *)m.p, m.len, &h, tb), 0);
	assert_int_equal(h.type, UBUS_MSG_INVOKE);
	assert_int_equal(h.seq, 0x1234);
	assert_int_equal(h.peer, 0xdeadbeef);
	assert_int_equal(rd32(blob_data(tb[UBUS_ATTR_OBJID])), 42);
	assert_string_equal((const char *)blob_data(tb[UBUS_ATTR_METHOD]), "list");
	struct bm nm;
	assert_non_null(bm_find(blob_data(tb[UBUS_ATTR_DATA]), blob_len(tb[UBUS_ATTR_DATA]), "name", &nm));
	assert_string_equal((const char *)nm.data, "dropbear");
	assert_null(tb[UBUS_ATTR_STATUS]);

	/* cut short, or a length that disagrees: refused */
	assert_int_equal(ubus_msg_parse((const uint8_t *)m.p, m.len - 4, &h, tb), -1);
	/* OBJID of the wrong size */
	ubus_msg_begin(&m, UBUS_MSG_INVOKE, 1, 0);
	blob_put_u8(&m, UBUS_ATTR_OBJID, 1);
	assert_int_equal(ubus_msg_end(&m), 0);
	assert_int_equal(ubus_msg_parse((const uint8_t *)m.p, m.len, &h, tb), -1);
	/* a blob length below its header */
	static const uint8_t tiny[] = { 0, 5, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2 };
	assert_int_equal(ubus_msg_len(tiny), 0);
	buf_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoding_bytes),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_types_chosen),
		cmocka_unit_test(test_check_rejects),
		cmocka_unit_test(test_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
