/* upgrade: PID 1's half of a firmware upgrade or factory reset — checks, stop, RAM root, exec of the stage. */
/* SPDX-License-Identifier: MIT */
#include "upgrade.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control.h"
#include "fwimage.h"
#include "log.h"
#include "logd.h"
#include "mount.h"
#include "notify.h"
#include "supervisor.h"
#include "svcdir.h"
#include "upgradeconf.h"
#include "watchdog.h"
#include "trim.h"
#include "mkdirs.h"

#define RAM_ROOT "/run/keel-upgrade"
#define DEFAULT_STAGE "/sbin/preinit"
#define PREINIT_STATE "/run/preinit/state"
#define CHECK_LIMIT_MS (300 * 1000)
#define TMPFS_MAGIC_ 0x01021994
#define RAMFS_MAGIC_ 0x858458f6

enum ustate { U_IDLE, U_CHECKING, U_STOPPING };

static struct {
	const char *conf_path;
	enum ustate state;
	bool firstboot;
	char *image, *keep; /* keep: the archive of kept files, NULL: none */
	pid_t child;
	int rfd;            /* the checker's messages */
	uint64_t deadline;
	char *last;         /* what happened last, for `keelctl upgrade` */
	struct upgrade_conf conf;
} up = { .rfd = -1 };

void upgrade_init(const char *conf_path)
{
	up.conf_path = conf_path ? conf_path : UPGRADE_CONF_FILE;
	upgrade_conf_defaults(&up.conf);
}

static void last_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void last_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	free(up.last);
	up.last = s;
}

/* Reads upgrade.conf. Missing is fine only when `required` is false
 * (factory reset: the defaults do). NULL, or the first problem. */
KEEL_BOOT static char *conf_load(bool required)
{
	upgrade_conf_free(&up.conf);
	struct diags d = { 0 };
	char *buf = NULL, *err = NULL;
	size_t len = 0;
	if (!required && access(up.conf_path, F_OK) < 0 && errno == ENOENT)
		return NULL;
	if (svcdir_read(up.conf_path, &buf, &len, &d) == 0)
		upgrade_conf_parse(&up.conf, buf, len, up.conf_path, &d);
	free(buf);
	for (size_t i = 0; i < d.n && !err; i++)
		if (d.v[i].level == DIAG_ERROR && (err = diag_format(&d.v[i])) &&
		    !strncmp(err, "error: ", 7)) /* the answer is an ERR already */
			memmove(err, err + 7, strlen(err + 7) + 1);
	if (!err && d.oom)
		err = strdup("out of memory reading the upgrade configuration");
	diags_free(&d);
	/* A factory reset needs no file, but a sound one when there is one. */
	return err;
}

/* Where an image or archive may be: a regular file on a tmpfs that the
 * hand-over moves into the RAM root (/tmp, /dev/shm). */
