/* supervisor: the services' state machines — start, readiness, respawn, stop, targets. */
#include "supervisor.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "pidmap.h"
#include "spawn.h"
#include "svcdiff.h"

/* A respawned process that lived this long is healthy: its next crash
 * restarts it at once and the backoff starts over. */
#define SUP_HEALTHY_MS 10000UL
/* The shutdown/reboot target gets this long before the remaining processes
 * are killed: a hung shutdown script must not keep the device up forever. */
#define SUP_FINAL_TARGET_MS 30000UL
/* After SIGTERM to everything left, this long before SIGKILL. */
#define SUP_KILL_GRACE_MS 2000UL
#define SUP_KILL_WAIT_MS 1000UL

struct plan {
	size_t *members; /* indices into svcs; graph node i is members[i] */
	size_t n;
	struct graph g;
	bool active;
	bool reached; /* every member settled once: announced */
};

static struct svc **svcs;
static size_t nsvcs;
static struct plan plans[SVC_TARGET_COUNT];
static struct diags config_diags;
static const struct services_conf *conf;
static enum sup_phase phase = SUP_PHASE_RUN;
static enum sup_action action = SUP_ACTION_NONE;
static enum svc_target final_target = SVC_TARGET_SHUTDOWN;
static uint64_t phase_deadline_ms;
static bool kill_escalated;
static bool no_children;
static int ino_fd = -1;
static struct svc *rescue;
static struct svc **fd_owner; /* ready pipe fd -> service */
/* Some state changed since the last pass over the plans: only then can a
 * waiting service have become startable. Saves O(services) per event. */
static bool dirty = true;
static size_t fd_owner_cap;

static const char *const state_names[SUP_STATE_COUNT] = {
	[SUP_INACTIVE] = "inactive", [SUP_WAITING] = "waiting",
	[SUP_STARTING] = "starting", [SUP_RUNNING] = "running",
	[SUP_DONE] = "done",         [SUP_FAILED] = "failed",
	[SUP_BACKOFF] = "backoff",   [SUP_STOPPING] = "stopping",
	[SUP_STOPPED] = "stopped",   [SUP_SKIPPED] = "skipped",
};

const char *sup_state_name(enum sup_state st)
{
	return st < SUP_STATE_COUNT ? state_names[st] : "?";
}

uint64_t sup_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

size_t sup_count(void) { return nsvcs; }
struct svc *sup_get(size_t i) { return i < nsvcs ? svcs[i] : NULL; }
const struct diags *sup_diags(void) { return &config_diags; }
const char *sup_service_dir(void) { return conf->service_dir; }
enum sup_action sup_action(void) { return action; }
enum sup_phase sup_phase(void) { return phase; }
int sup_inotify_fd(void) { return ino_fd; }

static const char *svc_label(const struct svc *s)
{
	return s->def->description ? s->def->description : s->def->instance;
}

