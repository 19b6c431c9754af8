/* logd_file: the log on flash — batches written by a short-lived child, the last one by PID 1 at power-off. */
/* SPDX-License-Identifier: MIT */
#include "logd_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"

/*
 * PID 1 never writes to the flash while it runs: a write or an fsync can
 * stall for seconds on a busy or failing device. Every flush interval (or
 * sooner, when FILE_EAGER bytes wait) it formats the records not yet in
 * the file and forks a child that appends them, fsyncs, and exits; the
 * child's exit status says how it went. Only at power-off, when nothing is
 * left to supervise, does PID 1 write the rest itself.
 *
 * The file starts with a line "#boot BOOT_ID". A writer that finds another
 * boot's id there moves the file to PATH.prev (and PATH.1 to PATH.prev.1)
 * first: the previous boot's log stays readable, and a flush that failed
 * half-way and is tried again does not move this boot's file aside.
 */
#define FILE_EAGER (32 * 1024) /* about half the default ring */
#define FILE_CHILD_MAX_MS 30000

enum { WRITE_OK, WRITE_NODIR = 2, WRITE_FULL = 3, WRITE_FAILED = 4 };

static uint64_t file_seq = 1;    /* first record not in the file */
static uint64_t flushing_to;     /* the child writes up to (not including) this */
static uint64_t due_ms;          /* next flush, 0: nothing waits */
static uint64_t child_started_ms;
static size_t pending_bytes;
static pid_t child;
static int last_failure;         /* said once until a flush works */
static char boot_id[40];
static bool flushing; /* in flush_start: records it logs must not start another */

static void boot_id_read(void)
{
	if (boot_id[0])
		return;
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, boot_id, sizeof boot_id - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		snprintf(boot_id, sizeof boot_id, "unknown-%lld", (long long)logd_real_us());
	else
		boot_id[strcspn(boot_id, "\n")] = '\0';
}

static void flush_start(void);

void file_new_records(void)
{
	if (!logd.conf.file)
		return;
	pending_bytes += 160; /* a record line's usual size: an estimate is enough */
	uint64_t now = sup_now_ms();
	if (!due_ms)
		due_ms = now + (uint64_t)logd.conf.flush_ms;
	/* Half the ring waits: write now, not at the next turn of the loop (a
	 * burst read in one go, a dying service's last lines, would wrap the
	 * ring first). */
	if (pending_bytes >= FILE_EAGER && !child && !flushing)
		flush_start();
}

uint64_t file_next_deadline(void)
{
	if (child)
		return child_started_ms + FILE_CHILD_MAX_MS;
	return due_ms;
}

/* The lines of every record not yet in the file. */
static bool file_text(struct buf *b, uint64_t *end)
{
	struct logring_cursor c = logring_seek(&logd.ring, file_seq);
	struct log_rec r;
	uint64_t lost;
	bool any = false;
	while (logring_next(&logd.ring, &c, &r, &lost)) {
		if (lost)
			buf_addf(b, "lost %llu\n", (unsigned long long)lost);
		logrec_format(b, &r);
		any = true;
	}
	*end = c.seq;
	return any && !b->oom;
}

static bool first_line_is_ours(int fd)
{
	char head[64];
	ssize_t n = pread(fd, head, sizeof head - 1, 0);
	if (n <= 0)
		return n == 0; /* empty: ours to write into */
	head[n] = '\0';
	return !strncmp(head, "#boot ", 6) && !strncmp(head + 6, boot_id, strlen(boot_id)) &&
	       head[6 + strlen(boot_id)] == '\n';
}

static int open_ours(const char *path, char *tmp, size_t tmplen)
{
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	if (fd < 0 || first_line_is_ours(fd))
		return fd;
	/* Another boot's file: it becomes the previous boot's. */
	close(fd);
	snprintf(tmp, tmplen, "%s.prev", path);
	if (rename(path, tmp) < 0 && errno != ENOENT)
		return -1;
	char one[4096];
	snprintf(one, sizeof one, "%s.1", path);
	snprintf(tmp, tmplen, "%s.prev.1", path);
	if (rename(one, tmp) < 0 && errno == ENOENT)
		unlink(tmp); /* no older part this time: none must stay from before */
	return open(path, O_RDWR | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0640);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == ENOSPC || errno == EDQUOT ? WRITE_FULL : WRITE_FAILED;
		p += w;
		n -= (size_t)w;
	}
	return WRITE_OK;
}

/* Appends text to the file (rotating it first when it would grow past the
 * size), fsyncs. Used by the child and, at the end, by PID 1. */
