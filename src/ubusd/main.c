/* keel-ubusd: a ubus socket for libubus clients (rpcd, LuCI): procd's objects answered by the ubus shim, clients' objects routed, events. */
/* SPDX-License-Identifier: MIT */
/*
 * Not PID 1, not a general bus: enough of ubusd's protocol that libubus
 * clients work. service, system and network.interface[.NAME] are answered by
 * running "/bin/ubus -S call PATH METHOD JSON" (keel's shell shim, the one
 * implementation of those objects) in a child with a timeout; objects that
 * clients add are routed as ubusd routes them; events reach the clients that
 * registered for them and run their triggers through "/bin/ubus send".
 * No ACLs (the socket is 0660), no monitor, no fd passing.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "ifconf.h"
#include "json.h"
#include "ubusmsg.h"

enum {
	MAX_CLIENTS = 256,
	MAX_OBJECTS_PER_CLIENT = 256,
	MAX_LISTENERS_PER_CLIENT = 256,
	MAX_JOBS = 32,
	OUT_MAX = 4 * UBUS_MAX_MSGLEN, /* a client that reads slower than this is dropped */
	JOB_OUT_MAX = UBUS_MAX_MSGLEN / 2,
	MSGS_PER_WAKEUP = 16,
};

enum kind { K_LISTEN, K_SIGNAL, K_CLIENT, K_JOB, K_CONFIG };
struct ev {
	enum kind kind;
};

struct client {
	struct ev ev;
	int fd;
	uint32_t id;
	uint8_t head[UBUS_HDR + BLOB_HDR];
	size_t got;    /* bytes of the current message read so far */
	uint8_t *msg;  /* the current message once its length is known */
	size_t need;
	struct buf out;
	bool pollout, dead;
	unsigned nobj, nlisten;
	struct client *next;
};

/* what answers an object */
enum builtin { B_NONE, B_EVENT, B_SERVICE, B_SYSTEM, B_NETIF, B_NETIF_NAME };

struct object {
	uint32_t id, type;
	char *path;
	struct client *owner; /* NULL: built in */
	enum builtin builtin;
	struct buf sig; /* SIGNATURE's payload: one blobmsg table per method */
	unsigned seen;  /* event number last delivered to it */
	bool stale;     /* network.interface.NAME: not (yet) seen in the file being read */
	struct object *next;
};

struct listener {
	struct object *obj;
	char *pat;
	bool partial;
	struct listener *next;
};

struct sub {
	struct object *sub, *target;
	struct sub *next;
};

struct job {
	struct ev ev;
	pid_t pid;
	int fd;
	struct buf out;
	bool exited, answered, reply, overflow;
	int status;
	uint32_t client, objid;
	uint16_t seq;
	long long deadline;
	struct job *next;
};

static const char *sock_path = "/var/run/ubus/ubus.sock";
static const char *shim = "/bin/ubus";
static int call_timeout = 30;
static int epfd, listen_fd, sig_fd;
static struct ev listen_ev = { K_LISTEN }, sig_ev = { K_SIGNAL }, config_ev = { K_CONFIG };
static struct ifconf ifc;
static struct client *clients;
static struct object *objects;
static struct listener *listeners;
static struct sub *subs;
static struct job *jobs;
static unsigned nclients, njobs, event_no;
static long long accept_resume; /* out of descriptors: accepting again from then (0: accepting) */
static uint16_t event_seq;
static uint32_t id_state;
static struct buf mb; /* the message being built */

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("keel-ubusd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct client *find_client(uint32_t id)
{
	for (struct client *c = clients; c; c = c->next)
		if (c->id == id && !c->dead)
			return c;
	return NULL;
}

static struct object *find_object(uint32_t id)
{
	for (struct object *o = objects; o; o = o->next)
		if (o->id == id)
			return o;
	return NULL;
}

static struct object *find_path(const char *path)
{
	for (struct object *o = objects; o; o = o->next)
		if (o->path && strcmp(o->path, path) == 0)
			return o;
	return NULL;
}

/* ids as ubusd hands them out: unpredictable 32-bit numbers above the
 * system objects', never two alike among clients, objects and types */
static uint32_t new_id(void)
{
	for (;;) {
		id_state ^= id_state << 13;
		id_state ^= id_state >> 17;
		id_state ^= id_state << 5;
		uint32_t id = id_state;
		if (id < UBUS_SYSTEM_OBJECT_MAX || find_client(id))
			continue;
		bool used = false;
		for (struct object *o = objects; o && !used; o = o->next)
			used = o->id == id || o->type == id;
		if (!used)
			return id;
	}
}

/* ---- output ---- */

static void set_pollout(struct client *c, bool on)
{
	if (c->pollout == on)
		return;
	struct epoll_event e = { .events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c };
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &e) < 0)
		c->dead = true;
	c->pollout = on;
}

static void flush(struct client *c)
{
	while (c->out.len && !c->dead) {
		ssize_t n = send(c->fd, c->out.p, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			c->dead = true;
			return;
		}
		buf_consume(&c->out, (size_t)n);
	}
	set_pollout(c, c->out.len > 0);
}

static void send_raw(struct client *c, const void *p, size_t n)
{
	if (!c || c->dead)
		return;
	if (c->out.len + n > OUT_MAX) {
		warn("client %08x reads too slowly: dropped", c->id);
		c->dead = true;
		return;
	}
	buf_add(&c->out, p, n);
	if (c->out.oom) {
		c->dead = true;
		return;
	}
	flush(c);
}

/* sends mb, once finished */
static void send_mb(struct client *c)
{
	if (ubus_msg_end(&mb) < 0 || mb.oom) {
		mb.oom = false;
		warn("reply to client %08x too long: left out", c ? c->id : 0);
		return;
	}
	send_raw(c, mb.p, mb.len);
}

