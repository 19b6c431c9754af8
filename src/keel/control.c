/* control: PID 1's end of the keelctl socket — non-blocking, bounded memory per client, root gets through. */
/* SPDX-License-Identifier: MIT */
#include "control.h"
#include "badfiles.h"
#include "health.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "conditions.h"
#include "logd.h"
#include "notify.h"
#include "watchdog.h"
#include "ctlproto.h"
#include "log.h"
#include "loop.h"
#include "supervisor.h"
#include "upgrade.h"
#include "events.h"
#include "timeline.h"
#include "trim.h"

/*
 * Invariants: a slot is READING (its request incomplete: at most
 * CONTROL_REQUEST_MS from accept) or WRITING (its answer produced as the
 * socket drains, at most CONTROL_CHUNK bytes ahead: status of 10,000
 * services costs no more per client than status of 10). A client that
 * makes no progress for CONTROL_IDLE_MS is dropped. When every slot is
 * taken, root's new connection takes the slot of the oldest client still
 * reading (then of the slowest writer): held connections and slow senders
 * cannot lock the administrator out. Other uids get at most
 * CONTROL_MAX_PER_UID slots, never the last CONTROL_ROOT_RESERVE, and only
 * read-only requests.
 */
/* What is still to be written of a long answer, in this order. */
enum gen { GEN_NONE, GEN_SVCS, GEN_NAMES, GEN_TIMES, GEN_BAD_SVCS, GEN_BAD_NAMES, GEN_DIAGS, GEN_OK };

struct client {
	int fd; /* -1 = free slot */
	uid_t uid;
	struct buf in, out;
	uint64_t deadline_ms;
	unsigned long long seq; /* accept order */
	uint64_t seq_ms;        /* accept time */
	size_t cursor;          /* the generator's next row */
	enum gen gen;           /* what is still to be written */
	bool answered;
	bool subscribe; /* asked `events` */
	/* The answer when memory is too short to build one: a request that
	 * was carried out (a power action) says so all the same. */
	const char *oom_reply;
};

static int listen_fd = -1;
static struct client clients[CONTROL_MAX_CLIENTS];
static char *share;
static char *sock_path;
static mode_t sock_mode = 0600;
static gid_t sock_gid = (gid_t)-1;
static unsigned long long accept_seq;
static uint64_t paused_until; /* accepting paused (EMFILE) until then */
static bool pause_warned;

KEEL_BOOT void control_set_access(mode_t mode, gid_t gid)
{
	sock_mode = mode & 0777;
	sock_gid = gid;
}

