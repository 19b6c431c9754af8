/* enosys: runs a program with some syscalls failing with ENOSYS (seccomp), as a kernel without them would. */
/* SPDX-License-Identifier: MIT */
/* Usage: enosys NAME[,NAME...] PROGRAM [ARGS...]   NAME: timerfd_settime, timerfd_create, close_range */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "enosys: add this architecture's AUDIT_ARCH"
#endif

static const struct { const char *name; long nr; } known[] = {
	{ "timerfd_settime", SYS_timerfd_settime },
	{ "timerfd_create", SYS_timerfd_create },
	{ "close_range", 436 }, /* one number on every architecture; old headers lack the name */
};

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: enosys NAME[,NAME...] PROGRAM [ARGS...]\n");
		return 2;
	}
	struct sock_filter f[64];
	unsigned n = 0;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	for (char *name = strtok(argv[1], ","); name; name = strtok(NULL, ",")) {
		size_t k = 0;
		while (k < sizeof known / sizeof known[0] && strcmp(known[k].name, name) != 0)
			k++;
		if (k == sizeof known / sizeof known[0] || n > 60) {
			fprintf(stderr, "enosys: unknown syscall %s\n", name);
			return 2;
		}
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)known[k].nr, 0, 1);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = (unsigned short)n, .filter = f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("enosys: seccomp");
		return 1;
	}
	execv(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
