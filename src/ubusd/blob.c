/* blob.c: reads, checks and writes libubox's blob/blobmsg attributes, and converts blobmsg from and to JSON. */
/* SPDX-License-Identifier: MIT */
#include "blob.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

int blob_next(const uint8_t **pos, size_t *rem, const uint8_t **a)
{
	if (*rem == 0)
		return 0;
	if (*rem < BLOB_HDR)
		return -1;
	size_t raw = blob_raw_len(*pos);
	if (raw < BLOB_HDR || raw > *rem)
		return -1;
	*a = *pos;
	/* the last attribute's padding may be left out of its container */
	size_t step = blob_pad(raw);
	if (step > *rem)
		step = *rem;
	*pos += step;
	*rem -= step;
	return 1;
}

/* payload sizes as libubox's blob_check_type: integers exact, the rest minimums */
static int check_payload(unsigned type, const uint8_t *p, size_t len, int depth)
{
	switch (type) {
	case BM_UNSPEC:
		return 0;
	case BM_ARRAY:
	case BM_TABLE:
		if (depth >= BM_MAX_DEPTH)
			return -1;
		/* table members need names; array items may have them */
		{
			const uint8_t *pos = p, *a;
			size_t rem = len;
			int r;
			while ((r = blob_next(&pos, &rem, &a)) > 0) {
				if (bm_check(a, depth + 1) < 0)
					return -1;
				/* a name of NULs is as good as none */
				if (type == BM_TABLE && blob_data(a)[2] == 0)
					return -1;
			}
			return r;
		}
	case BM_STRING:
		return len >= 1 && p[len - 1] == 0 ? 0 : -1;
	case BM_INT8:
		return len == 1 ? 0 : -1;
	case BM_INT16:
		return len == 2 ? 0 : -1;
	case BM_INT32:
		return len == 4 ? 0 : -1;
	case BM_INT64:
		return len == 8 ? 0 : -1;
	case BM_DOUBLE:
		return len >= 8 ? 0 : -1;
	default:
		return -1;
	}
}

static size_t bm_hdrlen(size_t namelen)
{
	return blob_pad(2 + namelen + 1);
}

int bm_check(const uint8_t *a, int depth)
{
	if (!blob_is_ext(a) || blob_len(a) < 2)
		return -1;
	const uint8_t *d = blob_data(a);
	size_t nl = rd16(d), hl = bm_hdrlen(nl);
	if (hl > blob_len(a) || d[2 + nl] != 0)
		return -1;
	return check_payload(blob_id(a), d + hl, blob_len(a) - hl, depth);
}

int bm_check_list(const uint8_t *p, size_t len, int depth)
{
	const uint8_t *pos = p, *a;
	size_t rem = len;
	int r;
	while ((r = blob_next(&pos, &rem, &a)) > 0)
		if (bm_check(a, depth) < 0)
			return -1;
	return r;
}

void bm_get(const uint8_t *a, struct bm *m)
{
	const uint8_t *d = blob_data(a);
	size_t hl = bm_hdrlen(rd16(d));
	m->type = blob_id(a);
	m->name = (const char *)d + 2;
	m->data = d + hl;
	m->len = blob_len(a) - hl;
}

const uint8_t *bm_find(const uint8_t *p, size_t len, const char *name, struct bm *m)
{
	const uint8_t *pos = p, *a, *found = NULL;
	size_t rem = len;
	struct bm x;
	while (blob_next(&pos, &rem, &a) > 0) {
		bm_get(a, &x);
		if (strcmp(x.name, name) == 0) {
			found = a;
			*m = x;
		}
	}
	return found;
}

int64_t bm_int(const struct bm *m)
{
	switch (m->type) {
	case BM_INT8:
		return m->data[0];
	case BM_INT16:
		return (int16_t)rd16(m->data);
	case BM_INT32:
		return (int32_t)rd32(m->data);
	case BM_INT64:
		return (int64_t)((uint64_t)rd32(m->data) << 32 | rd32(m->data + 4));
	default:
		return 0;
	}
}

static void put32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	buf_add(b, (const char *)x, 4);
}

static void pad(struct buf *b)
{
	static const char z[4];
	if (b->len % 4)
		buf_add(b, z, 4 - b->len % 4);
}

void blob_put(struct buf *b, unsigned id, const void *data, size_t len)
{
	if (len > BLOB_LEN_MAX - BLOB_HDR) {
		b->oom = true;
		return;
	}
	put32(b, (uint32_t)(id & 0x7f) << 24 | (uint32_t)(len + BLOB_HDR));
	if (len)
		buf_add(b, data, len);
	pad(b);
}

void blob_put_u32(struct buf *b, unsigned id, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	blob_put(b, id, x, 4);
}

void blob_put_u8(struct buf *b, unsigned id, uint8_t v)
{
	blob_put(b, id, &v, 1);
}

void blob_put_str(struct buf *b, unsigned id, const char *s)
{
	blob_put(b, id, s, strlen(s) + 1);
}

size_t blob_open(struct buf *b, unsigned id)
{
	size_t off = b->len;
	put32(b, (uint32_t)(id & 0x7f) << 24);
	return off;
}

int blob_close(struct buf *b, size_t off)
{
	if (b->oom || off + BLOB_HDR > b->len)
		return -1;
	size_t n = b->len - off;
	if (n > BLOB_LEN_MAX) {
		b->oom = true;
		return -1;
	}
	uint8_t *h = (uint8_t *)b->p + off;
	uint32_t w = (rd32(h) & ~(uint32_t)BLOB_LEN_MAX) | (uint32_t)n;
	h[0] = (uint8_t)(w >> 24), h[1] = (uint8_t)(w >> 16), h[2] = (uint8_t)(w >> 8), h[3] = (uint8_t)w;
	return 0;
}