KEEL_BOOT static const char *place_check(const char *path, int *fdp, struct stat *st)
{
	if ((strncmp(path, "/tmp/", 5) && strncmp(path, "/dev/shm/", 9)) || strstr(path, "/../"))
		return "must be a file in /tmp or /dev/shm (a tmpfs: it moves into the RAM root)";
	/* Non-blocking and no FIFO, device or link: nothing here can stall. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return strerror(errno);
	struct statfs sfs;
	const char *why = NULL;
	if (fstat(fd, st) < 0 || fstatfs(fd, &sfs) < 0)
		why = strerror(errno);
	else if (!S_ISREG(st->st_mode))
		why = "not a regular file";
	else if ((uint32_t)sfs.f_type != TMPFS_MAGIC_ && (uint32_t)sfs.f_type != RAMFS_MAGIC_)
		why = "not on a tmpfs (copy it to /tmp first: it moves into the RAM root)";
	if (why) {
		close(fd);
		return why;
	}
	if (fdp)
		*fdp = fd;
	else
		close(fd);
	return NULL;
}

KEEL_BOOT static unsigned long long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (unsigned long long)st.st_size : 0;
}

/* What the RAM root holds, in bytes (the image and archive are already in
 * RAM, in /tmp). */
KEEL_BOOT static unsigned long long ramroot_need(void)
{
	unsigned long long n = file_size(up.conf.stage ? up.conf.stage : DEFAULT_STAGE);
	n += file_size(up.conf_path) + file_size(PREINIT_STATE);
	for (size_t i = 0; i < up.conf.ncopy; i++)
		n += file_size(up.conf.copy[i]);
	return n + (256ULL << 10); /* directories, the stage's own files */
}

/* MemAvailable in bytes, 0 if unknown. */
KEEL_BOOT static unsigned long long mem_available(void)
{
	int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char b[4096];
	ssize_t n = read(fd, b, sizeof b - 1);
	close(fd);
	if (n <= 0)
		return 0;
	b[n] = '\0';
	char *p = strstr(b, "MemAvailable:");
	return p ? strtoull(p + 13, NULL, 10) * 1024ULL : 0;
}

KEEL_BOOT static const char *ram_check(char *msg, size_t size)
{
	unsigned long long need = ramroot_need() + up.conf.reserve, have = mem_available();
	if (have && have < need) {
		snprintf(msg, size, "not enough RAM for the RAM root: %llu KiB available, %llu KiB needed",
			 have >> 10, need >> 10);
		return msg;
	}
	struct stat st;
	const char *stage = up.conf.stage ? up.conf.stage : DEFAULT_STAGE;
	if (stat(stage, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111)) {
		snprintf(msg, size, "the stage %s is missing or not executable", stage);
		return msg;
	}
	return NULL;
}

/* The child that reads the whole image: checksum, then the vendor check.
 * Its words reach PID 1 through a pipe, read when it is reaped (a message
 * fits in the pipe: the child never blocks on it). */
KEEL_BOOT static void checker_run(int fd, int wfd, bool force)
{
	/* Only the image and the pipe: a copy of a client's socket held here
	 * would keep its keelctl waiting for the end of the check. */
	if (dup2(fd, 3) < 0 || dup2(wfd, 4) < 0)
		_exit(1);
	fd = 3;
	wfd = 4;
	long r = -1;
#ifdef SYS_close_range
	r = syscall(SYS_close_range, 5U, ~0U, 0U);
#endif
	if (r < 0) /* before Linux 5.9 */
		for (int i = 5; i < 4096; i++)
			close(i);
	struct fwimage img;
	char err[512];
	if (fwimage_check_fd(fd, &img, force ? NULL : up.conf.board, NULL, NULL, err, sizeof err) < 0) {
		dprintf(wfd, "%s", err);
		_exit(1);
	}
	if (!up.conf.check)
		_exit(0);
	size_t n = 0;
	while (up.conf.check[n])
		n++;
	char **argv = calloc(n + 2, sizeof *argv);
	if (!argv)
		_exit(1);
	memcpy(argv, up.conf.check, n * sizeof *argv);
	argv[n] = up.image;
	/* The hook's own words go to a second pipe: the reason PID 1 shows
	 * is ours, with the first line of theirs. */
	int hp[2];
	if (pipe2(hp, O_CLOEXEC) < 0)
		_exit(1);
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(hp[1], 1);
		dup2(hp[1], 2);
		execv(argv[0], argv);
		dprintf(2, "%s", strerror(errno));
		_exit(127);
	}
	close(hp[1]);
	char said[256];
	size_t got = 0;
	for (ssize_t k; pid > 0 && got < sizeof said - 1 &&
			(k = read(hp[0], said + got, sizeof said - 1 - got)) != 0;)
		if (k > 0)
			got += (size_t)k;
		else if (errno != EINTR)
			break;
	said[got] = '\0';
	said[strcspn(said, "\n")] = '\0';
	close(hp[0]);
	int st = 0;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		dprintf(wfd, "%svendor check %s refused the image (%s %d)%s%s", force ? "forced past: " : "",
			argv[0], pid < 0 ? "fork" : WIFEXITED(st) ? "exit" : "signal",
			pid < 0 ? errno : WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
			said[0] ? ": " : "", said);
		_exit(force ? 0 : 1);
	}
	_exit(0);
}

static void reset(void)
{
	free(up.image);
	free(up.keep);
	up.image = up.keep = NULL;
	if (up.rfd >= 0)
		close(up.rfd);
	up.rfd = -1;
	up.child = 0;
	up.deadline = 0;
	up.state = U_IDLE;
}

KEEL_BOOT static void stop_all(void)
{
	up.state = U_STOPPING;
	up.deadline = 0;
	sup_shutdown(SUP_ACTION_REBOOT);
}

