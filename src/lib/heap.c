/* heap: keel's memory allocator — size classes carved from mapped chunks, large blocks mapped alone. */
/* SPDX-License-Identifier: MIT */
#include "heap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * Why PID 1 has its own allocator: musl's mallocng keeps ~1.7x the live
 * bytes mapped for keel's pattern (a few thousand small blocks allocated
 * at boot and kept), maps and unmaps a page around every service start,
 * and is ~9 KiB of code whose first run alone is measurable on a slow
 * CPU. keel's pattern is simple: most memory is allocated while loading
 * the service files and lives until the next reload.
 *
 * Layout. Every block has one word right before the pointer handed out:
 *   small block: its class index (bit HDR_FREE set while on a free list);
 *   large block: the length of its own mapping (>= one page), preceded by
 *                a second word, the pointer's offset from the mapping.
 * Small blocks are carved in order from 64 KiB chunks, so a chunk's pages
 * are touched (and count in RSS) only as far as they are used; freed
 * blocks go on their class's list and are reused, never unmapped. Block
 * sizes are multiples of 16 and chunks start 8 bytes before a 16-byte
 * boundary, so every pointer is 16-byte aligned (max_align_t).
 */

#define HDR sizeof(size_t)
#define HDR_FREE ((size_t)0x100)
#define CHUNK (64 * 1024)
#define ALIGN 16

/* Block sizes, header included: steps of 16 up to 256, of 32 up to 512,
 * of 64 up to 1024 — at most 16, 32 or 64 bytes lost to rounding, which
 * matters for the one-per-service blocks (definition, state). */
static const uint16_t class_size[] = {
	16,  32,  48,  64,  80,  96,  112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 832, 896, 960, 1024,
};
#define NCLASS (sizeof class_size / sizeof class_size[0])

struct free_block {
	struct free_block *next;
};

static struct free_block *free_list[NCLASS];
static char *carve, *carve_end; /* the current chunk's unused part */
/* Every chunk, through the word at its start (which no block uses). */
static char *chunks;
static size_t page;
static struct heap_stats stats;

static size_t *hdr(const void *p) { return (size_t *)((uintptr_t)p - HDR); }

/* n <= HEAP_SMALL_MAX */
static unsigned class_of(size_t n)
{
	size_t b = n + HDR;
	if (b <= 256)
		return (unsigned)((b + 15) / 16 - 1);
	if (b <= 512)
		return (unsigned)(15 + (b - 256 + 31) / 32);
	return (unsigned)(23 + (b - 512 + 63) / 64);
}

static size_t page_size(void)
{
	if (!page) {
		long ps = sysconf(_SC_PAGESIZE);
		page = ps > 0 ? (size_t)ps : 4096;
	}
	return page;
}

/* The largest class that fits in n bytes, or -1. */
static int class_fitting(size_t n)
{
	int c = (int)NCLASS - 1;
	while (c >= 0 && class_size[c] > n)
		c--;
	return c;
}

static void push_free(char *block, unsigned c)
{
	*(size_t *)block = c | HDR_FREE;
	struct free_block *f = (struct free_block *)(block + HDR);
	f->next = free_list[c];
	free_list[c] = f;
}

/* A new chunk; what is left of the old one goes on the free lists in the
 * largest pieces that fit rather than being lost. */
static int chunk_new(void)
{
	void *m = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	int c;
	while (carve && (c = class_fitting((size_t)(carve_end - carve))) >= 0) {
		push_free(carve, (unsigned)c);
		carve += class_size[c];
	}
	stats.chunk_bytes += CHUNK;
	*(char **)m = chunks;
	chunks = m;
	/* 8 bytes in, so that pointers (after the header) are 16-aligned;
	 * the chunk's last 8 bytes stay unused. */
	carve = (char *)m + ALIGN - HDR;
	carve_end = (char *)m + CHUNK - HDR;
	return 0;
}

static void *small_alloc(unsigned c)
{
	struct free_block *f = free_list[c];
	char *block;
	if (f) {
		free_list[c] = f->next;
		block = (char *)f - HDR;
	} else {
		if ((size_t)(carve_end - carve) < class_size[c] && chunk_new() < 0) {
			errno = ENOMEM;
			return NULL;
		}
		block = carve;
		carve += class_size[c];
	}
	*(size_t *)block = c;
	stats.small_live += class_size[c];
	return block + HDR;
}

static void *large_alloc(size_t n, size_t align)
{
	size_t ps = page_size();
	if (n > SIZE_MAX - align - 2 * HDR - ps) {
		errno = ENOMEM;
		return NULL;
	}
	size_t len = (n + align + 2 * HDR + ps - 1) & ~(ps - 1);
	char *base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	uintptr_t p = ((uintptr_t)base + 2 * HDR + align - 1) & ~(uintptr_t)(align - 1);
	hdr((void *)p)[0] = len;
	hdr((void *)p)[-1] = p - (uintptr_t)base;
	stats.large_bytes += len;
	return (void *)p;
}

void *heap_alloc(size_t n)
{
	if (n <= HEAP_SMALL_MAX)
		return small_alloc(class_of(n));
	return large_alloc(n, ALIGN);
}