static int file_append(const char *text, size_t len)
{
	const char *path = logd.conf.file;
	char tmp[4096];
	if (strlen(path) + 16 > sizeof tmp)
		return WRITE_FAILED;
	int fd = open_ours(path, tmp, sizeof tmp);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? WRITE_NODIR
		       : errno == ENOSPC ? WRITE_FULL : WRITE_FAILED;
	struct stat st;
	if (fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size + (off_t)len > logd.conf.filesize) {
		close(fd);
		snprintf(tmp, sizeof tmp, "%s.1", path);
		if (rename(path, tmp) < 0)
			return WRITE_FAILED;
		fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0640);
		if (fd < 0)
			return errno == ENOSPC ? WRITE_FULL : WRITE_FAILED;
		st.st_size = 0;
	}
	int r = WRITE_OK;
	if (st.st_size == 0) {
		char head[64];
		int n = snprintf(head, sizeof head, "#boot %s\n", boot_id);
		r = write_all(fd, head, (size_t)n);
	}
	if (r == WRITE_OK)
		r = write_all(fd, text, len);
	if (r == WRITE_OK && fsync(fd) < 0)
		r = errno == ENOSPC ? WRITE_FULL : WRITE_FAILED;
	if (close(fd) < 0 && r == WRITE_OK)
		r = WRITE_FAILED;
	return r;
}

static void flush_start(void)
{
	flushing = true;
	boot_id_read();
	struct buf b = { 0 };
	uint64_t end;
	due_ms = 0;
	pending_bytes = 0;
	if (!file_text(&b, &end)) {
		buf_free(&b);
		flushing = false;
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		/* The child keeps PID 1's mask, every signal blocked: the
		 * shutdown's SIGTERM to all must not cut a write half-way (only
		 * SIGKILL can, after its grace). */
		_exit(file_append(b.p, b.len));
	}
	buf_free(&b);
	flushing = false;
	if (pid < 0) {
		due_ms = sup_now_ms() + (uint64_t)logd.conf.flush_ms; /* tried again later */
		return;
	}
	child = pid;
	child_started_ms = sup_now_ms();
	flushing_to = end;
}

void file_timer(void)
{
	uint64_t now = sup_now_ms();
	if (child && now >= child_started_ms + FILE_CHILD_MAX_MS) {
		/* The flash does not answer: the records stay in the ring, the
		 * next flush tries again. */
		log_msg("warning: log file %s: writing takes over %ds: given up for now",
			logd.conf.file, FILE_CHILD_MAX_MS / 1000);
		kill(child, SIGKILL);
		child_started_ms = now; /* its exit comes; no second message */
		return;
	}
	if (!child && due_ms && due_ms <= now)
		flush_start();
}

bool file_reaped(pid_t pid, int status)
{
	if (!child || pid != child)
		return false;
	child = 0;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : WRITE_FAILED;
	if (code == WRITE_OK) {
		file_seq = flushing_to;
		last_failure = 0;
		return true;
	}
	if (code != last_failure) {
		last_failure = code;
		log_msg("warning: log file %s: %s; the log goes on in RAM, and keel tries again",
			logd.conf.file,
			code == WRITE_NODIR ? "its directory does not exist"
			: code == WRITE_FULL ? "no space left" : "cannot write it");
	}
	if (!due_ms)
		due_ms = sup_now_ms() + (uint64_t)logd.conf.flush_ms;
	return true;
}

void logd_final(void)
{
	if (!logd.ready || !logd.conf.file)
		return;
	/* A write in progress finishes first (2 s at most: the shutdown's
	 * SIGKILL may have cut it, then its part is written again below). */
	for (int i = 0; child && i < 200; i++) {
		int st;
		pid_t r = waitpid(child, &st, WNOHANG);
		if (r == child)
			file_reaped(child, st);
		else if (r < 0)
			child = 0;
		else
			usleep(10000);
	}
	if (child) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = 0;
	}
	boot_id_read();
	struct buf b = { 0 };
	uint64_t end;
	if (file_text(&b, &end) && file_append(b.p, b.len) == WRITE_OK)
		file_seq = end;
	buf_free(&b);
}

int logd_dump(const char *path)
{
	if (!logd.ready) {
		errno = ENODATA;
		return -1;
	}
	struct buf b = { 0 };
	struct logring_cursor c = logring_seek(&logd.ring, 0);
	struct log_rec r;
	uint64_t lost;
	while (logring_next(&logd.ring, &c, &r, &lost))
		logrec_format(&b, &r);
	int fd = b.oom ? -1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0640);
	int rc = fd < 0 ? -1 : 0;
	for (size_t off = 0; rc == 0 && off < b.len;) {
		ssize_t n = write(fd, b.p + off, b.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = -1;
		else
			off += (size_t)n;
	}
	if (fd >= 0 && close(fd) < 0)
		rc = -1;
	buf_free(&b);
	return rc;
}
