/* client.c: keel-ubusd -c, a one-shot ubus client (call, list, send) through which the ubus shim reaches the objects of the socket's clients. */
/* SPDX-License-Identifier: MIT */
#include "client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "json.h"
#include "ubusmsg.h"

static const char *const reasons[] = {
	"Success", "Invalid command", "Invalid argument", "Method not found", "Not found",
	"No response", "Permission denied", "Request timed out", "Operation not supported",
	"Unknown error", "Connection failed", "Out of memory", "Parsing message data failed",
	"System error",
};

static int fd = -1;
static uint16_t seq;
static struct buf mb;

static int failed(int st)
{
	if (st < 0 || st > UBUS_STATUS_SYSTEM_ERROR)
		st = UBUS_STATUS_UNKNOWN_ERROR;
	fprintf(stderr, "Command failed: %s\n", reasons[st]);
	return st;
}

static int read_full(uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return -UBUS_STATUS_TIMEOUT;
		if (r <= 0)
			return -UBUS_STATUS_CONNECTION_FAILED;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* one message (malloc'ed in *m) and its attributes; -status on failure */
static int recv_msg(uint8_t **m, struct ubus_hdr *h, const uint8_t **tb)
{
	uint8_t head[UBUS_HDR + BLOB_HDR];
	int r = read_full(head, sizeof head);
	if (r < 0)
		return r;
	size_t len = ubus_msg_len(head);
	if (len < sizeof head || len > UBUS_HDR + UBUS_MAX_MSGLEN || !(*m = malloc(len)))
		return -UBUS_STATUS_CONNECTION_FAILED;
	memcpy(*m, head, sizeof head);
	if ((r = read_full(*m + sizeof head, len - sizeof head)) < 0 || ubus_msg_parse(*m, len, h, tb) < 0) {
		free(*m);
		return r < 0 ? r : -UBUS_STATUS_CONNECTION_FAILED;
	}
	return 0;
}

/* sends mb (begun with seq) and hands each DATA answer to fn; the status */
static int request(uint32_t peer, void (*fn)(const uint8_t **tb))
{
	if (ubus_msg_end(&mb) < 0 || mb.oom)
		return UBUS_STATUS_NO_MEMORY;
	if (send(fd, mb.p, mb.len, MSG_NOSIGNAL) != (ssize_t)mb.len)
		return UBUS_STATUS_CONNECTION_FAILED;
	for (;;) {
		uint8_t *m = NULL;
		struct ubus_hdr h;
		const uint8_t *tb[UBUS_ATTR_MAX];
		int r = recv_msg(&m, &h, tb);
		if (r < 0)
			return -r;
		int st = -1;
		if (h.seq == seq && h.peer == peer && h.type == UBUS_MSG_STATUS)
			st = tb[UBUS_ATTR_STATUS] ? (int)rd32(blob_data(tb[UBUS_ATTR_STATUS])) : UBUS_STATUS_UNKNOWN_ERROR;
		else if (h.seq == seq && h.peer == peer && h.type == UBUS_MSG_DATA && fn)
			fn(tb);
		free(m);
		if (st >= 0)
			return st;
	}
}

static uint32_t found_id;
static void take_id(const uint8_t **tb)
{
	if (tb[UBUS_ATTR_OBJID])
		found_id = rd32(blob_data(tb[UBUS_ATTR_OBJID]));
}

static void print_data(const uint8_t **tb)
{
	if (!tb[UBUS_ATTR_DATA])
		return;
	struct buf js = { 0 };
	bm_to_json(&js, blob_data(tb[UBUS_ATTR_DATA]), blob_len(tb[UBUS_ATTR_DATA]), true);
	printf("%.*s\n", (int)js.len, js.p ? js.p : "");
	buf_free(&js);
}

static bool verbose;
/* as ubus list prints objects: the path, or with -v its id and methods with typed arguments */
static void print_object(const uint8_t **tb)
{
	static const char *const tn[] = { "(unknown)", "Array", "Table", "String", "Integer", "Integer",
					  "Integer", "Boolean", "Double" };
	if (!tb[UBUS_ATTR_OBJPATH])
		return;
	const char *path = (const char *)blob_data(tb[UBUS_ATTR_OBJPATH]);
	if (!verbose) {
		printf("%s\n", path);
		return;
	}
	printf("'%s' @%08x\n", path, tb[UBUS_ATTR_OBJID] ? rd32(blob_data(tb[UBUS_ATTR_OBJID])) : 0);
	if (!tb[UBUS_ATTR_SIGNATURE])
		return;
	const uint8_t *pos = blob_data(tb[UBUS_ATTR_SIGNATURE]), *a, *p2, *arg;
	size_t rem = blob_len(tb[UBUS_ATTR_SIGNATURE]), r2;
	struct bm m, x;
	while (blob_next(&pos, &rem, &a) > 0) {
		bm_get(a, &m);
		printf("\t\"%s\":{", m.name);
		const char *sep = "";
		for (p2 = m.data, r2 = m.len; blob_next(&p2, &r2, &arg) > 0; sep = ",") {
			bm_get(arg, &x);
			int64_t t = x.type == BM_INT32 ? bm_int(&x) : 0;
			printf("%s\"%s\":\"%s\"", sep, x.name, tn[t >= 0 && t <= BM_DOUBLE ? t : 0]);
		}
		printf("}\n");
	}
}

/* put the JSON object text s (NULL: {}) into mb as a DATA attribute */
static int put_json(const char *s)
{
	const char *err = NULL;
	size_t used;
	struct jval *v = s && *s ? json_parse(s, strlen(s), &used, &err) : NULL;
	if (s && *s && (!v || v->t != J_OBJECT)) {
		json_free(v);
		return -1;
	}
	size_t d = blob_open(&mb, UBUS_ATTR_DATA);
	int r = v ? bm_from_json_object(&mb, v) : 0;
	json_free(v);
	return r < 0 || blob_close(&mb, d) < 0 ? -1 : 0;
}

static int lookup_id(const char *path)
{
	ubus_msg_begin(&mb, UBUS_MSG_LOOKUP, ++seq, 0);
	blob_put_str(&mb, UBUS_ATTR_OBJPATH, path);
	found_id = 0;
	int st = request(0, take_id);
	return st ? st : found_id ? 0 : UBUS_STATUS_NOT_FOUND;
}

int client_main(const char *sock, int timeout, bool verbose_list, int argc, char **argv)
{
	const char *cmd = argc > 0 ? argv[0] : "";
	verbose = verbose_list;
	bool call = strcmp(cmd, "call") == 0 && (argc == 3 || argc == 4);
	bool list = strcmp(cmd, "list") == 0 && argc <= 2;
	bool sendev = strcmp(cmd, "send") == 0 && (argc == 2 || argc == 3);
	if (!call && !list && !sendev) {
		fputs("usage: keel-ubusd -c [-s SOCKET] [-t SECONDS] [-v] list [PATH] | call PATH METHOD [JSON] | "
		      "send TYPE [JSON]\n",
		      stderr);
		return 2;
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(sock) >= sizeof sa.sun_path)
		return failed(UBUS_STATUS_CONNECTION_FAILED);
	strcpy(sa.sun_path, sock);
	struct timeval tv = { .tv_sec = timeout };
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return failed(UBUS_STATUS_CONNECTION_FAILED);
	uint8_t *m = NULL;
	struct ubus_hdr h;
	const uint8_t *tb[UBUS_ATTR_MAX];
	int st = recv_msg(&m, &h, tb);
	if (st < 0 || h.type != UBUS_MSG_HELLO)
		return failed(st < 0 ? -st : UBUS_STATUS_CONNECTION_FAILED);
	free(m);

	if (list) {
		ubus_msg_begin(&mb, UBUS_MSG_LOOKUP, ++seq, 0);
		if (argc == 2)
			blob_put_str(&mb, UBUS_ATTR_OBJPATH, argv[1]);
		st = request(0, print_object);
		return st ? failed(st) : 0;
	}
	if (sendev) {
		ubus_msg_begin(&mb, UBUS_MSG_INVOKE, ++seq, UBUS_OBJ_EVENT);
		blob_put_u32(&mb, UBUS_ATTR_OBJID, UBUS_OBJ_EVENT);
		blob_put_str(&mb, UBUS_ATTR_METHOD, "send");
		size_t d = blob_open(&mb, UBUS_ATTR_DATA);
		bm_put_str(&mb, "id", argv[1]);
		struct buf inner = { 0 };
		const char *err = NULL;
		size_t used;
		struct jval *v = argc == 3 && *argv[2] ? json_parse(argv[2], strlen(argv[2]), &used, &err) : NULL;
		if ((argc == 3 && *argv[2] && (!v || v->t != J_OBJECT)) || (v && bm_from_json_object(&inner, v) < 0)) {
			json_free(v);
			buf_free(&inner);
			return failed(UBUS_STATUS_INVALID_ARGUMENT);
		}
		json_free(v);
		bm_put(&mb, BM_TABLE, "data", inner.p, inner.len);
		buf_free(&inner);
		blob_close(&mb, d);
		st = request(UBUS_OBJ_EVENT, NULL);
		return st ? failed(st) : 0;
	}
	if ((st = lookup_id(argv[1])) != 0)
		return failed(st);
	uint32_t id = found_id;
	ubus_msg_begin(&mb, UBUS_MSG_INVOKE, ++seq, id);
	blob_put_u32(&mb, UBUS_ATTR_OBJID, id);
	blob_put_str(&mb, UBUS_ATTR_METHOD, argv[2]);
	if (put_json(argc == 4 ? argv[3] : NULL) < 0)
		return failed(UBUS_STATUS_INVALID_ARGUMENT);
	st = request(id, print_data);
	return st ? failed(st) : 0;
}