void heap_free(void *p)
{
	if (!p)
		return;
	size_t h = *hdr(p);
	if (h < NCLASS) {
		stats.small_live -= class_size[h];
		push_free((char *)hdr(p), (unsigned)h);
	} else if (h >= page_size()) {
		stats.large_bytes -= h;
		munmap((char *)p - hdr(p)[-1], h);
	}
	/* else: freed twice (HDR_FREE set) or not ours; touching it could
	 * only corrupt more. */
}

void *heap_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	size_t total = n * size;
	void *p = heap_alloc(total);
	/* Large blocks are fresh mappings, already zero. */
	if (p && total <= HEAP_SMALL_MAX)
		memset(p, 0, total);
	return p;
}

size_t heap_usable(const void *p)
{
	if (!p)
		return 0;
	size_t h = *hdr(p);
	if (h < NCLASS)
		return class_size[h] - HDR;
	if (h >= page_size())
		return h - hdr(p)[-1];
	return 0;
}

void *heap_realloc(void *p, size_t n)
{
	if (!p)
		return heap_alloc(n);
	size_t h = *hdr(p);
	if (h < NCLASS) {
		if (n <= HEAP_SMALL_MAX && class_of(n) == h)
			return p;
	} else if (h >= page_size() && hdr(p)[-1] == 2 * HDR && n > HEAP_SMALL_MAX) {
		/* A large block stays one mapping: the kernel moves its pages. */
		size_t ps = page_size();
		if (n > SIZE_MAX - 2 * HDR - ps) {
			errno = ENOMEM;
			return NULL;
		}
		size_t len = (n + 2 * HDR + ps - 1) & ~(ps - 1);
		if (len == h)
			return p; /* still fits its pages */
		char *base = mremap((char *)p - 2 * HDR, h, len, MREMAP_MAYMOVE);
		if (base == MAP_FAILED)
			return NULL;
		stats.large_bytes = stats.large_bytes - h + len;
		hdr(base + 2 * HDR)[0] = len;
		return base + 2 * HDR;
	} else if (h < page_size()) {
		errno = EINVAL; /* not a live block of ours */
		return NULL;
	}
	void *q = heap_alloc(n);
	if (!q)
		return NULL;
	size_t old = heap_usable(p);
	memcpy(q, p, old < n ? old : n);
	heap_free(p);
	return q;
}

void *heap_aligned(size_t align, size_t n)
{
	if (!align || (align & (align - 1))) {
		errno = EINVAL;
		return NULL;
	}
	if (align <= ALIGN)
		return heap_alloc(n);
	return large_alloc(n, align);
}

void heap_get_stats(struct heap_stats *st) { *st = stats; }

/* Whether the block at b (header included, c its class) lies on a page
 * given back: free[] counts the free bytes of each page of its chunk. */
static bool block_on_freed_page(const char *b, unsigned c, const char *chunk, const uint16_t *free_bytes,
				size_t ps)
{
	size_t first = (size_t)(b - chunk) / ps, last = (size_t)(b + class_size[c] - 1 - chunk) / ps;
	for (size_t i = first; i <= last; i++)
		if (free_bytes[i] == ps)
			return true;
	return false;
}

size_t heap_trim(void)
{
	size_t ps = page_size(), released = 0;
	if (ps > CHUNK || CHUNK / ps > 64)
		return 0;
	for (char *chunk = chunks; chunk; chunk = *(char **)chunk) {
		/* Blocks never overlap, so a page whose free bytes add up to
		 * its size holds nothing live. */
		uint16_t free_bytes[64] = { 0 };
		bool any = false;
		for (unsigned c = 0; c < NCLASS; c++)
			for (struct free_block *f = free_list[c]; f; f = f->next) {
				char *b = (char *)f - HDR;
				if (b < chunk || b >= chunk + CHUNK)
					continue;
				char *e = b + class_size[c];
				for (char *q = b; q < e;) {
					size_t i = (size_t)(q - chunk) / ps;
					char *pe = chunk + (i + 1) * ps;
					char *stop = e < pe ? e : pe;
					free_bytes[i] = (uint16_t)(free_bytes[i] + (stop - q));
					q = stop;
				}
			}
		for (size_t i = 0; i < CHUNK / ps; i++)
			any |= free_bytes[i] == ps;
		if (!any)
			continue;
		/* Off the lists first: the pages read as zeros afterwards.
		 * A block reaching into such a page is dropped whole; its
		 * bytes outside the page are lost until the next chunk. */
		for (unsigned c = 0; c < NCLASS; c++) {
			struct free_block **link = &free_list[c];
			while (*link) {
				char *b = (char *)*link - HDR;
				if (b >= chunk && b < chunk + CHUNK &&
				    block_on_freed_page(b, c, chunk, free_bytes, ps))
					*link = (*link)->next;
				else
					link = &(*link)->next;
			}
		}
		for (size_t i = 0; i < CHUNK / ps; i++)
			if (free_bytes[i] == ps && madvise(chunk + i * ps, ps, MADV_DONTNEED) == 0)
				released += ps;
	}
	return released;
}