KEEL_BOOT int control_open(const char *path, const char *share_dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	timeline_set_keel_start(sup_now_ms());
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		clients[i].fd = -1;
	share = strdup(share_dir);
	if (strlen(path) >= sizeof sa.sun_path) {
		log_msg("error: control socket path too long: %s", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_msg("error: control socket: %m");
		return -1;
	}
	unlink(path);
	mode_t old = umask(0077);
	int r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (r < 0 || listen(fd, 64) < 0 || loop_add(fd, EPOLLIN, LOOP_LISTEN) < 0) {
		log_msg("error: control socket %s: %m (keelctl will not work)", path);
		close(fd);
		return -1;
	}
	/* Wider access is read-only access (see req_readonly). */
	if (sock_gid != (gid_t)-1 && chown(path, (uid_t)-1, sock_gid) < 0)
		log_msg("warning: control socket %s: chown: %m", path);
	if (sock_mode != 0600 && chmod(path, sock_mode) < 0)
		log_msg("warning: control socket %s: chmod: %m", path);
	listen_fd = fd;
	sock_path = strdup(path);
	return 0;
}

/* Reads and drops what the peer sent and we will not read (so the close
 * is a FIN, not a reset that could destroy the answer before it is read). */
static void drain_input(int fd)
{
	char tmp[512];
	for (int k = 0; k < 16 && recv(fd, tmp, sizeof tmp, MSG_DONTWAIT) > 0; k++) {
	}
}

static void client_release(struct client *c)
{
	c->fd = -1;
	buf_free(&c->in);
	buf_free(&c->out);
	c->gen = GEN_NONE;
}

static void client_close(struct client *c)
{
	loop_del(c->fd);
	drain_input(c->fd);
	/* A child still on its way to exec holds a copy of this fd: the
	 * client must see the end now, not when that child execs. */
	shutdown(c->fd, SHUT_WR);
	close(c->fd);
	client_release(c);
}

void control_close(void)
{
	events_close();
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (clients[i].fd >= 0)
			client_close(&clients[i]);
	if (listen_fd >= 0) {
		loop_del(listen_fd);
		close(listen_fd);
		listen_fd = -1;
	}
	if (sock_path)
		unlink(sock_path);
}

static void refuse(int fd, const char *why)
{
	drain_input(fd);
	/* Best effort: the socket is non-blocking, a short answer fits. */
	if (write(fd, why, strlen(why)) < 0) {
	}
	shutdown(fd, SHUT_WR);
	close(fd);
}

/* A slot for a new client of uid, taking one from a client that holds it
 * without progress when needed (root only); NULL with *why. A newcomer
 * that has sent its request already (keelctl sends with connect) takes
 * the oldest reader's slot; one that has not yet takes only a slot held
 * for CONTROL_GRACE_MS without a request: a flood of silent connections
 * then refuses itself, not the administrator. */
static struct client *slot_for(uid_t uid, bool has_request, const char **why)
{
	struct client *free_slot = NULL, *reader = NULL, *writer = NULL;
	int used = 0, same = 0;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct client *c = &clients[i];
		if (c->fd < 0) {
			if (!free_slot)
				free_slot = c;
			continue;
		}
		used++;
		same += c->uid == uid;
		if (!c->answered && (!reader || c->seq < reader->seq))
			reader = c;
		if (c->answered && (!writer || c->deadline_ms < writer->deadline_ms))
			writer = c;
	}
	if (uid != 0) {
		if (same >= CONTROL_MAX_PER_UID || used >= CONTROL_MAX_CLIENTS - CONTROL_ROOT_RESERVE) {
			*why = "ERR too many clients\n";
			return NULL;
		}
		return free_slot;
	}
	if (free_slot)
		return free_slot;
	struct client *victim = reader ? reader : writer;
	if (!has_request && !(reader && reader->seq_ms + CONTROL_GRACE_MS <= sup_now_ms()))
		victim = NULL;
	if (!victim) {
		*why = "ERR too many clients\n";
		return NULL;
	}
	client_close(victim);
	return victim;
}

static void client_read(struct client *c);
static void client_write(struct client *c);

void control_accept(void)
{
	if (paused_until)
		return;
	/* A bounded batch: the rest of a full backlog is taken next turn. */
	for (int k = 0; k < 64; k++) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				/* The listening socket stays readable: without a
				 * pause this would spin. Try again shortly. */
				paused_until = sup_now_ms() + CONTROL_PAUSE_MS;
				loop_mod(listen_fd, 0, LOOP_LISTEN);
				if (!pause_warned)
					log_msg("warning: control socket: %m: not accepting for %d ms",
						CONTROL_PAUSE_MS);
				pause_warned = true;
			}
			return; /* EAGAIN, or a transient error: epoll tells us again */
		}
		pause_warned = false;
		struct ucred cred;
		socklen_t len = sizeof cred;
		const char *why = "ERR permission denied\n";
		struct client *c = NULL;
		char peek[CONTROL_MAX_REQUEST];
		ssize_t got = recv(fd, peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT);
		bool has_request = got > 0 && memchr(peek, '\n', (size_t)got);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
			c = slot_for(cred.uid, has_request, &why);
		if (!c) {
			refuse(fd, why);
			continue;
		}
		*c = (struct client){ .fd = fd, .uid = cred.uid, .seq = ++accept_seq };
		c->seq_ms = sup_now_ms();
		c->deadline_ms = c->seq_ms + CONTROL_REQUEST_MS;
		if (loop_add(fd, EPOLLIN, LOOP_CLIENT) < 0) {
			/* No room to watch it (out of memory for the loop's
			 * table): answer what it sent with connect, or say why
			 * not; closing unread would reset the connection. */
			client_read(c);
			if (c->fd == fd && !c->answered) {
				c->out.oom = true;
				client_write(c);
			}
			continue;
		}
		/* keelctl sends its request with connect: answer it now, before
		 * another connection could take its slot. */
		client_read(c);
	}
}