static void send_status(struct client *c, uint16_t seq, uint32_t peer, int status, const uint32_t *objid)
{
	ubus_msg_begin(&mb, UBUS_MSG_STATUS, seq, peer);
	blob_put_u32(&mb, UBUS_ATTR_STATUS, (uint32_t)status);
	if (objid)
		blob_put_u32(&mb, UBUS_ATTR_OBJID, *objid);
	send_mb(c);
}

/* ---- events ---- */

static bool pattern_match(const struct listener *l, const char *id)
{
	if (l->partial)
		return strncmp(id, l->pat, strlen(l->pat)) == 0;
	return strcmp(id, l->pat) == 0;
}

/* delivers event ID (DATA: a blobmsg list) to every other client's objects registered for it */
static void deliver_event(struct client *from, const char *id, const uint8_t *data, size_t len)
{
	event_no++;
	for (struct listener *l = listeners; l; l = l->next) {
		struct object *o = l->obj;
		if (o->owner == from || o->seen == event_no || !pattern_match(l, id))
			continue;
		o->seen = event_no;
		ubus_msg_begin(&mb, UBUS_MSG_INVOKE, ++event_seq, 0);
		blob_put_u32(&mb, UBUS_ATTR_OBJID, o->id);
		blob_put_str(&mb, UBUS_ATTR_METHOD, id);
		blob_put(&mb, UBUS_ATTR_DATA, data, len);
		send_mb(o->owner);
	}
}

static void object_event(struct object *o, bool add)
{
	struct buf d = { 0 };
	bm_put_u32(&d, "id", o->id);
	bm_put_str(&d, "path", o->path);
	if (!d.oom)
		deliver_event(NULL, add ? "ubus.object.add" : "ubus.object.remove", (const uint8_t *)d.p, d.len);
	buf_free(&d);
}

/* ---- children: the shim ---- */

static struct job *spawn(char *const argv[])
{
	if (njobs >= MAX_JOBS) {
		warn("%d calls running already: %s %s refused", MAX_JOBS, argv[2], argv[3]);
		return NULL;
	}
	struct job *j = calloc(1, sizeof *j);
	int p[2];
	if (!j || pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		warn("pipe: %s", strerror(errno));
		free(j);
		return NULL;
	}
	pid_t pid = fork();
	if (pid < 0) {
		warn("fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		free(j);
		return NULL;
	}
	if (pid == 0) {
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		setpgid(0, 0);
		/* the shim must answer itself, not ask this daemon again */
		setenv("KEEL_UBUSD_CHILD", "1", 1);
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0 && nul != 0)
			dup2(nul, 0);
		/* stdout is the answer; stderr stays ours (keel's log) */
		if (dup2(p[1], 1) < 0)
			_exit(127);
		fcntl(1, F_SETFL, 0);
		execv(argv[0], argv);
		fprintf(stderr, "keel-ubusd: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	j->ev.kind = K_JOB;
	j->pid = pid;
	j->fd = p[0];
	j->deadline = now_ms() + (long long)call_timeout * 1000;
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = j };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, j->fd, &e) < 0) {
		warn("epoll: %s", strerror(errno));
		close(j->fd);
		j->fd = -1;
	}
	j->next = jobs;
	jobs = j;
	njobs++;
	return j;
}

/* the shim's exit status is a ubus status, but 1 is its "Unknown error" */
static int exit_to_status(int st)
{
	if (!WIFEXITED(st))
		return UBUS_STATUS_UNKNOWN_ERROR;
	int e = WEXITSTATUS(st);
	if (e == 0)
		return UBUS_STATUS_OK;
	if (e >= UBUS_STATUS_INVALID_ARGUMENT && e <= UBUS_STATUS_SYSTEM_ERROR)
		return e;
	return UBUS_STATUS_UNKNOWN_ERROR;
}

static void answer_job(struct job *j, int status)
{
	j->answered = true;
	if (!j->reply)
		return;
	struct client *c = find_client(j->client);
	if (!c)
		return;
	if (status == UBUS_STATUS_OK && j->out.len) {
		const char *err = NULL;
		size_t used;
		struct jval *v = json_parse(j->out.p, j->out.len, &used, &err);
		if (v && v->t == J_OBJECT) {
			ubus_msg_begin(&mb, UBUS_MSG_DATA, j->seq, j->objid);
			blob_put_u32(&mb, UBUS_ATTR_OBJID, j->objid);
			size_t d = blob_open(&mb, UBUS_ATTR_DATA);
			if (bm_from_json_object(&mb, v) == 0 && blob_close(&mb, d) == 0 && ubus_msg_end(&mb) == 0)
				send_raw(c, mb.p, mb.len);
			else
				status = UBUS_STATUS_UNKNOWN_ERROR;
			mb.oom = false;
		} else {
			warn("%s: answer is not a JSON object", shim);
			status = UBUS_STATUS_UNKNOWN_ERROR;
		}
		json_free(v);
	}
	send_status(c, j->seq, j->objid, status, &j->objid);
}

static void job_read(struct job *j)
{
	char tmp[4096];
	for (;;) {
		ssize_t n = read(j->fd, tmp, sizeof tmp);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			epoll_ctl(epfd, EPOLL_CTL_DEL, j->fd, NULL);
			close(j->fd);
			j->fd = -1;
			return;
		}
		if (j->out.len + (size_t)n > JOB_OUT_MAX || j->out.oom) {
			if (!j->overflow)
				warn("%s: answer longer than %d bytes", shim, JOB_OUT_MAX);
			j->overflow = true;
			kill(-j->pid, SIGKILL);
			if (!j->answered)
				answer_job(j, UBUS_STATUS_UNKNOWN_ERROR);
			continue;
		}
		buf_add(&j->out, tmp, (size_t)n);
	}
}

