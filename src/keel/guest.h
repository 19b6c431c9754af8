/* guest: keel as a supervisor under another init — subreaper, no mounts, power requests forwarded to PID 1. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_GUEST_H
#define KEEL_GUEST_H

#include <stdbool.h>
#include "supervisor.h"

/* Guest mode from now on (`keel --guest`): keel becomes the child
 * subreaper of what it starts. 0, -1 when the kernel refuses (said). */
int guest_init(void);
bool guest_mode(void);

/* The host init asked us to end (SIGTERM, as busybox init sends to every
 * process): stop the services and exit, without forwarding anything. */
void guest_host_stop(void);

/* Signal every process that is left at the end of a shutdown: all of
 * them (kill(-1)) as PID 1; as a guest only keel's own children, the
 * services' orphans included (a subreaper inherits them). */
void guest_kill_rest(int sig);

/* The end of a guest: a reboot, poweroff or halt asked of keel goes to the
 * real init as busybox's applets send it (SIGTERM, SIGUSR2, SIGUSR1 to
 * PID 1); then keel exits. */
void guest_final(enum sup_action a);

#endif
