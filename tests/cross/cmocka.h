/* cmocka: the few cmocka calls the unit tests that run under qemu-user use, for targets without libcmocka. */
/* SPDX-License-Identifier: MIT */
/* Debian has libcmocka for glibc only; the cross builds are static musl.
 * Output is TAP, as cmocka's with CMOCKA_MESSAGE_OUTPUT=TAP. */
#ifndef KEEL_CROSS_CMOCKA_H
#define KEEL_CROSS_CMOCKA_H

#include <setjmp.h>
#include <stdio.h>

struct CMUnitTest {
	const char *name;
	void (*fn)(void **);
};
#define cmocka_unit_test(f) { #f, f }

static jmp_buf cross_fail_jmp;
static void cross_fail(const char *what, const char *file, int line)
{
	printf("# %s:%d: %s\n", file, line, what);
	longjmp(cross_fail_jmp, 1);
}
#define assert_true(c) ((c) ? (void)0 : cross_fail("assert_true(" #c ")", __FILE__, __LINE__))
#define assert_false(c) assert_true(!(c))
#define assert_int_equal(a, b) \
	((long long)(a) == (long long)(b) ? (void)0 : cross_fail(#a " == " #b, __FILE__, __LINE__))

static int cross_run(const struct CMUnitTest *t, size_t n)
{
	volatile int failed = 0;
	printf("1..%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		void *state = NULL;
		if (setjmp(cross_fail_jmp) == 0) {
			t[i].fn(&state);
			printf("ok %zu - %s\n", i + 1, t[i].name);
		} else {
			printf("not ok %zu - %s\n", i + 1, t[i].name);
			failed++;
		}
	}
	return failed;
}
#define cmocka_run_group_tests(t, setup, teardown) cross_run(t, sizeof(t) / sizeof((t)[0]))

#endif