/* a job is done once its child has exited and its pipe is closed */
static void jobs_collect(void)
{
	for (struct job **jp = &jobs; *jp;) {
		struct job *j = *jp;
		if (!j->exited || j->fd >= 0) {
			jp = &j->next;
			continue;
		}
		if (!j->answered)
			answer_job(j, exit_to_status(j->status));
		*jp = j->next;
		buf_free(&j->out);
		free(j);
		njobs--;
	}
}

static void reap(void)
{
	struct signalfd_siginfo si;
	while (read(sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			unlink(sock_path);
			exit(0);
		}
	}
	int st;
	pid_t pid;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (struct job *j = jobs; j; j = j->next)
			if (j->pid == pid) {
				j->exited = true;
				j->status = st;
				/* what a background grandchild keeps open is not the answer */
				if (j->fd >= 0)
					job_read(j);
				if (j->fd >= 0) {
					epoll_ctl(epfd, EPOLL_CTL_DEL, j->fd, NULL);
					close(j->fd);
					j->fd = -1;
				}
			}
	}
}

static void jobs_timeout(void)
{
	long long t = now_ms();
	for (struct job *j = jobs; j; j = j->next)
		if (!j->answered && t >= j->deadline) {
			warn("%s: no answer in %d s: killed", shim, call_timeout);
			kill(-j->pid, SIGKILL);
			answer_job(j, UBUS_STATUS_TIMEOUT);
		}
}

static int next_timeout(void)
{
	long long t = now_ms(), best = -1;
	if (accept_resume)
		best = accept_resume - t < 0 ? 0 : accept_resume - t;
	for (struct job *j = jobs; j; j = j->next)
		if (!j->answered && (best < 0 || j->deadline - t < best))
			best = j->deadline - t < 0 ? 0 : j->deadline - t;
	return best > 60000 ? 60000 : (int)best;
}

/* ---- built-in objects ---- */

struct arg {
	const char *name;
	unsigned type;
};
struct method {
	const char *name;
	struct arg args[8];
};

static const struct method service_methods[] = {
	{ "set", { { "name", BM_STRING }, { "script", BM_STRING }, { "instances", BM_TABLE },
		   { "triggers", BM_ARRAY }, { "validate", BM_ARRAY }, { "autostart", BM_INT8 },
		   { "data", BM_TABLE } } },
	{ "add", { { "name", BM_STRING }, { "script", BM_STRING }, { "instances", BM_TABLE },
		   { "triggers", BM_ARRAY }, { "validate", BM_ARRAY }, { "autostart", BM_INT8 },
		   { "data", BM_TABLE } } },
	{ "list", { { "name", BM_STRING }, { "verbose", BM_INT8 } } },
	{ "delete", { { "name", BM_STRING }, { "instance", BM_STRING } } },
	{ "signal", { { "name", BM_STRING }, { "instance", BM_STRING }, { "signal", BM_INT32 } } },
	{ "event", { { "type", BM_STRING }, { "data", BM_TABLE } } },
	{ NULL, { { NULL, 0 } } },
};
static const struct method system_methods[] = {
	{ "board", { { NULL, 0 } } },
	{ "info", { { NULL, 0 } } },
	{ "reboot", { { NULL, 0 } } },
	{ "sysupgrade", { { "path", BM_STRING }, { "prefix", BM_STRING }, { "command", BM_STRING },
			  { "force", BM_INT8 }, { "backup", BM_STRING }, { "options", BM_TABLE } } },
	{ NULL, { { NULL, 0 } } },
};
static const struct method netif_methods[] = {
	{ "dump", { { NULL, 0 } } },
	{ NULL, { { NULL, 0 } } },
};
static const struct method netif_name_methods[] = {
	{ "status", { { NULL, 0 } } },
	{ "up", { { NULL, 0 } } },
	{ "down", { { NULL, 0 } } },
	{ NULL, { { NULL, 0 } } },
};

static const struct method *builtin_methods(enum builtin b)
{
	switch (b) {
	case B_SERVICE:
		return service_methods;
	case B_SYSTEM:
		return system_methods;
	case B_NETIF:
		return netif_methods;
	case B_NETIF_NAME:
		return netif_name_methods;
	default:
		return NULL;
	}
}

static struct object *add_builtin(const char *path, enum builtin b, uint32_t id)
{
	struct object *o = calloc(1, sizeof *o);
	if (!o || (path && !(o->path = strdup(path)))) {
		free(o);
		return NULL;
	}
	o->id = id ? id : new_id();
	o->builtin = b;
	const struct method *m = builtin_methods(b);
	if (m) {
		o->type = new_id();
		for (; m->name; m++) {
			size_t t = bm_open(&o->sig, BM_TABLE, m->name);
			for (const struct arg *a = m->args; a->name; a++)
				bm_put_u32(&o->sig, a->name, a->type);
			bm_close(&o->sig, t);
		}
	}
	o->next = objects;
	objects = o;
	return o;
}

static void remove_object(struct object *o);

static void keep_interface(const char *name, void *arg)
{
	(void)arg;
	struct buf path = { 0 };
	buf_adds(&path, "network.interface.");
	buf_add(&path, name, strlen(name) + 1);
	if (path.oom) {
		warn("network.interface.%s: out of memory", name);
		return;
	}
	struct object *o = find_path(path.p);
	if (o && o->builtin == B_NETIF_NAME)
		o->stale = false;
	else if (!o && (o = add_builtin(path.p, B_NETIF_NAME, 0)))
		object_event(o, true);
	/* else a client's object of that path: it stays the client's */
	buf_free(&path);
}

