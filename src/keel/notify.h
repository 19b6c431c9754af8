/* notify: the sd_notify socket — READY, STATUS, RELOADING, STOPPING, MAINPID, EXTEND_TIMEOUT_USEC, WATCHDOG. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_NOTIFY_H
#define KEEL_NOTIFY_H

#include <stdint.h>
#include "supervisor.h"

void notify_open(const char *path); /* NULL or failure: said, `ready notify` cannot work */
void notify_close(void);
void notify_event(int fd);
uint64_t notify_next_deadline(void);
void notify_timer_event(void);

/* The service's lifecycle (from the supervisor). */
void notify_before_start(struct svc *s); /* its NOTIFY_SOCKET, WATCHDOG_* for spawn */
void notify_started(struct svc *s);
void notify_service_exited(struct svc *s);
void notify_service_gone(struct svc *s);

/* STATUS= text, "reloading", or NULL. */
const char *notify_status(const struct svc *s);

#endif
