/* upgrade: the upgrade stage — PID 1 in the RAM root: writes the image, switches the A/B slot, keeps the config, reboots. */
/* SPDX-License-Identifier: MIT */
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <linux/fs.h>
#include "mtdabi.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "abenv.h"
#include "fwimage.h"
#include "preinit.h"
#include "upgradeconf.h"

/*
 * keel (src/keel/upgrade.c) stopped every service, built this RAM root
 * (this program as /init, upgrade.conf, /run/preinit/state, the `copy`
 * files), moved /dev /proc /sys /tmp into it, pivoted (the old root is at
 * /old) and exec'd us: `/init upgrade IMAGE KEEP|-` or `/init firstboot`.
 * Order, so that a failure leaves the most bootable device:
 *   1. unmount the old root           (nothing written yet: a failure reboots)
 *   2. check the image again          (it was checked in the running system)
 *   3. write each part, read it back  (A/B: the inactive slot only)
 *   4. A/B: switch the slot           (only after 3 fully succeeded)
 *   5. the writable layer: old one set aside, kept files for preinit
 *   6. reboot
 * Every step is said on the console, over UDP and in /dev/kmsg.
 */

#define DATA_DIR "/data"
#define KEEP_NAME "sysupgrade.tgz"
#define MTD_CHAR_MAJOR_ 90
#define CHUNK (64 * 1024)

struct stage {
	struct preinit p; /* progress (UDP, LED) through preinit's own code */
	struct upgrade_conf c;
	char *state;       /* /run/preinit/state */
	const char *image, *keep;
	bool firstboot;
};

static int kmsg = -1;
/* The stage's own log in the RAM root, beside keel's (keel.log): both are
 * saved on the data partition before the reboot (logs_save). */
#define LOG_DIR "/log"
static int logfd = -1;

/* One line to preinit's console, to the kernel log (one record: one
 * write) and to the stage's log file; error sets the kernel level and the
 * words "error:". */
static void report(bool error, const char *fmt, va_list ap)
{
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	const char *m = msg ? msg : fmt;
	if (error)
		preinit_error("upgrade: %s", m);
	else
		preinit_say("upgrade: %s", m);
	char *rec = NULL;
	int n = kmsg >= 0 ? asprintf(&rec, "%supgrade: %s", error ? "<3>" : "<5>", m) : -1;
	if (n > 0 && write(kmsg, rec, (size_t)n) < 0) {
	}
	free(rec);
	if (logfd >= 0) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		dprintf(logfd, "%5lld.%03ld %supgrade: %s\n", (long long)ts.tv_sec, ts.tv_nsec / 1000000,
			error ? "error: " : "", m);
	}
	free(msg);
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(false, fmt, ap);
	va_end(ap);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(true, fmt, ap);
	va_end(ap);
}

static char *state_get(struct stage *s, const char *key);
static int data_mount(const char *dev);
static struct stage *the_stage;

static char *data_dev(struct stage *s)
{
	return s->c.data ? strdup(s->c.data) : state_get(s, "data");
}

static int copy_file(const char *from, const char *to);

/* Both logs onto the data partition (outside the overlay's layers), where
 * the next boot shows them as /overlay/upgrade/: what happened, also when
 * it went wrong. */
static void logs_save(void)
{
	char *dev = the_stage ? data_dev(the_stage) : NULL;
	if (!dev || !strcmp(dev, "none") || data_mount(dev) < 0) {
		free(dev);
		return;
	}
	preinit_mkdirs(DATA_DIR "/upgrade", 0755);
	static const char *const names[] = { "keel.log", "upgrade.log" };
	for (size_t i = 0; i < 2; i++) {
		char from[64], to[96];
		snprintf(from, sizeof from, LOG_DIR "/%s", names[i]);
		snprintf(to, sizeof to, DATA_DIR "/upgrade/%s", names[i]);
		if (access(from, F_OK) == 0 && copy_file(from, to) < 0)
			preinit_error("upgrade: saving %s: %s", to, strerror(errno));
	}
	sync();
	if (umount2(DATA_DIR, 0) < 0)
		mount(NULL, DATA_DIR, NULL, MS_REMOUNT | MS_RDONLY, NULL);
	free(dev);
}

