/* health: PID 1's boot health — waits for the required services, commits, counts failed boots. */
/* SPDX-License-Identifier: MIT */
#include "health.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "healthconf.h"
#include "conditions.h"
#include "log.h"
#include "supervisor.h"
#include "trim.h"

/* Both children get this long; then SIGKILL (docs/liveness.md). */
#define HEALTH_CHILD_MAX_MS 60000
/* A health file is a few lines: anything larger is not one. */
#define HEALTH_FILE_MAX 65536
/* How many unmet names a detail line lists before "...". */
#define DETAIL_NAMES 4

enum health_state { H_OFF, H_WAITING, H_HEALTHY, H_UNHEALTHY };
static const char *const state_words[] = { "off", "waiting", "healthy", "unhealthy" };

/* The writer child's exit codes. */
enum { WR_OK, WR_NODIR, WR_FULL, WR_FAILED };

struct child {
	pid_t pid;
	uint64_t started_ms;
	bool killed;  /* SIGKILL sent: only its exit is awaited */
	bool session; /* leads a session of its own: kill the group */
};

static struct {
	struct health_conf c;
	enum health_state state;
	const char *off_why;   /* static text for "off" */
	char *why;             /* unhealthy: the reason */
	uint64_t deadline_ms;  /* 0: none */
	uint64_t healthy_up_ms; /* uptime (CLOCK_BOOTTIME) when healthy */
	/* The counter: `want` is what the file should say; `disk` what a
	 * writer last wrote (or what was read); `writing` the value in flight. */
	char *tmp_path, *dir_path;
	unsigned long want, disk, writing;
	bool have_disk;
	int last_write_error; /* WR_*: said once per kind of failure */
	bool mount_wait;      /* the counter's directory is not mounted yet: watching */
	struct child writer, commit;
} h;

static uint64_t uptime_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the counter file ---- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int errno_code(void)
{
	return errno == ENOENT || errno == ENOTDIR ? WR_NODIR
	       : errno == ENOSPC || errno == EDQUOT ? WR_FULL
						   : WR_FAILED;
}

/* The child's whole job: the file is either the old text or the new one,
 * whenever the power goes (the rename is the switch). */
static int counter_write(const char *text, size_t len)
{
	int fd = open(h.tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW,
		      0644);
	if (fd < 0)
		return errno_code();
	int r = WR_OK;
	if (write_all(fd, text, len) < 0 || fsync(fd) < 0)
		r = errno_code();
	if (close(fd) < 0 && r == WR_OK)
		r = errno_code();
	if (r == WR_OK && rename(h.tmp_path, h.c.counter) < 0)
		r = errno_code();
	if (r != WR_OK) {
		unlink(h.tmp_path);
		return r;
	}
	/* The rename itself reaches the flash with the directory. */
	int dfd = open(h.dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		if (fsync(dfd) < 0 && errno != EINVAL && errno != EROFS)
			r = WR_FAILED;
		close(dfd);
	}
	return r;
}

static void child_signals_default(void)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void writer_start(void)
{
	if (!h.c.counter || h.writer.pid || (h.have_disk && h.disk == h.want))
		return;
	char text[HEALTH_COUNTER_TEXT_MAX];
	size_t len = health_counter_format(h.want, text);
	pid_t pid = fork();
	if (pid == 0) {
		/* PID 1's mask stays: every signal but the faults is blocked,
		 * so shutdown's SIGTERM to all processes does not cut a write
		 * short (`give-up failsafe` writes right before a reboot); the
		 * SIGKILL after the grace still ends one stuck on the flash. */
		_exit(counter_write(text, len));
	}
	if (pid < 0) {
		log_msg("warning: health counter %s: cannot start its writer: %m", h.c.counter);
		return;
	}
	h.writer = (struct child){ .pid = pid, .started_ms = sup_now_ms() };
	h.writing = h.want;
}

static void counter_set(unsigned long v)
{
	h.want = v > HEALTH_COUNTER_MAX ? HEALTH_COUNTER_MAX : v;
	writer_start();
}

/* At start, in PID 1: a non-blocking open that refuses FIFOs and devices,
 * one bounded read. Missing: no failed boot yet. */