static void svc_set_reason(struct svc *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void svc_set_reason(struct svc *s, const char *fmt, ...)
{
	va_list ap;
	char *r = NULL;
	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		r = NULL;
	va_end(ap);
	free(s->reason);
	s->reason = r; /* NULL on allocation failure: status shows no reason */
}

static void svc_set_state(struct svc *s, enum sup_state st)
{
	if (s->state != st)
		log_debug("%s: %s -> %s", s->def->instance, sup_state_name(s->state),
			  sup_state_name(st));
	s->state = st;
	s->state_ms = sup_now_ms();
	dirty = true;
}

/* Describe a wait status the same way everywhere. */
static void status_text(int st, char *buf, size_t len)
{
	if (st < 0)
		snprintf(buf, len, "-");
	else if (WIFEXITED(st))
		snprintf(buf, len, "exit %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, len, "signal %s",
			 svc_signal_name(WTERMSIG(st)) ? svc_signal_name(WTERMSIG(st)) : "?");
	else
		snprintf(buf, len, "status %d", st);
}

static void svc_fail(struct svc *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void svc_fail(struct svc *s, const char *fmt, ...)
{
	va_list ap;
	char *r = NULL;
	va_start(ap, fmt);
	if (vasprintf(&r, fmt, ap) < 0)
		r = NULL;
	va_end(ap);
	free(s->reason);
	s->reason = r;
	s->deadline_ms = 0;
	svc_set_state(s, SUP_FAILED);
	log_msg("[FAIL] %s: %s", svc_label(s), r ? r : "failed");
}

static void svc_announce(struct svc *s)
{
	if (!s->announced) {
		s->announced = true;
		log_msg("[ OK ] %s", svc_label(s));
	}
}

/* ---- ready fds and files ---- */

static void fd_owner_set(int fd, struct svc *s)
{
	if ((size_t)fd >= fd_owner_cap) {
		size_t ncap = fd_owner_cap ? fd_owner_cap : 64;
		while (ncap <= (size_t)fd)
			ncap *= 2;
		struct svc **n = realloc(fd_owner, ncap * sizeof *n);
		if (!n)
			return; /* the fd then goes unnoticed; the ready timeout still applies */
		memset(n + fd_owner_cap, 0, (ncap - fd_owner_cap) * sizeof *n);
		fd_owner = n;
		fd_owner_cap = ncap;
	}
	fd_owner[fd] = s;
}

static void svc_ready_cleanup(struct svc *s)
{
	if (s->ready_rfd >= 0) {
		loop_unwatch_fd(s->ready_rfd);
		if ((size_t)s->ready_rfd < fd_owner_cap)
			fd_owner[s->ready_rfd] = NULL;
		close(s->ready_rfd);
		s->ready_rfd = -1;
	}
	if (s->ready_wd >= 0) {
		inotify_rm_watch(ino_fd, s->ready_wd);
		s->ready_wd = -1;
	}
}

/* The next time something must happen to a running process: its ready
 * timeout while starting, its run timeout (wait/once `timeout`). */
static uint64_t svc_run_deadline(const struct svc *s)
{
	uint64_t d = 0;
	if (s->def->timeout_ms && s->def->type != SVC_TYPE_RESPAWN)
		d = s->start_ms + s->def->timeout_ms;
	if (s->state == SUP_STARTING && s->def->ready != SVC_READY_NONE &&
	    s->def->ready_timeout_ms) {
		uint64_t r = s->start_ms + s->def->ready_timeout_ms;
		if (!d || r < d)
			d = r;
	}
	return d;
}

static void svc_exec_cleanup(struct svc *s)
{
	if (s->exec_rfd >= 0) {
		loop_unwatch_fd(s->exec_rfd);
		if ((size_t)s->exec_rfd < fd_owner_cap)
			fd_owner[s->exec_rfd] = NULL;
		close(s->exec_rfd);
		s->exec_rfd = -1;
	}
}

static void svc_became_ready(struct svc *s)
{
	svc_ready_cleanup(s);
	s->was_ready = true;
	svc_set_state(s, SUP_RUNNING);
	s->deadline_ms = svc_run_deadline(s);
	if (s->def->type != SVC_TYPE_WAIT)
		svc_announce(s);
}

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Watch the directory, not the file: the file does not exist yet. */
static void svc_watch_ready_file(struct svc *s)
{
	char *dir = strdup(s->def->ready_file);
	if (!dir)
		return;
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	if (ino_fd >= 0)
		s->ready_wd = inotify_add_watch(ino_fd, dir,
						IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_CLOSE_WRITE);
	if (s->ready_wd < 0)
		log_debug("%s: cannot watch %s (%s): checking on each event", s->def->instance,
			  dir, strerror(errno));
	free(dir);
}

void sup_ready_fd_event(int fd)
{
	struct svc *s = (size_t)fd < fd_owner_cap ? fd_owner[fd] : NULL;
	if (!s) {
		loop_unwatch_fd(fd);
		return;
	}
	char buf[256];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r > 0) {
			if (memchr(buf, '\n', (size_t)r)) {
				svc_became_ready(s);
				return;
			}
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		/* EOF without a newline: the service gave up on telling us; only
		 * its exit or the timeout can settle it now. */
		svc_ready_cleanup(s);
		return;
	}
}

/* The exec pipe reached end of file with no report: the command runs. */
static void svc_exec_done(struct svc *s)
{
	svc_exec_cleanup(s);
	if (s->reason || s->state != SUP_STARTING)
		return; /* failed: its exit follows; or already ready */
	switch (s->def->ready) {
	case SVC_READY_NONE:
		svc_became_ready(s);
		break;
	case SVC_READY_FILE:
		if (file_exists(s->def->ready_file))
			svc_became_ready(s);
		else
			svc_watch_ready_file(s);
		break;
	case SVC_READY_FD:
		break;
	}
}

/* Read what the child reported; true at end of file. */
static bool svc_exec_read(struct svc *s)
{
	char buf[512];
	for (;;) {
		ssize_t r = read(s->exec_rfd, buf, sizeof buf - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno != EAGAIN;
		if (r == 0)
			return true;
		buf[r] = '\0';
		char *nl = strchr(buf, '\n');
		if (nl)
			*nl = '\0';
		if (!s->reason)
			s->reason = strdup(buf); /* the first line says it all */
	}
}

void sup_exec_fd_event(int fd)
{
	struct svc *s = (size_t)fd < fd_owner_cap ? fd_owner[fd] : NULL;
	if (!s || s->exec_rfd != fd) {
		loop_unwatch_fd(fd);
		return;
	}
	if (svc_exec_read(s))
		svc_exec_done(s);
}

void sup_inotify_event(void)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	while (read(ino_fd, buf, sizeof buf) > 0)
		; /* contents do not matter: check every waiting file below */
	for (size_t i = 0; i < nsvcs; i++) {
		struct svc *s = svcs[i];
		if (s->state == SUP_STARTING && s->def->ready == SVC_READY_FILE &&
		    file_exists(s->def->ready_file))
			svc_became_ready(s);
	}
}

/* ---- start and stop ---- */

static void svc_start(struct svc *s)
{
	int rfd = -1, efd = -1;
	const char *why = NULL;
	s->deadline_ms = 0;
	pid_t pid = spawn_service(s->def, &rfd, &efd, &why);
	if (pid < 0) {
		svc_fail(s, "cannot start: %s", why ? why : strerror(errno));
		return;
	}
	s->pid = pid;
	s->start_ms = sup_now_ms();
	if (pidmap_put(pid, s) < 0)
		log_msg("warning: %s: out of memory tracking pid %d", s->def->instance, (int)pid);
	free(s->reason);
	s->reason = NULL;
	s->exec_rfd = efd;
	fd_owner_set(efd, s);
	loop_watch_exec_fd(efd);
	if (s->def->ready == SVC_READY_FD) {
		s->ready_rfd = rfd;
		fd_owner_set(rfd, s);
		loop_watch_fd(rfd);
	}
	/* Started for its dependents only once exec'd (and ready, with a
	 * `ready` line): svc_exec_done and the ready events move it on. */
	svc_set_state(s, SUP_STARTING);
	s->deadline_ms = svc_run_deadline(s);
}

static void svc_signal(struct svc *s, int sig)
{
	/* The service leads its own process group (setsid in spawn): signal the
	 * group so helpers die with it; fall back to the pid if it has not got
	 * there yet. */
	if (kill(-s->pid, sig) < 0)
		kill(s->pid, sig);
}

static void svc_stop(struct svc *s, enum sup_state to)
{
	switch (s->state) {
	case SUP_STARTING:
	case SUP_RUNNING:
		svc_ready_cleanup(s);
		s->stop_to = to;
		svc_signal(s, s->def->stop_signal);
		if (s->def->stop_signal != SIGCONT)
			svc_signal(s, SIGCONT); /* a stopped process must see the signal */
		s->deadline_ms = sup_now_ms() + s->def->stop_grace_ms;
		svc_set_state(s, SUP_STOPPING);
		break;
	case SUP_WAITING:
	case SUP_BACKOFF:
		s->deadline_ms = 0;
		svc_set_state(s, to);
		break;
	default:
		break;
	}
}

static bool svc_active(const struct svc *s)
{
	return s->pid > 0;
}

/* ---- dependencies ---- */

static bool svc_terminal(const struct svc *s)
{
	switch (s->state) {
	case SUP_INACTIVE:
	case SUP_DONE:
	case SUP_FAILED:
	case SUP_STOPPED:
	case SUP_SKIPPED:
		return true;
	default:
		return false;
	}
}

/* Has s done what its dependents wait for? (`wait`: exited; others: started
 * and, with a `ready` line, ready). */
static bool svc_settled(const struct svc *s)
{
	if (s->def->type == SVC_TYPE_WAIT)
		return svc_terminal(s);
	return s->was_ready || svc_terminal(s);
}

static bool svc_succeeded(const struct svc *s)
{
	if (s->def->type == SVC_TYPE_WAIT)
		return s->state == SUP_DONE;
	return s->was_ready && s->state != SUP_FAILED && s->state != SUP_SKIPPED;
}

/* One pass over a plan in topological order: a skip or a start early in the
 * order is seen by later services in the same pass. */
static void plan_start_ready_members(struct plan *p)
{
	for (size_t k = 0; k < p->g.norder; k++) {
		size_t i = p->g.order[k];
		struct svc *s = svcs[p->members[i]];
		if (s->state != SUP_WAITING || !s->want_up)
			continue;
		const struct graph_node *nd = &p->g.nodes[i];
		bool blocked = false;
		struct svc *failed_dep = NULL;
		for (size_t e = 0; e < nd->ndeps; e++) {
			struct svc *d = svcs[p->members[nd->deps[e].dep]];
			if (!svc_settled(d)) {
				blocked = true;
				break;
			}
			if (nd->deps[e].hard && !svc_succeeded(d))
				failed_dep = d;
		}
		if (blocked)
			continue;
		if (failed_dep) {
			svc_set_reason(s, "required service %s %s", failed_dep->def->instance,
				       sup_state_name(failed_dep->state));
			svc_set_state(s, SUP_SKIPPED);
			log_msg("[SKIP] %s: %s", svc_label(s), s->reason ? s->reason : "");
			continue;
		}
		svc_start(s);
	}
	if (!p->reached && p->active) {
		for (size_t i = 0; i < p->n; i++)
			if (!svc_settled(svcs[p->members[i]]))
				return;
		p->reached = true;
		struct timespec ts;
		clock_gettime(CLOCK_BOOTTIME, &ts);
		log_msg("target %s reached (%zu services) at %ld.%03lds uptime",
			svc_target_name((enum svc_target)(p - plans)), p->n, (long)ts.tv_sec,
			ts.tv_nsec / 1000000);
	}
}

/* ---- plans ---- */

static void plans_free(void)
{
	for (int t = 0; t < SVC_TARGET_COUNT; t++) {
		free(plans[t].members);
		plans[t].members = NULL;
		plans[t].n = 0;
		graph_free(&plans[t].g);
	}
}

/* Rebuild every target's graph over the services not being removed.
 * Diagnostics of the graph go to config_diags. */
static int plans_build(void)
{
	bool was_active[SVC_TARGET_COUNT], was_reached[SVC_TARGET_COUNT];
	for (int t = 0; t < SVC_TARGET_COUNT; t++) {
		was_active[t] = plans[t].active;
		was_reached[t] = plans[t].reached;
	}
	plans_free();
	for (size_t i = 0; i < nsvcs; i++)
		svcs[i]->node = SIZE_MAX;
	for (int t = 0; t < SVC_TARGET_COUNT; t++) {
		struct plan *p = &plans[t];
		p->active = was_active[t];
		p->reached = was_reached[t];
		size_t n = 0;
		for (size_t i = 0; i < nsvcs; i++)
			if (!svcs[i]->removed && svcs[i]->def->target == (enum svc_target)t)
				n++;
		p->members = calloc(n ? n : 1, sizeof *p->members);
		struct svc_def **defs = calloc(n ? n : 1, sizeof *defs);
		if (!p->members || !defs) {
			free(defs);
			return -1;
		}
		for (size_t i = 0; i < nsvcs; i++)
			if (!svcs[i]->removed && svcs[i]->def->target == (enum svc_target)t) {
				svcs[i]->node = p->n;
				defs[p->n] = svcs[i]->def;
				p->members[p->n++] = i;
			}
		int r = graph_build(defs, p->n, &p->g, &config_diags);
		free(defs);
		if (r < 0) {
			/* No graph: forget the members so nothing indexes it. */
			for (size_t i = 0; i < p->n; i++)
				svcs[p->members[i]]->node = SIZE_MAX;
			p->n = 0;
			return -1;
		}
		for (size_t i = 0; i < p->n; i++) {
			struct svc *s = svcs[p->members[i]];
			if (p->g.nodes[i].skipped && s->state == SUP_INACTIVE) {
				svc_set_state(s, SUP_SKIPPED);
				svc_set_reason(s, "dependency error (see diagnostics)");
			}
		}
	}
	return 0;
}

static struct svc *svc_new(struct svc_def *def)
{
	struct svc *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->def = def;
	s->ready_rfd = -1;
	s->exec_rfd = -1;
	s->ready_wd = -1;
	s->last_status = -1;
	s->stop_to = SUP_STOPPED;
	s->node = SIZE_MAX;
	s->state_ms = sup_now_ms();
	return s;
}

static void svc_free(struct svc *s)
{
	svc_ready_cleanup(s);
	svc_exec_cleanup(s);
	svc_def_free(s->def);
	svc_def_free(s->next_def);
	free(s->reason);
	free(s);
}

int sup_init(struct svc_set *set, struct diags *diags, const struct services_conf *c)
{
	conf = c;
	diags_move(&config_diags, diags);
	ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ino_fd < 0)
		log_msg("warning: inotify unavailable (%s): `ready file` falls back to timeouts",
			strerror(errno));
	svcs = calloc(set->n ? set->n : 1, sizeof *svcs);
	if (!svcs)
		return -1;
	for (size_t i = 0; i < set->n; i++) {
		struct svc *s = svc_new(set->v[i]);
		if (!s)
			return -1;
		set->v[i] = NULL;
		svcs[nsvcs++] = s;
	}
	svc_set_free(set);
	int r = plans_build();
	for (size_t i = 0; i < config_diags.n; i++)
		log_diag(&config_diags.v[i]);
	return r;
}