static void stage_reboot(const char *why) __attribute__((noreturn));
static void stage_reboot(const char *why)
{
	say("%s: rebooting", why);
	logs_save();
	sync();
	/* The UDP lines and the console need a moment to leave. */
	nanosleep(&(struct timespec){ .tv_sec = 1 }, NULL);
	preinit_watchdog_disarm();
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

static char *state_get(struct stage *s, const char *key)
{
	char *v = s->state ? preinit_uevent_get(s->state, key) : NULL;
	if (v && !*v) {
		free(v);
		v = NULL;
	}
	return v;
}

/* ---- 1. the old root ---- */

static void swaps_off(void)
{
	char *text = preinit_read_file("/proc/swaps", NULL);
	char *line = text ? strchr(text, '\n') : NULL;
	while (line && *++line) {
		char *end = strpbrk(line, " \t");
		if (!end)
			break;
		*end = '\0';
		if (swapoff(line) < 0)
			fail("swapoff %s: %s", line, strerror(errno));
		line = strchr(end + 1, '\n');
	}
	free(text);
}

/* What this process still holds, when a mount of the old root is busy:
 * the fds keel passed (every one should be close-on-exec but the
 * console's and the watchdog's). */
static void fds_say(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char path[300], to[256];
		snprintf(path, sizeof path, "/proc/self/fd/%s", de->d_name);
		ssize_t n = readlink(path, to, sizeof to - 1);
		if (n > 0) {
			to[n] = '\0';
			say("open fd %s: %s", de->d_name, to);
		}
	}
	if (d)
		closedir(d);
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		static const char *const links[] = { "root", "cwd", "exe" };
		for (int i = 0; i < 3; i++) {
			char path[300], to[256];
			snprintf(path, sizeof path, "/proc/%s/%s", de->d_name, links[i]);
			ssize_t n = readlink(path, to, sizeof to - 1);
			if (n > 0) {
				to[n] = '\0';
				if (strcmp(to, "/") || i == 2)
					say("pid %s %s: %s", de->d_name, links[i], to);
			}
		}
	}
	if (d)
		closedir(d);
}

/* Every mount under /old, the longest path first: unmounted, else read-only and
 * detached (nothing can write through it any more). */
static int old_root_release(void)
{
	swaps_off();
	sync();
	int busy = 0;
	for (int pass = 0; pass < 8; pass++) {
		char *text = preinit_read_file("/proc/self/mounts", NULL);
		if (!text)
			return -1;
		char *last = NULL;
		for (char *l = text; l && *l;) {
			char *nl = strchr(l, '\n');
			if (nl)
				*nl = '\0';
			char *mp = strchr(l, ' ');
			if (mp) {
				mp++;
				char *e = strchr(mp, ' ');
				if (e)
					*e = '\0';
				/* The deepest first: a mount moved into the old
				 * root is listed before it. */
				if ((!strcmp(mp, "/old") || !strncmp(mp, "/old/", 5)) &&
				    (!last || strlen(mp) > strlen(last)))
					last = mp;
			}
			l = nl ? nl + 1 : NULL;
		}
		if (!last) {
			free(text);
			return busy;
		}
		char *mp = strdup(last);
		free(text);
		if (!mp)
			return -1;
		if (umount2(mp, 0) < 0) {
			int e = errno;
			if (mount(NULL, mp, NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0 && e != EINVAL)
				fail("%s busy (%s), cannot be made read-only: %s", mp, strerror(e),
				     strerror(errno));
			umount2(mp, MNT_DETACH);
			say("%s busy (%s): detached read-only", mp, strerror(e));
			fds_say();
			busy++;
		} else {
			pass--; /* progress: the limit counts failures only */
		}
		free(mp);
	}
	return busy;
}

/* ---- 2. the image ---- */

struct progress {
	const char *what;
	int said; /* last tenth said */
};

static void hash_progress(uint64_t done, uint64_t total, void *ctx)
{
	struct progress *pr = ctx;
	preinit_watchdog_feed();
	int tenth = total ? (int)(done * 10 / total) : 10;
	if (tenth / 5 > pr->said / 5) {
		pr->said = tenth;
		say("%s: %d%%", pr->what, tenth * 10);
	}
}

/* ---- 3. writing ---- */

struct target {
	int fd;
	bool mtd;
	struct mtd_info_user mi;
	uint64_t size;
};

static int target_open(const char *dev, struct target *t)
{
	*t = (struct target){ .fd = -1 };
	struct stat st;
	if (stat(dev, &st) < 0)
		return -1;
	t->fd = open(dev, O_RDWR | O_CLOEXEC);
	if (t->fd < 0)
		return -1;
	if (S_ISCHR(st.st_mode) && major(st.st_rdev) == MTD_CHAR_MAJOR_) {
		if (ioctl(t->fd, MEMGETINFO, &t->mi) < 0 || !t->mi.erasesize)
			goto bad;
		t->mtd = true;
		t->size = t->mi.size;
	} else if (S_ISBLK(st.st_mode)) {
		if (ioctl(t->fd, BLKGETSIZE64, &t->size) < 0)
			goto bad;
	} else {
		errno = ENODEV;
		goto bad;
	}
	return 0;
bad:;
	int e = errno;
	close(t->fd);
	t->fd = -1;
	errno = e;
	return -1;
}

/* All n bytes at off, written (out) or read; a short transfer is EIO. */
static int xfer_all(int fd, uint8_t *b, size_t n, uint64_t off, bool out)
{
	for (size_t d = 0; d < n;) {
		ssize_t k = out ? pwrite(fd, b + d, n - d, (off_t)(off + d))
				: pread(fd, b + d, n - d, (off_t)(off + d));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO;
			return -1;
		}
		d += (size_t)k;
	}
	return 0;
}

