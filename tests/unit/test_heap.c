/* test_heap: PID 1's allocator keeps blocks aligned, apart and intact through reuse, growth and random churn. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"

static void test_alignment_and_size(void **state)
{
	(void)state;
	for (size_t n = 0; n < 9000; n += (n < 300 ? 1 : 37)) {
		unsigned char *p = heap_alloc(n);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_true(heap_usable(p) >= n);
		memset(p, 0xa5, heap_usable(p)); /* the whole usable size is ours */
		heap_free(p);
	}
}

static void test_reuse_and_double_free(void **state)
{
	(void)state;
	void *a = heap_alloc(40);
	heap_free(a);
	void *b = heap_alloc(40);
	assert_ptr_equal(a, b); /* same class: the freed block comes back */

	heap_free(b);
	heap_free(b); /* ignored: must not put the block on its list twice */
	void *c = heap_alloc(40), *d = heap_alloc(40);
	assert_ptr_equal(c, b);
	assert_ptr_not_equal(c, d);
	heap_free(c);
	heap_free(d);
	heap_free(NULL);
}

static void test_zeroed(void **state)
{
	(void)state;
	unsigned char *dirty = heap_alloc(100);
	memset(dirty, 0xff, 100);
	heap_free(dirty);
	unsigned char *z = heap_calloc(10, 10); /* likely the dirty block again */
	assert_non_null(z);
	for (int i = 0; i < 100; i++)
		assert_int_equal(z[i], 0);
	heap_free(z);
	unsigned char *big = heap_calloc(3, 10000);
	for (int i = 0; i < 30000; i++)
		assert_int_equal(big[i], 0);
	heap_free(big);
	errno = 0;
	assert_null(heap_calloc(SIZE_MAX / 2, 3));
	assert_int_equal(errno, ENOMEM);
	assert_null(heap_alloc(SIZE_MAX - 10));
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static int intact(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i * 7))
			return 0;
	return 1;
}

static void test_realloc_growth(void **state)
{
	(void)state;
	size_t n = 1;
	unsigned char *p = heap_alloc(n);
	fill(p, n, 3);
	/* Doubling through every small class into large blocks (mremap). */
	while (n < 1u << 20) {
		size_t m = n * 2 + 1;
		p = heap_realloc(p, m);
		assert_non_null(p);
		assert_true(intact(p, n, 3));
		fill(p, m, 3);
		n = m;
	}
	/* Shrinking back to a small block keeps the prefix. */
	p = heap_realloc(p, 100);
	assert_true(intact(p, 100, 3));
	assert_true(heap_usable(p) < 200);
	heap_free(p);
	assert_non_null(p = heap_realloc(NULL, 10));
	heap_free(p);
}

static void test_aligned(void **state)
{
	(void)state;
	size_t aligns[] = { 1, 8, 16, 32, 64, 4096, 65536 };
	for (size_t i = 0; i < sizeof aligns / sizeof aligns[0]; i++) {
		unsigned char *p = heap_aligned(aligns[i], 1000);
		assert_non_null(p);
		assert_int_equal((uintptr_t)p % aligns[i], 0);
		memset(p, 1, 1000);
		unsigned char *q = heap_realloc(p, 200000); /* an aligned large block moves by copy */
		assert_non_null(q);
		assert_int_equal(q[999], 1);
		heap_free(q);
	}
	errno = 0;
	assert_null(heap_aligned(24, 10));
	assert_int_equal(errno, EINVAL);
}

/* Random churn against a model: every live block keeps its own pattern,
 * so any overlap or header damage shows as a changed byte. */
static void test_random_churn(void **state)
{
	(void)state;
	enum { SLOTS = 600, OPS = 60000 };
	static unsigned char *p[SLOTS];
	static size_t len[SLOTS];
	struct heap_stats before, after;
	heap_get_stats(&before);
	srand(11);
	for (int op = 0; op < OPS; op++) {
		int i = rand() % SLOTS;
		if (p[i]) {
			assert_true(intact(p[i], len[i], (unsigned)i));
			if (rand() % 3 == 0) {
				size_t m = (size_t)(rand() % 3000);
				p[i] = heap_realloc(p[i], m);
				assert_non_null(p[i]);
				assert_true(intact(p[i], len[i] < m ? len[i] : m, (unsigned)i));
				len[i] = m;
				fill(p[i], m, (unsigned)i);
			} else {
				heap_free(p[i]);
				p[i] = NULL;
			}
			/* Trimming now and then must never touch a live block. */
			if (op % 5000 == 0)
				heap_trim();
		} else {
			/* Mostly small, now and then a large block. */
			size_t m = rand() % 20 ? (size_t)(rand() % 512) : (size_t)(rand() % 20000);
			p[i] = heap_alloc(m);
			assert_non_null(p[i]);
			assert_int_equal((uintptr_t)p[i] % 16, 0);
			len[i] = m;
			fill(p[i], m, (unsigned)i);
		}
	}
	for (int i = 0; i < SLOTS; i++) {
		if (p[i])
			assert_true(intact(p[i], len[i], (unsigned)i));
		heap_free(p[i]);
		p[i] = NULL;
	}
	heap_get_stats(&after);
	assert_int_equal(after.small_live, before.small_live);
	assert_int_equal(after.large_bytes, before.large_bytes);
	/* Freed blocks were reused: the churn peaked at 600 blocks (about
	 * 160 KiB live), far below what 60,000 operations would map without reuse. */
	assert_true(after.chunk_bytes - before.chunk_bytes <= 1024 * 1024);
}

/* Loading allocates much and keeps little: the trim gives back the pages
 * that hold only freed blocks, keeps every live one intact, and the heap
 * goes on serving from what is left. */
static void test_trim(void **state)
{
	(void)state;
	enum { N = 3000 };
	static unsigned char *p[N];
	static size_t len[N];
	srand(5);
	for (int i = 0; i < N; i++) {
		len[i] = (size_t)(rand() % 300);
		p[i] = heap_alloc(len[i]);
		assert_non_null(p[i]);
		fill(p[i], len[i], (unsigned)i);
	}
	for (int i = 0; i < N; i++)
		if (i % 64) {
			heap_free(p[i]);
			p[i] = NULL;
		}
	size_t back = heap_trim();
	/* ~470 KiB allocated, one block in 64 kept: whole free pages abound. */
	assert_true(back >= 32 * 4096);
	for (int i = 0; i < N; i++)
		if (p[i])
			assert_true(intact(p[i], len[i], (unsigned)i));
	assert_int_equal(heap_trim(), 0); /* nothing more to give */
	/* New blocks: apart from the kept ones and from each other. */
	for (int i = 0; i < N; i++)
		if (!p[i]) {
			len[i] = (size_t)(rand() % 300);
			p[i] = heap_alloc(len[i]);
			assert_non_null(p[i]);
			fill(p[i], len[i], (unsigned)i);
		}
	for (int i = 0; i < N; i++) {
		assert_true(intact(p[i], len[i], (unsigned)i));
		heap_free(p[i]);
		p[i] = NULL;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alignment_and_size), cmocka_unit_test(test_reuse_and_double_free),
		cmocka_unit_test(test_zeroed),		   cmocka_unit_test(test_realloc_growth),
		cmocka_unit_test(test_aligned),		   cmocka_unit_test(test_random_churn),
		cmocka_unit_test(test_trim),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