/* network.interface.NAME for each "config interface NAME" of UCI's network
 * file, no more: an interface gone from the file is removed as ubusd removes
 * an object (its subscribers get UNSUBSCRIBE, listeners ubus.object.remove,
 * callers of its id NOT_FOUND); one added gets a new object */
static void sync_interfaces(void)
{
	for (struct object *o = objects; o; o = o->next)
		o->stale = o->builtin == B_NETIF_NAME;
	if (ifconf_read(&ifc, keep_interface, NULL) < 0) {
		warn("%s: %s: interfaces left as they were", ifc.file, strerror(errno));
		return;
	}
	for (struct object *o = objects, *nx; o; o = nx) {
		nx = o->next;
		if (o->stale)
			remove_object(o);
	}
}

/* what inotify has queued (a change made before the request being handled
 * was sent); without a watch, only LOOKUP reads the file again */
static void config_changes(void)
{
	if (ifc.wd >= 0 && ifconf_stale(&ifc))
		sync_interfaces();
}

static bool has_method(const struct object *o, const char *method)
{
	const uint8_t *pos = (const uint8_t *)o->sig.p, *a;
	size_t rem = o->sig.len;
	struct bm m;
	while (blob_next(&pos, &rem, &a) > 0) {
		bm_get(a, &m);
		if (strcmp(m.name, method) == 0)
			return true;
	}
	return false;
}

static int invoke_builtin(struct client *c, const struct ubus_hdr *h, struct object *o, const char *method,
			  const uint8_t *data, bool no_reply)
{
	if (!has_method(o, method))
		return UBUS_STATUS_METHOD_NOT_FOUND;
	struct buf js = { 0 };
	if (data)
		bm_to_json(&js, blob_data(data), blob_len(data), true);
	else
		buf_adds(&js, "{}");
	buf_add(&js, "", 1);
	if (js.oom) {
		buf_free(&js);
		return UBUS_STATUS_NO_MEMORY;
	}
	char *argv[] = { (char *)shim, "-S", "call", o->path, (char *)method, js.p, NULL };
	struct job *j = spawn(argv);
	buf_free(&js);
	if (!j)
		return UBUS_STATUS_UNKNOWN_ERROR;
	j->reply = !no_reply;
	j->client = c->id;
	j->objid = o->id;
	j->seq = h->seq;
	return -1;
}

/* the event object: "register" {object, pattern}, "send" {id, data} */
static int invoke_event(struct client *c, const char *method, const uint8_t *data)
{
	const uint8_t *p = data ? blob_data(data) : NULL;
	size_t len = data ? blob_len(data) : 0;
	struct bm a, b;
	if (strcmp(method, "register") == 0) {
		if (!bm_find(p, len, "object", &a) || !bm_find(p, len, "pattern", &b) || b.type != BM_STRING ||
		    (a.type != BM_INT32 && a.type != BM_INT64 && a.type != BM_INT16))
			return UBUS_STATUS_INVALID_ARGUMENT;
		int64_t id = bm_int(&a);
		if (id < UBUS_SYSTEM_OBJECT_MAX || id > UINT32_MAX)
			return UBUS_STATUS_PERMISSION_DENIED;
		struct object *o = find_object((uint32_t)id);
		if (!o)
			return UBUS_STATUS_NOT_FOUND;
		if (o->owner != c)
			return UBUS_STATUS_PERMISSION_DENIED;
		if (c->nlisten >= MAX_LISTENERS_PER_CLIENT)
			return UBUS_STATUS_NO_MEMORY;
		struct listener *l = calloc(1, sizeof *l);
		if (!l || !(l->pat = strdup((const char *)b.data))) {
			free(l);
			return UBUS_STATUS_NO_MEMORY;
		}
		size_t n = strlen(l->pat);
		if (n && l->pat[n - 1] == '*') {
			l->pat[n - 1] = 0;
			l->partial = true;
		}
		l->obj = o;
		l->next = listeners;
		listeners = l;
		c->nlisten++;
		return UBUS_STATUS_OK;
	}
	if (strcmp(method, "send") == 0) {
		if (!bm_find(p, len, "id", &a) || a.type != BM_STRING || !bm_find(p, len, "data", &b) ||
		    b.type != BM_TABLE)
			return UBUS_STATUS_INVALID_ARGUMENT;
		const char *id = (const char *)a.data;
		if (strncmp(id, "ubus.", 5) == 0)
			return UBUS_STATUS_PERMISSION_DENIED;
		deliver_event(c, id, b.data, b.len);
		/* the triggers, as "ubus send" runs them */
		struct buf js = { 0 };
		bm_to_json(&js, b.data, b.len, true);
		buf_add(&js, "", 1);
		if (!js.oom) {
			char *argv[] = { (char *)shim, "send", (char *)id, js.p, NULL };
			spawn(argv);
		}
		buf_free(&js);
		return UBUS_STATUS_OK;
	}
	return UBUS_STATUS_INVALID_COMMAND;
}

/* ---- objects of clients ---- */

static void notify_active(struct object *target, bool active)
{
	if (!target->owner)
		return; /* built in: nobody to tell */
	ubus_msg_begin(&mb, UBUS_MSG_NOTIFY, ++event_seq, 0);
	blob_put_u32(&mb, UBUS_ATTR_OBJID, target->id);
	blob_put_u8(&mb, UBUS_ATTR_ACTIVE, active);
	send_mb(target->owner);
}

static bool has_subscribers(const struct object *o)
{
	for (struct sub *s = subs; s; s = s->next)
		if (s->target == o)
			return true;
	return false;
}

