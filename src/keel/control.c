/* control: PID 1's end of the keelctl socket — non-blocking, bounded, root only. */
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

struct client {
	int fd; /* -1 = free slot */
	struct buf in, out;
	uint64_t deadline_ms;
	bool answered;
};

static int listen_fd = -1;
static struct client clients[CONTROL_MAX_CLIENTS];
static char *share;
static char *sock_path;

int control_open(const char *path, const char *share_dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
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
	if (r < 0 || listen(fd, 16) < 0 || loop_add(fd, EPOLLIN, LOOP_LISTEN) < 0) {
		log_msg("error: control socket %s: %m (keelctl will not work)", path);
		close(fd);
		return -1;
	}
	listen_fd = fd;
	sock_path = strdup(path);
	return 0;
}

static void client_close(struct client *c)
{
	loop_del(c->fd);
	close(c->fd);
	c->fd = -1;
	buf_free(&c->in);
	buf_free(&c->out);
}

void control_close(void)
{
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

void control_accept(void)
{
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* EAGAIN, or a transient error: epoll tells us again */
		struct client *c = NULL;
		for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
			if (clients[i].fd < 0) {
				c = &clients[i];
				break;
			}
		struct ucred cred;
		socklen_t len = sizeof cred;
		const char *refuse = NULL;
		if (!c)
			refuse = "ERR too many clients\n";
		else if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0)
			refuse = "ERR permission denied\n";
		if (refuse) {
			/* Best effort: the socket is non-blocking, a short answer fits. */
			if (write(fd, refuse, strlen(refuse)) < 0) {
			}
			close(fd);
			continue;
		}
		*c = (struct client){ .fd = fd };
		c->deadline_ms = sup_now_ms() + CONTROL_IDLE_MS;
		if (loop_add(fd, EPOLLIN, LOOP_CLIENT) < 0) {
			close(fd);
			c->fd = -1;
		}
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
	buf_adds(o, "\n");
}

static void add_diags(struct buf *o)
{
	const struct diags *d = sup_diags();
	for (size_t i = 0; i < d->n; i++) {
		const struct diag *dg = &d->v[i];
		buf_addf(o, "diag\t%s\t", diag_level_name(dg->level));
		if (dg->file)
			buf_add_field(o, dg->file);
		if (dg->line)
			buf_addf(o, ":%u", dg->line);
		buf_adds(o, "\t");
		buf_add_field(o, dg->msg);
		buf_adds(o, "\n");
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

static void req_dispatch(struct buf *o, char **argv, int argc)
{
	const char *verb = argv[0];
	const char *err = NULL;

	if (!strcmp(verb, "status") || !strcmp(verb, "list")) {
		bool list = verb[0] == 'l';
		if (argc > 2) {
			buf_adds(o, "ERR usage: status [NAME]\n");
			return;
		}
		if (argc == 2) {
			const struct svc *s = sup_find(argv[1], &err);
			if (!s && !(s = badfiles_find(argv[1]))) {
				buf_addf(o, "ERR %s: %s\n", argv[1], err);
				return;
			}
			add_svc_line(o, s);
			logd_status_lines(o, s, 10);
		} else {
			for (size_t i = 0; i < sup_count(); i++) {
				struct svc *s = sup_get(i);
				if (s->removed)
					continue;
				if (list) {
					buf_adds(o, "name\t");
					buf_add_field(o, s->def->instance);
					buf_adds(o, "\n");
				} else {
					add_svc_line(o, s);
				}
			}
			for (size_t i = 0; i < badfiles_count(); i++) {
				const struct svc *b = badfiles_get(i);
				if (list) {
					buf_adds(o, "name\t");
					buf_add_field(o, b->def->instance);
					buf_adds(o, "\n");
				} else {
					add_svc_line(o, b);
				}
			}
			if (!list)
				add_diags(o);
		}
		buf_adds(o, "OK\n");
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
		const char *verb;
		enum sup_action action;
	} power[] = {
		{ "reboot", SUP_ACTION_REBOOT },
		{ "poweroff", SUP_ACTION_POWEROFF },
		{ "halt", SUP_ACTION_HALT },
	};
	for (size_t i = 0; i < sizeof power / sizeof power[0]; i++) {
		if (strcmp(verb, power[i].verb))
			continue;
		if (argc != 1) {
			buf_addf(o, "ERR usage: %s\n", verb);
		} else if (sup_phase() != SUP_PHASE_RUN) {
			buf_adds(o, "ERR already shutting down\n");
		} else {
			buf_addf(o, "OK %s\n", verb);
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

static void client_handle_request(struct client *c, size_t linelen)
{
	char *argv[CTLPROTO_MAX_ARGS];
	const char *err = NULL;
	int argc = ctlproto_split(c->in.p, linelen, argv, &err);
	if (argc < 0) {
		buf_addf(&c->out, "ERR %s\n", err);
		return;
	}
	req_dispatch(&c->out, argv, argc);
	if (c->out.oom) {
		buf_free(&c->out);
		buf_adds(&c->out, "ERR out of memory\n");
	}
}

static void client_write(struct client *c)
{
	while (c->out.len) {
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
		buf_add(&c->in, tmp, (size_t)r);
		char *nl = c->in.p ? memchr(c->in.p, '\n', c->in.len) : NULL;
		if (nl || c->in.len > CONTROL_MAX_REQUEST || c->in.oom) {
			c->answered = true;
			if (!nl || (size_t)(nl - c->in.p) > CONTROL_MAX_REQUEST)
				buf_adds(&c->out, "ERR request too long\n");
			else
				client_handle_request(c, (size_t)(nl - c->in.p));
			client_write(c);
			return;
		}
	}
}

uint64_t control_timer(void)
{
	uint64_t now = sup_now_ms(), next = 0;
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
