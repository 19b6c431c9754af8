/* spawn_fds: what a child on its way to exec keeps of PID 1's open files. */
/* SPDX-License-Identifier: MIT */
#include "spawn_fds.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* close_range has the same number on every architecture (added after the
 * syscall tables were unified); older headers lack the name. */
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

#define KEEP_MAX 8

static bool kept(const int *keep, size_t n, int fd)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

/* Before Linux 5.9: the fds actually open, from /proc (a loop up to the
 * open-file limit would be 65,536 calls per start). */
static void close_by_proc(const int *keep, size_t n)
{
	int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return;
	/* Closing while reading: the directory is read again from the start
	 * until a pass closes nothing. */
	for (bool again = true; again;) {
		again = false;
		if (lseek(dir, 0, SEEK_SET) < 0)
			break;
		char buf[1024] __attribute__((aligned(8)));
		long got;
		while ((got = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
			for (long off = 0; off < got;) {
				/* struct linux_dirent64: ino 8, off 8, reclen 2, type 1, name */
				unsigned short reclen;
				__builtin_memcpy(&reclen, buf + off + 16, sizeof reclen);
				const char *name = buf + off + 19;
				int fd = 0;
				bool num = *name != '\0';
				for (const char *p = name; *p && num; p++) {
					num = *p >= '0' && *p <= '9' && fd < 100000000;
					fd = fd * 10 + (*p - '0');
				}
				if (num && fd > 2 && fd != dir && !kept(keep, n, fd)) {
					close(fd);
					again = true;
				}
				off += reclen;
			}
		}
	}
	close(dir);
}

void spawn_keep_fds(const int *keep, size_t n)
{
	int k[KEEP_MAX];
	size_t nk = 0;
	/* The fds to keep, from 3 up, sorted and distinct (insertion sort:
	 * a handful). */
	for (size_t i = 0; i < n && nk < KEEP_MAX; i++) {
		if (keep[i] < 3 || kept(k, nk, keep[i]))
			continue;
		size_t j = nk++;
		while (j && k[j - 1] > keep[i]) {
			k[j] = k[j - 1];
			j--;
		}
		k[j] = keep[i];
	}
	unsigned from = 3;
	for (size_t i = 0; i <= nk; i++) {
		unsigned to = i < nk ? (unsigned)k[i] - 1 : ~0U;
		if (from <= to && syscall(SYS_close_range, from, to, 0U) < 0) {
			close_by_proc(k, nk);
			return;
		}
		if (i < nk)
			from = (unsigned)k[i] + 1;
	}
}