static void remove_object(struct object *o)
{
	for (struct listener **lp = &listeners; *lp;) {
		struct listener *l = *lp;
		if (l->obj == o) {
			*lp = l->next;
			if (o->owner)
				o->owner->nlisten--;
			free(l->pat);
			free(l);
		} else {
			lp = &l->next;
		}
	}
	for (struct sub **sp = &subs; *sp;) {
		struct sub *s = *sp;
		if (s->target == o || s->sub == o) {
			*sp = s->next;
			if (s->target == o) {
				ubus_msg_begin(&mb, UBUS_MSG_UNSUBSCRIBE, ++event_seq, 0);
				blob_put_u32(&mb, UBUS_ATTR_OBJID, s->sub->id);
				blob_put_u32(&mb, UBUS_ATTR_TARGET, o->id);
				send_mb(s->sub->owner);
			}
			struct object *t = s->target;
			free(s);
			if (t != o && !has_subscribers(t))
				notify_active(t, false);
		} else {
			sp = &s->next;
		}
	}
	for (struct object **op = &objects; *op; op = &(*op)->next)
		if (*op == o) {
			*op = o->next;
			break;
		}
	if (o->path)
		object_event(o, false);
	if (o->owner)
		o->owner->nobj--;
	free(o->path);
	buf_free(&o->sig);
	free(o);
}

static int add_object(struct client *c, const struct ubus_hdr *h, const uint8_t **tb)
{
	if (c->nobj >= MAX_OBJECTS_PER_CLIENT)
		return UBUS_STATUS_NO_MEMORY;
	const char *path = tb[UBUS_ATTR_OBJPATH] ? (const char *)blob_data(tb[UBUS_ATTR_OBJPATH]) : NULL;
	if (path && (!*path || find_path(path)))
		return UBUS_STATUS_INVALID_ARGUMENT;
	struct object *o = calloc(1, sizeof *o);
	if (!o || (path && !(o->path = strdup(path)))) {
		free(o);
		return UBUS_STATUS_NO_MEMORY;
	}
	if (tb[UBUS_ATTR_OBJTYPE]) {
		/* an existing type: the methods of an object that has it */
		uint32_t t = rd32(blob_data(tb[UBUS_ATTR_OBJTYPE]));
		for (struct object *x = objects; x; x = x->next)
			if (x->type == t && t) {
				o->type = t;
				buf_add(&o->sig, x->sig.p, x->sig.len);
				break;
			}
	} else if (tb[UBUS_ATTR_SIGNATURE]) {
		o->type = new_id();
		buf_add(&o->sig, (const char *)blob_data(tb[UBUS_ATTR_SIGNATURE]), blob_len(tb[UBUS_ATTR_SIGNATURE]));
	}
	if (o->sig.oom) {
		buf_free(&o->sig);
		free(o->path);
		free(o);
		return UBUS_STATUS_NO_MEMORY;
	}
	o->id = new_id();
	o->owner = c;
	o->next = objects;
	objects = o;
	c->nobj++;
	ubus_msg_begin(&mb, UBUS_MSG_DATA, h->seq, h->peer);
	blob_put_u32(&mb, UBUS_ATTR_OBJID, o->id);
	if (tb[UBUS_ATTR_SIGNATURE] && o->type)
		blob_put_u32(&mb, UBUS_ATTR_OBJTYPE, o->type);
	send_mb(c);
	if (o->path)
		object_event(o, true);
	return UBUS_STATUS_OK;
}

/* ---- requests ---- */

static int cmp_path(const void *a, const void *b)
{
	return strcmp((*(struct object *const *)a)->path, (*(struct object *const *)b)->path);
}

static int lookup(struct client *c, const struct ubus_hdr *h, const uint8_t **tb)
{
	const char *want = tb[UBUS_ATTR_OBJPATH] ? (const char *)blob_data(tb[UBUS_ATTR_OBJPATH]) : NULL;
	size_t wl = want ? strlen(want) : 0;
	if (want && !wl)
		return UBUS_STATUS_INVALID_ARGUMENT;
	bool prefix = want && want[wl - 1] == '*';
	/* a change made before this request was sent is in inotify's queue; without a watch, read */
	if (ifconf_stale(&ifc))
		sync_interfaces();
	size_t n = 0;
	for (struct object *o = objects; o; o = o->next)
		n++;
	struct object **v = calloc(n ? n : 1, sizeof *v);
	if (!v)
		return UBUS_STATUS_NO_MEMORY;
	n = 0;
	for (struct object *o = objects; o; o = o->next) {
		if (!o->path || !o->type)
			continue;
		if (want && (prefix ? strncmp(o->path, want, wl - 1) != 0 : strcmp(o->path, want) != 0))
			continue;
		v[n++] = o;
	}
	qsort(v, n, sizeof *v, cmp_path);
	for (size_t i = 0; i < n; i++) {
		ubus_msg_begin(&mb, UBUS_MSG_DATA, h->seq, h->peer);
		blob_put_str(&mb, UBUS_ATTR_OBJPATH, v[i]->path);
		blob_put_u32(&mb, UBUS_ATTR_OBJID, v[i]->id);
		blob_put_u32(&mb, UBUS_ATTR_OBJTYPE, v[i]->type);
		blob_put(&mb, UBUS_ATTR_SIGNATURE, v[i]->sig.p, v[i]->sig.len);
		send_mb(c);
	}
	free(v);
	return want && n == 0 ? UBUS_STATUS_NOT_FOUND : UBUS_STATUS_OK;
}