static void bm_hdr(struct buf *b, unsigned type, const char *name)
{
	size_t nl = strlen(name);
	if (nl > 0xffff) {
		b->oom = true;
		return;
	}
	uint8_t x[2] = { (uint8_t)(nl >> 8), (uint8_t)nl };
	put32(b, BLOB_EXT | (uint32_t)(type & 0x7f) << 24);
	buf_add(b, (const char *)x, 2);
	buf_add(b, name, nl + 1);
	pad(b);
}

size_t bm_open(struct buf *b, unsigned type, const char *name)
{
	size_t off = b->len;
	bm_hdr(b, type, name);
	return off;
}

int bm_close(struct buf *b, size_t off)
{
	return blob_close(b, off);
}

void bm_put(struct buf *b, unsigned type, const char *name, const void *data, size_t len)
{
	size_t off = bm_open(b, type, name);
	if (len)
		buf_add(b, data, len);
	bm_close(b, off);
	pad(b);
}

void bm_put_str(struct buf *b, const char *name, const char *s)
{
	bm_put(b, BM_STRING, name, s, strlen(s) + 1);
}

void bm_put_u32(struct buf *b, const char *name, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	bm_put(b, BM_INT32, name, x, 4);
}

static int from_json(struct buf *b, const char *name, const struct jval *v, int depth)
{
	uint8_t x[8];
	if (depth >= BM_MAX_DEPTH)
		return -1;
	switch (v->t) {
	case J_NULL:
		bm_put(b, BM_UNSPEC, name, NULL, 0);
		break;
	case J_BOOL:
		x[0] = v->b ? 1 : 0;
		bm_put(b, BM_INT8, name, x, 1);
		break;
	case J_INT:
		if (v->i >= INT32_MIN && v->i <= INT32_MAX) {
			bm_put_u32(b, name, (uint32_t)(int32_t)v->i);
		} else {
			uint64_t u = (uint64_t)v->i;
			for (int k = 0; k < 8; k++)
				x[k] = (uint8_t)(u >> (56 - 8 * k));
			bm_put(b, BM_INT64, name, x, 8);
		}
		break;
	case J_DOUBLE: {
		uint64_t u;
		memcpy(&u, &v->d, 8);
		for (int k = 0; k < 8; k++)
			x[k] = (uint8_t)(u >> (56 - 8 * k));
		bm_put(b, BM_DOUBLE, name, x, 8);
		break;
	}
	case J_STRING: {
		/* blobmsg strings end at their first NUL */
		size_t n = strnlen(v->s ? v->s : "", v->slen);
		size_t off = bm_open(b, BM_STRING, name);
		buf_add(b, v->s ? v->s : "", n);
		buf_add(b, "", 1);
		bm_close(b, off);
		pad(b);
		break;
	}
	case J_OBJECT:
	case J_ARRAY: {
		size_t off = bm_open(b, v->t == J_OBJECT ? BM_TABLE : BM_ARRAY, name);
		for (size_t i = 0; i < v->n; i++)
			if (from_json(b, v->t == J_OBJECT ? v->keys[i] : "", v->kids[i], depth + 1) < 0)
				return -1;
		if (bm_close(b, off) < 0)
			return -1;
		break;
	}
	}
	return b->oom ? -1 : 0;
}

int bm_from_json_object(struct buf *b, const struct jval *o)
{
	if (o->t != J_OBJECT)
		return -1;
	for (size_t i = 0; i < o->n; i++)
		if (from_json(b, o->keys[i], o->kids[i], 1) < 0)
			return -1;
	return b->oom ? -1 : 0;
}

static void to_json(struct buf *out, const uint8_t *p, size_t len, bool table);

static void value_json(struct buf *out, const struct bm *m)
{
	switch (m->type) {
	case BM_ARRAY:
	case BM_TABLE:
		to_json(out, m->data, m->len, m->type == BM_TABLE);
		break;
	case BM_STRING:
		buf_add_json_n(out, (const char *)m->data, strnlen((const char *)m->data, m->len));
		break;
	case BM_INT8:
		buf_adds(out, m->data[0] ? "true" : "false");
		break;
	case BM_INT16:
	case BM_INT32:
	case BM_INT64:
		buf_addf(out, "%lld", (long long)bm_int(m));
		break;
	case BM_DOUBLE: {
		uint64_t u = (uint64_t)rd32(m->data) << 32 | rd32(m->data + 4);
		double d;
		memcpy(&d, &u, 8);
		if (isfinite(d))
			buf_addf(out, "%.17g", d);
		else
			buf_adds(out, "null");
		break;
	}
	default:
		buf_adds(out, "null");
		break;
	}
}

static void to_json(struct buf *out, const uint8_t *p, size_t len, bool table)
{
	const uint8_t *pos = p, *a;
	size_t rem = len;
	const char *sep = "";
	struct bm m;
	buf_adds(out, table ? "{" : "[");
	while (blob_next(&pos, &rem, &a) > 0) {
		bm_get(a, &m);
		buf_adds(out, sep);
		sep = ",";
		if (table) {
			buf_add_json(out, m.name);
			buf_adds(out, ":");
		}
		value_json(out, &m);
	}
	buf_adds(out, table ? "}" : "]");
}

void bm_to_json(struct buf *out, const uint8_t *p, size_t len, bool table)
{
	to_json(out, p, len, table);
}
