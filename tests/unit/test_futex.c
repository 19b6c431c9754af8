/* test_futex: the bounded futex wait sleeps its whole timeout on every ABI (32-bit ones under qemu-user: tests/cross). */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <time.h>

#include "futex.h"

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Nobody wakes the word: each wait lasts its timeout. Read with libc's
 * timespec by a raw 32-bit-time syscall, 10 ms became {0 s, 0 ns} and the
 * wait returned at once (keel's slot wait was a busy poll). A lower bound
 * only: how much longer a loaded machine takes is not the test's business. */
static void test_waits_the_timeout(void **state)
{
	(void)state;
	volatile int word = 5;
	for (int i = 0; i < 5; i++) {
		int64_t t0 = now_ns();
		int r = futex_wait(&word, 5, 10 * 1000 * 1000);
		int64_t took = now_ns() - t0;
		assert_int_equal(r, 1);
		assert_true(took >= 9 * 1000 * 1000);
	}
}

/* The word no longer holds the value: no sleep at all. */
static void test_changed_word_returns(void **state)
{
	(void)state;
	volatile int word = 4;
	assert_int_equal(futex_wait(&word, 5, 10 * 1000 * 1000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_waits_the_timeout),
		cmocka_unit_test(test_changed_word_returns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