static int invoke(struct client *c, const uint8_t *msg, const struct ubus_hdr *h, const uint8_t **tb)
{
	if (!tb[UBUS_ATTR_OBJID] || !tb[UBUS_ATTR_METHOD])
		return UBUS_STATUS_INVALID_ARGUMENT;
	config_changes();
	struct object *o = find_object(rd32(blob_data(tb[UBUS_ATTR_OBJID])));
	if (!o)
		return UBUS_STATUS_NOT_FOUND;
	const char *method = (const char *)blob_data(tb[UBUS_ATTR_METHOD]);
	bool no_reply = tb[UBUS_ATTR_NO_REPLY] && blob_data(tb[UBUS_ATTR_NO_REPLY])[0];
	if (o->builtin == B_EVENT)
		return invoke_event(c, method, tb[UBUS_ATTR_DATA]);
	if (o->builtin != B_NONE)
		return invoke_builtin(c, h, o, method, tb[UBUS_ATTR_DATA], no_reply);
	(void)msg;
	/* to the owner, with the caller as peer so that its answer finds its way back */
	ubus_msg_begin(&mb, UBUS_MSG_INVOKE, h->seq, c->id);
	blob_put_u32(&mb, UBUS_ATTR_OBJID, o->id);
	blob_put_str(&mb, UBUS_ATTR_METHOD, method);
	if (no_reply)
		blob_put_u8(&mb, UBUS_ATTR_NO_REPLY, 1);
	if (tb[UBUS_ATTR_DATA])
		blob_put(&mb, UBUS_ATTR_DATA, blob_data(tb[UBUS_ATTR_DATA]), blob_len(tb[UBUS_ATTR_DATA]));
	send_mb(o->owner);
	return -1;
}

/* a client's DATA or STATUS answering an INVOKE: to the caller named by peer */
static void response(struct client *c, const uint8_t *msg, size_t len, const struct ubus_hdr *h, const uint8_t **tb)
{
	if (!tb[UBUS_ATTR_OBJID] || (h->type == UBUS_MSG_STATUS && !tb[UBUS_ATTR_STATUS]) ||
	    (h->type == UBUS_MSG_DATA && !tb[UBUS_ATTR_DATA]))
		return;
	uint32_t id = rd32(blob_data(tb[UBUS_ATTR_OBJID]));
	struct object *o = find_object(id);
	struct client *to = find_client(h->peer);
	if (!o || o->owner != c || !to)
		return;
	uint8_t *copy = malloc(len);
	if (!copy)
		return;
	memcpy(copy, msg, len);
	copy[4] = (uint8_t)(id >> 24), copy[5] = (uint8_t)(id >> 16), copy[6] = (uint8_t)(id >> 8), copy[7] = (uint8_t)id;
	send_raw(to, copy, len);
	free(copy);
}

static int subscribe(struct client *c, const uint8_t **tb, bool on)
{
	if (!tb[UBUS_ATTR_OBJID] || !tb[UBUS_ATTR_TARGET])
		return UBUS_STATUS_INVALID_ARGUMENT;
	struct object *o = find_object(rd32(blob_data(tb[UBUS_ATTR_OBJID])));
	uint32_t tid = rd32(blob_data(tb[UBUS_ATTR_TARGET]));
	if (!o)
		return UBUS_STATUS_NOT_FOUND;
	if (o->owner != c)
		return UBUS_STATUS_INVALID_ARGUMENT;
	if (!on) {
		for (struct sub **sp = &subs; *sp; sp = &(*sp)->next)
			if ((*sp)->sub == o && (*sp)->target->id == tid) {
				struct sub *s = *sp;
				struct object *t = s->target;
				*sp = s->next;
				free(s);
				if (!has_subscribers(t))
					notify_active(t, false);
				return UBUS_STATUS_OK;
			}
		return UBUS_STATUS_NOT_FOUND;
	}
	config_changes();
	struct object *t = find_object(tid);
	/* the built-in objects stand for procd's and netifd's, which can be
	 * watched; the event object cannot (it has no client in ubusd either) */
	if (!t || (!t->owner && !t->path))
		return UBUS_STATUS_NOT_FOUND;
	if (t->owner == c)
		return UBUS_STATUS_INVALID_ARGUMENT;
	struct sub *s = calloc(1, sizeof *s);
	if (!s)
		return UBUS_STATUS_NO_MEMORY;
	bool first = !has_subscribers(t);
	s->sub = o;
	s->target = t;
	s->next = subs;
	subs = s;
	if (first)
		notify_active(t, true);
	return UBUS_STATUS_OK;
}

static int notify(struct client *c, const struct ubus_hdr *h, const uint8_t **tb)
{
	if (!tb[UBUS_ATTR_OBJID] || !tb[UBUS_ATTR_METHOD])
		return UBUS_STATUS_INVALID_ARGUMENT;
	struct object *o = find_object(rd32(blob_data(tb[UBUS_ATTR_OBJID])));
	if (!o)
		return UBUS_STATUS_NOT_FOUND;
	if (o->owner != c)
		return UBUS_STATUS_PERMISSION_DENIED;
	bool no_reply = tb[UBUS_ATTR_NO_REPLY] && blob_data(tb[UBUS_ATTR_NO_REPLY])[0];
	if (!no_reply) {
		ubus_msg_begin(&mb, UBUS_MSG_STATUS, h->seq, h->peer);
		blob_put_u32(&mb, UBUS_ATTR_OBJID, o->id);
		size_t n = blob_open(&mb, UBUS_ATTR_SUBSCRIBERS);
		for (struct sub *s = subs; s; s = s->next)
			if (s->target == o)
				blob_put_u32(&mb, 0, s->sub->id);
		blob_close(&mb, n);
		blob_put_u32(&mb, UBUS_ATTR_STATUS, 0);
		send_mb(c);
	}
	const char *method = (const char *)blob_data(tb[UBUS_ATTR_METHOD]);
	for (struct sub *s = subs; s; s = s->next) {
		if (s->target != o)
			continue;
		ubus_msg_begin(&mb, UBUS_MSG_INVOKE, h->seq, c->id);
		if (no_reply)
			blob_put_u8(&mb, UBUS_ATTR_NO_REPLY, 1);
		blob_put_u32(&mb, UBUS_ATTR_OBJID, s->sub->id);
		blob_put_str(&mb, UBUS_ATTR_METHOD, method);
		if (tb[UBUS_ATTR_DATA])
			blob_put(&mb, UBUS_ATTR_DATA, blob_data(tb[UBUS_ATTR_DATA]), blob_len(tb[UBUS_ATTR_DATA]));
		send_mb(s->sub->owner);
	}
	return -1;
}

