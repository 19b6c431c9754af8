/* logring: the RAM ring of log records — fixed size, oldest overwritten, numbered for readers. */
/* SPDX-License-Identifier: MIT */
#include "logring.h"

#include <stdlib.h>
#include <string.h>

/* Header of a stored record, copied in and out with memcpy (the buffer
 * has no alignment). */
struct hdr {
	uint64_t mono_us;
	int64_t real_us;
	uint32_t pid;
	uint16_t size; /* header + tag + message */
	uint16_t msg_len;
	uint8_t tag_len, pri, source, flags;
};

int logring_init(struct logring *r, size_t cap)
{
	*r = (struct logring){ .cap = cap < 256 ? 256 : cap, .first_seq = 1, .next_seq = 1 };
	r->buf = malloc(r->cap);
	return r->buf ? 0 : -1;
}

void logring_free(struct logring *r)
{
	free(r->buf);
	r->buf = NULL;
}

static struct hdr hdr_at(const struct logring *r, size_t off)
{
	struct hdr h;
	memcpy(&h, r->buf + off, sizeof h);
	return h;
}

static void evict_oldest(struct logring *r)
{
	r->head += hdr_at(r, r->head).size;
	r->first_seq++;
	r->evicted++;
	if (r->wrapped && r->head >= r->wrap) {
		r->head = 0;
		r->wrapped = false;
	}
}

/* The lengths a record is stored with. */
static void cut(const struct logring *r, size_t *tag_len, size_t *msg_len)
{
	if (*tag_len > LOG_TAG_MAX)
		*tag_len = LOG_TAG_MAX;
	if (*msg_len > LOG_MSG_MAX)
		*msg_len = LOG_MSG_MAX;
	/* A small ring still keeps two records of the longest kind. */
	size_t room = r->cap / 2 - sizeof(struct hdr) - *tag_len;
	if (*msg_len > room)
		*msg_len = room;
}

size_t logring_cost(const struct logring *r, size_t tag_len, size_t msg_len)
{
	cut(r, &tag_len, &msg_len);
	return sizeof(struct hdr) + tag_len + msg_len;
}

size_t logring_room(const struct logring *r)
{
	if (r->first_seq == r->next_seq)
		return r->cap;
	return r->wrapped ? r->head - r->tail : r->cap - r->tail + r->head;
}

uint64_t logring_add(struct logring *r, const struct log_rec *rec)
{
	size_t tag_len = rec->tag_len, msg_len = rec->msg_len;
	cut(r, &tag_len, &msg_len);
	size_t s = sizeof(struct hdr) + tag_len + msg_len;
	for (;;) {
		if (r->first_seq == r->next_seq) {
			r->head = r->tail = 0;
			r->wrapped = false;
		}
		if (!r->wrapped) {
			if (r->tail + s <= r->cap)
				break;
			r->wrap = r->tail;
			r->tail = 0;
			r->wrapped = true;
			continue;
		}
		if (r->tail + s <= r->head)
			break;
		evict_oldest(r);
	}
	struct hdr h = { .mono_us = rec->mono_us, .real_us = rec->real_us, .pid = rec->pid,
			 .size = (uint16_t)s, .msg_len = (uint16_t)msg_len, .tag_len = (uint8_t)tag_len,
			 .pri = rec->pri, .source = rec->source, .flags = rec->flags };
	unsigned char *p = r->buf + r->tail;
	memcpy(p, &h, sizeof h);
	if (tag_len)
		memcpy(p + sizeof h, rec->tag, tag_len);
	if (msg_len)
		memcpy(p + sizeof h + tag_len, rec->msg, msg_len);
	r->tail += s;
	return r->next_seq++;
}

/* Offset of the record after the one at off (of size). */
static size_t next_off(const struct logring *r, size_t off, size_t size)
{
	off += size;
	return r->wrapped && off == r->wrap ? 0 : off;
}

struct logring_cursor logring_seek(const struct logring *r, uint64_t seq)
{
	if (seq <= r->first_seq)
		return (struct logring_cursor){ .seq = seq < r->first_seq ? seq : r->first_seq,
						.off = r->head };
	if (seq >= r->next_seq)
		return (struct logring_cursor){ .seq = r->next_seq, .off = r->tail };
	struct logring_cursor c = { .seq = r->first_seq, .off = r->head };
	while (c.seq < seq) {
		c.off = next_off(r, c.off, hdr_at(r, c.off).size);
		c.seq++;
	}
	return c;
}

bool logring_next(const struct logring *r, struct logring_cursor *c, struct log_rec *rec,
		  uint64_t *lost)
{
	*lost = 0;
	if (c->seq < r->first_seq) {
		*lost = r->first_seq - c->seq;
		c->seq = r->first_seq;
		c->off = r->head;
	}
	if (c->seq >= r->next_seq)
		return false;
	/* A cursor left at the end before the ring wrapped: its record went
	 * to the start. */
	if (r->wrapped && c->off == r->wrap)
		c->off = 0;
	struct hdr h = hdr_at(r, c->off);
	const unsigned char *p = r->buf + c->off + sizeof h;
	*rec = (struct log_rec){ .seq = c->seq, .mono_us = h.mono_us, .real_us = h.real_us,
				 .pid = h.pid, .pri = h.pri, .source = h.source, .flags = h.flags,
				 .tag = (const char *)p, .tag_len = h.tag_len,
				 .msg = (const char *)p + h.tag_len, .msg_len = h.msg_len };
	c->off = next_off(r, c->off, h.size);
	c->seq++;
	return true;
}