void sup_start_target(enum svc_target t)
{
	struct plan *p = &plans[t];
	dirty = true;
	p->active = true;
	p->reached = false;
	for (size_t i = 0; i < p->n; i++) {
		struct svc *s = svcs[p->members[i]];
		if (p->g.nodes[i].skipped)
			continue;
		if (svc_active(s) || s->state == SUP_BACKOFF || s->state == SUP_WAITING)
			continue;
		s->want_up = true;
		s->was_ready = false;
		s->announced = false;
		svc_set_state(s, SUP_WAITING);
	}
}

bool sup_target_empty(enum svc_target t)
{
	for (size_t i = 0; i < plans[t].n; i++)
		if (!plans[t].g.nodes[i].skipped)
			return false;
	return true;
}

int sup_start_rescue(void)
{
	static const char text[] = "description \"rescue shell (keel.single)\"\n"
				   "type wait\n"
				   "tty /dev/console\n"
				   "exec /bin/sh\n";
	struct diags d = { 0 };
	struct svc_def *def = svc_parse(text, sizeof text - 1, "(built-in)", "rescue", &d);
	diags_free(&d);
	if (!def)
		return -1;
	rescue = svc_new(def);
	if (!rescue) {
		svc_def_free(def);
		return -1;
	}
	log_msg("single-user mode: the boot target starts when the rescue shell exits");
	rescue->want_up = true;
	svc_start(rescue);
	return 0;
}