static void handle(struct client *c, const uint8_t *msg, size_t len)
{
	struct ubus_hdr h;
	const uint8_t *tb[UBUS_ATTR_MAX];
	int st;
	if (ubus_msg_parse(msg, len, &h, tb) < 0) {
		/* answers are never answered */
		if (len >= UBUS_HDR && msg[1] != UBUS_MSG_STATUS && msg[1] != UBUS_MSG_DATA)
			send_status(c, rd16(msg + 2), rd32(msg + 4), UBUS_STATUS_INVALID_ARGUMENT, NULL);
		return;
	}
	switch (h.type) {
	case UBUS_MSG_PING:
		ubus_msg_begin(&mb, UBUS_MSG_DATA, h.seq, h.peer);
		send_mb(c);
		return;
	case UBUS_MSG_LOOKUP:
		st = lookup(c, &h, tb);
		break;
	case UBUS_MSG_INVOKE:
		st = invoke(c, msg, &h, tb);
		break;
	case UBUS_MSG_ADD_OBJECT:
		st = add_object(c, &h, tb);
		break;
	case UBUS_MSG_REMOVE_OBJECT: {
		if (!tb[UBUS_ATTR_OBJID]) {
			st = UBUS_STATUS_INVALID_ARGUMENT;
			break;
		}
		struct object *o = find_object(rd32(blob_data(tb[UBUS_ATTR_OBJID])));
		if (!o) {
			st = UBUS_STATUS_NOT_FOUND;
			break;
		}
		if (o->owner != c) {
			st = UBUS_STATUS_PERMISSION_DENIED;
			break;
		}
		ubus_msg_begin(&mb, UBUS_MSG_DATA, h.seq, h.peer);
		blob_put_u32(&mb, UBUS_ATTR_OBJID, o->id);
		send_mb(c);
		remove_object(o);
		st = UBUS_STATUS_OK;
		break;
	}
	case UBUS_MSG_STATUS:
	case UBUS_MSG_DATA:
		response(c, msg, len, &h, tb);
		return;
	case UBUS_MSG_SUBSCRIBE:
	case UBUS_MSG_UNSUBSCRIBE:
		st = subscribe(c, tb, h.type == UBUS_MSG_SUBSCRIBE);
		break;
	case UBUS_MSG_NOTIFY:
		st = notify(c, &h, tb);
		break;
	default:
		st = UBUS_STATUS_INVALID_COMMAND;
		break;
	}
	if (st >= 0)
		send_status(c, h.seq, h.peer, st, NULL);
}

/* ---- clients ---- */

static void client_read(struct client *c)
{
	for (int k = 0; k < MSGS_PER_WAKEUP && !c->dead;) {
		uint8_t *dst = c->msg ? c->msg + c->got : c->head + c->got;
		size_t want = c->msg ? c->need - c->got : sizeof c->head - c->got;
		ssize_t n = recv(c->fd, dst, want, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			c->dead = true;
			return;
		}
		c->got += (size_t)n;
		if (!c->msg && c->got == sizeof c->head) {
			c->need = ubus_msg_len(c->head);
			if (c->need == 0 || c->need > UBUS_HDR + UBUS_MAX_MSGLEN) {
				warn("client %08x: message of %zu bytes: dropped", c->id, c->need);
				c->dead = true;
				return;
			}
			c->msg = malloc(c->need);
			if (!c->msg) {
				c->dead = true;
				return;
			}
			memcpy(c->msg, c->head, sizeof c->head);
		}
		if (c->msg && c->got == c->need) {
			uint8_t *m = c->msg;
			size_t len = c->need;
			c->msg = NULL;
			c->got = c->need = 0;
			handle(c, m, len);
			free(m);
			k++;
		}
	}
}

static void client_free(struct client *c)
{
	for (struct object *o = objects, *nx; o; o = nx) {
		nx = o->next;
		if (o->owner == c)
			remove_object(o);
	}
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->msg);
	buf_free(&c->out);
	free(c);
	nclients--;
}

static void reap_clients(void)
{
	for (struct client **cp = &clients; *cp;) {
		struct client *c = *cp;
		if (c->dead) {
			*cp = c->next;
			client_free(c);
		} else {
			cp = &c->next;
		}
	}
}

static void accept_clients(void)
{
	for (;;) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				/* the pending connection stays: stop listening a second rather than spin */
				warn("accept: %s: new clients wait 1 s", strerror(errno));
				struct epoll_event e = { .events = 0, .data.ptr = &listen_ev };
				epoll_ctl(epfd, EPOLL_CTL_MOD, listen_fd, &e);
				accept_resume = now_ms() + 1000;
			} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
				warn("accept: %s", strerror(errno));
			}
			return;
		}
		if (nclients >= MAX_CLIENTS) {
			warn("%d clients already: connection refused", MAX_CLIENTS);
			close(fd);
			continue;
		}
		struct client *c = calloc(1, sizeof *c);
		if (!c) {
			close(fd);
			continue;
		}
		c->ev.kind = K_CLIENT;
		c->fd = fd;
		c->id = new_id();
		struct epoll_event e = { .events = EPOLLIN, .data.ptr = c };
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) < 0) {
			close(fd);
			free(c);
			continue;
		}
		c->next = clients;
		clients = c;
		nclients++;
		/* HELLO: the peer field tells the client its id */
		ubus_msg_begin(&mb, UBUS_MSG_HELLO, 0, c->id);
		send_mb(c);
	}
}

