/* logd: PID 1's log — the RAM ring, its sources (services' pipes, /dev/kmsg, /dev/log, keel itself) and readers. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_LOGD_H
#define KEEL_LOGD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "buf.h"
#include "loop.h"
#include "supervisor.h"

struct logd_conf {
	int mode;              /* enum svc_log: the default of services (never DEFAULT) */
	size_t ring_size;
	int rate;              /* default lines/s per service, 0: none */
	const char *file;      /* persistent log, NULL: none */
	long filesize;         /* rotation size of file */
	long flush_ms;         /* how often new records go to file */
	const char *socket;    /* readers' socket, NULL: none */
	const char *syslog;    /* syslog datagram socket (/dev/log), NULL: none */
	const char *kmsg;      /* kernel log device (/dev/kmsg), NULL: none */
};

#define LOGD_DEFAULT_RING (64 * 1024)
#define LOGD_DEFAULT_RATE 1000
#define LOGD_DEFAULT_FILESIZE (256 * 1024)
#define LOGD_DEFAULT_FLUSH_MS 60000

/* Sets the log up (ring, sockets, kmsg) and makes keel's own messages go
 * into it. Problems are said on the console; the rest goes on. */
void logd_init(const struct logd_conf *c);

/* Event sources (LOOP_LOGD_* tags), deadlines. */
void logd_fd_event(int fd, enum loop_tag tag, uint32_t events);
uint64_t logd_next_deadline(void);
void logd_timer_event(void);

/* The service's lifecycle: before each start (sets its stdout/stderr
 * for spawn), after its process exited (reads what is left, ends a
 * partial line), when it is freed (closes its pipes). */
void logd_before_start(struct svc *s);
void logd_service_exited(struct svc *s);
void logd_service_gone(struct svc *s);

/* The boot target was reached: the kernel's backlog is read from now on. */
void logd_boot_reached(void);

/* A child that is not a service's was reaped: true if it was the log's. */
bool logd_reaped(pid_t pid, int status);

/* The service's last n lines, as "log\t" + a record line each. */
void logd_status_lines(struct buf *o, const struct svc *s, unsigned n);

/* At power-off, after every process is gone: write the rest to the file
 * (blocking: nothing is left to wait for PID 1). */
void logd_final(void);
/* The whole RAM ring in the file format, to path (the upgrade stage's RAM
 * root: the log goes on there). 0, or -1 with errno. */
int logd_dump(const char *path);
/* Then its sockets and the kernel log go (nothing may keep /run busy). */
void logd_close(void);

#endif
