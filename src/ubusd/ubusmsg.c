/* ubusmsg.c: parses and builds ubus messages (header and attributes), checking every size against what is there. */
/* SPDX-License-Identifier: MIT */
#include "ubusmsg.h"

#include <string.h>

/* the blob type each attribute must have (0: not looked at) */
static const unsigned char attr_type[UBUS_ATTR_MAX] = {
	[UBUS_ATTR_STATUS] = BLOB_INT32,     [UBUS_ATTR_OBJPATH] = BLOB_STRING,
	[UBUS_ATTR_OBJID] = BLOB_INT32,      [UBUS_ATTR_METHOD] = BLOB_STRING,
	[UBUS_ATTR_OBJTYPE] = BLOB_INT32,    [UBUS_ATTR_SIGNATURE] = BLOB_NESTED,
	[UBUS_ATTR_DATA] = BLOB_NESTED,      [UBUS_ATTR_TARGET] = BLOB_INT32,
	[UBUS_ATTR_ACTIVE] = BLOB_INT8,      [UBUS_ATTR_NO_REPLY] = BLOB_INT8,
	[UBUS_ATTR_SUBSCRIBERS] = BLOB_NESTED, [UBUS_ATTR_USER] = BLOB_STRING,
	[UBUS_ATTR_GROUP] = BLOB_STRING,
};

size_t ubus_msg_len(const uint8_t *p)
{
	size_t raw = blob_raw_len(p + UBUS_HDR);
	return raw < BLOB_HDR ? 0 : UBUS_HDR + raw;
}

static int check_attr(unsigned id, const uint8_t *a)
{
	const uint8_t *d = blob_data(a);
	size_t n = blob_len(a);
	if (blob_is_ext(a))
		return -1;
	switch (attr_type[id]) {
	case BLOB_INT32:
		return n == 4 ? 0 : -1;
	case BLOB_INT8:
		return n == 1 ? 0 : -1;
	case BLOB_STRING:
		return n >= 1 && d[n - 1] == 0 ? 0 : -1;
	}
	if (id == UBUS_ATTR_DATA)
		return bm_check_list(d, n, 1);
	if (id == UBUS_ATTR_SIGNATURE) {
		const uint8_t *pos = d, *m;
		size_t rem = n;
		int r;
		while ((r = blob_next(&pos, &rem, &m)) > 0)
			if (bm_check(m, 1) < 0 || blob_id(m) != BM_TABLE || blob_data(m)[2] == 0)
				return -1;
		return r;
	}
	if (id == UBUS_ATTR_SUBSCRIBERS) {
		const uint8_t *pos = d, *m;
		size_t rem = n;
		int r;
		while ((r = blob_next(&pos, &rem, &m)) > 0)
			if (blob_len(m) != 4)
				return -1;
		return r;
	}
	return 0;
}

int ubus_msg_parse(const uint8_t *msg, size_t len, struct ubus_hdr *h, const uint8_t *tb[UBUS_ATTR_MAX])
{
	memset(tb, 0, sizeof(tb[0]) * UBUS_ATTR_MAX);
	if (len < UBUS_HDR + BLOB_HDR || ubus_msg_len(msg) != len)
		return -1;
	h->version = msg[0];
	h->type = msg[1];
	h->seq = rd16(msg + 2);
	h->peer = rd32(msg + 4);
	const uint8_t *top = msg + UBUS_HDR, *pos = blob_data(top), *a;
	size_t rem = blob_len(top);
	int r;
	while ((r = blob_next(&pos, &rem, &a)) > 0) {
		unsigned id = blob_id(a);
		if (id >= UBUS_ATTR_MAX || id == UBUS_ATTR_UNSPEC)
			continue;
		if (check_attr(id, a) < 0)
			return -1;
		tb[id] = a;
	}
	return r;
}

void ubus_msg_begin(struct buf *m, unsigned type, uint16_t seq, uint32_t peer)
{
	uint8_t h[UBUS_HDR] = { 0, (uint8_t)type, (uint8_t)(seq >> 8), (uint8_t)seq,
				(uint8_t)(peer >> 24), (uint8_t)(peer >> 16), (uint8_t)(peer >> 8), (uint8_t)peer };
	m->len = 0;
	buf_add(m, (const char *)h, UBUS_HDR);
	blob_open(m, 0);
}

int ubus_msg_end(struct buf *m)
{
	if (blob_close(m, UBUS_HDR) < 0 || m->len > UBUS_HDR + UBUS_MAX_MSGLEN)
		return -1;
	return 0;
}
