/* heap: keel's memory allocator — size classes carved from mapped chunks, large blocks mapped alone. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_HEAP_H
#define KEEL_HEAP_H

#include <stddef.h>

/* Same contracts as malloc, free, calloc, realloc, aligned_alloc and
 * malloc_usable_size. Not thread-safe: PID 1 has one thread, and the
 * clone(CLONE_VM) child that shares its memory never allocates.
 * heap_free ignores a pointer freed twice (its header says "free"). */
void *heap_alloc(size_t n);
void heap_free(void *p);
void *heap_calloc(size_t n, size_t size);
void *heap_realloc(void *p, size_t n);
void *heap_aligned(size_t align, size_t n);
size_t heap_usable(const void *p);

struct heap_stats {
	size_t chunk_bytes; /* mapped for small blocks (never returned) */
	size_t large_bytes; /* mapped for large blocks, now */
	size_t small_live;  /* small blocks handed out and not freed, in bytes */
};
void heap_get_stats(struct heap_stats *st);

/* Gives back to the kernel the pages of the small-block chunks that hold
 * only free blocks (what loading allocated and dropped); the blocks on
 * them leave the free lists. Returns the bytes given back. */
size_t heap_trim(void);

/* Largest request served from the size classes; bigger ones get their
 * own mapping, returned to the kernel when freed. Kept low because the
 * arrays of one entry per service, which loading the services allocates
 * and drops several times, would otherwise stay on the free lists. */
#define HEAP_SMALL_MAX 1016

#endif
