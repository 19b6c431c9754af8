/* test_pidmap: the pid -> service table survives growth and deletions in any order. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "pidmap.h"

/* Distinct fake service pointers: the table never dereferences them. */
static struct svc *fake(size_t i)
{
	return (struct svc *)(uintptr_t)(0x1000 + i * 16);
}

static void test_put_get_del(void **state)
{
	(void)state;
	assert_null(pidmap_get(42));
	assert_int_equal(pidmap_put(42, fake(1)), 0);
	assert_ptr_equal(pidmap_get(42), fake(1));
	pidmap_put(42, fake(2)); /* replace */
	assert_ptr_equal(pidmap_get(42), fake(2));
	pidmap_del(42);
	assert_null(pidmap_get(42));
	pidmap_del(42); /* absent: harmless */
}

static void test_many_random(void **state)
{
	(void)state;
	enum { N = 5000 };
	static pid_t pids[N];
	static int live[N];
	srand(7);
	for (size_t i = 0; i < N; i++) {
		/* Colliding pids: many share the low bits. */
		pids[i] = (pid_t)(1 + i * 64 + (rand() % 3));
		for (size_t j = 0; j < i; j++)
			if (pids[j] == pids[i])
				pids[i] += 1000000;
		assert_int_equal(pidmap_put(pids[i], fake(i)), 0);
		live[i] = 1;
	}
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < N; i++)
			if (rand() % 2 && live[i]) {
				pidmap_del(pids[i]);
				live[i] = 0;
			}
		for (size_t i = 0; i < N; i++) {
			if (live[i])
				assert_ptr_equal(pidmap_get(pids[i]), fake(i));
			else
				assert_null(pidmap_get(pids[i]));
		}
		for (size_t i = 0; i < N; i++)
			if (!live[i] && rand() % 2) {
				pidmap_put(pids[i], fake(i));
				live[i] = 1;
			}
	}
	for (size_t i = 0; i < N; i++)
		if (live[i])
			pidmap_del(pids[i]);
	for (size_t i = 0; i < N; i++)
		assert_null(pidmap_get(pids[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_del),
		cmocka_unit_test(test_many_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