/* ---- exits ---- */

static void svc_respawn_or_fail(struct svc *s, uint64_t now)
{
	const struct svc_def *d = s->def;
	uint64_t lived = now - s->start_ms;

	if (d->respawn_limit) {
		if (d->respawn_window_ms && now - s->window_start_ms > d->respawn_window_ms) {
			s->window_start_ms = now;
			s->window_restarts = 0;
		}
		if (s->window_restarts >= d->respawn_limit) {
			svc_fail(s, "respawned %u times, giving up", s->window_restarts);
			return;
		}
		s->window_restarts++;
	}
	if (lived >= SUP_HEALTHY_MS)
		s->delay_ms = 0;
	else if (s->delay_ms == 0)
		s->delay_ms = d->respawn_delay_ms;
	else
		s->delay_ms = s->delay_ms * 2 > d->respawn_max_delay_ms ? d->respawn_max_delay_ms
									 : s->delay_ms * 2;
	s->restarts++;
	if (s->delay_ms == 0) {
		svc_start(s);
		return;
	}
	svc_set_state(s, SUP_BACKOFF);
	s->deadline_ms = now + s->delay_ms;
	if (s->delay_ms >= 1000)
		log_msg("%s: crashing, next restart in %lus", s->def->instance, s->delay_ms / 1000);
}