static int write_all(int fd, const uint8_t *b, size_t n, uint64_t off)
{
	return xfer_all(fd, (uint8_t *)b, n, off, true);
}

static int read_all(int fd, uint8_t *b, size_t n, uint64_t off)
{
	return xfer_all(fd, b, n, off, false);
}

/*
 * Writes len bytes of the image from img_off to the target, then reads
 * them back and compares checksums. On raw flash each erase block is
 * erased first and bad NAND blocks are skipped (the data moves on to the
 * next good block, as the kernel's MTD readers expect). 0, or -1 with
 * *where the byte offset of the failure.
 */
static int part_write(int img, uint64_t img_off, uint64_t len, struct target *t, const char *what,
		      uint64_t *where)
{
	uint8_t *buf = malloc(CHUNK), *back = malloc(CHUNK);
	if (!buf || !back) {
		free(buf);
		free(back);
		errno = ENOMEM;
		return -1;
	}
	struct sha256 wrote, read;
	sha256_init(&wrote);
	sha256_init(&read);
	uint32_t ebs = t->mtd ? t->mi.erasesize : 0;
	uint64_t dev_off = 0, done = 0;
	int said = 0, r = -1;
	/* On raw flash, a block at a time (the erase unit); else 64 KiB. */
	size_t step = ebs && ebs <= CHUNK ? ebs : CHUNK;
	if (ebs > CHUNK) {
		step = CHUNK;
	}
	while (done < len) {
		size_t n = len - done < step ? (size_t)(len - done) : step;
		if (ebs && dev_off % ebs == 0) {
			long long bo = (long long)dev_off;
			while (t->mi.type == MTD_NANDFLASH && ioctl(t->fd, MEMGETBADBLOCK, &bo) > 0) {
				say("%s: bad block at %llu skipped", what, (unsigned long long)bo);
				bo += ebs;
				dev_off += ebs;
			}
			if (dev_off + ebs > t->size) {
				errno = ENOSPC;
				*where = done;
				goto out;
			}
			struct erase_info_user ei = { .start = (uint32_t)dev_off, .length = ebs };
			if (ioctl(t->fd, MEMERASE, &ei) < 0) {
				*where = done;
				goto out;
			}
		}
		if (read_all(img, buf, n, img_off + done) < 0) {
			*where = done;
			goto out;
		}
		size_t wn = n;
		if (ebs && n < step && t->mi.writesize) {
			/* The last page is written whole, padded as erased flash. */
			size_t ws = t->mi.writesize;
			wn = (n + ws - 1) / ws * ws;
			memset(buf + n, 0xff, wn - n);
		}
		sha256_update(&wrote, buf, n);
		if (write_all(t->fd, buf, wn, dev_off) < 0) {
			*where = done;
			goto out;
		}
		dev_off += n;
		done += n;
		if (done % (4u << 20) < n) {
			if (!t->mtd && fdatasync(t->fd) < 0) {
				*where = done;
				goto out;
			}
			preinit_watchdog_feed();
		}
		int tenth = (int)(done * 10 / len);
		if (tenth > said) {
			said = tenth;
			say("%s: %d%% written", what, tenth * 10);
		}
	}
	if (fsync(t->fd) < 0 && !t->mtd) {
		*where = done;
		goto out;
	}
	/* Read back what the device now holds (the same block skipping). */
	int dfd = t->fd;
	if (!t->mtd)
		posix_fadvise(dfd, 0, 0, POSIX_FADV_DONTNEED);
	dev_off = 0;
	for (uint64_t got = 0; got < len;) {
		size_t n = len - got < step ? (size_t)(len - got) : step;
		if (ebs && dev_off % ebs == 0) {
			long long bo = (long long)dev_off;
			while (t->mi.type == MTD_NANDFLASH && ioctl(dfd, MEMGETBADBLOCK, &bo) > 0) {
				bo += ebs;
				dev_off += ebs;
			}
		}
		if (read_all(dfd, back, n, dev_off) < 0) {
			*where = got;
			goto out;
		}
		sha256_update(&read, back, n);
		dev_off += n;
		got += n;
		preinit_watchdog_feed();
	}
	uint8_t a[SHA256_LEN], b[SHA256_LEN];
	sha256_final(&wrote, a);
	sha256_final(&read, b);
	if (memcmp(a, b, SHA256_LEN)) {
		errno = EIO;
		*where = len;
		fail("%s: what reads back differs from what was written", what);
		goto out;
	}
	r = 0;
out:
	free(buf);
	free(back);
	return r;
}