KEEL_BOOT static void req_sysupgrade(struct buf *o, char **argv, int argc)
{
	if (argc < 2 || argc > 4 || (argc == 4 && strcmp(argv[3], "force"))) {
		buf_adds(o, "ERR usage: sysupgrade IMAGE [KEEP.tgz|-] [force]\n");
		return;
	}
	bool force = argc == 4;
	const char *image = argv[1], *keep = argc > 2 && strcmp(argv[2], "-") ? argv[2] : NULL;
	char msg[512];
	char *err = conf_load(true);
	if (err) {
		buf_addf(o, "ERR %s\n", err);
		log_msg("upgrade: refused %s: %s; nothing was changed", image, err);
		last_set("refused %s: %s", image, err);
		free(err);
		return;
	}
	int fd = -1;
	struct stat st, kst;
	const char *why = place_check(image, &fd, &st);
	struct fwimage img;
	if (!why) {
		uint8_t hdr[FWIMAGE_HEADER_LEN];
		ssize_t n = pread(fd, hdr, sizeof hdr, 0);
		if (n < 0)
			why = strerror(errno);
		else if (fwimage_parse(hdr, (size_t)n, &img, &why) == 0) {
			if ((uint64_t)st.st_size != img.total) {
				snprintf(msg, sizeof msg, "%s: the file has %llu bytes, the header says %llu",
					 (uint64_t)st.st_size < img.total ? "truncated image"
									  : "trailing bytes after the image",
					 (unsigned long long)st.st_size, (unsigned long long)img.total);
				why = msg;
			} else if (!force && up.conf.board && strcmp(up.conf.board, img.board)) {
				snprintf(msg, sizeof msg, "image is for board \"%s\", this is \"%s\"",
					 img.board, up.conf.board);
				why = msg;
			}
			for (unsigned i = 0; !why && i < img.nparts; i++)
				if (!upgrade_conf_part(&up.conf, img.part[i].name)) {
					snprintf(msg, sizeof msg, "part \"%s\" has no part line in %s",
						 img.part[i].name, up.conf_path);
					why = msg;
				}
		}
	}
	if (!why && keep) {
		const char *kw = place_check(keep, NULL, &kst);
		if (kw) {
			snprintf(msg, sizeof msg, "kept files %s: %s", keep, kw);
			why = msg;
		}
	}
	if (!why)
		why = ram_check(msg, sizeof msg);
	if (!why && sup_phase() != SUP_PHASE_RUN)
		why = "the system is shutting down";
	int p[2] = { -1, -1 };
	if (!why && pipe2(p, O_CLOEXEC) < 0)
		why = strerror(errno);
	if (!why) {
		up.image = strdup(image);
		up.keep = keep ? strdup(keep) : NULL;
		if (!up.image || (keep && !up.keep))
			why = "out of memory";
	}
	pid_t pid = -1;
	if (!why) {
		pid = fork();
		if (pid == 0) {
			close(p[0]);
			checker_run(fd, p[1], force);
		}
		if (pid < 0)
			why = strerror(errno);
	}
	if (fd >= 0)
		close(fd);
	if (p[1] >= 0)
		close(p[1]);
	if (why) {
		if (p[0] >= 0)
			close(p[0]);
		free(up.image);
		free(up.keep);
		up.image = up.keep = NULL;
		buf_addf(o, "ERR %s: %s\n", image, why);
		log_msg("upgrade: refused %s: %s; nothing was changed", image, why);
		last_set("refused %s: %s", image, why);
		return;
	}
	up.child = pid;
	up.rfd = p[0];
	up.state = U_CHECKING;
	up.firstboot = false;
	up.deadline = sup_now_ms() + CHECK_LIMIT_MS;
	log_msg("upgrade: checking %s (board %s, version %s)%s", image, img.board, img.version,
		force ? " (forced)" : "");
	last_set("checking %s (version %s)", image, img.version);
	buf_addf(o, "OK checking %s: board %s, version %s\n", image, img.board, img.version);
}

KEEL_BOOT static void req_firstboot(struct buf *o)
{
	char msg[512];
	char *err = conf_load(false);
	const char *why = err;
	if (!why)
		why = ram_check(msg, sizeof msg);
	if (!why && sup_phase() != SUP_PHASE_RUN)
		why = "the system is shutting down";
	if (why) {
		buf_addf(o, "ERR factory reset: %s\n", why);
		log_msg("upgrade: factory reset refused: %s", why);
		last_set("factory reset refused: %s", why);
		free(err);
		return;
	}
	up.firstboot = true;
	log_msg("upgrade: factory reset: stopping every service");
	last_set("factory reset: stopping every service");
	buf_adds(o, "OK factory reset: stopping every service\n");
	stop_all();
}

