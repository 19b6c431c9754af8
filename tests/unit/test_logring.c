/* test_logring: unit tests of the log ring (eviction, wrap, cursors) and of the record line format. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "logrec.h"
#include "logring.h"

static struct log_rec rec(const char *tag, const char *msg)
{
	return (struct log_rec){ .mono_us = 5, .real_us = 7, .pid = 9, .pri = 30, .source = LOG_SRC_STDOUT,
				 .tag = tag, .tag_len = strlen(tag), .msg = msg, .msg_len = strlen(msg) };
}

static void test_add_and_read(void **state)
{
	(void)state;
	struct logring r;
	assert_int_equal(logring_init(&r, 4096), 0);
	for (int i = 0; i < 10; i++) {
		char m[32];
		snprintf(m, sizeof m, "line %d", i);
		struct log_rec x = rec("svc", m);
		assert_int_equal(logring_add(&r, &x), (uint64_t)i + 1);
	}
	assert_int_equal(logring_count(&r), 10);
	struct logring_cursor c = logring_seek(&r, 4);
	struct log_rec out;
	uint64_t lost;
	assert_true(logring_next(&r, &c, &out, &lost));
	assert_int_equal(out.seq, 4);
	assert_int_equal(lost, 0);
	assert_int_equal(out.msg_len, 6);
	assert_memory_equal(out.msg, "line 3", 6);
	assert_memory_equal(out.tag, "svc", 3);
	assert_int_equal(out.pid, 9);
	assert_int_equal(out.pri, 30);
	int n = 1;
	while (logring_next(&r, &c, &out, &lost))
		n++;
	assert_int_equal(n, 7);
	logring_free(&r);
}

/* Many more records than fit: the oldest go, seqs stay consecutive, every
 * record read back is intact, and a cursor left behind learns how many it
 * lost. */
