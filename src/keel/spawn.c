/* spawn: starts a service's process and sets up its environment before exec. */
/* SPDX-License-Identifier: MIT */
#include "spawn.h"
#include "futex.h"
#include "envbuild.h"
#include "spawn_fds.h"
#include "spawn_flight.h"
#include "spawn_ids.h"
#include "oomguard.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * A single command starts with clone(CLONE_VM): the child shares PID 1's
 * memory until it execs, so starting a service costs the same whatever
 * PID 1's size (a fork would copy the page tables of the whole heap, and
 * every page PID 1 then touched). Up to SLOTS such children run at once
 * on stacks of their own (see "Starts in flight" below); without a free
 * one the start forks (nobody waits for it). The price is a strict
 * rule for the child: no allocation, no stdio buffers, nothing that takes
 * a lock — only system calls on data the parent prepared (struct job).
 * Several commands in a row need a child that waits for grandchildren, so
 * they use fork(), where the child owns a copy of memory.
 */

/* AddressSanitizer cannot follow a child running on a stack of its own
 * (it warns and may report falsely): sanitizer builds use fork. */
#ifdef KEEL_SPAWN_FORK
#define SPAWN_FORK_ONLY 1
#else
#define SPAWN_FORK_ONLY 0
#endif

/* Eight: a child's way from clone to the exec that frees its slot takes
 * several times as long as PID 1's part of a start, so with fewer slots
 * PID 1 waits in a burst. Measured under QEMU (200 services, 11 boots of
 * each in one batch): two slots 0.275 s, eight 0.225 s, the floor 0.269 s.
 * The slots' pages are given back once a burst is over (slots_release). */
#define SLOTS 8

static char **base_env;
static struct rlimit nofile_orig = { RLIM_INFINITY, RLIM_INFINITY };
static bool nofile_set;

void spawn_set_base_env(char **env) { base_env = env; }

/* Variables for the next start only (a trigger's path, the notify
 * socket): up to two NULL-terminated lists, from two modules. */
static char *const *extra_env[2];
void spawn_set_extra_env(char *const *env)
{
	extra_env[extra_env[0] ? 1 : 0] = env;
}
/* "WATCHDOG_PID=" and room for digits: the child writes its own pid. */
static char *next_pid_var;
void spawn_set_pid_var(char *var) { next_pid_var = var; }

/* The next start's definition is a temporary (a hook's, a reload
 * command's): it forks, so nothing of it is read after the call. */
static bool next_detached;
void spawn_set_detached(void) { next_detached = true; }

/* stdout and stderr for the next start only (-1: PID 1's own). */
static int next_out = -1, next_err = -1;
void spawn_set_stdio(int out, int err)
{
	next_out = out;
	next_err = err;
}

static void fit_limit(rlim_t need)
{
	struct rlimit cur, want;
	if (nofile_set || getrlimit(RLIMIT_NOFILE, &cur) < 0 || cur.rlim_cur == RLIM_INFINITY ||
	    need <= cur.rlim_cur)
		return;
	want.rlim_cur = want.rlim_max = cur.rlim_max > 65536 ? cur.rlim_max : 65536;
	if (setrlimit(RLIMIT_NOFILE, &want) < 0) {
		want.rlim_cur = want.rlim_max = cur.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &want) < 0)
			return;
	}
	nofile_orig = cur;
	nofile_set = true;
}

void spawn_fit_nofile(size_t nservices)
{
	/* Room for a pipe or two per starting service, the two log pipes each
	 * service keeps, plus 64 for PID 1's own fds and clients (nservices is
	 * bounded by memory: no overflow). */
	rlim_t need = 6 * (rlim_t)nservices + 64;
	fit_limit(need);
	spawn_fds_fit(SLOTS, need);
}

