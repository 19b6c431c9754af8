/* ubus_probe: a minimal libubus-free ubus client for the QEMU tests: LOOKUP PATH, INVOKE METHOD, print the answer as JSON, exit with the ubus status. */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ubusmsg.h"

static int fd;

static int read_full(uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* one message into *m (malloc'ed); its attributes into tb */
static int recv_msg(uint8_t **m, struct ubus_hdr *h, const uint8_t **tb)
{
	uint8_t head[UBUS_HDR + BLOB_HDR];
	if (read_full(head, sizeof head) < 0)
		return -1;
	size_t len = ubus_msg_len(head);
	if (len < sizeof head || !(*m = malloc(len)))
		return -1;
	memcpy(*m, head, sizeof head);
	if (read_full(*m + sizeof head, len - sizeof head) < 0)
		return -1;
	return ubus_msg_parse(*m, len, h, tb);
}

/* sends mb, then reads up to the STATUS of seq: the DATA's attribute in *data */
static int request(struct buf *mb, uint16_t seq, uint8_t **keep, const uint8_t **data, uint32_t *objid)
{
	struct ubus_hdr h;
	const uint8_t *tb[UBUS_ATTR_MAX];
	if (ubus_msg_end(mb) < 0 || write(fd, mb->p, mb->len) != (ssize_t)mb->len)
		return -1;
	for (;;) {
		uint8_t *m = NULL;
		if (recv_msg(&m, &h, tb) < 0)
			return -1;
		if (h.seq == seq && h.type == UBUS_MSG_STATUS && tb[UBUS_ATTR_STATUS]) {
			int st = (int)rd32(blob_data(tb[UBUS_ATTR_STATUS]));
			free(m);
			return st;
		}
		if (h.seq == seq && h.type == UBUS_MSG_DATA) {
			if (tb[UBUS_ATTR_OBJID] && objid)
				*objid = rd32(blob_data(tb[UBUS_ATTR_OBJID]));
			if (tb[UBUS_ATTR_DATA] && data) {
				*data = tb[UBUS_ATTR_DATA];
				*keep = m;
				continue;
			}
		}
		free(m);
	}
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: ubus_probe SOCKET PATH METHOD\n");
		return 2;
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror(argv[1]);
		return 10;
	}
	uint8_t *m = NULL, *keep = NULL;
	struct ubus_hdr h;
	const uint8_t *tb[UBUS_ATTR_MAX], *data = NULL;
	if (recv_msg(&m, &h, tb) < 0 || h.type != UBUS_MSG_HELLO)
		return 10;
	struct buf mb = { 0 };
	uint32_t id = 0;
	ubus_msg_begin(&mb, UBUS_MSG_LOOKUP, 1, 0);
	blob_put_str(&mb, UBUS_ATTR_OBJPATH, argv[2]);
	int st = request(&mb, 1, &keep, NULL, &id);
	if (st != 0 || !id)
		return st ? st : 4;
	ubus_msg_begin(&mb, UBUS_MSG_INVOKE, 2, id);
	blob_put_u32(&mb, UBUS_ATTR_OBJID, id);
	blob_put_str(&mb, UBUS_ATTR_METHOD, argv[3]);
	size_t d = blob_open(&mb, UBUS_ATTR_DATA);
	blob_close(&mb, d);
	st = request(&mb, 2, &keep, &data, NULL);
	if (data) {
		struct buf js = { 0 };
		bm_to_json(&js, blob_data(data), blob_len(data), true);
		printf("%.*s\n", (int)js.len, js.p);
	}
	return st < 0 ? 10 : st;
}
