/* trim: once the boot target is reached (and after each reload), PID 1 lets go of the pages of code, data and heap only loading used. */
/* SPDX-License-Identifier: MIT */
#include "trim.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "heap.h"

/*
 * Why: a static keel is ~220 KiB of code, and every page of it that PID 1
 * has touched stays mapped (the kernel maps up to 16 neighbouring pages of
 * the page cache on each fault), so the parsers, the dependency graph, the
 * mount setup and `keel check` count in PID 1's memory for the device's
 * whole life although they ran once. The Makefile links those objects
 * together between two markers (trim_begin.c, trim_end.c). Here their
 * pages become a mapping of their own (a different advice splits the
 * kernel's map, and faults elsewhere never map pages across it) and are
 * unmapped. They stay in the page cache, clean and reclaimable; a reload
 * faults back what it runs, and the next trim lets go of it again.
 */

void keel_boot_text_begin(void);
void keel_boot_text_end(void);
/* From the linker: where the program starts, and (dynamic builds only) its
 * dynamic section. */
extern const char __executable_start[];
extern const char _DYNAMIC[] __attribute__((weak));
/* From the Makefile's linker script: the boot objects' read-only data,
 * main.c's boot() and the C library's loading-only members. */
extern const char keel_boot_sect_begin[] __attribute__((weak));
extern const char keel_boot_sect_end[] __attribute__((weak));
int main(int argc, char **argv);

static bool asked;

void trim_later(void)
{
	asked = true;
}

void trim_if_asked(void)
{
	if (asked) {
		asked = false;
		trim_boot_code();
	}
}

/* Unmap the whole pages of [a, b); false when the kernel refused. */
static bool let_go(uintptr_t a, uintptr_t b, uintptr_t p)
{
	a = (a + p - 1) & ~(p - 1);
	b &= ~(p - 1);
	if (b <= a)
		return true;
	return madvise((void *)a, b - a, MADV_RANDOM) == 0 &&
	       madvise((void *)a, b - a, MADV_DONTNEED) == 0;
}

void trim_boot_code(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	if (ps <= 0)
		return;
	uintptr_t p = (uintptr_t)ps;
	/* What loading allocated and dropped, too: a reload frees a whole
	 * set of definitions (only keel's own allocator has such pages;
	 * heap.c is malloc outside sanitizer builds). */
	heap_trim();
	uintptr_t a = (uintptr_t)&keel_boot_text_begin, b = (uintptr_t)&keel_boot_text_end;
	/* Linked in another order (a sanitizer build, a user's LDFLAGS):
	 * nothing to say, nothing to do. */
	if (b <= a)
		return;
	/* In a static program, what comes before the markers is cold too:
	 * the headers, the linker script's boot section, the code the
	 * compiler calls unlikely (KEEL_BOOT functions, error paths) and what
	 * runs once at start. A dynamic one has its PLT there, which every
	 * call to the C library goes through. */
	uintptr_t start = (uintptr_t)__executable_start, m = (uintptr_t)&main,
		  self = (uintptr_t)&trim_boot_code;
	if (!_DYNAMIC && start < a && (m < start || m >= b) && (self < start || self >= b))
		a = start;
	bool ok = let_go(a, b, p);
	uintptr_t ra = (uintptr_t)keel_boot_sect_begin, rb = (uintptr_t)keel_boot_sect_end;
	if (ok && ra && rb > ra && (ra < a || rb > b))
		ok = let_go(ra, rb, p);
	static bool said;
	if (!ok && !said) {
		log_debug("trim: madvise on the boot code: %s (its pages stay mapped)", strerror(errno));
		said = true;
	}
}