static void svc_exited(struct svc *s, int st)
{
	uint64_t now = sup_now_ms();
	char how[48];
	bool ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;

	pidmap_del(s->pid);
	s->pid = 0;
	s->last_status = st;
	s->deadline_ms = 0;
	if (s->exec_rfd >= 0)
		svc_exec_read(s); /* the child wrote its report before exiting */
	svc_exec_cleanup(s);
	svc_ready_cleanup(s);
	status_text(st, how, sizeof how);

	if (s->state == SUP_STOPPING) {
		svc_set_state(s, s->stop_to);
		if (s->restart_after_stop) {
			s->restart_after_stop = false;
			if (s->next_def) {
				svc_def_free(s->def);
				s->def = s->next_def;
				s->next_def = NULL;
			}
			if (s->want_up && phase == SUP_PHASE_RUN)
				svc_start(s);
		}
		return;
	}
	if (s->def->type == SVC_TYPE_RESPAWN && s->want_up && phase == SUP_PHASE_RUN) {
		log_debug("%s: exited (%s)", s->def->instance, how);
		svc_respawn_or_fail(s, now);
		return;
	}
	if (ok) {
		/* A `once` that exits 0 before signalling readiness did its job. */
		s->was_ready = true;
		svc_set_state(s, SUP_DONE);
		if (s->def->type == SVC_TYPE_WAIT)
			svc_announce(s);
		return;
	}
	if (s->reason) {
		char *r = s->reason;
		s->reason = NULL;
		svc_fail(s, "%s (%s)", r, how);
		free(r);
	} else {
		svc_fail(s, "%s", how);
	}
}

