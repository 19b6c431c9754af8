/* futex: a bounded wait on a futex word, right on every ABI's time layout. */
/* SPDX-License-Identifier: MIT */
#include "futex.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/*
 * The raw syscall reads the kernel's timespec, not libc's. They differ on
 * 32-bit ABIs with a 64-bit time_t (musl 1.2, glibc with _TIME_BITS=64):
 * SYS_futex there reads two 32-bit words, i.e. the 64-bit tv_sec of libc's
 * struct as {0 s, 0 ns}, and a 10 ms wait became an immediate return (a
 * busy poll). So each syscall gets the layout it reads: SYS_futex_time64
 * (32-bit ABIs, Linux 5.1+) two 64-bit words; SYS_futex the ABI's native
 * word (on 64-bit ABIs the same thing; x32's native futex is the 64-bit one).
 * A kernel without the 32-bit time syscalls (no CONFIG_COMPAT_32BIT_TIME)
 * has only the first, a kernel before 5.1 only the second.
 */
#if defined(__x86_64__) && defined(__ILP32__)
typedef int64_t kword;
#else
typedef long kword;
#endif

static int result(long r)
{
	if (r == 0 || errno == EAGAIN || errno == EINTR)
		return 0;
	return errno == ETIMEDOUT ? 1 : -1;
}

int futex_wait(volatile int *addr, int val, long ns)
{
#ifdef SYS_futex_time64
	static bool no_time64;
	if (!no_time64) {
		struct { int64_t tv_sec, tv_nsec; } ts = { 0, ns };
		long r = syscall(SYS_futex_time64, addr, FUTEX_WAIT, val, &ts, NULL, 0);
		if (r == 0 || errno != ENOSYS)
			return result(r);
		no_time64 = true;
	}
#endif
#ifdef SYS_futex
	static bool no_futex;
	if (!no_futex) {
		struct { kword tv_sec, tv_nsec; } ts = { 0, ns };
		long r = syscall(SYS_futex, addr, FUTEX_WAIT, val, &ts, NULL, 0);
		if (r == 0 || errno != ENOSYS)
			return result(r);
		no_futex = true;
	}
#endif
	/* No usable futex: sleeping the whole time through libc (which knows
	 * its own time layout) is slower to notice a change, never a spin. */
	if (*addr != val)
		return 0;
	struct timespec t = { 0, ns };
	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
	return 1;
}
