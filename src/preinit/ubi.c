/* ubi: UBI on raw NAND for the writable layer — attach an MTD partition (/dev/ubi_ctrl), find or create the volume, mount UBIFS. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include "mtdabi.h"
#include "preinit.h"

/* A number from a sysfs file, -1 if it cannot be read. */
static long long sys_num(const char *fmt, int a, int b)
{
	char path[128];
	snprintf(path, sizeof path, fmt, a, b);
	char *t = preinit_read_file(path, NULL);
	if (!t)
		return -1;
	char *end;
	long long v = strtoll(t, &end, 10);
	if (end == t)
		v = -1;
	free(t);
	return v;
}

static bool sys_name_is(const char *fmt, int a, int b, const char *name)
{
	char path[128];
	snprintf(path, sizeof path, fmt, a, b);
	char *t = preinit_read_file(path, NULL);
	if (!t)
		return false;
	t[strcspn(t, "\n")] = '\0';
	bool r = !strcmp(t, name);
	free(t);
	return r;
}

/* The MTD number of a name or a number ("ubi", "3", "mtd3"). */
static int mtd_number(const char *spec)
{
	const char *s = !strncmp(spec, "mtd", 3) && spec[3] >= '0' && spec[3] <= '9' ? spec + 3 : spec;
	char *end;
	long n = strtol(s, &end, 10);
	if (*s && !*end && n >= 0 && n < 1024)
		return (int)n;
	for (int i = 0; i < 64; i++)
		if (sys_name_is("/sys/class/mtd/mtd%d/name", i, 0, spec))
			return i;
	return -1;
}

void preinit_ubi_attach(struct preinit *p)
{
	const char *spec = p->conf.ubi_mtd;
	if (!spec)
		return;
	int mtd = mtd_number(spec);
	if (mtd < 0) {
		preinit_error("ubi: no MTD partition %s", spec);
		return;
	}
	for (int u = 0; u < 32; u++)
		if (sys_num("/sys/class/ubi/ubi%d/mtd_num", u, 0) == mtd) {
			preinit_say("ubi: mtd%d already attached as ubi%d", mtd, u);
			return;
		}
	int fd = -1;
	/* The node appears when the ubi module's init has run (a module
	 * loaded just before): wait a moment for devtmpfs. */
	for (int i = 0; i < 20 && fd < 0; i++) {
		fd = open("/dev/ubi_ctrl", O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000000L }, NULL);
		else
			break;
	}
	if (fd < 0) {
		preinit_error("ubi: /dev/ubi_ctrl: %s (is the ubi module loaded?)", strerror(errno));
		return;
	}
	struct ubi_attach_req req = { .ubi_num = UBI_DEV_NUM_AUTO, .mtd_num = mtd };
	/* Attaching scans every erase block: feed first. */
	preinit_watchdog_feed();
	if (ioctl(fd, UBI_IOCATT, &req) < 0)
		preinit_error("ubi: attaching mtd%d: %s", mtd, strerror(errno));
	else
		preinit_say("ubi: mtd%d attached as ubi%d (%lld of %lld erase blocks free)", mtd,
			    req.ubi_num, sys_num("/sys/class/ubi/ubi%d/avail_eraseblocks", req.ubi_num, 0),
			    sys_num("/sys/class/ubi/ubi%d/total_eraseblocks", req.ubi_num, 0));
	close(fd);
	preinit_watchdog_feed();
}

/* "ubiN:NAME" (or "ubi:NAME", the first UBI device): the volume is found
 * by name, made from every free block if missing (UBIFS formats an empty
 * volume at its first mount), and mounted on dir. 0, or -1 said. */
int preinit_ubi_mount(const char *spec, const char *dir)
{
	const char *colon = strchr(spec, ':');
	if (strncmp(spec, "ubi", 3) || !colon || !colon[1]) {
		preinit_error("ubi: %s: expected ubiN:VOLUME", spec);
		return -1;
	}
	int u = colon == spec + 3 ? 0 : atoi(spec + 3);
	const char *name = colon + 1;
	if (sys_num("/sys/class/ubi/ubi%d/volumes_count", u, 0) < 0) {
		preinit_error("ubi: no ubi%d (nothing attached: ubi_mtd)", u);
		return -1;
	}
	bool found = false;
	DIR *d;
	char path[64];
	snprintf(path, sizeof path, "/sys/class/ubi/ubi%d", u);
	if ((d = opendir(path))) {
		struct dirent *de;
		while (!found && (de = readdir(d))) {
			int a, v;
			if (sscanf(de->d_name, "ubi%d_%d", &a, &v) == 2 && a == u) {
				char np[384];
				snprintf(np, sizeof np, "%s/%s/name", path, de->d_name);
				char *t = preinit_read_file(np, NULL);
				if (t) {
					t[strcspn(t, "\n")] = '\0';
					found = !strcmp(t, name);
					free(t);
				}
			}
		}
		closedir(d);
	}
	if (!found) {
		long long free_lebs = sys_num("/sys/class/ubi/ubi%d/avail_eraseblocks", u, 0);
		long long leb = sys_num("/sys/class/ubi/ubi%d/eraseblock_size", u, 0);
		struct ubi_mkvol_req mk = { .vol_id = UBI_VOL_NUM_AUTO, .alignment = 1,
					    .vol_type = UBI_DYNAMIC_VOLUME };
		size_t nl = strlen(name);
		if (free_lebs <= 0 || leb <= 0 || nl > UBI_MAX_VOLUME_NAME) {
			preinit_error("ubi%d: no volume %s and no room to make one", u, name);
			return -1;
		}
		mk.bytes = free_lebs * leb;
		mk.name_len = (__s16)nl;
		memcpy(mk.name, name, nl);
		snprintf(path, sizeof path, "/dev/ubi%d", u);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || ioctl(fd, UBI_IOCMKVOL, &mk) < 0) {
			preinit_error("ubi%d: creating volume %s: %s", u, name, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
		preinit_say("ubi%d: volume %s created (%lld bytes)", u, name, (long long)mk.bytes);
	}
	char src[160];
	snprintf(src, sizeof src, "ubi%d:%s", u, name);
	preinit_watchdog_feed();
	if (mount(src, dir, "ubifs", MS_NOATIME, NULL) < 0) {
		preinit_error("mount %s (ubifs) on %s: %s", src, dir, strerror(errno));
		return -1;
	}
	return 0;
}