void sup_reap(void)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);
		if (pid > 0) {
			struct svc *s = pidmap_get(pid);
			if (s)
				svc_exited(s, st);
			if (rescue && s == rescue && phase == SUP_PHASE_RUN) {
				log_msg("rescue shell exited: starting target boot");
				sup_start_target(SVC_TARGET_BOOT);
			}
			continue;
		}
		if (pid < 0 && errno == EINTR)
			continue;
		no_children = pid < 0 && errno == ECHILD;
		return;
	}
}

/* ---- timers ---- */

void sup_timer_event(void)
{
	uint64_t now = sup_now_ms();
	for (size_t i = 0; i < nsvcs; i++) {
		struct svc *s = svcs[i];
		if (!s->deadline_ms || s->deadline_ms > now)
			continue;
		s->deadline_ms = 0;
		switch (s->state) {
		case SUP_BACKOFF:
			if (s->want_up && phase == SUP_PHASE_RUN)
				svc_start(s);
			break;
		case SUP_STARTING:
		case SUP_RUNNING:
			if (s->def->timeout_ms && s->def->type != SVC_TYPE_RESPAWN &&
			    now >= s->start_ms + s->def->timeout_ms) {
				svc_set_reason(s, "still running after %lu ms", s->def->timeout_ms);
			} else if (s->state == SUP_STARTING && s->def->ready_timeout_ms &&
				   now >= s->start_ms + s->def->ready_timeout_ms) {
				svc_set_reason(s, "not ready within %lu ms", s->def->ready_timeout_ms);
			} else {
				s->deadline_ms = svc_run_deadline(s);
				break;
			}
			log_msg("[FAIL] %s: %s", svc_label(s), s->reason ? s->reason : "timeout");
			svc_stop(s, SUP_FAILED);
			break;
		case SUP_STOPPING:
			log_msg("%s: still running %lu ms after %s: killing", s->def->instance,
				s->def->stop_grace_ms, svc_signal_name(s->def->stop_signal));
			svc_signal(s, SIGKILL);
			break;
		default:
			break;
		}
	}
}

uint64_t sup_next_deadline(void)
{
	uint64_t next = phase_deadline_ms;
	for (size_t i = 0; i < nsvcs; i++) {
		uint64_t d = svcs[i]->deadline_ms;
		if (d && (!next || d < next))
			next = d;
	}
	return next;
}

/* ---- shutdown ---- */

void sup_shutdown(enum sup_action a)
{
	if (phase != SUP_PHASE_RUN)
		return;
	action = a;
	final_target = a == SUP_ACTION_REBOOT ? SVC_TARGET_REBOOT : SVC_TARGET_SHUTDOWN;
	phase = SUP_PHASE_STOPPING;
	log_msg("stopping services");
	for (size_t i = 0; i < nsvcs; i++)
		svcs[i]->want_up = false;
	if (rescue)
		rescue->want_up = false;
}

/* A service may be stopped once every service that waits for it is down:
 * that is the reverse of the start order, with the same parallelism. */
static bool svc_dependents_down(const struct svc *s)
{
	if (s->node == SIZE_MAX)
		return true;
	const struct plan *p = &plans[s->def->target];
	const struct graph_node *nd = &p->g.nodes[s->node];
	for (size_t e = 0; e < nd->nrdeps; e++)
		if (svc_active(svcs[p->members[nd->rdeps[e]]]))
			return false;
	return true;
}