/* ---- requests ---- */

static void add_svc_line(struct buf *o, const struct svc *s)
{
	uint64_t now = sup_now_ms();
	char exitbuf[48];
	sup_exit_text(s->last_status, exitbuf, sizeof exitbuf);
	buf_adds(o, "svc\t");
	buf_add_field(o, s->def->instance);
	buf_addf(o, "\t%s\t%d\t%llu\t%u\t%s\t%s\t%s\t", sup_state_name(s->state), (int)s->pid,
		 s->pid > 0 ? (unsigned long long)(now - s->start_ms) : 0ULL, s->restarts, exitbuf,
		 svc_type_name(s->def->type), svc_target_name(s->def->target));
	buf_add_field(o, s->def->description ? s->def->description : "");
	buf_adds(o, "\t");
	buf_add_field(o, s->reason ? s->reason : "");
	buf_adds(o, "\t");
	const char *st = notify_status(s);
	buf_add_field(o, st ? st : "");
	/* Protocol 2: the exit as numbers, then the timeline. */
	int ls = s->last_status;
	if (ls >= 0 && WIFEXITED(ls))
		buf_addf(o, "\t%d\t", WEXITSTATUS(ls));
	else if (ls >= 0 && WIFSIGNALED(ls))
		buf_addf(o, "\t\t%d", WTERMSIG(ls));
	else
		buf_adds(o, "\t\t");
	timeline_fields(o, s);
	buf_adds(o, "\n");
}

static void add_diag_line(struct buf *o, const struct diag *dg)
{
	buf_addf(o, "diag\t%s\t", diag_level_name(dg->level));
	if (dg->file)
		buf_add_field(o, dg->file);
	if (dg->line)
		buf_addf(o, ":%u", dg->line);
	buf_adds(o, "\t");
	buf_add_field(o, dg->msg);
	buf_adds(o, "\n");
}

static void add_time_line(struct buf *o, const struct svc *s)
{
	buf_adds(o, "time\t");
	buf_add_field(o, s->def->instance);
	buf_addf(o, "\t%s\t%s\t%s", sup_state_name(s->state), svc_type_name(s->def->type),
		 svc_target_name(s->def->target));
	timeline_fields(o, s);
	buf_adds(o, "\t");
	timeline_deps(o, s);
	buf_adds(o, "\n");
}

/* Appends rows of a long answer until CONTROL_CHUNK bytes are queued or
 * the answer is complete. */
static void client_fill(struct client *c)
{
	while (c->gen != GEN_NONE && c->out.len < CONTROL_CHUNK && !c->out.oom) {
		if (c->gen == GEN_OK) {
			buf_adds(&c->out, "OK\n");
			c->gen = GEN_NONE;
		} else if (c->gen == GEN_BAD_SVCS || c->gen == GEN_BAD_NAMES) {
			/* Files that gave no service: skipped, with their error. */
			const struct svc *b = c->cursor < badfiles_count() ? badfiles_get(c->cursor++) : NULL;
			if (!b) {
				c->cursor = 0;
				c->gen = c->gen == GEN_BAD_SVCS ? GEN_DIAGS : GEN_OK;
			} else if (c->gen == GEN_BAD_NAMES) {
				buf_adds(&c->out, "name\t");
				buf_add_field(&c->out, b->def->instance);
				buf_adds(&c->out, "\n");
			} else {
				add_svc_line(&c->out, b);
			}
		} else if (c->gen == GEN_DIAGS) {
			const struct diags *d = sup_diags();
			if (c->cursor < d->n)
				add_diag_line(&c->out, &d->v[c->cursor++]);
			else
				c->gen = GEN_OK;
		} else {
			/* Services by index: a reload meanwhile may show one
			 * twice or not at all, never a freed one. */
			struct svc *sv = NULL;
			while (c->cursor < sup_count() && !sv) {
				sv = sup_get(c->cursor++);
				if (sv->removed)
					sv = NULL;
			}
			if (!sv) {
				c->cursor = 0;
				c->gen = c->gen == GEN_SVCS ? GEN_BAD_SVCS : c->gen == GEN_NAMES ? GEN_BAD_NAMES : GEN_OK;
			} else if (c->gen == GEN_NAMES) {
				buf_adds(&c->out, "name\t");
				buf_add_field(&c->out, sv->def->instance);
				buf_adds(&c->out, "\n");
			} else if (c->gen == GEN_TIMES) {
				add_time_line(&c->out, sv);
			} else {
				add_svc_line(&c->out, sv);
			}
		}
	}
	if (c->out.oom) {
		/* The rows so far are lost with the buffer: the answer says so. */
		buf_free(&c->out);
		buf_adds(&c->out, "ERR out of memory\n");
		c->gen = GEN_NONE;
	}
}