static void counter_read(void)
{
	h.disk = 0;
	int fd = open(h.c.counter, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			h.have_disk = false;
		else
			log_msg("warning: health counter %s: %m; counting from 0", h.c.counter);
		return;
	}
	struct stat st;
	char text[HEALTH_COUNTER_TEXT_MAX + 1];
	ssize_t n = -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		log_msg("warning: health counter %s: not a regular file; counting from 0",
			h.c.counter);
	else if ((n = read(fd, text, sizeof text)) < 0)
		log_msg("warning: health counter %s: %m; counting from 0", h.c.counter);
	else if (health_counter_parse(text, (size_t)n, &h.disk) < 0)
		log_msg("warning: health counter %s: not a number; counting from 0", h.c.counter);
	else
		h.have_disk = true;
	close(fd);
}

static int counter_paths(void)
{
	const char *slash = strrchr(h.c.counter, '/');
	size_t dlen = slash == h.c.counter ? 1 : (size_t)(slash - h.c.counter);
	h.dir_path = strndup(h.c.counter, dlen);
	if (asprintf(&h.tmp_path, "%s.new", h.c.counter) < 0)
		h.tmp_path = NULL;
	return h.dir_path && h.tmp_path ? 0 : -1;
}

/* ---- requirements ---- */

static bool svc_met(const struct svc *s)
{
	return s->state == SUP_RUNNING || s->state == SUP_DONE;
}

/* A service by instance name, or every instance of a generic name. */
static bool req_svc_met(const char *name)
{
	size_t n = sup_count(), generic = 0;
	bool all = true;
	for (size_t i = 0; i < n; i++) {
		const struct svc *s = sup_get(i);
		if (s->removed)
			continue;
		if (!strcmp(s->def->instance, name))
			return svc_met(s);
		if (!strcmp(s->def->name, name)) {
			generic++;
			all = all && svc_met(s);
		}
	}
	return generic && all;
}

/* What the supervisor's "target reached" means, from its public state:
 * every member that is part of the run has started (and is ready) or
 * finished well. Members not wanted (inactive, stopped by hand) and those
 * waiting for a condition or trigger (their own state, maybe for good)
 * do not hold it up; a failed or skipped member does. A target none of
 * whose members has been started yet is not reached. */
static bool req_target_met(const char *name)
{
	int t = svc_target_from_name(name);
	size_t n = sup_count(), active = 0;
	if (t < 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct svc *s = sup_get(i);
		if (s->removed || (int)s->def->target != t)
			continue;
		if (s->state == SUP_INACTIVE || s->state == SUP_STOPPED)
			continue;
		active++;
		if (cond_waiting(s))
			continue;
		if (!svc_met(s))
			return false;
	}
	return active || sup_target_empty((enum svc_target)t);
}

static bool req_met(const struct health_req *r)
{
	return r->target ? req_target_met(r->name) : req_svc_met(r->name);
}

static bool all_met(void)
{
	for (size_t i = 0; i < h.c.nreq; i++)
		if (!req_met(&h.c.req[i]))
			return false;
	return true;
}

/* "dropbear dnsmasq" or "target boot", the unmet ones, at most a few. */
static void add_unmet(struct buf *b)
{
	size_t shown = 0, more = 0;
	for (size_t i = 0; i < h.c.nreq; i++) {
		const struct health_req *r = &h.c.req[i];
		if (req_met(r))
			continue;
		if (shown == DETAIL_NAMES) {
			more++;
			continue;
		}
		buf_addf(b, "%s%s%s", shown ? " " : "", r->target ? "target " : "", r->name);
		shown++;
	}
	if (more)
		buf_addf(b, " and %zu more", more);
}

/* ---- the commit command ---- */

static void commit_start(void)
{
	if (!h.c.commit)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		child_signals_default();
		/* Its own session: the 60 s limit kills whatever it started. */
		setsid();
		int fd = open("/dev/null", O_RDONLY | O_NOCTTY);
		if (fd > 0) {
			dup2(fd, 0);
			close(fd);
		}
		execvp(h.c.commit[0], h.c.commit);
		_exit(127);
	}
	if (pid < 0) {
		log_msg("warning: health: cannot start commit %s: %m", h.c.commit[0]);
		return;
	}
	h.commit = (struct child){ .pid = pid, .started_ms = sup_now_ms(), .session = true };
}

/* ---- state changes ---- */

static void become_healthy(void)
{
	h.state = H_HEALTHY;
	h.healthy_up_ms = uptime_ms();
	log_info("boot healthy at %llu.%03llus uptime%s", (unsigned long long)(h.healthy_up_ms / 1000),
		 (unsigned long long)(h.healthy_up_ms % 1000), h.c.commit ? ": running commit" : "");
	commit_start();
	if (h.c.counter)
		counter_set(0);
}

