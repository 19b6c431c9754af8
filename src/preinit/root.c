/* root: mounts the read-only root, the writable layer (data, extroot or tmpfs) and the overlay over them. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "preinit.h"

static int mount_tmpfs_overlay(struct preinit *p, const char *why)
{
	if (mount("tmpfs", PREINIT_OVERLAY, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
		preinit_error("mount tmpfs on %s: %s", PREINIT_OVERLAY, strerror(errno));
		return -1;
	}
	snprintf(p->overlay_kind, sizeof p->overlay_kind, "tmpfs");
	preinit_say("overlay: tmpfs (%s)", why);
	return 0;
}

static const char *fstype_of(const char *configured, const struct preinit_probe *pr)
{
	if (configured && strcmp(configured, "auto"))
		return configured;
	return preinit_fs_name(pr->fs);
}

static int mount_ro_root(struct preinit *p)
{
	struct preinit_probe pr;
	const char *spec = p->conf.root;
	if (!spec) {
		preinit_error("no root device (root= or preinit.root=)");
		return -1;
	}
	unsigned long wait = p->conf.data_wait_ms > 10000 ? p->conf.data_wait_ms : 10000;
	char *dev = preinit_block_find(spec, wait, &pr);
	if (!dev) {
		preinit_error("root %s: no such device", spec);
		return -1;
	}
	const char *type = fstype_of(p->conf.root_fstype, &pr);
	if (!type)
		type = "squashfs";
	preinit_mkdirs(PREINIT_ROM, 0755);
	if (mount(dev, PREINIT_ROM, type, MS_RDONLY, NULL) < 0) {
		preinit_error("mount %s (%s) on %s: %s", dev, type, PREINIT_ROM, strerror(errno));
		free(dev);
		return -1;
	}
	preinit_say("root: %s (%s) read-only", dev, type);
	free(p->root_dev);
	p->root_dev = dev;
	p->lower = PREINIT_ROM;
	return 0;
}

/* The device id an extroot must carry: an id file on the data partition,
 * else the data partition's UUID. */
static void device_id_read(struct preinit *p, const struct preinit_probe *pr)
{
	char *path = preinit_path(PREINIT_OVERLAY, PREINIT_ID_FILE);
	char *id = path ? preinit_read_file(path, NULL) : NULL;
	free(path);
	if (id)
		id[strcspn(id, "\r\n")] = '\0';
	if ((!id || !*id) && pr && pr->uuid[0]) {
		free(id);
		id = strdup(pr->uuid);
	}
	if (id && *id)
		p->device_id = id;
	else
		free(id);
}

/* A blank data partition: the booted system formats it, because on NOR
 * flash that can take minutes (the preinit-format service reads the file). */
static int data_unformatted(struct preinit *p, const char *dev)
{
	char *line = NULL;
	const char *t = p->conf.data_fstype && strcmp(p->conf.data_fstype, "auto") ?
		p->conf.data_fstype : "ext4";
	if (asprintf(&line, "%s %s\n", dev, t) < 0 ||
	    preinit_write_file(PREINIT_STATE_DIR "/format", line) < 0)
		preinit_error("writing %s/format: %s", PREINIT_STATE_DIR, strerror(errno));
	free(line);
	preinit_say("data %s is unformatted: the booted system formats it", dev);
	return mount_tmpfs_overlay(p, "data partition unformatted");
}

/* A data partition whose start reads all 0xff. On raw flash that is an
 * erase, and jffs2 mounts an erased partition as it is (it writes its
 * nodes into erased blocks), so it needs no format. It may also be a
 * jffs2 in use whose first block happens to be empty. Returns the type to
 * mount, or NULL for the blank-partition path (no MTD, no jffs2 in the
 * kernel, another type configured); *erased says the partition is new. */
static const char *flash_type(struct preinit *p, const char *dev, struct preinit_probe *pr,
			      bool *erased)
{
	const char *want = p->conf.data_fstype;
	enum preinit_fs fs;
	if ((want && strcmp(want, "auto") && strcmp(want, "jffs2")) ||
	    preinit_flash_scan(dev, &fs) < 0)
		return NULL;
	if (fs != PREINIT_FS_BLANK) {
		/* jffs2 is mounted; anything else is never formatted over. */
		pr->fs = fs;
		return fs == PREINIT_FS_JFFS2 ? "jffs2" : NULL;
	}
	if (!preinit_fs_supported("jffs2")) {
		preinit_say("data %s is erased flash, but the kernel has no jffs2", dev);
		return NULL;
	}
	preinit_say("data %s is erased flash: mounted as jffs2 as it is", dev);
	*erased = true;
	return "jffs2";
}