static bool name_ok(const char *n)
{
	if (!*n || *n == '.' || strlen(n) > 255)
		return false;
	for (const char *p = n; *p; p++)
		if (*p == '/' || (unsigned char)*p <= ' ')
			return false;
	return true;
}

static void req_link(struct buf *o, const char *name, bool enable)
{
	if (!name_ok(name)) {
		buf_adds(o, "ERR bad service name\n");
		return;
	}
	char *canon = strdup(name);
	char *link = NULL, *target = NULL;
	if (!canon)
		goto oom;
	char *at = strchr(canon, '@');
	if (at)
		*at = '\0';
	if (asprintf(&link, "%s/%s", sup_service_dir(), name) < 0) {
		link = NULL;
		goto oom;
	}
	if (asprintf(&target, "%s/%s", share, canon) < 0) {
		target = NULL;
		goto oom;
	}
	if (enable) {
		struct stat st;
		if (stat(target, &st) < 0)
			buf_addf(o, "ERR %s: %s\n", target, strerror(errno));
		else if (symlink(target, link) < 0 && errno != EEXIST)
			buf_addf(o, "ERR %s: %s\n", link, strerror(errno));
		else
			buf_addf(o, "OK %s enabled (takes effect on reload or boot)\n", name);
	} else {
		if (unlink(link) < 0)
			buf_addf(o, "ERR %s: %s\n", link, strerror(errno));
		else
			buf_addf(o, "OK %s disabled (takes effect on reload or boot)\n", name);
	}
	free(canon);
	free(link);
	free(target);
	return;
oom:
	free(canon);
	free(link);
	buf_adds(o, "ERR out of memory\n");
}

/* What a uid other than 0 may ask: nothing that changes the system. */
static bool req_readonly(char **argv, int argc)
{
	static const char *const ro[] = { "status", "list", "times", "version", "events",
					  "watchdog", "health", "ping" };
	for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
		if (!strcmp(argv[0], ro[i]))
			return true;
	return !strcmp(argv[0], "cond") && argc == 1;
}