static void become_unhealthy(void)
{
	struct buf b = { 0 };
	add_unmet(&b);
	buf_addf(&b, " not ready within %lus", (h.c.within_ms + 999) / 1000);
	free(h.why);
	h.why = b.oom ? NULL : b.p;
	if (b.oom)
		buf_free(&b);
	h.state = H_UNHEALTHY;
	h.deadline_ms = 0;
	const char *why = h.why ? h.why : "requirements not ready in time";
	if (h.c.reboot) {
		log_msg("boot unhealthy: %s; rebooting (on-unhealthy reboot)", why);
		sup_shutdown(SUP_ACTION_REBOOT);
	} else {
		log_msg("boot unhealthy: %s; staying up (on-unhealthy stay)", why);
	}
}

/* ---- the interface ---- */

static char *file_read(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT) {
			h.off_why = "no health file";
		} else {
			log_msg("warning: health file %s: %m; boot health is off", path);
			h.off_why = "the health file cannot be read";
		}
		return NULL;
	}
	struct stat st;
	char *text = NULL;
	h.off_why = "the health file cannot be read";
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > HEALTH_FILE_MAX) {
		log_msg("warning: health file %s: not a regular file of at most %d bytes; "
			"boot health is off", path, HEALTH_FILE_MAX);
	} else if ((text = malloc((size_t)st.st_size + 1))) {
		ssize_t n = read(fd, text, (size_t)st.st_size + 1);
		if (n < 0 || n > st.st_size) {
			log_msg("warning: health file %s: cannot read it; boot health is off", path);
			free(text);
			text = NULL;
		} else {
			*len = (size_t)n;
		}
	}
	close(fd);
	return text;
}

static void count_boot(void);

KEEL_BOOT void health_init(const char *path)
{
	health_conf_free(&h.c);
	h.off_why = "no health file";
	h.state = H_OFF;
	if (!path || !*path)
		return;
	size_t len = 0;
	char *text = file_read(path, &len);
	if (!text)
		return;
	struct diags d = { 0 };
	size_t errors = health_conf_parse(&h.c, text, len, path, &d);
	free(text);
	for (size_t i = 0; i < d.n; i++)
		log_diag(&d.v[i]);
	diags_free(&d);
	if (h.c.counter && counter_paths() < 0) {
		log_msg("warning: health counter %s: out of memory; not counted", h.c.counter);
		free(h.c.counter);
		h.c.counter = NULL;
	}
	if (errors) {
		/* Health cannot be established: this boot stays counted (the
		 * fallback still happens), nothing is committed, and nobody is
		 * rebooted on the word of a file that does not parse. */
		h.state = H_UNHEALTHY;
		h.why = strdup("the health file has errors");
		log_msg("boot unhealthy: %s has %zu error%s: nothing is committed", path, errors,
			errors == 1 ? "" : "s");
	} else {
		h.state = H_WAITING;
		if (h.c.within_ms)
			h.deadline_ms = sup_now_ms() + h.c.within_ms;
	}
	if (h.c.counter)
		count_boot();
}

static void count_now(void)
{
	counter_read();
	counter_set(h.state == H_HEALTHY ? 0 : h.disk + 1);
	log_info("boot health: failed-boot counter %s: %lu", h.c.counter, h.want);
}

/* The mount table was read: is the counter's directory there now? */
static bool counter_mount_changed(void)
{
	struct stat st;
	h.mount_wait = h.dir_path && stat(h.dir_path, &st) < 0;
	if (!h.mount_wait)
		count_now();
	return h.mount_wait;
}

static struct mount_watcher counter_watch = { .changed = counter_mount_changed };

/* The counter usually lives on a data partition a service mounts: while
 * its directory is missing, the boot is counted when the mount table
 * changes (conditions.h's watcher, the one of `mounted`), not before. */
static void count_boot(void)
{
	struct stat st;
	if (h.dir_path && stat(h.dir_path, &st) < 0 && errno == ENOENT &&
	    cond_mount_watch(&counter_watch) == 0) {
		if (h.mount_wait)
			log_info("boot health: %s not there yet: the boot is counted once it is mounted",
				 h.dir_path);
		return;
	}
	count_now();
}

void health_step(void)
{
	if (h.state != H_WAITING || sup_phase() != SUP_PHASE_RUN)
		return;
	if (all_met())
		become_healthy();
}

