/* logd_reader: the log readers' socket — dumps and followers, bounded memory, never waiting for a reader. */
/* SPDX-License-Identifier: MIT */
#include "procstat.h"
#include "logd_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

/*
 * A reader sends one line ("dump N" or "follow N"); keel answers with
 * record lines produced from the ring as the socket drains: at most
 * READER_CHUNK bytes are formatted ahead, so a reader that does not read
 * costs that much and no more. A follower that falls behind the ring
 * gets "lost N" and goes on from the oldest record.
 */
#define READERS_MAX 16
#define READER_CHUNK (16 * 1024)
#define READER_REQUEST_MS 5000

struct reader {
	int fd; /* -1: free */
	char in[64];
	size_t inlen;
	struct buf out;
	struct logring_cursor cur;
	uint64_t end_seq;     /* stop before this seq (dump), or say "end" there (follow) */
	bool follow;
	uint64_t deadline_ms; /* for the request */
	bool asked;           /* the request came */
	bool waiting;         /* a follower with nothing to send: EPOLLIN only */
	bool ending;          /* "end" is queued: close once sent */
};

static struct reader readers[READERS_MAX];
static int listen_fd = -1;
static bool listen_off; /* accept failed for want of fds: listening paused */

static void listen_resume(void)
{
	if (listen_off && loop_mod(listen_fd, EPOLLIN, LOOP_LOGD_LISTEN) == 0)
		listen_off = false;
}

void reader_open(const char *path)
{
	for (int i = 0; i < READERS_MAX; i++)
		readers[i].fd = -1;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path) {
		log_msg("warning: log socket path too long: %s", path);
		return;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_msg("warning: log socket: %m (logread will not work)");
		return;
	}
	unlink(path);
	mode_t old = umask(0077);
	int r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (r < 0 || listen(fd, 8) < 0 || loop_add(fd, EPOLLIN, LOOP_LOGD_LISTEN) < 0) {
		log_msg("warning: log socket %s: %m (logread will not work)", path);
		close(fd);
		return;
	}
	listen_fd = fd;
}

static void reader_close(struct reader *c)
{
	loop_del(c->fd);
	close(c->fd);
	buf_free(&c->out);
	*c = (struct reader){ .fd = -1 };
	listen_resume();
}

void reader_accept(void)
{
	for (int n = 0; n < READERS_MAX; n++) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			/* EMFILE and the like: the listener stays ready, so stop
			 * listening until a reader leaves instead of spinning. */
			if (errno != EAGAIN && errno != EINTR && loop_mod(listen_fd, 0, LOOP_LOGD_LISTEN) == 0)
				listen_off = true;
			return;
		}
		struct reader *c = NULL;
		for (int i = 0; i < READERS_MAX && !c; i++)
			if (readers[i].fd < 0)
				c = &readers[i];
		struct ucred cred;
		socklen_t len = sizeof cred;
		const char *refuse = NULL;
		if (!c)
			refuse = "ERR too many readers\n";
		else if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != 0)
			refuse = "ERR permission denied\n";
		if (refuse || loop_add(fd, EPOLLIN, LOOP_LOGD_CLIENT) < 0) {
			if (refuse && write(fd, refuse, strlen(refuse)) < 0) {
			}
			close(fd);
			continue;
		}
		*c = (struct reader){ .fd = fd, .deadline_ms = sup_now_ms() + READER_REQUEST_MS };
	}
}

static struct reader *reader_by_fd(int fd)
{
	for (int i = 0; i < READERS_MAX; i++)
		if (readers[i].fd == fd)
			return &readers[i];
	return NULL;
}

static void reader_start(struct reader *c)
{
	unsigned long long n = 0;
	c->in[c->inlen] = '\0';
	c->in[strcspn(c->in, "\r\n")] = '\0';
	/* "dump [N]" or "follow [N]" */
	const char *p = c->in;
	bool follow = !strncmp(p, "follow", 6);
	bool ok = follow || !strncmp(p, "dump", 4);
	if (ok) {
		p += follow ? 6 : 4;
		while (*p == ' ')
			p++;
		if (*p >= '0' && *p <= '9' && !(p = scan_dec(p, &n)))
			ok = false;
		while (ok && *p == ' ')
			p++;
		ok = ok && !*p;
	}
	if (!ok) {
		buf_adds(&c->out, "ERR usage: dump [N] | follow [N]\n");
		c->ending = true;
	} else {
		const struct logring *r = &logd.ring;
		uint64_t held = logring_count(r);
		uint64_t from = n && n < held ? r->next_seq - n : r->first_seq;
		c->cur = logring_seek(r, from);
		c->end_seq = r->next_seq;
		c->follow = follow;
	}
	c->asked = true;
	c->deadline_ms = 0;
	loop_mod(c->fd, EPOLLOUT, LOOP_LOGD_CLIENT);
}