static int mount_data(struct preinit *p)
{
	if (!p->conf.data)
		return mount_tmpfs_overlay(p, "no data partition configured");
	if (!strncmp(p->conf.data, "ubi", 3) && strchr(p->conf.data, ':')) {
		if (preinit_ubi_mount(p->conf.data, PREINIT_OVERLAY) < 0)
			return mount_tmpfs_overlay(p, "UBI volume does not mount");
		p->data_dev = strdup(p->conf.data);
		snprintf(p->overlay_kind, sizeof p->overlay_kind, "data");
		preinit_say("overlay: data %s (ubifs)", p->conf.data);
		preinit_firstboot_apply(PREINIT_OVERLAY);
		return 0;
	}
	struct preinit_probe pr;
	char *dev = preinit_block_find(p->conf.data, p->conf.data_wait_ms, &pr);
	if (!dev) {
		preinit_error("data %s: no such device", p->conf.data);
		return mount_tmpfs_overlay(p, "data partition not found");
	}
	p->data_dev = dev;
	bool erased = false;
	const char *type = NULL;
	if (pr.fs == PREINIT_FS_BLANK && pr.erased)
		type = flash_type(p, dev, &pr, &erased);
	if (pr.fs == PREINIT_FS_BLANK && !type)
		return data_unformatted(p, dev);
	if (!type)
		type = fstype_of(p->conf.data_fstype, &pr);
	if (!type || pr.fs == PREINIT_FS_SWAP || pr.fs == PREINIT_FS_SQUASHFS) {
		preinit_error("data %s: unknown content, left alone (not formatted)", dev);
		return mount_tmpfs_overlay(p, "data partition unreadable");
	}
	if (mount(dev, PREINIT_OVERLAY, type, MS_NOATIME, NULL) < 0) {
		preinit_error("mount data %s (%s): %s", dev, type, strerror(errno));
		if (erased)
			return data_unformatted(p, dev);
		return mount_tmpfs_overlay(p, "data partition does not mount");
	}
	snprintf(p->overlay_kind, sizeof p->overlay_kind, "data");
	preinit_say("overlay: data %s (%s)", dev, type);
	preinit_firstboot_apply(PREINIT_OVERLAY);
	device_id_read(p, &pr);
	return 0;
}

/* Runs the image's fsck for the type if it has one; false if the file
 * system is damaged beyond what fsck repaired. */
static bool extroot_fsck(const char *dev, const char *type)
{
	char *tool = NULL;
	if (asprintf(&tool, "fsck.%s", type) < 0)
		return true;
	const char *cands[] = { tool, !strncmp(type, "ext", 3) ? "e2fsck" : NULL };
	bool ok = true;
	for (size_t i = 0; i < 2 && cands[i]; i++) {
		const char *dirs[] = { "/sbin/", "/usr/sbin/", "/bin/", "/usr/bin/" };
		for (size_t j = 0; j < 4; j++) {
			char *path = NULL;
			if (asprintf(&path, "%s%s", dirs[j], cands[i]) < 0)
				goto out;
			if (access(path, X_OK) < 0) {
				free(path);
				continue;
			}
			preinit_say("extroot: %s -p %s", path, dev);
			char *const argv[] = { path, "-p", (char *)dev, NULL };
			int r = preinit_run("/", argv, -1, -1);
			free(path);
			/* e2fsck: 0 clean, 1 repaired, 2 repaired + reboot
			 * advised; 4 and up: errors left. */
			ok = r >= 0 && r < 4;
			goto out;
		}
	}
out:
	free(tool);
	return ok;
}

#define EXTROOT_TMP "/extroot"

static int extroot_try(struct preinit *p)
{
	const struct preinit_conf *c = &p->conf;
	struct preinit_probe pr;
	char *dev = preinit_block_find(c->extroot, c->data_wait_ms, &pr);
	if (!dev) {
		preinit_error("extroot %s: no such device; using the internal overlay", c->extroot);
		return -1;
	}
	const char *type = fstype_of(c->extroot_fstype, &pr);
	int r = -1;
	if (!type) {
		preinit_error("extroot %s: no known file system; using the internal overlay", dev);
		goto out;
	}
	if (!extroot_fsck(dev, type)) {
		preinit_error("extroot %s: fsck found errors it could not repair; "
			      "using the internal overlay", dev);
		goto out;
	}
	preinit_mkdirs(EXTROOT_TMP, 0755);
	if (mount(dev, EXTROOT_TMP, type, MS_NOATIME, NULL) < 0) {
		preinit_error("extroot: mount %s (%s): %s; using the internal overlay", dev, type,
			      strerror(errno));
		goto out;
	}
	char *idp = preinit_path(EXTROOT_TMP, PREINIT_ID_FILE);
	char *id = idp ? preinit_read_file(idp, NULL) : NULL;
	free(idp);
	if (id)
		id[strcspn(id, "\r\n")] = '\0';
	if (!id || !p->device_id || strcmp(id, p->device_id)) {
		preinit_error("extroot %s: id %s%s%s does not match this device (%s); "
			      "using the internal overlay", dev, id ? "\"" : "", id ? id : "missing",
			      id ? "\"" : "", p->device_id ? p->device_id : "no id");
		free(id);
		umount2(EXTROOT_TMP, MNT_DETACH);
		goto out;
	}
	free(id);
	/* The internal layer steps aside; a busy one is detached. */
	if (umount2(PREINIT_OVERLAY, 0) < 0)
		umount2(PREINIT_OVERLAY, MNT_DETACH);
	const char *target = c->extroot_whole ? PREINIT_NEWROOT : PREINIT_OVERLAY;
	if (mount(EXTROOT_TMP, target, NULL, MS_MOVE, NULL) < 0) {
		preinit_error("extroot: move to %s: %s", target, strerror(errno));
		umount2(EXTROOT_TMP, MNT_DETACH);
		goto out;
	}
	snprintf(p->overlay_kind, sizeof p->overlay_kind, c->extroot_whole ? "extroot-root" :
		 "extroot");
	preinit_say("extroot: %s (%s) as the %s", dev, type, c->extroot_whole ? "root" : "overlay");
	r = 0;
out:
	free(dev);
	return r;
}