static uint64_t child_deadline(const struct child *c)
{
	return c->pid && !c->killed ? c->started_ms + HEALTH_CHILD_MAX_MS : 0;
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

uint64_t health_next_deadline(void)
{
	uint64_t d = 0;
	if (h.state == H_WAITING && sup_phase() == SUP_PHASE_RUN)
		d = h.deadline_ms;
	d = earliest(d, child_deadline(&h.writer));
	return earliest(d, child_deadline(&h.commit));
}

static void child_overdue(struct child *c, uint64_t now, const char *what)
{
	if (!c->pid || c->killed || now < c->started_ms + HEALTH_CHILD_MAX_MS)
		return;
	log_msg("warning: health: %s still running after %ds: killed", what,
		HEALTH_CHILD_MAX_MS / 1000);
	if (c->session)
		kill(-c->pid, SIGKILL);
	kill(c->pid, SIGKILL);
	c->killed = true;
}

void health_timer_event(void)
{
	uint64_t now = sup_now_ms();
	child_overdue(&h.writer, now, "the counter's writer");
	child_overdue(&h.commit, now, "commit");
	if (h.state != H_WAITING || !h.deadline_ms || now < h.deadline_ms ||
	    sup_phase() != SUP_PHASE_RUN)
		return;
	/* Met in the same turn the deadline passed: healthy wins. */
	if (all_met())
		become_healthy();
	else
		become_unhealthy();
}

static void writer_done(int status)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : WR_FAILED;
	h.writer.pid = 0;
	if (code == WR_OK) {
		h.disk = h.writing;
		h.have_disk = true;
		h.last_write_error = WR_OK;
		log_debug("health counter %s: %lu written", h.c.counter, h.disk);
	} else if (code != h.last_write_error) {
		h.last_write_error = code;
		log_msg("warning: health counter %s: %s; it still says %s", h.c.counter,
			code == WR_NODIR ? "its directory does not exist"
			: code == WR_FULL ? "no space left"
					  : "cannot write it",
			h.have_disk ? "its old value" : "nothing");
	}
	/* A newer value waited for this write; a failed one is tried again
	 * only for a newer value (no loop on a broken flash). */
	if (h.want != h.writing)
		writer_start();
}

static void commit_done(int status)
{
	h.commit.pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_info("boot health: commit %s done", h.c.commit[0]);
		return;
	}
	char text[48];
	sup_exit_text(status, text, sizeof text);
	log_msg("warning: health: commit %s failed (%s%s)", h.c.commit[0], text,
		WIFEXITED(status) && WEXITSTATUS(status) == 127 ? ": not found or not executable?"
								 : "");
}

bool health_reaped(pid_t pid, int status)
{
	if (pid <= 0)
		return false;
	if (pid == h.writer.pid) {
		writer_done(status);
		return true;
	}
	if (pid == h.commit.pid) {
		commit_done(status);
		return true;
	}
	return false;
}

void health_request(struct buf *o)
{
	struct buf d = { 0 };
	switch (h.state) {
	case H_OFF:
		buf_adds(&d, h.off_why ? h.off_why : "no health file");
		break;
	case H_WAITING:
		add_unmet(&d);
		if (h.deadline_ms) {
			uint64_t now = sup_now_ms();
			uint64_t left = h.deadline_ms > now ? h.deadline_ms - now : 0;
			buf_addf(&d, " (%llu s left)", (unsigned long long)(left + 999) / 1000);
		}
		break;
	case H_HEALTHY:
		buf_addf(&d, "committed at %llu.%llu s", (unsigned long long)(h.healthy_up_ms / 1000),
			 (unsigned long long)(h.healthy_up_ms % 1000 / 100));
		break;
	case H_UNHEALTHY:
		buf_adds(&d, h.why ? h.why : "requirements not ready in time");
		break;
	}
	buf_addf(o, "health\t%s\t", state_words[h.state]);
	buf_add_field(o, d.p && !d.oom ? d.p : "");
	if (h.c.counter)
		buf_addf(o, "\t%lu\n", h.want);
	else
		buf_adds(o, "\t-\n");
	buf_free(&d);
	buf_adds(o, "OK\n");
}

bool health_failsafe(void)
{
	if (!h.c.counter || !h.c.fallback_after)
		return false;
	unsigned long v = h.want > h.c.fallback_after ? h.want : h.c.fallback_after;
	log_msg("boot health: counter %s set to %lu: the next boot falls back", h.c.counter, v);
	counter_set(v);
	return true;
}

/* The supervisor's hook for `give-up failsafe` (a weak default there). */
void live_fail_boot(void)
{
	health_failsafe();
}