static void step_stopping(void)
{
	bool any_active = false;
	for (size_t i = 0; i < nsvcs; i++) {
		struct svc *s = svcs[i];
		if (s->state == SUP_WAITING || s->state == SUP_BACKOFF)
			svc_stop(s, SUP_STOPPED);
		if (!svc_active(s))
			continue;
		any_active = true;
		if (s->state != SUP_STOPPING && svc_dependents_down(s))
			svc_stop(s, SUP_STOPPED);
	}
	if (rescue && svc_active(rescue)) {
		any_active = true;
		if (rescue->state != SUP_STOPPING)
			svc_stop(rescue, SUP_STOPPED);
	}
	if (any_active)
		return;
	phase = SUP_PHASE_FINAL;
	log_msg("running target %s", svc_target_name(final_target));
	phase_deadline_ms = sup_now_ms() + SUP_FINAL_TARGET_MS;
	/* The final target runs while phase is FINAL; respawn is off (phase
	 * != RUN), so its respawn services behave like `once`. */
	struct plan *p = &plans[final_target];
	p->active = true;
	p->reached = true; /* no "reached" line for the final target */
	for (size_t i = 0; i < p->n; i++) {
		struct svc *s = svcs[p->members[i]];
		if (p->g.nodes[i].skipped)
			continue;
		s->want_up = true;
		s->was_ready = false;
		svc_set_state(s, SUP_WAITING);
	}
}

static void step_final(void)
{
	struct plan *p = &plans[final_target];
	plan_start_ready_members(p);
	bool done = true;
	for (size_t i = 0; i < p->n; i++) {
		struct svc *s = svcs[p->members[i]];
		if (svc_active(s) || s->state == SUP_WAITING)
			done = false;
	}
	if (!done && sup_now_ms() < phase_deadline_ms)
		return;
	if (!done)
		log_msg("target %s did not finish in %lus: going on", svc_target_name(final_target),
			SUP_FINAL_TARGET_MS / 1000);
	phase = SUP_PHASE_KILL;
	log_msg("killing remaining processes");
	kill(-1, SIGTERM);
	kill(-1, SIGCONT);
	kill_escalated = false;
	no_children = false;
	phase_deadline_ms = sup_now_ms() + SUP_KILL_GRACE_MS;
	sup_reap();
}

static void step_kill(void)
{
	if (no_children) {
		phase = SUP_PHASE_DONE;
		phase_deadline_ms = 0;
		return;
	}
	if (sup_now_ms() < phase_deadline_ms)
		return;
	if (!kill_escalated) {
		kill_escalated = true;
		kill(-1, SIGKILL);
		phase_deadline_ms = sup_now_ms() + SUP_KILL_WAIT_MS;
		return;
	}
	log_msg("some processes did not die: going on");
	phase = SUP_PHASE_DONE;
	phase_deadline_ms = 0;
}

void sup_step(void)
{
	enum sup_phase before;
	do {
		before = phase;
		switch (phase) {
		case SUP_PHASE_RUN:
			while (dirty) {
				dirty = false;
				for (int t = 0; t < SVC_TARGET_COUNT; t++)
					if (plans[t].active)
						plan_start_ready_members(&plans[t]);
			}
			break;
		case SUP_PHASE_STOPPING:
			step_stopping();
			break;
		case SUP_PHASE_FINAL:
			step_final();
			break;
		case SUP_PHASE_KILL:
			step_kill();
			break;
		case SUP_PHASE_DONE:
			break;
		}
	} while (phase != before);
}

/* ---- requests ---- */

struct svc *sup_find(const char *name, const char **err)
{
	struct svc *found = NULL;
	size_t generic = 0;
	for (size_t i = 0; i < nsvcs; i++) {
		if (svcs[i]->removed)
			continue;
		if (!strcmp(svcs[i]->def->instance, name))
			return svcs[i];
		if (!strcmp(svcs[i]->def->name, name)) {
			found = svcs[i];
			generic++;
		}
	}
	if (generic == 1)
		return found;
	*err = generic ? "ambiguous name: give the instance (name@arg)" : "no such service";
	return NULL;
}

int sup_request_start(struct svc *s)
{
	if (phase != SUP_PHASE_RUN)
		return -1;
	s->want_up = true;
	if (svc_active(s))
		return 0;
	s->delay_ms = 0;
	s->window_restarts = 0;
	s->window_start_ms = sup_now_ms();
	svc_start(s);
	return 0;
}

int sup_request_stop(struct svc *s)
{
	s->want_up = false;
	s->restart_after_stop = false;
	svc_stop(s, SUP_STOPPED);
	return 0;
}