static void test_evict_wrap(void **state)
{
	(void)state;
	struct logring r;
	assert_int_equal(logring_init(&r, 1000), 0);
	struct logring_cursor behind = logring_seek(&r, 1);
	for (int i = 0; i < 5000; i++) {
		char m[64];
		/* Varying sizes exercise every wrap position. */
		int len = snprintf(m, sizeof m, "%d:%.*s", i, i % 40, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		struct log_rec x = rec("t", m);
		x.msg_len = (size_t)len;
		logring_add(&r, &x);
		struct logring_cursor c = logring_seek(&r, 0);
		struct log_rec out;
		uint64_t lost, expect = r.first_seq;
		while (logring_next(&r, &c, &out, &lost)) {
			assert_int_equal(out.seq, expect);
			int k = atoi(out.msg);
			assert_int_equal((uint64_t)k + 1, out.seq);
			assert_int_equal(out.msg_len, (size_t)snprintf(m, sizeof m, "%d:", k) + (size_t)(k % 40));
			expect++;
		}
		assert_int_equal(expect, r.next_seq);
	}
	assert_true(r.evicted > 4000);
	struct log_rec out;
	uint64_t lost;
	assert_true(logring_next(&r, &behind, &out, &lost));
	assert_int_equal(lost, r.first_seq - 1);
	assert_int_equal(out.seq, r.first_seq);
	logring_free(&r);
}

/* A reader at the end before the ring wraps finds the next record. */
static void test_cursor_at_end_across_wrap(void **state)
{
	(void)state;
	struct logring r;
	assert_int_equal(logring_init(&r, 512), 0);
	char big[150];
	memset(big, 'a', sizeof big);
	for (int round = 0; round < 50; round++) {
		struct logring_cursor c = logring_seek(&r, r.next_seq);
		struct log_rec x = rec("w", "");
		x.msg = big;
		x.msg_len = (size_t)(round % 3 + 1) * 40;
		uint64_t seq = logring_add(&r, &x);
		struct log_rec out;
		uint64_t lost;
		assert_true(logring_next(&r, &c, &out, &lost));
		assert_int_equal(out.seq, seq);
		assert_int_equal(out.msg_len, x.msg_len);
		assert_int_equal(lost, 0);
	}
	logring_free(&r);
}

static void test_cut(void **state)
{
	(void)state;
	struct logring r;
	assert_int_equal(logring_init(&r, 64 * 1024), 0);
	char *m = malloc(5000);
	memset(m, 'm', 5000);
	char tag[100];
	memset(tag, 't', sizeof tag);
	struct log_rec x = { .tag = tag, .tag_len = sizeof tag, .msg = m, .msg_len = 5000 };
	logring_add(&r, &x);
	struct logring_cursor c = logring_seek(&r, 1);
	struct log_rec out;
	uint64_t lost;
	assert_true(logring_next(&r, &c, &out, &lost));
	assert_int_equal(out.tag_len, LOG_TAG_MAX);
	assert_int_equal(out.msg_len, LOG_MSG_MAX);
	free(m);
	logring_free(&r);
}

/* logring_room: whatever the ring's state (empty, filling, wrapped), records
 * whose costs add up to the room less one record's slack evict nothing,
 * and the room is never more than the ring. Random sizes, fixed seed. */
static void test_room(void **state)
{
	(void)state;
	srand(7);
	char msg[LOG_MSG_MAX];
	memset(msg, 'x', sizeof msg);
	for (int round = 0; round < 300; round++) {
		struct logring r;
		size_t cap = 256 + (size_t)(rand() % 8000);
		assert_int_equal(logring_init(&r, cap), 0);
		/* A random history first: from nothing to many wraps. */
		for (int i = rand() % 200; i > 0; i--) {
			struct log_rec x = rec("t", "");
			x.msg = msg;
			x.msg_len = (size_t)(rand() % 300);
			logring_add(&r, &x);
		}
		size_t room = logring_room(&r);
		assert_true(room <= r.cap);
		size_t slack = logring_cost(&r, 6, LOG_MSG_MAX);
		uint64_t evicted = r.evicted;
		size_t used = 0;
		for (;;) {
			struct log_rec x = rec("kernel", "");
			x.msg = msg;
			x.msg_len = (size_t)(rand() % 300);
			size_t c = logring_cost(&r, x.tag_len, x.msg_len);
			if (used + c + slack > room)
				break;
			logring_add(&r, &x);
			used += c;
		}
		assert_int_equal(r.evicted, evicted);
		logring_free(&r);
	}
	/* The cost is what a record takes: header, tag, message, as cut. */
	struct logring r;
	assert_int_equal(logring_init(&r, 4096), 0);
	assert_int_equal(logring_room(&r), 4096);
	size_t c = logring_cost(&r, 3, 10);
	struct log_rec x = rec("svc", "0123456789");
	logring_add(&r, &x);
	assert_int_equal(logring_room(&r), 4096 - c);
	assert_true(logring_cost(&r, 3, 100000) <= 4096 / 2);
	logring_free(&r);
}

static void test_format_parse(void **state)
{
	(void)state;
	const char msg[] = "tab\there \\ nl\n\x01 bad\xff utf8 \xc3\xa9 ok";
	struct log_rec x = { .seq = 12, .mono_us = 3456, .real_us = -1, .pid = 77, .pri = 27,
			     .source = LOG_SRC_STDERR, .flags = LOG_F_CONT, .tag = "a\tb", .tag_len = 3,
			     .msg = msg, .msg_len = sizeof msg - 1 };
	struct buf b = { 0 };
	logrec_format(&b, &x);
	assert_non_null(b.p);
	assert_string_equal(b.p, "12\t3456\t-1\t27\tstderr\t77\tc\ta\\tb\t"
				 "tab\\there \\\\ nl\\n\\x01 bad\\xff utf8 \xc3\xa9 ok\n");
	struct log_rec y;
	assert_int_equal(logrec_parse(b.p, b.len - 1, &y), 0);
	assert_int_equal(y.seq, 12);
	assert_int_equal(y.real_us, -1);
	assert_int_equal(y.pid, 77);
	assert_int_equal(y.pri, 27);
	assert_int_equal(y.source, LOG_SRC_STDERR);
	assert_int_equal(y.flags, LOG_F_CONT);
	assert_int_equal(y.tag_len, 3);
	assert_memory_equal(y.tag, "a\tb", 3);
	assert_int_equal(y.msg_len, sizeof msg - 1);
	assert_memory_equal(y.msg, msg, sizeof msg - 1);
	buf_free(&b);

	char bad1[] = "1\t2\t3";
	assert_int_equal(logrec_parse(bad1, strlen(bad1), &y), -1);
	char bad2[] = "x\t2\t3\t4\tstdout\t0\t-\tt\tm";
	assert_int_equal(logrec_parse(bad2, strlen(bad2), &y), -1);
	char bad3[] = "1\t2\t3\t4\tnowhere\t0\t-\tt\tm";
	assert_int_equal(logrec_parse(bad3, strlen(bad3), &y), -1);
	char ok[] = "1\t2\t3\t4\tsyslog\t0\t-\tt\tmsg\twith tab kept";
	assert_int_equal(logrec_parse(ok, strlen(ok), &y), 0);
	assert_int_equal(y.msg_len, strlen("msg\twith tab kept"));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(logrec_facility_name(3), "daemon");
	assert_string_equal(logrec_facility_name(16), "local0");
	assert_string_equal(logrec_severity_name(4), "warn");
	assert_string_equal(logrec_severity_name(3), "err");
	assert_string_equal(logrec_source_name(LOG_SRC_KERN), "kern");
	assert_string_equal(logrec_facility_name(99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_read),
		cmocka_unit_test(test_evict_wrap),
		cmocka_unit_test(test_cursor_at_end_across_wrap),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_room),
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
