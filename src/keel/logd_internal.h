/* logd_internal: state shared by the log module's files (not for other modules). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_LOGD_INTERNAL_H
#define KEEL_LOGD_INTERNAL_H

#include "logd.h"
#include "logrec.h"
#include "logring.h"

/*
 * logd.c         the ring, keel's own lines, /dev/kmsg, /dev/log;
 * logd_pipe.c    services' stdout/stderr: pipes kept for the service's
 *                life, line assembly, rate limit;
 * logd_reader.c  the readers' socket: dumps and followers, bounded;
 * logd_file.c    the file on flash: batches written by a child, the
 *                last one by PID 1 at power-off.
 */

/* Bytes read from one source per wake-up: none can starve the others. */
#define LOGD_READ_BUDGET 4096

struct logd_core {
	struct logring ring;
	struct logd_conf conf;
	bool ready;   /* the ring exists */
	bool in_add;  /* adding a record (keel's own lines about it are dropped) */
};

extern struct logd_core logd;

uint64_t logd_mono_us(void);
int64_t logd_real_us(void);
/* Adds text as records (cut at LOG_MSG_MAX, flagged continued), stamped now. */
void logd_add_text(uint8_t source, uint8_t pri, uint32_t pid, const char *tag, size_t tag_len,
		   const char *msg, size_t msg_len);
void logd_add_rec(struct log_rec *r); /* stamps and seq must be set by the caller */

/* logd_reader.c */
void reader_open(const char *path);
void reader_accept(void);
void reader_client_event(int fd, uint32_t events);
void reader_new_records(void);
uint64_t reader_next_deadline(void);
void reader_timer(void);
void reader_close_all(void);

/* logd_pipe.c */
void pipe_event(int fd);

/* logd_file.c */
void file_new_records(void);
uint64_t file_next_deadline(void);
void file_timer(void);
bool file_reaped(pid_t pid, int status);

#endif