bool upgrade_request(struct buf *o, char **argv, int argc)
{
	const char *verb = argv[0];
	bool status = !strcmp(verb, "upgrade");
	if (!status && strcmp(verb, "sysupgrade") && strcmp(verb, "firstboot"))
		return false;
	if (status) {
		static const char *const names[] = { "idle", "checking", "stopping" };
		buf_addf(o, "OK %s%s%s\n", names[up.state], up.last ? ": " : "", up.last ? up.last : "");
		return true;
	}
	if (up.state != U_IDLE) {
		buf_adds(o, "ERR an upgrade is already in progress\n");
		return true;
	}
	if (verb[0] == 'f') {
		if (argc != 1)
			buf_adds(o, "ERR usage: firstboot\n");
		else
			req_firstboot(o);
	} else {
		req_sysupgrade(o, argv, argc);
	}
	return true;
}

static void refuse(const char *why)
{
	log_msg("upgrade: refused %s: %s; nothing was changed", up.image, why);
	last_set("refused %s: %s", up.image, why);
	reset();
}

bool upgrade_reaped(pid_t pid, int status)
{
	if (!up.child || pid != up.child)
		return false;
	char text[1024];
	ssize_t n = up.rfd >= 0 ? read(up.rfd, text, sizeof text - 1) : -1;
	text[n > 0 ? n : 0] = '\0';
	text[strcspn(text, "\n")] = '\0';
	up.child = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		refuse(text[0] ? text : "the image check failed");
		return true;
	}
	if (sup_phase() != SUP_PHASE_RUN) {
		refuse("the system began shutting down meanwhile");
		return true;
	}
	if (text[0])
		log_msg("upgrade: %s", text);
	log_msg("upgrade: %s verified: stopping every service", up.image);
	last_set("%s verified: stopping every service", up.image);
	stop_all();
	return true;
}

uint64_t upgrade_next_deadline(void)
{
	return up.deadline;
}

void upgrade_timer_event(void)
{
	if (!up.deadline || sup_now_ms() < up.deadline || !up.child)
		return;
	kill(up.child, SIGKILL);
	up.deadline = 0;
	log_msg("upgrade: the image check of %s took more than %d s: killed", up.image,
		CHECK_LIMIT_MS / 1000);
	/* Reaped as a refusal. */
}

bool upgrade_armed(void)
{
	return up.state == U_STOPPING;
}

/* ---- the hand-over ---- */

/* src into the RAM root at the same path (dst: another name), a link as a
 * link. */
KEEL_BOOT static int copy_in(const char *src, const char *dst)
{
	char *to = NULL, *dir = NULL;
	int r = -1, in = -1, out = -1;
	if (asprintf(&to, RAM_ROOT "%s", dst ? dst : src) < 0)
		return -1;
	dir = strdup(to);
	if (!dir)
		goto out;
	*strrchr(dir, '/') = '\0';
	if (mkdirs(dir, 0755) < 0)
		goto out;
	struct stat st;
	if (lstat(src, &st) < 0)
		goto out;
	if (S_ISLNK(st.st_mode)) {
		char t[PATH_MAX];
		ssize_t n = readlink(src, t, sizeof t - 1);
		if (n < 0)
			goto out;
		t[n] = '\0';
		r = symlink(t, to) < 0 && errno != EEXIST ? -1 : 0;
		goto out;
	}
	in = open(src, O_RDONLY | O_CLOEXEC);
	out = in < 0 ? -1 : open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777);
	if (out < 0)
		goto out;
	char b[16384];
	for (;;) {
		ssize_t n = read(in, b, sizeof b);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -1 : 0;
			break;
		}
		for (ssize_t w = 0; w < n;) {
			ssize_t k = write(out, b + w, (size_t)(n - w));
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				goto out;
			w += k;
		}
	}
out:
	if (r < 0)
		log_msg("upgrade: error: copying %s into the RAM root: %m", src);
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) < 0)
		r = -1;
	free(to);
	free(dir);
	return r;
}