static void req_dispatch(struct client *c, char **argv, int argc)
{
	struct buf *o = &c->out;
	const char *verb = argv[0];
	const char *err = NULL;

	if (c->uid != 0 && !req_readonly(argv, argc)) {
		buf_addf(o, "ERR permission denied: read-only access for uid %u\n", (unsigned)c->uid);
		return;
	}

	if (!strcmp(verb, "status") || !strcmp(verb, "list") || !strcmp(verb, "times")) {
		if (argc > 2 || (argc == 2 && verb[0] != 's')) {
			buf_addf(o, "ERR usage: %s%s\n", verb, verb[0] == 's' ? " [NAME]" : "");
			return;
		}
		if (argc == 2) {
			const struct svc *s = sup_find(argv[1], &err);
			if (!s && !(s = badfiles_find(argv[1]))) {
				buf_addf(o, "ERR %s: %s\n", argv[1], err);
				return;
			}
			add_svc_line(o, s);
			timeline_waits(o, s);
			logd_status_lines(o, s, 10);
			buf_adds(o, "OK\n");
			return;
		}
		if (verb[0] == 't')
			buf_addf(o, "boot\t%llu\t%llu\t%lld\t%d\n", (unsigned long long)timeline_keel_start(),
				 (unsigned long long)sup_now_ms(), events_wall_ms(), CONTROL_PROTOCOL);
		c->gen = verb[0] == 'l' ? GEN_NAMES : verb[0] == 't' ? GEN_TIMES : GEN_SVCS;
		c->cursor = 0;
		return;
	}
	if (!strcmp(verb, "version")) {
		buf_addf(o, "version\t%d\t%s\nOK keel %s, protocol %d\n", CONTROL_PROTOCOL, KEEL_VERSION,
			 KEEL_VERSION, CONTROL_PROTOCOL);
		return;
	}
	if (!strcmp(verb, "events")) {
		if (argc != 1)
			buf_adds(o, "ERR usage: events\n");
		else
			c->subscribe = true;
		return;
	}
	if (!strcmp(verb, "start") || !strcmp(verb, "stop") || !strcmp(verb, "restart")) {
		if (argc != 2) {
			buf_addf(o, "ERR usage: %s NAME\n", verb);
			return;
		}
		struct svc *s = sup_find(argv[1], &err);
		if (!s) {
			buf_addf(o, "ERR %s: %s\n", argv[1], badfiles_why(argv[1], err));
			return;
		}
		int r = verb[2] == 'a' ? sup_request_start(s)
			: verb[0] == 's' ? sup_request_stop(s)
					 : sup_request_restart(s);
		if (r < 0)
			buf_adds(o, "ERR system is shutting down\n");
		else
			buf_addf(o, "OK %s %s\n", s->def->instance, sup_state_name(s->state));
		return;
	}
	if (!strcmp(verb, "reload") && argc == 2) {
		struct svc *s = sup_find(argv[1], &err);
		if (!s)
			buf_addf(o, "ERR %s: %s\n", argv[1], badfiles_why(argv[1], err));
		else if (cond_reload_service(s, &err) < 0)
			buf_addf(o, "ERR %s: %s\n", s->def->instance, err);
		else
			buf_addf(o, "OK %s reloaded\n", s->def->instance);
		return;
	}
	if (!strcmp(verb, "cond")) {
		cond_request(o, argv, argc);
		return;
	}
	if (!strcmp(verb, "watchdog") && argc == 1) {
		wdog_request(o);
		return;
	}
#ifdef KEEL_WATCHDOG_TEST
	/* Test builds only: PID 1 stops turning, so the hardware resets it. */
	if (!strcmp(verb, "debug-stall")) {
		log_msg("debug-stall: PID 1 stops here (test build)");
		log_drain(1000);
		for (;;)
			pause();
	}
#endif
	if (!strcmp(verb, "reload")) {
		char *summary = NULL;
		if (argc != 1)
			buf_adds(o, "ERR usage: reload [NAME]\n");
		else if (sup_reload(&summary) < 0)
			buf_adds(o, "ERR reload failed (shutting down, or out of memory)\n");
		else
			buf_addf(o, "OK %s\n", summary ? summary : "");
		free(summary);
		return;
	}
	if (!strcmp(verb, "enable") || !strcmp(verb, "disable")) {
		if (argc != 2)
			buf_addf(o, "ERR usage: %s NAME[@ARG]\n", verb);
		else
			req_link(o, argv[1], verb[0] == 'e');
		return;
	}
	static const struct {
		const char *verb, *ok;
		enum sup_action action;
	} power[] = {
		{ "reboot", "OK reboot\n", SUP_ACTION_REBOOT },
		{ "poweroff", "OK poweroff\n", SUP_ACTION_POWEROFF },
		{ "halt", "OK halt\n", SUP_ACTION_HALT },
	};
	for (size_t i = 0; i < sizeof power / sizeof power[0]; i++) {
		if (strcmp(verb, power[i].verb))
			continue;
		if (argc != 1) {
			buf_addf(o, "ERR usage: %s\n", verb);
		} else if (sup_phase() != SUP_PHASE_RUN) {
			buf_adds(o, "ERR already shutting down\n");
		} else {
			buf_adds(o, power[i].ok);
			c->oom_reply = power[i].ok;
			sup_shutdown(power[i].action);
		}
		return;
	}
	if (!strcmp(verb, "health")) {
		if (argc != 1)
			buf_adds(o, "ERR usage: health\n");
		else
			health_request(o);
		return;
	}
	if (upgrade_request(o, argv, argc))
		return;
	if (!strcmp(verb, "ping")) {
		buf_adds(o, "OK pong\n");
		return;
	}
	buf_adds(o, "ERR unknown request \"");
	buf_add_field(o, verb);
	buf_adds(o, "\"\n");
}