/* Everything the child needs, prepared by the parent. */
struct job {
	const struct svc_def *def;
	int out_fd, err_fd;  /* stdout/stderr, -1: inherited */
	char *pid_var;       /* "WATCHDOG_PID=" + room: the child writes its pid */
	char **env;          /* complete environment */
	bool env_owned;      /* env was built for this start (else the base's) */
	const char *path;    /* PATH value from env, for the command search */
	bool set_ids;
	bool resolve;        /* user/group names: looked up in the (forked) child */
	uid_t uid;
	gid_t gid;
	bool set_groups;
	gid_t *groups;
	int ngroups;
	int ready_wfd, exec_wfd;
	int null_fd;         /* PID 1's /dev/null, -1 if it could not open it */
	char *path_buf;      /* PATH_MAX bytes for the command search */
	/* With CLONE_VM the child reports into this shared memory instead
	 * of a pipe: when clone returns, the parent knows at once whether
	 * the exec happened. */
	bool shared;
	bool share_fds;      /* CLONE_FILES until spawn_fds_unshare */
	bool failed;
	char err[512];
};

/* ---- child side: system calls only ---- */

static size_t str_len(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

/* Several strings joined into line (NUL-terminated), no formatting library
 * involved. A line longer than the buffer ends in "..." rather than being
 * cut silently. */
static size_t child_join(char *line, size_t size, const char *const *parts, size_t n)
{
	size_t len = 0;
	bool cut = false;
	for (size_t i = 0; i < n && !cut; i++) {
		for (const char *p = parts[i]; p && *p; p++) {
			if (len == size - 4) {
				cut = true;
				break;
			}
			line[len++] = *p;
		}
	}
	if (cut) {
		memcpy(line + len, "..\n", 3);
		len += 3;
	}
	line[len] = '\0';
	return len;
}

static void __attribute__((noreturn)) child_fail(const struct job *j, int code, const char *what,
						  const char *arg)
{
	int e = errno;
	/* To PID 1 (shared memory or exec pipe), which prints it with the
	 * service's name; to the console only when neither is there
	 * (multi-exec commands). */
	bool console = !j->shared && j->exec_wfd < 0;
	const char *parts[] = { console ? "keel: " : NULL, console ? j->def->instance : NULL,
				console ? ": " : NULL, what, arg ? " \"" : NULL, arg, arg ? "\"" : NULL,
				e ? ": " : NULL, e ? strerror(e) : NULL, "\n" };
	if (j->shared) {
		struct job *w = (struct job *)j; /* the parent reads it after clone returns */
		child_join(w->err, sizeof w->err, parts, sizeof parts / sizeof parts[0]);
		w->failed = true;
		_exit(code);
	}
	/* One write, so the line is not interleaved with PID 1's output. */
	char line[1024];
	size_t len = child_join(line, sizeof line, parts, sizeof parts / sizeof parts[0]);
	if (write(console ? 2 : j->exec_wfd, line, len) < 0) {
	}
	_exit(code);
}

static void child_setup_stdio(const struct job *j)
{
	const struct svc_def *def = j->def;
	if (def->o->tty) {
		/* O_NONBLOCK so a serial line without carrier cannot hang the open. */
		int flags = O_RDWR | O_NOCTTY | O_NONBLOCK | (def->o->tty_truncate ? O_TRUNC : 0);
		int fd = open(def->o->tty, flags);
		if (fd < 0)
			child_fail(j, 126, "cannot open tty", def->o->tty);
		int fl = fcntl(fd, F_GETFL);
		if (fl >= 0)
			fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
		if (isatty(fd))
			ioctl(fd, TIOCSCTTY, 0); /* best effort: a plain file works too */
		for (int i = 0; i < 3; i++)
			if (dup2(fd, i) < 0)
				child_fail(j, 126, "dup2", def->o->tty);
		if (fd > 2)
			close(fd);
		return;
	}
	/* The log pipes, or /dev/null for `log null`. */
	if (j->out_fd >= 0 && dup2(j->out_fd, 1) < 0)
		child_fail(j, 126, "dup2", "stdout");
	if (j->err_fd >= 0 && dup2(j->err_fd, 2) < 0)
		child_fail(j, 126, "dup2", "stderr");
	/* PID 1's own /dev/null (close-on-exec), so the child makes one
	 * call instead of three while its parent waits. */
	if (j->null_fd >= 0) {
		dup2(j->null_fd, 0);
		return;
	}
	int fd = open("/dev/null", O_RDONLY);
	if (fd > 0) {
		dup2(fd, 0);
		close(fd);
	}
}

/* execvp without its allocations: search the service's own PATH. */
static void __attribute__((noreturn)) child_exec(const struct job *j, char *const *argv)
{
	const char *file = argv[0];
	if (strchr(file, '/')) {
		execve(file, argv, j->env);
		child_fail(j, errno == ENOENT || errno == ENOTDIR ? 127 : 126, "cannot run", file);
	}
	const char *p = j->path ? j->path : "/usr/sbin:/usr/bin:/sbin:/bin";
	size_t flen = str_len(file);
	int saved = ENOENT;
	/* Not on the stack: the frame would touch a page of it for every
	 * service, although most exec lines name an absolute path. */
	char *buf = j->path_buf;
	for (;;) {
		const char *colon = strchr(p, ':');
		size_t dlen = colon ? (size_t)(colon - p) : str_len(p);
		if (dlen + 1 + flen + 1 <= PATH_MAX) {
			memcpy(buf, dlen ? p : ".", dlen ? dlen : 1);
			size_t o = dlen ? dlen : 1;
			buf[o++] = '/';
			memcpy(buf + o, file, flen + 1);
			execve(buf, argv, j->env);
			if (errno == EACCES)
				saved = EACCES;
			else if (errno != ENOENT && errno != ENOTDIR)
				saved = errno;
		}
		if (!colon)
			break;
		p = colon + 1;
	}
	errno = saved;
	child_fail(j, saved == ENOENT ? 127 : 126, "cannot run", file);
}

/* Common setup; returns only when the process is ready to exec. */
static void child_setup(struct job *j)
{
	const struct svc_def *def = j->def;
	/* PID 1's only handlers, for its crash path, pass a fault in any
	 * other process on as the default action (main.c): nothing to reset
	 * here, and exec resets them anyway. Every call saved in this
	 * function is saved once per start while PID 1 waits. */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (setsid() < 0)
		child_fail(j, 126, "setsid", NULL);
	int keep[] = { j->out_fd, j->err_fd, j->null_fd, j->ready_wfd, j->exec_wfd };
	spawn_keep_fds(keep, sizeof keep / sizeof keep[0]);
	oomguard_child();
	if (j->pid_var) {
		/* Digits of our pid after "WATCHDOG_PID=": no stdio here. */
		char d[16];
		int n = 0;
		for (unsigned v = (unsigned)getpid(); v || !n; v /= 10)
			d[n++] = (char)('0' + v % 10);
		char *o = j->pid_var + 13;
		while (n)
			*o++ = d[--n];
		*o = '\0';
	}
	child_setup_stdio(j);

	if (j->ready_wfd >= 0) {
		if (j->exec_wfd == def->ready_fd) {
			/* Keep the exec pipe out of the way of the ready fd number. */
			int n = fcntl(j->exec_wfd, F_DUPFD_CLOEXEC, def->ready_fd + 1);
			close(j->exec_wfd);
			j->exec_wfd = n;
		}
		if (j->ready_wfd == def->ready_fd) {
			int fl = fcntl(j->ready_wfd, F_GETFD);
			fcntl(j->ready_wfd, F_SETFD, fl & ~FD_CLOEXEC);
		} else if (dup2(j->ready_wfd, def->ready_fd) < 0) {
			child_fail(j, 126, "cannot set up ready fd", NULL);
		}
	}
	if (def->o->umask >= 0)
		umask((mode_t)def->o->umask);
	if (nofile_set)
		setrlimit(RLIMIT_NOFILE, &nofile_orig);
	for (size_t i = 0; i < def->o->nrlimits; i++)
		if (setrlimit(def->o->rlimits[i].resource, &def->o->rlimits[i].lim))
			child_fail(j, 126, "setrlimit", NULL);
	/* PID 1 itself stays in / (main.c): only a `cwd` line needs a chdir. */
	const char *dir = def->o->cwd;
	if (dir && chdir(dir))
		child_fail(j, 126, "cannot change directory to", dir);
	if (j->resolve) {
		char msg[256];
		if (spawn_ids_resolve(def->o->user, def->o->group, &j->uid, &j->gid, &j->groups,
				      &j->ngroups, msg, sizeof msg) < 0) {
			errno = 0;
			child_fail(j, 126, msg, NULL);
		}
	}
	if (j->set_groups && setgroups((size_t)j->ngroups, j->groups))
		child_fail(j, 126, "cannot set supplementary groups", NULL);
	if (j->set_ids && setgid(j->gid))
		child_fail(j, 126, "setgid", def->o->group ? def->o->group : def->o->user);
	if (def->o->user && setuid(j->uid))
		child_fail(j, 126, "setuid", def->o->user);
}

static int child_single(void *arg)
{
	struct job *j = arg;
	/* Sharing PID 1's fd table until this returns (spawn_fds.h). */
	if (j->share_fds && spawn_fds_unshare() < 0)
		child_fail(j, 126, "unshare", NULL);
	child_setup(j);
	child_exec(j, j->def->exec[0].argv);
}

static void __attribute__((noreturn)) child_multi(struct job *j)
{
	child_setup(j);
	/* Setup done: the commands' own failures go to the console. */
	close(j->exec_wfd);
	j->exec_wfd = -1;
	const struct svc_def *def = j->def;
	for (size_t i = 0; i < def->nexec; i++) {
		pid_t pid = fork();
		if (pid < 0)
			child_fail(j, 126, "fork", NULL);
		if (pid == 0)
			child_exec(j, def->exec[i].argv);
		int st;
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				child_fail(j, 126, "waitpid", NULL);
		if (WIFSIGNALED(st)) {
			signal(WTERMSIG(st), SIG_DFL);
			raise(WTERMSIG(st));
			_exit(128 + WTERMSIG(st));
		}
		if (WEXITSTATUS(st) != 0)
			_exit(WEXITSTATUS(st));
	}
	_exit(0);
}

/* ---- parent side ---- */

static char path_buf_sync[PATH_MAX];

/*
 * Starts in flight. Waiting (CLONE_VFORK) for each child to reach its exec
 * serialises a burst of starts: 200 services wait for 200 execs one after
 * the other, while a second CPU could run them. So up to SLOTS children
 * run on stacks of their own while PID 1 goes on, each with its own copy
 * of struct job in the slot. The kernel tells when a child is done with
 * our memory: CLONE_CHILD_CLEARTID makes it zero slot->tid (and wake a
 * futex on it) when the child's exec drops our address space, or when it
 * exits. Until then nothing in the slot is touched. spawn_collect, called
 * by the supervisor before PID 1 sleeps, waits for the rest and reports
 * each outcome; with every slot busy a start waits for the oldest one.
 * Both waits are bounded (spawn_flight.c): a child still on its way after
 * FLIGHT_FRESH_MS keeps its slot and PID 1 goes on; with no slot to be
 * had, a start forks.
 * The child and PID 1 do share errno while both run: a failing call in
 * one can change the other's; only error texts could be affected.
 */
struct slot {
	volatile pid_t tid;  /* nonzero while the child may use the slot */
	pid_t pid;
	bool busy;           /* outcome not yet taken */
	uint64_t since_ms;   /* clone time */
	struct job job;
	char *stack_top;
};
static struct slot slots[SLOTS];
/* One mapping for all slots, page-aligned: each slot is its command-search
 * buffer (touched only when PATH is searched) and above it a stack (a start
 * touches its top page). Released as a whole after a burst, so between
 * bursts none of it is resident. */
#define SLOT_STACK (16 * 1024)
#define SLOT_SIZE (PATH_MAX + SLOT_STACK)
static char *slot_stacks;
static bool slots_used; /* pages touched since the last release */

/* Outcomes taken from slots but not yet reported. */
static struct spawn_done {
	pid_t pid;
	bool failed;
	char *why; /* NULL if exec'd (or no memory for the text) */
} *done;
static size_t ndone, done_cap;

/* True once the child is done with the slot; waits while it is fresh. */
static bool slot_wait(struct slot *sl)
{
	for (;;) {
		pid_t t = __atomic_load_n(&sl->tid, __ATOMIC_ACQUIRE);
		if (t == 0)
			return true;
		uint64_t now = flight_now_ms(), until = sl->since_ms + FLIGHT_FRESH_MS;
		if (now >= until)
			return false;
		/* A timeout as well, so a missed wake-up costs 10 ms, not a hang. */
		long ms = until - now < 10 ? (long)(until - now) : 10;
		futex_wait(&sl->tid, t, ms * 1000 * 1000);
	}
}

static char *job_reason(const struct job *j)
{
	char *why = strdup(j->err);
	char *nl = why ? strchr(why, '\n') : NULL;
	if (nl)
		*nl = '\0';
	return why;
}

/* Moves a finished slot's outcome to the done list and frees the slot.
 * Out of memory for the list: the outcome is reported at once instead. */
static void slot_take(struct slot *sl, void (*report)(pid_t, const char *))
{
	spawn_fds_release((unsigned)(sl - slots));
	char *why = sl->job.failed ? job_reason(&sl->job) : NULL;
	if (ndone == done_cap) {
		size_t ncap = done_cap ? done_cap * 2 : 16;
		struct spawn_done *nd = realloc(done, ncap * sizeof *nd);
		if (nd) {
			done = nd;
			done_cap = ncap;
		}
	}
	if (ndone < done_cap)
		done[ndone++] = (struct spawn_done){ sl->pid, sl->job.failed, why };
	else if (report) {
		report(sl->pid, sl->job.failed ? (why ? why : "cannot run") : NULL);
		free(why);
	} else {
		/* Out of memory in the middle of a burst: this start is not
		 * confirmed; its ready line, its exit or its timeout still
		 * settle it. */
		free(why);
	}
	/* not compared with base_env: a reload may have replaced it since */
	if (sl->job.env_owned)
		free(sl->job.env);
	free(sl->job.groups);
	sl->busy = false;
	flight_done(sl->pid);
}

/* Every slot is free (its child exec'd or exited): their pages go back to
 * the kernel, zero-filled again at the next start. */
static void slots_release(void)
{
	if (!slots_used)
		return;
	slots_used = false;
	if (madvise(slot_stacks, SLOTS * SLOT_SIZE, MADV_DONTNEED) < 0) {
		/* kept resident: only memory is lost, and only until the next try */
	}
}

size_t spawn_collect(void (*report)(pid_t pid, const char *why))
{
	bool busy = false;
	for (unsigned i = 0; i < SLOTS; i++) {
		struct slot *sl = &slots[i];
		if (!sl->busy)
			continue;
		if (slot_wait(sl)) {
			slot_take(sl, report);
			continue;
		}
		busy = true;
	}
	if (!busy) {
		slots_release();
		flight_idle(); /* nothing shares PID 1's memory now */
	}
	size_t n = ndone;
	/* Reporting may start more services: take the list first. */
	struct spawn_done *list = done;
	done = NULL;
	ndone = done_cap = 0;
	for (size_t i = 0; i < n; i++) {
		report(list[i].pid, list[i].failed ? (list[i].why ? list[i].why : "cannot run") : NULL);
		free(list[i].why);
	}
	free(list);
	return n;
}

uint64_t spawn_next_deadline(void)
{
	uint64_t now = flight_now_ms(), next = flight_check(now);
	for (unsigned i = 0; i < SLOTS; i++) {
		if (!slots[i].busy)
			continue;
		uint64_t d = flight_next_look(slots[i].since_ms, now);
		if (!next || d < next)
			next = d;
	}
	return next;
}

/* A free slot, waiting for the oldest one while it is fresh if all are
 * busy; NULL if none can be had (no memory for the stacks, or every slot
 * held by a child that is slow to exec). */
static struct slot *slot_get(void)
{
	if (!slot_stacks) {
		void *m = mmap(NULL, SLOTS * SLOT_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		if (m == MAP_FAILED)
			return NULL;
		slot_stacks = m;
		for (unsigned i = 0; i < SLOTS; i++)
			slots[i].stack_top = slot_stacks + (i + 1) * SLOT_SIZE;
	}
	for (unsigned i = 0; i < SLOTS; i++) {
		struct slot *sl = &slots[i];
		if (sl->busy && __atomic_load_n(&sl->tid, __ATOMIC_ACQUIRE) == 0)
			slot_take(sl, NULL);
		if (!sl->busy)
			return sl;
	}
	struct slot *old = &slots[0];
	for (unsigned i = 1; i < SLOTS; i++)
		if (slots[i].since_ms < old->since_ms)
			old = &slots[i];
	if (!slot_wait(old))
		return NULL;
	slot_take(old, NULL);
	return old;
}

pid_t spawn_service(const struct svc_def *def, int *ready_rfd, int *exec_rfd, const char **why,
		    bool *pending)
{
	int rp[2] = { -1, -1 }, ep[2] = { -1, -1 };
	/* Opened once and kept (close-on-exec); retried while it fails, as
	 * /dev may be populated only after the first services start. */
	static int null_fd = -1;
	if (null_fd < 0)
		null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct job j = { .def = def, .ready_wfd = -1, .exec_wfd = -1, .null_fd = null_fd,
			 .path_buf = path_buf_sync, .out_fd = next_out, .err_fd = next_err,
			 .pid_var = next_pid_var };
	bool detached = next_detached;
	next_out = next_err = -1;
	next_pid_var = NULL;
	next_detached = false;
	pid_t pid = -1;
	char *const *extra[2] = { extra_env[0], extra_env[1] };
	extra_env[0] = extra_env[1] = NULL;
	*ready_rfd = -1;
	*exec_rfd = -1;
	*why = NULL;
	*pending = false;

	if (def->o->user || def->o->group) {
		j.set_ids = j.set_groups = true;
		j.resolve = spawn_ids_need_lookup(def->o->user, def->o->group, &j.gid);
	}
	/* Most services add nothing to the base environment: no copy. */
	j.env_owned = def->o->nenv || extra[0] || !base_env;
	j.env = j.env_owned ? envbuild(base_env, def->o->env, def->o->nenv, extra) : base_env;
	if (!j.env)
		goto out;
	for (char **e = j.env; *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			j.path = *e + 5;
	j.shared = def->nexec == 1 && !SPAWN_FORK_ONLY && !j.resolve && !detached;
	struct slot *sl = j.shared ? slot_get() : NULL;
	j.shared = sl != NULL; /* else a fork, which nobody waits for */
	if (!j.shared && pipe2(ep, O_CLOEXEC) < 0)
		goto out;
	if (def->ready == SVC_READY_FD && pipe2(rp, O_CLOEXEC) < 0)
		goto out;
	j.exec_wfd = ep[1];
	j.ready_wfd = rp[1];

	if (sl) {
		/* The slot keeps env and groups until the child is done with
		 * them. Both clones: the stack grows down, as on every
		 * architecture Linux runs keel on but PA-RISC and IA-64, where
		 * this needs adapting. */
		sl->job = j;
		sl->job.path_buf = slot_stacks + (size_t)(sl - slots) * SLOT_SIZE;
		int *mine[] = { &sl->job.out_fd, &sl->job.err_fd, &sl->job.null_fd, &sl->job.ready_wfd };
		sl->job.share_fds = spawn_fds_place((unsigned)(sl - slots), mine, sizeof mine / sizeof mine[0]);
		slots_used = true;
		sl->tid = -1;
		sl->since_ms = flight_now_ms();
		pid = clone(child_single, sl->stack_top,
			    CLONE_VM | CLONE_CHILD_CLEARTID | SIGCHLD | (sl->job.share_fds ? CLONE_FILES : 0),
			    &sl->job, NULL, NULL, (void *)&sl->tid);
		if (pid > 0) {
			sl->pid = pid;
			sl->busy = true;
			j.env = NULL; /* the slot owns them now */
			j.groups = NULL;
			*pending = true;
		} else {
			sl->tid = 0;
			spawn_fds_release((unsigned)(sl - slots));
		}
	} else {
		pid = fork();
		if (pid == 0) {
			if (def->nexec == 0)
				_exit(0);
			if (def->nexec == 1)
				child_single(&j);
			child_multi(&j);
		}
	}
	if (pid < 0)
		goto out;
	if (!detached)
		flight_add(pid, def->instance);
	/* The parent reads both pipes from its event loop: non-blocking. Only
	 * its own ends: the service's end of the ready pipe stays blocking (a
	 * service that writes much before its newline waits, it is not failed
	 * with EAGAIN). These calls run while the child is on its way to exec. */
	if (ep[0] >= 0) {
		fcntl(ep[0], F_SETFL, O_NONBLOCK);
		*exec_rfd = ep[0];
		ep[0] = -1;
	}
	if (rp[0] >= 0) {
		fcntl(rp[0], F_SETFL, O_NONBLOCK);
		*ready_rfd = rp[0];
		rp[0] = -1;
	}
out:;
	int e = errno;
	for (int i = 0; i < 2; i++) {
		if (ep[i] >= 0)
			close(ep[i]);
		if (rp[i] >= 0)
			close(rp[i]);
	}
	if (j.env_owned)
		free(j.env);
	free(j.groups);
	errno = e;
	return pid;
}
