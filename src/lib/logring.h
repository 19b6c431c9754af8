/* logring: the RAM ring of log records — fixed size, oldest overwritten, numbered for readers. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_LOGRING_H
#define KEEL_LOGRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "logrec.h"

/*
 * Records are stored one after another in one buffer of cap bytes: a
 * header, the tag, the message. A record never wraps: when it does not fit
 * before the end, the rest of the buffer is skipped and it starts at 0.
 * Adding evicts the oldest records until the new one fits, and counts
 * them. Record seq numbers are consecutive: the oldest kept is first_seq,
 * the next one added gets next_seq. Pure (memory only).
 */
struct logring {
	unsigned char *buf;
	size_t cap;
	size_t head;  /* offset of the oldest record */
	size_t tail;  /* offset where the next record goes */
	size_t wrap;  /* while wrapped: where the records before offset 0 end */
	bool wrapped; /* records are [head, wrap) then [0, tail); else [head, tail) */
	uint64_t first_seq, next_seq;
	uint64_t evicted; /* records overwritten since the start */
};

/* A reader's place: the seq it wants next and where that record is (a
 * hint: checked, found again when stale). */
struct logring_cursor {
	uint64_t seq;
	size_t off;
};

int logring_init(struct logring *r, size_t cap); /* cap >= 256; -1 on no memory */
void logring_free(struct logring *r);

/* Adds a copy of rec (its seq is assigned and returned). A tag longer than
 * LOG_TAG_MAX and a message longer than LOG_MSG_MAX are cut. */
uint64_t logring_add(struct logring *r, const struct log_rec *rec);

/* Bytes a record with these lengths takes in r (cut as logring_add cuts). */
size_t logring_cost(const struct logring *r, size_t tag_len, size_t msg_len);

/* Bytes that can be added before the oldest record is overwritten. An
 * estimate from above by less than one record: a record never wraps, so
 * the end of the buffer may be left unused. */
size_t logring_room(const struct logring *r);

/* Number of records held. */
static inline uint64_t logring_count(const struct logring *r) { return r->next_seq - r->first_seq; }

/* A cursor at the record numbered seq (or the oldest, if it was
 * overwritten; or the end, if seq is not there yet). */
struct logring_cursor logring_seek(const struct logring *r, uint64_t seq);

/* Reads the record at the cursor and moves it on; false at the end. If
 * the cursor's record was overwritten, *lost gets how many (the cursor
 * moves to the oldest) and the next record is returned. rec points into
 * the ring: valid until the next logring_add. */
bool logring_next(const struct logring *r, struct logring_cursor *c, struct log_rec *rec,
		  uint64_t *lost);

#endif