int sup_request_restart(struct svc *s)
{
	if (phase != SUP_PHASE_RUN)
		return -1;
	s->want_up = true;
	if (svc_active(s)) {
		s->restart_after_stop = true;
		svc_stop(s, SUP_STOPPED);
		return 0;
	}
	return sup_request_start(s);
}

static int cmp_svc_instance(const void *a, const void *b)
{
	return strcmp((*(struct svc *const *)a)->def->instance,
		      (*(struct svc *const *)b)->def->instance);
}

/* index: the live services sorted by instance name, for bsearch. */
static struct svc *find_instance(struct svc **index, size_t n, const char *instance)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(instance, index[mid]->def->instance);
		if (!c)
			return index[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int sup_reload(char **summary)
{
	struct svc_set set = { 0 };
	struct diags nd = { 0 };
	size_t added = 0, changed = 0, removed = 0;

	*summary = NULL;
	if (phase != SUP_PHASE_RUN)
		return -1;
	if (services_load(conf, &set, &nd) < 0) {
		diags_free(&nd);
		return -1;
	}
	/* Drop services that were removed earlier and are down by now. */
	size_t w = 0;
	for (size_t i = 0; i < nsvcs; i++) {
		if (svcs[i]->removed && !svc_active(svcs[i]))
			svc_free(svcs[i]);
		else
			svcs[w++] = svcs[i];
	}
	nsvcs = w;
	struct svc **nv = realloc(svcs, (nsvcs + set.n + 1) * sizeof *nv);
	if (!nv) {
		svc_set_free(&set);
		diags_free(&nd);
		return -1;
	}
	svcs = nv;

	size_t nold = nsvcs, nindex = 0;
	struct svc **index = calloc(nold + 1, sizeof *index);
	if (!index) {
		svc_set_free(&set);
		diags_free(&nd);
		return -1;
	}
	for (size_t i = 0; i < nold; i++) {
		svcs[i]->mark = false;
		if (!svcs[i]->removed)
			index[nindex++] = svcs[i];
	}
	qsort(index, nindex, sizeof *index, cmp_svc_instance);
	for (size_t j = 0; j < set.n; j++) {
		struct svc_def *def = set.v[j];
		set.v[j] = NULL;
		struct svc *old = find_instance(index, nindex, def->instance);
		if (!old) {
			struct svc *s = svc_new(def);
			if (!s) {
				svc_def_free(def);
				continue;
			}
			svcs[nsvcs++] = s;
			added++;
			if (plans[def->target].active && def->target == SVC_TARGET_BOOT) {
				s->want_up = true;
				svc_set_state(s, SUP_WAITING);
			}
			continue;
		}
		old->mark = true;
		if (svcdiff_equal(old->def, def)) {
			svc_def_free(def);
			continue;
		}
		changed++;
		if (svc_active(old) || old->state == SUP_BACKOFF) {
			svc_def_free(old->next_def);
			old->next_def = def;
			old->restart_after_stop = true;
			if (old->state == SUP_BACKOFF) {
				svc_def_free(old->def);
				old->def = old->next_def;
				old->next_def = NULL;
				old->restart_after_stop = false;
			} else {
				svc_stop(old, SUP_STOPPED);
			}
		} else {
			svc_def_free(old->def);
			old->def = def;
			if (old->state == SUP_SKIPPED || old->state == SUP_FAILED)
				svc_set_state(old, SUP_INACTIVE);
			if (plans[def->target].active && def->target == SVC_TARGET_BOOT &&
			    old->state == SUP_INACTIVE) {
				old->want_up = true;
				svc_set_state(old, SUP_WAITING);
			}
		}
	}
	for (size_t i = 0; i < nold; i++) {
		if (svcs[i]->mark || svcs[i]->removed)
			continue;
		removed++;
		svcs[i]->removed = true;
		svcs[i]->want_up = false;
		svc_stop(svcs[i], SUP_STOPPED);
	}
	free(index);
	svc_set_free(&set);

	diags_free(&config_diags);
	diags_move(&config_diags, &nd);
	qsort(svcs, nsvcs, sizeof *svcs, cmp_svc_instance); /* status lists by name */
	int r = plans_build();
	for (size_t i = 0; i < config_diags.n; i++)
		log_diag(&config_diags.v[i]);
	if (asprintf(summary, "%zu added, %zu changed, %zu removed, %zu problems", added,
		     changed, removed, config_diags.n) < 0)
		*summary = NULL;
	log_msg("reload: %zu added, %zu changed, %zu removed", added, changed, removed);
	return r;
}