/* ---- 4. A/B ---- */

static int slot_switch(struct stage *s, char slot, const char *dev)
{
	if (s->c.slot_switch) {
		size_t n = 0;
		while (s->c.slot_switch[n])
			n++;
		char **argv = calloc(n + 3, sizeof *argv);
		if (!argv)
			return -1;
		memcpy(argv, s->c.slot_switch, n * sizeof *argv);
		char sl[2] = { slot, '\0' };
		argv[n] = sl;
		argv[n + 1] = (char *)dev;
		int rc = preinit_run("/", argv, -1, -1);
		free(argv);
		if (rc) {
			fail("slot-switch %s exited %d", s->c.slot_switch[0], rc);
			return -1;
		}
		return 0;
	}
	char *env = state_get(s, "abenv");
	if (!env) {
		fail("no slot-switch command and no preinit A/B env (abenv= in %s/state)",
		     PREINIT_STATE_DIR);
		return -1;
	}
	struct abenv e;
	int which;
	if (preinit_ab_read(env, &e, &which) < 0) {
		e = (struct abenv){ .slot = 'a' };
		which = -1;
	}
	e.slot = slot;
	e.upgrade = true;
	e.tries = 0;
	int r = preinit_ab_write(env, &e, which);
	if (r < 0)
		fail("writing the A/B env %s: %s", env, strerror(errno));
	free(env);
	return r;
}

/* ---- 5. the writable layer ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0)
		fail("removing %s: %s", path, strerror(errno));
	preinit_watchdog_feed();
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, r = -1;
	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0)
		goto done;
	uint8_t b[CHUNK];
	ssize_t n;
	uint64_t off = 0;
	while ((n = read(in, b, sizeof b)) > 0) {
		if (write_all(out, b, (size_t)n, off) < 0)
			goto done;
		off += (uint64_t)n;
	}
	r = n == 0 && fsync(out) == 0 ? 0 : -1;
done:;
	int e = errno;
	if (out >= 0 && close(out) < 0)
		r = -1;
	close(in);
	errno = e;
	return r;
}

static int data_mount(const char *dev)
{
	preinit_mkdirs(DATA_DIR, 0755);
	const char *type = NULL;
	struct preinit_probe pr;
	if (!strncmp(dev, "ubi", 3))
		type = "ubifs";
	else if (preinit_block_probe(dev, &pr) == 0)
		type = preinit_fs_name(pr.fs);
	if (!type) {
		errno = EINVAL;
		return -1;
	}
	return mount(dev, DATA_DIR, type, MS_NOATIME, NULL);
}

static void layer_reset(struct stage *s)
{
	char *dev = data_dev(s);
	if (!dev || !strcmp(dev, "none")) {
		say("no data partition: %s", s->keep ? "the kept files cannot be kept" : "nothing to reset");
		free(dev);
		return;
	}
	if (data_mount(dev) < 0) {
		fail("mounting the data partition %s: %s; %s", dev, strerror(errno),
		     s->firstboot ? "not reset" : "the old layer stays and nothing is kept");
		free(dev);
		return;
	}
	/* The mark, then what preinit does with it at boot (set upper/ and
	 * work/ aside in one rename each): both are atomic. */
	char *mark = preinit_path(DATA_DIR, PREINIT_FIRSTBOOT_MARK);
	if (!mark || preinit_write_file(mark, "") < 0)
		fail("writing %s: %s", mark ? mark : "the mark", strerror(errno));
	free(mark);
	preinit_firstboot_apply(DATA_DIR);
	if (s->firstboot) {
		/* No service runs: the discarded layers go now, the device is as
		 * after flashing. */
		DIR *d = opendir(DATA_DIR);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			if (strncmp(de->d_name, "discard.", 8))
				continue;
			char *path = preinit_path(DATA_DIR "/", de->d_name);
			if (path)
				nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
			free(path);
		}
		if (d)
			closedir(d);
		say("factory reset: the writable layer on %s is empty", dev);
	} else if (s->keep) {
		char *to = preinit_path(DATA_DIR "/", KEEP_NAME);
		if (!to || copy_file(s->keep, to) < 0)
			fail("keeping the config: %s: %s; the new image starts without it",
			     to ? to : KEEP_NAME, strerror(errno));
		else
			say("kept files stored on %s, restored at the next boot", dev);
		free(to);
	} else {
		say("config not kept (-n): the new image starts clean");
	}
	sync();
	if (umount2(DATA_DIR, 0) < 0) {
		fail("unmounting %s: %s", DATA_DIR, strerror(errno));
		mount(NULL, DATA_DIR, NULL, MS_REMOUNT | MS_RDONLY, NULL);
	}
	free(dev);
}