/* Formats what is due, up to a chunk ahead. */
static void reader_fill(struct reader *c)
{
	struct log_rec r;
	uint64_t lost;
	while (!c->ending && c->out.len < READER_CHUNK) {
		if (c->end_seq && c->cur.seq >= c->end_seq) {
			/* The backlog is out: a dump ends, a follower is told and goes on. */
			buf_adds(&c->out, "end\n");
			c->end_seq = 0;
			if (!c->follow) {
				c->ending = true;
				break;
			}
			continue;
		}
		if (!logring_next(&logd.ring, &c->cur, &r, &lost)) {
			if (lost)
				buf_addf(&c->out, "lost %llu\n", (unsigned long long)lost);
			if (c->end_seq) {
				buf_adds(&c->out, "end\n");
				c->end_seq = 0;
				c->ending = !c->follow;
			}
			break;
		}
		if (lost)
			buf_addf(&c->out, "lost %llu\n", (unsigned long long)lost);
		logrec_format(&c->out, &r);
	}
}

static void reader_write(struct reader *c)
{
	reader_fill(c);
	if (c->out.oom) {
		reader_close(c);
		return;
	}
	while (c->out.len) {
		ssize_t w = send(c->fd, c->out.p, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EAGAIN)
				return; /* EPOLLOUT says when */
			if (errno == EINTR)
				continue;
			reader_close(c);
			return;
		}
		buf_consume(&c->out, (size_t)w);
		if (!c->out.len)
			reader_fill(c);
	}
	if (c->ending) {
		reader_close(c);
		return;
	}
	/* A follower that is up to date waits for new records. */
	c->waiting = true;
	loop_mod(c->fd, EPOLLIN, LOOP_LOGD_CLIENT);
}

void reader_client_event(int fd, uint32_t events)
{
	struct reader *c = reader_by_fd(fd);
	if (!c) {
		loop_del(fd);
		close(fd);
		return;
	}
	if (events & (EPOLLERR | EPOLLHUP)) {
		reader_close(c);
		return;
	}
	if (!c->asked && (events & EPOLLIN)) {
		ssize_t r = read(fd, c->in + c->inlen, sizeof c->in - 1 - c->inlen);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			reader_close(c);
			return;
		}
		if (r > 0)
			c->inlen += (size_t)r;
		char *nl = memchr(c->in, '\n', c->inlen);
		if (nl)
			*nl = '\0';
		if (nl || c->inlen == sizeof c->in - 1)
			reader_start(c);
		return;
	}
	if (c->asked && (events & EPOLLIN)) {
		/* A follower says nothing after its request: data or EOF means it
		 * is done. */
		char tmp[64];
		ssize_t r = read(fd, tmp, sizeof tmp);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			reader_close(c);
			return;
		}
	}
	if (events & EPOLLOUT)
		reader_write(c);
}

void reader_new_records(void)
{
	for (int i = 0; i < READERS_MAX; i++) {
		struct reader *c = &readers[i];
		if (c->fd >= 0 && c->waiting) {
			c->waiting = false;
			loop_mod(c->fd, EPOLLOUT, LOOP_LOGD_CLIENT);
		}
	}
	/* Paused for want of fds: some may be free now. */
	listen_resume();
}

uint64_t reader_next_deadline(void)
{
	uint64_t next = 0;
	for (int i = 0; i < READERS_MAX; i++)
		if (readers[i].fd >= 0 && readers[i].deadline_ms &&
		    (!next || readers[i].deadline_ms < next))
			next = readers[i].deadline_ms;
	return next;
}

void reader_timer(void)
{
	uint64_t now = sup_now_ms();
	for (int i = 0; i < READERS_MAX; i++)
		if (readers[i].fd >= 0 && readers[i].deadline_ms && readers[i].deadline_ms <= now)
			reader_close(&readers[i]);
}

void reader_close_all(void)
{
	for (int i = 0; i < READERS_MAX; i++)
		if (readers[i].fd >= 0)
			reader_close(&readers[i]);
	if (listen_fd >= 0) {
		loop_del(listen_fd);
		close(listen_fd);
		listen_fd = -1;
		unlink(logd.conf.socket);
	}
}
