/* handover: moves the kernel file systems into the new root, switches to it and execs init (or kexecs). */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preinit.h"

static const char *const moved[] = { "/proc", "/sys", "/dev", "/run", "/tmp" };

/* Frees the initramfs: every file on the root's device, without crossing
 * into other mounts (the new root among them). */
static void rootfs_delete(int dfd, dev_t rootdev)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_dev != rootdev)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
				O_NOFOLLOW);
			if (sub >= 0)
				rootfs_delete(sub, rootdev);
			/* A mount point (a different device below it) stays. */
			unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
		} else {
			unlinkat(dirfd(d), e->d_name, 0);
		}
	}
	closedir(d);
}

void preinit_console_reopen(void)
{
	/* fds 0-2 came from the kernel, on the old root's /dev/console (or
	 * closed): take them from the new root's /dev. */
	int fd = open("/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

int preinit_switch(struct preinit *p)
{
	for (size_t i = 0; i < sizeof moved / sizeof moved[0]; i++) {
		char *to = preinit_path(PREINIT_NEWROOT, moved[i]);
		if (!to)
			return -1;
		if (preinit_mkdirs(to, 0755) < 0 || mount(moved[i], to, NULL, MS_MOVE, NULL) < 0) {
			/* Not mounted (EINVAL) is fine; the rest is worth a word. */
			if (errno != EINVAL)
				preinit_error("move %s: %s", moved[i], strerror(errno));
			umount2(moved[i], MNT_DETACH);
		}
		free(to);
	}
	if (p->initramfs) {
		struct stat st;
		int dfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0 && fstat(dfd, &st) == 0)
			rootfs_delete(dfd, st.st_dev);
		else if (dfd >= 0)
			close(dfd);
		if (chdir(PREINIT_NEWROOT) < 0 || mount(".", "/", NULL, MS_MOVE, NULL) < 0 ||
		    chroot(".") < 0 || chdir("/") < 0) {
			preinit_error("switch_root to %s: %s", PREINIT_NEWROOT, strerror(errno));
			return -1;
		}
	} else {
		if (preinit_mkdirs(PREINIT_NEWROOT PREINIT_ROM, 0755) < 0 ||
		    syscall(SYS_pivot_root, PREINIT_NEWROOT, PREINIT_NEWROOT PREINIT_ROM) < 0 ||
		    chdir("/") < 0) {
			preinit_error("pivot_root to %s: %s", PREINIT_NEWROOT, strerror(errno));
			return -1;
		}
		/* Old root at /rom: in extroot-root mode it is no overlay layer
		 * and holds nothing anyone needs. */
		if (!p->newroot_is_overlay)
			umount2(PREINIT_ROM, MNT_DETACH);
	}
	preinit_console_reopen();
	return 0;
}

/* MIPS has no kexec_file_load (no syscall number): there the
 * configured kexec is one clear error, and init starts. */
static long kexec_file_load(int kfd, int ifd, const char *cmd, unsigned long flags)
{
#ifdef SYS_kexec_file_load
	return syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmd) + 1, cmd, flags);
#else
	(void)kfd, (void)ifd, (void)cmd, (void)flags;
	errno = ENOSYS;
	return -1;
#endif
}

/* kexec_file_load lets the kernel parse and (if it must) verify the image;
 * the paths are on the new root, so this runs after the switch. Any
 * failure is said and init starts instead. */
static void kexec_try(struct preinit *p)
{
	const struct preinit_conf *c = &p->conf;
	const char *cmd = c->kexec_cmdline ? c->kexec_cmdline : "";
	unsigned long flags = c->kexec_initrd ? 0 : 4; /* KEXEC_FILE_NO_INITRAMFS */
	int ifd = -1;
	int kfd = open(c->kexec_kernel, O_RDONLY | O_CLOEXEC);
	if (kfd < 0) {
		preinit_error("kexec %s: %s; starting init instead", c->kexec_kernel,
			      strerror(errno));
		return;
	}
	if (c->kexec_initrd && (ifd = open(c->kexec_initrd, O_RDONLY | O_CLOEXEC)) < 0) {
		preinit_error("kexec %s: %s; starting init instead", c->kexec_initrd,
			      strerror(errno));
	} else if (kexec_file_load(kfd, ifd, cmd, flags) < 0) {
		preinit_error("kexec_file_load %s: %s; starting init instead", c->kexec_kernel,
			      strerror(errno));
	} else {
		preinit_say("kexec %s", c->kexec_kernel);
		/* The data partition stays mounted: its writes must be on
		 * the device before the next kernel replays its journal. */
		sync();
		/* The next kernel knows nothing of this timer until its own
		 * preinit opens the device: disarmed, it cannot reset the
		 * machine in the middle of that boot. */
		preinit_watchdog_disarm();
		reboot(RB_KEXEC);
		int e = errno;
		preinit_watchdog_rearm();
		preinit_error("reboot(KEXEC): %s; starting init instead", strerror(e));
	}
	close(kfd);
	if (ifd >= 0)
		close(ifd);
}

void preinit_handover(struct preinit *p)
{
	const struct preinit_conf *c = &p->conf;
	if (c->kexec_kernel)
		kexec_try(p);
	preinit_progress_led(p, PREINIT_PHASE_DONE, false);
	const char *init = c->init ? c->init : "/sbin/keel";
	preinit_say("exec %s", init);
	preinit_progress_close();
	size_t n = c->init_args.n;
	char **argv = calloc(n + 2, sizeof *argv);
	if (argv) {
		argv[0] = (char *)init;
		for (size_t i = 0; i < n; i++)
			argv[i + 1] = c->init_args.v[i];
		clearenv();
		setenv("PATH", c->path ? c->path : "/usr/sbin:/usr/bin:/sbin:/bin", 1);
		for (size_t i = 0; i < c->env.n; i++)
			putenv(c->env.v[i]);
		preinit_watchdog_pass();
		execv(init, argv);
		preinit_error("exec %s: %s", init, strerror(errno));
	}
	/* Last chances, in the order a person at the console wants them. */
	preinit_watchdog_pass();
	char *const keel[] = { "/sbin/keel", NULL };
	execv(keel[0], keel);
	/* A shell would not feed it. */
	preinit_watchdog_disarm();
	unsetenv("KEEL_WATCHDOG_FD");
	char *const sh[] = { "/bin/sh", NULL };
	execv(sh[0], sh);
	preinit_error("nothing to exec: halting");
	for (;;)
		pause();
}