KEEL_BOOT static bool is_mountpoint(const char *path)
{
	struct stat a, b;
	char *parent = NULL;
	if (asprintf(&parent, "%s/..", path) < 0)
		return false;
	bool r = stat(path, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
	free(parent);
	return r;
}

/* Ends in a reboot: the old root is mounted no more, or half moved. */
KEEL_BOOT static void give_up(const char *what)
{
	log_msg("upgrade: error: %s: %m; rebooting into the old system, nothing was written", what);
	log_drain(2000);
	sync();
	wdog_disarm();
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

KEEL_BOOT void upgrade_handover(void)
{
	const char *stage = up.conf.stage ? up.conf.stage : DEFAULT_STAGE;
	log_msg("upgrade: every service stopped; copying the stage into a RAM root");
	sync();
	char opts[64];
	snprintf(opts, sizeof opts, "mode=0755,size=%lluk", (ramroot_need() + (2ULL << 20)) >> 10);
	if (mkdir(RAM_ROOT, 0755) < 0 && errno != EEXIST) {
		log_msg("upgrade: error: mkdir %s: %m; rebooting", RAM_ROOT);
		return;
	}
	if (mount("tmpfs", RAM_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) {
		log_msg("upgrade: error: mount tmpfs on %s: %m; rebooting", RAM_ROOT);
		return;
	}
	bool ok = copy_in(stage, "/init") == 0;
	if (ok && access(up.conf_path, F_OK) == 0)
		ok = copy_in(up.conf_path, UPGRADE_CONF_FILE) == 0;
	if (ok && access(PREINIT_STATE, F_OK) == 0)
		ok = copy_in(PREINIT_STATE, NULL) == 0;
	for (size_t i = 0; ok && i < up.conf.ncopy; i++)
		ok = copy_in(up.conf.copy[i], NULL) == 0;
	static const char *const dirs[] = { "/dev", "/proc", "/sys", "/tmp", "/old", "/data", "/log" };
	for (size_t i = 0; ok && i < sizeof dirs / sizeof dirs[0]; i++) {
		char path[64];
		snprintf(path, sizeof path, RAM_ROOT "%s", dirs[i]);
		ok = mkdir(path, 0755) == 0 || errno == EEXIST;
	}
	if (!ok) {
		umount2(RAM_ROOT, MNT_DETACH);
		log_msg("upgrade: the RAM root is incomplete; rebooting, nothing was written");
		return;
	}
	/* keel's log: to its file on flash (if it has one), and whole into the
	 * RAM root, where the stage adds its own and saves both. */
	control_close();
	notify_close();
	logd_final();
	log_drain(1000);
	if (logd_dump(RAM_ROOT "/log/keel.log") < 0)
		log_msg("upgrade: warning: keel's log not passed to the stage: %m");
	logd_close();
	/* From here on the old root is half taken apart: any failure reboots. */
	static const char *const moves[] = { "/dev", "/proc", "/sys", "/tmp" };
	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
		char to[64];
		snprintf(to, sizeof to, RAM_ROOT "%s", moves[i]);
		if (!strcmp(moves[i], "/tmp") && !is_mountpoint("/tmp"))
			continue;
		if (mount(moves[i], to, NULL, MS_MOVE, NULL) < 0)
			give_up(moves[i]);
	}
	if (chdir(RAM_ROOT) < 0 || syscall(SYS_pivot_root, ".", "old") < 0)
		give_up("pivot_root into the RAM root");
	if (chroot(".") < 0 || chdir("/") < 0)
		give_up("chroot into the RAM root");
	int wfd = wdog_fd();
	char wenv[40] = "KEEL_WATCHDOG_FD=";
	if (wfd >= 0) {
		int fl = fcntl(wfd, F_GETFD);
		if (fl >= 0 && fcntl(wfd, F_SETFD, fl & ~FD_CLOEXEC) == 0)
			snprintf(wenv, sizeof wenv, "KEEL_WATCHDOG_FD=%d", wfd);
		wdog_feed_now();
	}
	char *argv[] = { "/init", "stage", up.firstboot ? "firstboot" : "upgrade", up.image ? up.image : "-",
			 up.keep ? up.keep : "-", NULL };
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", wenv, NULL };
	log_msg("upgrade: exec the stage %s as PID 1 in the RAM root", stage);
	log_drain(1000);
	execve("/init", argv, envp);
	give_up("exec of the stage");
}
