/* mount: the pseudo file systems at start and the unmount/read-only pass at the end. */
/* SPDX-License-Identifier: MIT */
#include "mount.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/swap.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "mountinfo.h"

/* A directory is a mount point when it sits on another device than its
 * parent, or is the same inode as its parent (the root). */
static bool is_mountpoint(const char *dir)
{
	struct stat a, b;
	char parent[64];
	if (stat(dir, &a) < 0)
		return false;
	snprintf(parent, sizeof parent, "%s/..", dir);
	if (stat(parent, &b) < 0)
		return false;
	return a.st_dev != b.st_dev || a.st_ino == b.st_ino;
}

/* File system magic numbers (linux/magic.h, not in every libc's headers). */
#define MAGIC_PROC 0x9fa0
#define MAGIC_SYSFS 0x62656572
#define MAGIC_DEVPTS 0x1cd1

/* Mounted already? A file system type that can never be the root's (proc,
 * sysfs, devpts) answers with one statfs; /dev and /run may be tmpfs like
 * an initramfs root, so they are compared with their parent. */
static bool is_mounted(const char *dir, unsigned long magic)
{
	struct statfs sf;
	if (!magic)
		return is_mountpoint(dir);
	return statfs(dir, &sf) == 0 && (unsigned long)sf.f_type == magic;
}

void mount_early(void)
{
	static const struct {
		const char *dir, *type, *src, *opts;
		unsigned long flags, magic;
	} m[] = {
		{ "/proc", "proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, MAGIC_PROC },
		{ "/sys", "sysfs", "sysfs", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, MAGIC_SYSFS },
		{ "/dev", "devtmpfs", "devtmpfs", "mode=0755", MS_NOSUID, 0 },
		{ "/run", "tmpfs", "tmpfs", "mode=0755,size=10%", MS_NOSUID | MS_NODEV, 0 },
	};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		if (is_mounted(m[i].dir, m[i].magic))
			continue;
		if (mkdir(m[i].dir, 0755) < 0 && errno != EEXIST) {
			dprintf(2, "keel: warning: mkdir %s: %s\n", m[i].dir, strerror(errno));
			continue;
		}
		if (mount(m[i].src, m[i].dir, m[i].type, m[i].flags, m[i].opts) < 0)
			dprintf(2, "keel: warning: mount %s on %s: %s\n", m[i].type, m[i].dir,
				strerror(errno));
	}
	/* /dev/pts and /dev/shm are expected by gettys, ssh and POSIX shm users. */
	if (mkdir("/dev/pts", 0755) == 0 || errno == EEXIST)
		if (!is_mounted("/dev/pts", MAGIC_DEVPTS))
			mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
			      "gid=5,mode=620,ptmxmode=0666");
}

/* Field 5 of a mountinfo line is the mount point, with octal escapes. */
static char *mountinfo_point(char *line)
{
	char *p = line;
	for (int field = 0; field < 4; field++) {
		p = strchr(p, ' ');
		if (!p)
			return NULL;
		p++;
	}
	char *end = strchr(p, ' ');
	if (end)
		*end = '\0';
	mountinfo_unescape(p);
	return p;
}

/* A swap file keeps its file system busy, a swap partition may hold pages
 * of processes already gone: turn every swap area off first. */
static void swaps_off(void)
{
	FILE *f = fopen("/proc/swaps", "re");
	if (!f)
		return;
	char *line = NULL;
	size_t len = 0;
	bool header = true;
	while (getline(&line, &len, f) > 0) {
		if (header) {
			header = false;
			continue;
		}
		char *sp = strpbrk(line, " \t");
		if (sp)
			*sp = '\0';
		char *dev = line;
		mountinfo_unescape(dev);
		if (swapoff(dev) < 0)
			log_msg("warning: swapoff %s: %m", dev);
		else
			log_debug("swap %s off", dev);
	}
	free(line);
	fclose(f);
}

void mount_final(bool superblock_ro)
{
	sync();
	if (superblock_ro)
		swaps_off();
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f) {
		log_msg("warning: cannot read mount table: %m");
		return;
	}
	char **points = NULL;
	size_t n = 0, cap = 0;
	char *line = NULL;
	size_t len = 0;
	while (getline(&line, &len, f) > 0) {
		char *mp = mountinfo_point(line);
		if (!mp)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			char **np = realloc(points, ncap * sizeof *np);
			if (!np)
				break;
			points = np;
			cap = ncap;
		}
		points[n] = strdup(mp);
		if (points[n])
			n++;
	}
	free(line);
	fclose(f);

	/* Reverse mount order: children before their parents. The kernel's
	 * pseudo file systems hold no data; leave them (and what lives below
	 * /dev, /proc, /sys) to keep the console working to the end. */
	for (size_t i = n; i-- > 0;) {
		const char *mp = points[i];
		bool pseudo = !strcmp(mp, "/proc") || !strncmp(mp, "/proc/", 6) ||
			      !strcmp(mp, "/sys") || !strncmp(mp, "/sys/", 5) ||
			      !strcmp(mp, "/dev") || !strncmp(mp, "/dev/", 5);
		if (pseudo)
			continue;
		if (!strcmp(mp, "/")) {
			if (superblock_ro && mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0 &&
			    errno != EINVAL)
				log_msg("warning: remount / read-only: %m");
			continue;
		}
		/* Read-only first: an unmount may only detach this mount while
		 * the superblock lives on (an overlay's upper layer, a bind
		 * mount elsewhere) and stays writable, dirty on power-off. */
		bool ro = superblock_ro && mount(NULL, mp, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0;
		int ro_err = errno;
		if (umount2(mp, 0) == 0) {
			log_debug("unmounted %s", mp);
			continue;
		}
		int e = errno;
		if (ro) {
			log_msg("%s busy (%s): remounted read-only", mp, strerror(e));
			continue;
		}
		if (e != EINVAL)
			log_msg("warning: cannot unmount %s: %s%s%s", mp, strerror(e),
				superblock_ro ? "; read-only: " : "",
				superblock_ro ? strerror(ro_err) : "");
		umount2(mp, MNT_DETACH);
	}
	for (size_t i = 0; i < n; i++)
		free(points[i]);
	free(points);
	sync();
}