/* ---- the stage ---- */

static void conf_read(struct stage *s)
{
	upgrade_conf_defaults(&s->c);
	size_t len;
	char *text = preinit_read_file(UPGRADE_CONF_FILE, &len);
	if (!text)
		return;
	struct diags d = { 0 };
	upgrade_conf_parse(&s->c, text, len, UPGRADE_CONF_FILE, &d);
	for (size_t i = 0; i < d.n; i++) {
		char *m = diag_format(&d.v[i]);
		if (m)
			fail("%s", m);
		free(m);
	}
	diags_free(&d);
	free(text);
}

static void progress_setup(struct stage *s)
{
	struct preinit_conf *pc = &s->p.conf;
	preinit_conf_defaults(pc);
	pc->net = s->c.net;
	pc->port = s->c.port;
	if (s->c.iface) {
		free(pc->iface);
		pc->iface = strdup(s->c.iface);
	}
	pc->ipaddr = s->c.ipaddr ? strdup(s->c.ipaddr) : NULL;
	if (s->c.led) {
		pc->led[PREINIT_PHASE_BOOT].name = strdup(s->c.led);
		pc->led[PREINIT_PHASE_BOOT].mode = strdup(s->c.led_mode);
	}
	preinit_progress_led(&s->p, PREINIT_PHASE_BOOT, false);
	preinit_progress_net(&s->p);
}