static int mount_overlay(struct preinit *p)
{
	if (preinit_mkdirs(PREINIT_OVERLAY "/upper", 0755) < 0 ||
	    preinit_mkdirs(PREINIT_OVERLAY "/work", 0755) < 0) {
		preinit_error("creating %s/upper: %s", PREINIT_OVERLAY, strerror(errno));
		return -1;
	}
	char *opts = NULL;
	if (asprintf(&opts, "lowerdir=%s,upperdir=%s/upper,workdir=%s/work", p->lower,
		     PREINIT_OVERLAY, PREINIT_OVERLAY) < 0)
		return -1;
	int r = mount("overlay", PREINIT_NEWROOT, "overlay", MS_NOATIME, opts);
	if (r < 0)
		preinit_error("mount overlay (%s): %s", opts, strerror(errno));
	free(opts);
	return r;
}

int preinit_root_assemble(struct preinit *p)
{
	p->lower = "/";
	if (p->initramfs && mount_ro_root(p) < 0)
		return -1;
	preinit_mkdirs(PREINIT_OVERLAY, 0755);
	preinit_mkdirs(PREINIT_NEWROOT, 0755);
	if (p->failsafe) {
		if (mount_tmpfs_overlay(p, "failsafe") < 0)
			return -1;
	} else {
		if (mount_data(p) < 0)
			return -1;
		if (p->conf.extroot && extroot_try(p) < 0 && !strcmp(p->overlay_kind, "data"))
			preinit_say("overlay: data (fallback from extroot)");
	}
	p->newroot_is_overlay = strcmp(p->overlay_kind, "extroot-root") != 0;
	if (p->newroot_is_overlay && mount_overlay(p) < 0) {
		/* A damaged data layer must not stop the boot: retry on tmpfs. */
		if (strcmp(p->overlay_kind, "tmpfs")) {
			umount2(PREINIT_OVERLAY, MNT_DETACH);
			if (mount_tmpfs_overlay(p, "the overlay on the data layer failed") < 0 ||
			    mount_overlay(p) < 0)
				return -1;
		} else {
			return -1;
		}
	}
	/* /rom and /overlay appear in the new root at the same names, so
	 * later steps and the booted system see one set of paths. */
	const char *moves[] = { p->initramfs ? PREINIT_ROM : NULL,
				p->newroot_is_overlay ? PREINIT_OVERLAY : NULL };
	for (size_t i = 0; i < 2; i++) {
		if (!moves[i])
			continue;
		char *to = preinit_path(PREINIT_NEWROOT, moves[i]);
		if (!to || preinit_mkdirs(to, 0755) < 0 ||
		    mount(moves[i], to, NULL, MS_MOVE, NULL) < 0)
			preinit_error("move %s into the new root: %s", moves[i], strerror(errno));
		free(to);
	}
	return 0;
}

static int by_depth(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
	return la < lb ? 1 : la > lb ? -1 : 0;
}

void preinit_root_undo(struct preinit *p)
{
	/* Moved mounts (/rom, /overlay) keep their place in mountinfo's
	 * order, which is then no unmount order: the deepest path goes first. */
	char *info = preinit_read_file("/proc/self/mountinfo", NULL);
	struct preinit_strv pts = { 0 };
	size_t root_len = strlen(PREINIT_NEWROOT);
	for (char *line = info, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... */
		char *f = line;
		for (int i = 0; i < 4 && f; i++) {
			f = strchr(f, ' ');
			f = f ? f + 1 : NULL;
		}
		if (!f)
			continue;
		f[strcspn(f, " ")] = '\0';
		if (!strncmp(f, PREINIT_NEWROOT, root_len) && (f[root_len] == '\0' ||
							       f[root_len] == '/'))
			preinit_strv_add(&pts, f);
	}
	free(info);
	if (pts.n)
		qsort(pts.v, pts.n, sizeof *pts.v, by_depth);
	for (size_t i = 0; i < pts.n; i++) {
		/* Cleanly where possible: the data partition is written back. */
		if (umount2(pts.v[i], 0) < 0 && umount2(pts.v[i], MNT_DETACH) < 0)
			preinit_error("umount %s: %s", pts.v[i], strerror(errno));
	}
	preinit_strv_free(&pts);
	free(p->data_dev);
	free(p->device_id);
	p->data_dev = p->device_id = NULL;
	p->overlay_kind[0] = '\0';
}
