/* pidmap: finds the service a reaped pid belongs to, in constant time. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PIDMAP_H
#define KEEL_PIDMAP_H

#include <sys/types.h>

struct svc;

/* 0, or -1 when the table cannot grow (the pid is then not tracked). */
int pidmap_put(pid_t pid, struct svc *s);
struct svc *pidmap_get(pid_t pid);
void pidmap_del(pid_t pid);

#endif