static void do_upgrade(struct stage *s)
{
	int img = open(s->image, O_RDONLY | O_CLOEXEC);
	if (img < 0) {
		fail("%s: %s; nothing was written", s->image, strerror(errno));
		stage_reboot("the old image is untouched");
	}
	struct fwimage fw;
	char err[512];
	struct progress pr = { .what = "checking the image", .said = 0 };
	if (fwimage_check_fd(img, &fw, NULL, hash_progress, &pr, err, sizeof err) < 0) {
		fail("%s: %s; nothing was written", s->image, err);
		stage_reboot("the old image is untouched");
	}
	say("image %s: board %s, version %s, %u part%s", s->image, fw.board, fw.version, fw.nparts,
	    fw.nparts == 1 ? "" : "s");
	bool ab = upgrade_conf_ab(&s->c);
	char *cur = state_get(s, "slot");
	char slot = ab ? (cur && cur[0] == 'b' ? 'a' : 'b') : 0;
	free(cur);
	if (ab)
		say("A/B: running slot %c, writing slot %c", slot == 'a' ? 'b' : 'a', slot);
	/* Every target opened and measured before the first byte is written. */
	struct target t[FWIMAGE_MAX_PARTS];
	const char *dev[FWIMAGE_MAX_PARTS];
	for (unsigned i = 0; i < fw.nparts; i++) {
		const struct upgrade_part *up = upgrade_conf_part(&s->c, fw.part[i].name);
		if (!up) {
			fail("part %s has no part line in %s; nothing was written", fw.part[i].name,
			     UPGRADE_CONF_FILE);
			stage_reboot("the old image is untouched");
		}
		dev[i] = up->dev[1] && slot == 'b' ? up->dev[1] : up->dev[0];
		if (target_open(dev[i], &t[i]) < 0) {
			fail("part %s: %s: %s; nothing was written", fw.part[i].name, dev[i], strerror(errno));
			stage_reboot("the old image is untouched");
		}
		if (t[i].size < fw.part[i].length) {
			fail("part %s (%llu bytes) does not fit %s (%llu bytes); nothing was written",
			     fw.part[i].name, (unsigned long long)fw.part[i].length, dev[i],
			     (unsigned long long)t[i].size);
			stage_reboot("the old image is untouched");
		}
	}
	for (unsigned i = 0; i < fw.nparts; i++) {
		char what[96];
		snprintf(what, sizeof what, "%s -> %s", fw.part[i].name, dev[i]);
		say("writing %s (%llu bytes%s)", what, (unsigned long long)fw.part[i].length,
		    t[i].mtd ? ", erasing raw flash" : "");
		uint64_t where = 0;
		if (part_write(img, fw.part[i].offset, fw.part[i].length, &t[i], what, &where) < 0) {
			fail("writing %s failed at byte %llu: %s", what, (unsigned long long)where,
			     strerror(errno));
			if (ab)
				stage_reboot("slot not switched: the running slot boots as before");
			fail("the device may not boot: %s is partly written; write the image again, or "
			     "through the bootloader", dev[i]);
			stage_reboot("write error");
		}
		say("%s: written and read back", what);
		close(t[i].fd);
	}
	close(img);
	if (ab) {
		if (slot_switch(s, slot, dev[0]) < 0)
			stage_reboot("slot not switched: the running slot boots as before");
		say("A/B: next boot from slot %c, on trial until healthy", slot);
	}
	layer_reset(s);
	say("done: version %s installed", fw.version);
}

int preinit_upgrade_main(int argc, char **argv)
{
	if (getpid() != 1) {
		fprintf(stderr, "preinit: %s is the upgrade stage: keel runs it as PID 1 in a RAM root "
				"(use sysupgrade, or keelctl firstboot)\n", argv[1]);
		return 100;
	}
	struct stage s = { 0 };
	s.firstboot = !strcmp(argv[1], "firstboot");
	s.image = argc > 2 && strcmp(argv[2], "-") ? argv[2] : NULL;
	s.keep = argc > 3 && strcmp(argv[3], "-") ? argv[3] : NULL;
	kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	preinit_mkdirs(LOG_DIR, 0755);
	logfd = open(LOG_DIR "/upgrade.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	the_stage = &s;
	if (chdir("/") < 0) {
	}
	preinit_watchdog_adopt();
	conf_read(&s);
	s.state = preinit_read_file(PREINIT_STATE_DIR "/state", NULL);
	progress_setup(&s);
	say("stage running as PID 1 in a RAM root (%s)", s.firstboot ? "factory reset" : "firmware upgrade");
	int busy = old_root_release();
	if (busy < 0)
		fail("cannot read the mount table: %s", strerror(errno));
	else if (busy)
		say("%d mount%s of the old root busy: detached read-only", busy, busy == 1 ? "" : "s");
	else
		say("old root unmounted");
	if (s.firstboot)
		layer_reset(&s);
	else if (s.image)
		do_upgrade(&s);
	else
		fail("no image given");
	stage_reboot("finished");
}

void preinit_upgrade_restore(struct preinit *p)
{
	if (strcmp(p->overlay_kind, "data"))
		return;
	char *arch = preinit_path(PREINIT_NEWROOT PREINIT_OVERLAY "/", KEEP_NAME);
	if (!arch || access(arch, F_OK) < 0) {
		free(arch);
		return;
	}
	/* With the new image's own tar, into the new (empty) upper layer. */
	char *const argv[] = { "tar", "-x", "-z", "-f", PREINIT_OVERLAY "/" KEEP_NAME, "-C", "/", NULL };
	int rc = preinit_run(PREINIT_NEWROOT, argv, -1, -1);
	if (rc)
		preinit_error("upgrade: restoring the kept files: tar exited %d; %s left in place", rc,
			      PREINIT_OVERLAY "/" KEEP_NAME);
	else if (unlink(arch) < 0)
		preinit_error("upgrade: removing %s: %s", arch, strerror(errno));
	else
		preinit_say("upgrade: kept files restored from %s", PREINIT_OVERLAY "/" KEEP_NAME);
	sync();
	free(arch);
}