static void client_handle_request(struct client *c, char *line, size_t linelen)
{
	char *argv[CTLPROTO_MAX_ARGS];
	const char *err = NULL;
	int argc = ctlproto_split(line, linelen, argv, &err);
	if (argc < 0) {
		buf_addf(&c->out, "ERR %s\n", err);
		return;
	}
	req_dispatch(c, argv, argc);
	if (c->out.oom) {
		buf_free(&c->out);
		buf_adds(&c->out, "ERR out of memory\n");
		c->gen = GEN_NONE;
	}
}

static void client_write(struct client *c)
{
	if (c->out.oom && !c->out.len) {
		/* Not even the error could be built: a fixed answer, best
		 * effort (a fresh socket takes a short line). */
		const char *r = c->oom_reply ? c->oom_reply : "ERR out of memory\n";
		if (send(c->fd, r, strlen(r), MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		}
		client_close(c);
		return;
	}
	for (;;) {
		client_fill(c);
		if (!c->out.len)
			break;
		ssize_t w = send(c->fd, c->out.p, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				loop_mod(c->fd, EPOLLOUT, LOOP_CLIENT);
				return;
			}
			break;
		}
		buf_consume(&c->out, (size_t)w);
		c->deadline_ms = sup_now_ms() + CONTROL_IDLE_MS;
	}
	client_close(c);
}

/* `events`: the connection becomes a subscriber (events.c owns it now). */
static void client_subscribe(struct client *c)
{
	const char *err = NULL;
	buf_free(&c->in);
	if (events_subscribe(c->fd, c->uid, &err) < 0) {
		buf_addf(&c->out, "ERR %s\n", err);
		client_write(c);
		return;
	}
	client_release(c);
}

static void client_read(struct client *c)
{
	char tmp[1024];
	for (;;) {
		ssize_t r = recv(c->fd, tmp, sizeof tmp, MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) {
			client_close(c);
			return;
		}
		/* A request that came whole (keelctl's do) is read where it
		 * is: answering it needs no memory for the input, which
		 * matters when there is none (a power-off under a memory cap). */
		char *line = tmp, *nl = c->in.len ? NULL : memchr(tmp, '\n', (size_t)r);
		if (!nl) {
			buf_add(&c->in, tmp, (size_t)r);
			line = c->in.p;
			nl = line ? memchr(line, '\n', c->in.len) : NULL;
		}
		if (nl || c->in.len > CONTROL_MAX_REQUEST || c->in.oom) {
			c->answered = true;
			c->deadline_ms = sup_now_ms() + CONTROL_IDLE_MS;
			if (!nl && c->in.oom)
				buf_adds(&c->out, "ERR out of memory\n");
			else if (!nl || (size_t)(nl - line) > CONTROL_MAX_REQUEST)
				buf_adds(&c->out, "ERR request too long\n");
			else
				client_handle_request(c, line, (size_t)(nl - line));
			if (c->subscribe)
				client_subscribe(c);
			else
				client_write(c);
			return;
		}
	}
}

void control_client_event(int fd, uint32_t events)
{
	struct client *c = NULL;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (clients[i].fd == fd)
			c = &clients[i];
	if (!c) {
		loop_del(fd);
		return;
	}
	if (c->answered) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			client_write(c);
		return;
	}
	client_read(c);
}

uint64_t control_timer(void)
{
	uint64_t now = sup_now_ms(), next = events_timer();
	if (paused_until && paused_until <= now) {
		paused_until = 0;
		if (loop_mod(listen_fd, EPOLLIN, LOOP_LISTEN) < 0)
			paused_until = now + CONTROL_PAUSE_MS;
	}
	if (paused_until && (!next || paused_until < next))
		next = paused_until;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct client *c = &clients[i];
		if (c->fd < 0)
			continue;
		if (c->deadline_ms <= now) {
			client_close(c);
			continue;
		}
		if (!next || c->deadline_ms < next)
			next = c->deadline_ms;
	}
	return next;
}
