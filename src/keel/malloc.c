/* malloc: routes the C library's allocation functions to heap.c in the keel binary (not in sanitizer builds). */
/* SPDX-License-Identifier: MIT */
#include "heap.h"

#include <errno.h>
#include <stdlib.h>

/* Linked into keel only: a static musl binary then carries no other
 * allocator, and in a glibc build these replace glibc's (its documented
 * way of substituting malloc). Sanitizer builds keep their own, which is
 * what finds our bugs; tests/unit/test_heap.c tests heap.c itself. */

void *malloc(size_t n) { return heap_alloc(n); }
void free(void *p) { heap_free(p); }
void *calloc(size_t n, size_t size) { return heap_calloc(n, size); }
void *realloc(void *p, size_t n) { return heap_realloc(p, n); }
void *aligned_alloc(size_t align, size_t n) { return heap_aligned(align, n); }
size_t malloc_usable_size(void *p);
size_t malloc_usable_size(void *p) { return heap_usable(p); }
void *memalign(size_t align, size_t n);
void *memalign(size_t align, size_t n) { return heap_aligned(align, n); }

int posix_memalign(void **out, size_t align, size_t n)
{
	if (align < sizeof(void *)) /* also a power of two: heap_aligned checks */
		return EINVAL;
	int e = errno;
	void *p = heap_aligned(align, n);
	if (!p) {
		int r = errno;
		errno = e;
		return r;
	}
	*out = p;
	return 0;
}

/* glibc's obsolete page-aligned variants, for completeness of the set. */
void *valloc(size_t n);
void *valloc(size_t n) { return heap_aligned(4096, n); }
void *pvalloc(size_t n);
void *pvalloc(size_t n) { return heap_aligned(4096, (n + 4095) & ~(size_t)4095); }
