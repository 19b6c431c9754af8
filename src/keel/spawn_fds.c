/* spawn_fds: what a child on its way to exec keeps of PID 1's open files. */
/* SPDX-License-Identifier: MIT */
#include "spawn_fds.h"

#include <fcntl.h>
#include <stdbool.h>
#include <limits.h>
#include <stdint.h>
#include <sys/resource.h>
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

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#define RESERVE_MAX 16 /* slots */

static int low_fds[RESERVE_MAX][SPAWN_FDS_PER_SLOT];
static unsigned nslots;
static int low_limit = -1; /* fds below it are what a child copies */
static int placeholder = -1;
static bool broken[RESERVE_MAX]; /* see release() */
static size_t table_fds;   /* what spawn_fds_fit last grew the table to */

static bool reserve(unsigned slots)
{
	/* Before Linux 5.9 (no close_range) sharing would gain nothing: the
	 * child's unshare would copy the whole table all the same. */
	if (slots > RESERVE_MAX || syscall(SYS_close_range, ~0U, ~0U, 0U) < 0)
		return false;
	/* Under a small open-file limit (a container's) the 33 fds would be
	 * missed more than the speed is. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 ||
	    (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 8 * (slots * SPAWN_FDS_PER_SLOT + 1)))
		return false;
	/* A stand-in that is always there: fd 0 (stdio is made sane first). */
	placeholder = fcntl(0, F_DUPFD_CLOEXEC, 3);
	if (placeholder < 0)
		return false;
	int top = placeholder;
	for (unsigned i = 0; i < slots; i++)
		for (int k = 0; k < SPAWN_FDS_PER_SLOT; k++) {
			int fd = fcntl(placeholder, F_DUPFD_CLOEXEC, 3);
			if (fd < 0) {
				for (unsigned a = 0; a <= i; a++)
					for (int b = 0; b < (a < i ? SPAWN_FDS_PER_SLOT : k); b++)
						close(low_fds[a][b]);
				close(placeholder);
				placeholder = -1;
				return false;
			}
			low_fds[i][k] = fd;
			if (fd > top)
				top = fd;
		}
	nslots = slots;
	low_limit = top + 1;
	return true;
}

void spawn_fds_fit(unsigned slots, size_t nfds)
{
	if (low_limit < 0 && !reserve(slots))
		return; /* children copy the whole table, as without this */
	/* The kernel grows an fd table by copying it into a new one; while a
	 * child shares it (CLONE_FILES) it first waits for an RCU grace
	 * period, milliseconds each time, and a boot's pipes would grow it
	 * several times in the middle of starting services (100 services:
	 * 14 ms more, measured). So it is grown here, between bursts, to what
	 * the services will need. A failure only costs that time. */
	struct rlimit rl;
	if (nfds <= table_fds || getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur != RLIM_INFINITY && nfds > rl.rlim_cur)
		nfds = (size_t)rl.rlim_cur;
	if (nfds > INT_MAX)
		nfds = INT_MAX;
	int fd = fcntl(placeholder, F_DUPFD_CLOEXEC, (int)nfds - 1);
	if (fd >= 0) {
		close(fd);
		table_fds = nfds;
	}
}

/* The slot's numbers back to the stand-in, which closes what the child was
 * given there (a ready pipe's writer kept open would hide its end of file).
 * If that fails, the number is not reused: the slot is left out from then
 * on, as a later dup3 onto it would replace whatever else had it. */
static void release(unsigned slot, int upto)
{
	for (int k = 0; k < upto; k++)
		if (dup3(placeholder, low_fds[slot][k], O_CLOEXEC) < 0)
			broken[slot] = true;
}

bool spawn_fds_place(unsigned slot, int **fd, size_t n)
{
	if (low_limit < 0 || slot >= nslots || broken[slot])
		return false;
	int k = 0, orig[SPAWN_FDS_PER_SLOT];
	for (size_t i = 0; i < n; i++) {
		/* Even an fd below low_limit: PID 1 may close its own
		 * number before the child has its copy. */
		if (*fd[i] < 0)
			continue;
		/* Two entries naming one fd (stdout and stderr to the console)
		 * take one number. */
		bool same = false;
		for (size_t j = 0; j < i && !same; j++)
			same = *fd[j] >= 0 && *fd[j] == *fd[i];
		if (same)
			continue;
		/* More fds than numbers, or a dup3 that failed: the child
		 * would lose the fd at the unshare, so it copies the whole
		 * table instead. */
		if (k == SPAWN_FDS_PER_SLOT || dup3(*fd[i], low_fds[slot][k], O_CLOEXEC) < 0) {
			/* The entries placed so far name their own fds again
			 * before the numbers go back to the stand-in. */
			for (size_t j = 0; j < n; j++)
				for (int m = 0; m < k; m++)
					if (*fd[j] == low_fds[slot][m])
						*fd[j] = orig[m];
			release(slot, k);
			return false;
		}
		orig[k] = *fd[i];
		for (size_t j = i; j < n; j++)
			if (*fd[j] == orig[k])
				*fd[j] = low_fds[slot][k];
		k++;
	}
	return true;
}

int spawn_fds_unshare(void)
{
	if (low_limit < 0)
		return 0;
	if (syscall(SYS_close_range, (unsigned)low_limit, ~0U, CLOSE_RANGE_UNSHARE) == 0)
		return 0;
	/* It failed (no memory for even the small copy): the whole table's
	 * copy, as without sharing, which may still fit. */
	return syscall(SYS_unshare, 0x00000400 /* CLONE_FILES */) == 0 ? 0 : -1;
}

void spawn_fds_release(unsigned slot)
{
	if (low_limit >= 0 && slot < nslots)
		release(slot, SPAWN_FDS_PER_SLOT);
}
