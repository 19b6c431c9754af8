/* blob.h: libubox's blob and blobmsg wire formats (what ubus messages are made of): checked reading, building, JSON in and out. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_UBUS_BLOB_H
#define KEEL_UBUS_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct jval;

/* A blob attribute: a big-endian 32-bit word (bit 31 "extended" = blobmsg,
 * bits 24..30 the id, bits 0..23 the length including these 4 bytes), the
 * payload, then zeros up to a multiple of 4 (not counted in the length). */
enum { BLOB_HDR = 4, BLOB_EXT = 1u << 31, BLOB_LEN_MAX = 0xffffff };

/* blob payload types (libubox's BLOB_ATTR_*) */
enum { BLOB_NESTED = 1, BLOB_BINARY, BLOB_STRING, BLOB_INT8, BLOB_INT16, BLOB_INT32, BLOB_INT64,
       BLOB_DOUBLE };
/* blobmsg types (libubox's BLOBMSG_TYPE_*); a bool is an INT8 */
enum { BM_UNSPEC, BM_ARRAY, BM_TABLE, BM_STRING, BM_INT64, BM_INT32, BM_INT16, BM_INT8, BM_DOUBLE };

/* Nesting deeper than this is refused (the checks and conversions recurse). */
enum { BM_MAX_DEPTH = 64 };

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static inline size_t blob_pad(size_t n)
{
	return (n + 3) & ~(size_t)3;
}
static inline unsigned blob_id(const uint8_t *a)
{
	return (rd32(a) >> 24) & 0x7f;
}
static inline bool blob_is_ext(const uint8_t *a)
{
	return rd32(a) & BLOB_EXT;
}
/* length with the header */
static inline size_t blob_raw_len(const uint8_t *a)
{
	return rd32(a) & BLOB_LEN_MAX;
}
static inline const uint8_t *blob_data(const uint8_t *a)
{
	return a + BLOB_HDR;
}
static inline size_t blob_len(const uint8_t *a)
{
	return blob_raw_len(a) - BLOB_HDR;
}

/* Walks the attributes in [*pos, *pos + *rem): 1 with *a the next one, 0 at
 * the end, -1 when one claims less than its header or more than is left. */
int blob_next(const uint8_t **pos, size_t *rem, const uint8_t **a);

/* A blobmsg attribute: name and payload. Valid only after bm_check. */
struct bm {
	unsigned type;
	const char *name;
	const uint8_t *data;
	size_t len;
};
/* Checks one blobmsg attribute (extended bit, name, payload size for its
 * type, children of arrays and tables recursively): 0 or -1. */
int bm_check(const uint8_t *a, int depth);
/* Checks a list of blobmsg attributes (a table's or array's payload). */
int bm_check_list(const uint8_t *p, size_t len, int depth);
/* Splits a checked attribute. */
void bm_get(const uint8_t *a, struct bm *m);
/* Finds NAME in a checked list; NULL if absent (the last one when repeated). */
const uint8_t *bm_find(const uint8_t *p, size_t len, const char *name, struct bm *m);
int64_t bm_int(const struct bm *m); /* any integer type, sign-extended */

/* Building (into a struct buf; b->oom says an append failed). */
void blob_put(struct buf *b, unsigned id, const void *data, size_t len);
void blob_put_u32(struct buf *b, unsigned id, uint32_t v);
void blob_put_u8(struct buf *b, unsigned id, uint8_t v);
void blob_put_str(struct buf *b, unsigned id, const char *s);
size_t blob_open(struct buf *b, unsigned id);
/* Fills in the header written by blob_open; -1 when the payload is too long. */
int blob_close(struct buf *b, size_t off);
size_t bm_open(struct buf *b, unsigned type, const char *name);
int bm_close(struct buf *b, size_t off);
void bm_put(struct buf *b, unsigned type, const char *name, const void *data, size_t len);
void bm_put_str(struct buf *b, const char *name, const char *s);
void bm_put_u32(struct buf *b, const char *name, uint32_t v);

/* JSON -> blobmsg: the members of object o as a blobmsg list (a table's payload),
 * as libubox's blobmsg_add_json_element does: ints that fit 32 bits INT32,
 * others INT64, booleans INT8, null UNSPEC. -1 on failure. */
int bm_from_json_object(struct buf *b, const struct jval *o);
/* blobmsg -> JSON: a checked list as an object ({...}) or array ([...]), in
 * blobmsg_format_json's typing (INT8 is a boolean). */
void bm_to_json(struct buf *out, const uint8_t *p, size_t len, bool table);

#endif