static int listen_on(const char *path, const char *link)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path) {
		warn("%s: socket path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	char dir[sizeof sa.sun_path];
	strcpy(dir, path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			warn("%s: %s", dir, strerror(errno));
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		warn("socket: %s", strerror(errno));
		return -1;
	}
	unlink(path);
	/* no ACLs: root and the socket's group only */
	mode_t old = umask(0117);
	int r = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (r < 0 || listen(fd, 64) < 0) {
		warn("%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (link) {
		struct stat st;
		if (lstat(link, &st) == 0 && !S_ISLNK(st.st_mode) && !S_ISSOCK(st.st_mode))
			warn("%s exists and is no link: left alone", link);
		else if ((unlink(link) < 0 && errno != ENOENT) || symlink(path, link) < 0)
			warn("%s: %s", link, strerror(errno));
	}
	return fd;
}

static void usage(void)
{
	fputs("usage: keel-ubusd [-s SOCKET] [-L LINK] [-u UBUS] [-t SECONDS] [-r FD]\n"
	      "       keel-ubusd -c [-s SOCKET] [-t SECONDS] [-v] list [PATH] | call PATH METHOD [JSON] | send TYPE [JSON]\n"
	      "  -s SOCKET   where to listen (/var/run/ubus/ubus.sock)\n"
	      "  -L LINK     also a symlink to it there (older clients: /var/run/ubus.sock)\n"
	      "  -u UBUS     the ubus command answering service, system, network.interface (/bin/ubus)\n"
	      "  -t SECONDS  how long a call may take (30)\n"
	      "  -r FD       write a newline to FD once listening (keel's \"ready fd\")\n"
	      "  -c          a client: one request to the socket, answers printed as JSON\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *link = NULL;
	int ready_fd = -1, o;
	bool client = false, verbose = false;
	/* + : stop at the first operand (a client's JSON may start with -) */
	while ((o = getopt(argc, argv, "+cvs:L:u:t:r:h")) != -1) {
		switch (o) {
		case 'c':
			client = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 's':
			sock_path = optarg;
			break;
		case 'L':
			link = optarg;
			break;
		case 'u':
			shim = optarg;
			break;
		case 't':
			call_timeout = atoi(optarg);
			if (call_timeout < 1)
				usage();
			break;
		case 'r':
			ready_fd = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (client)
		return client_main(sock_path, call_timeout, verbose, argc - optind, argv + optind);
	if (optind != argc)
		usage();
	id_state = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16 ^ (uint32_t)now_ms();
	if (!id_state)
		id_state = 0x2545f491;

	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGCHLD);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* ubusd rereads its ACLs on HUP; there are none here */
	signal(SIGHUP, SIG_IGN);
	sig_fd = signalfd(-1, &ss, SFD_CLOEXEC | SFD_NONBLOCK);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sig_fd < 0 || epfd < 0) {
		warn("signalfd/epoll: %s", strerror(errno));
		return 1;
	}
	listen_fd = listen_on(sock_path, link);
	if (listen_fd < 0)
		return 1;
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = &listen_ev };
	struct epoll_event s = { .events = EPOLLIN, .data.ptr = &sig_ev };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &e) < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, sig_fd, &s) < 0) {
		warn("epoll: %s", strerror(errno));
		return 1;
	}
	add_builtin(NULL, B_EVENT, UBUS_OBJ_EVENT);
	add_builtin("service", B_SERVICE, 0);
	add_builtin("system", B_SYSTEM, 0);
	add_builtin("network.interface", B_NETIF, 0);
	if (ifconf_open(&ifc, getenv("UCI_CONFIG_DIR")) < 0) {
		warn("out of memory");
		return 1;
	}
	struct epoll_event ce = { .events = EPOLLIN, .data.ptr = &config_ev };
	if (ifc.fd >= 0 && epoll_ctl(epfd, EPOLL_CTL_ADD, ifc.fd, &ce) < 0) {
		warn("epoll: %s", strerror(errno));
		return 1;
	}
	ifconf_stale(&ifc);
	sync_interfaces();
	if (ready_fd >= 0) {
		if (write(ready_fd, "\n", 1) < 0)
			warn("ready fd %d: %s", ready_fd, strerror(errno));
		close(ready_fd);
	}

	for (;;) {
		struct epoll_event evs[32];
		int n = epoll_wait(epfd, evs, 32, next_timeout());
		if (n < 0 && errno != EINTR) {
			warn("epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++) {
			struct ev *ev = evs[i].data.ptr;
			switch (ev->kind) {
			case K_LISTEN:
				accept_clients();
				break;
			case K_SIGNAL:
				reap();
				break;
			case K_CONFIG:
				if (ifconf_stale(&ifc))
					sync_interfaces();
				break;
			case K_JOB: {
				struct job *j = (struct job *)ev;
				job_read(j);
				break;
			}
			case K_CLIENT: {
				struct client *c = (struct client *)ev;
				if (c->dead)
					break;
				if (evs[i].events & EPOLLOUT)
					flush(c);
				if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
					client_read(c);
				break;
			}
			}
		}
		jobs_timeout();
		jobs_collect();
		reap_clients();
		if (accept_resume && now_ms() >= accept_resume) {
			struct epoll_event le = { .events = EPOLLIN, .data.ptr = &listen_ev };
			epoll_ctl(epfd, EPOLL_CTL_MOD, listen_fd, &le);
			accept_resume = 0;
		}
	}
}
