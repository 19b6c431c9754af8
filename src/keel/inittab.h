/* inittab: busybox's /etc/inittab steps as keel services, run with busybox's order. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_INITTAB_KEEL_H
#define KEEL_INITTAB_KEEL_H

#include <stdbool.h>

#include "diag.h"
#include "services.h"

/*
 * Reads c->inittab (a missing file: nothing, unless it was named by hand:
 * then busybox's defaults) and adds one service per step to set:
 *   instance  inittab.LINE (shutdown: inittab.LINE@shutdown and @reboot)
 *   provides  inittab-ACTION, and inittab-NAME for the program's base name
 *   sysinit   type wait, each after the previous one
 *   wait      type wait, after every sysinit, each after the previous one
 *   once      type once, after every sysinit and wait
 *   respawn   type respawn, the same; askfirst: asks for Enter first
 *   ctrlaltdel, shutdown: type wait in targets ctrlaltdel, shutdown+reboot
 *   restart   not a service: SIGQUIT stops every service as for a reboot, then
 *             PID 1 execs this process (busybox's "restart"; the first one)
 * A step with an id runs on /dev/ID (`tty`); one without writes to the
 * console (`log console`). -1 on allocation failure.
 */
int inittab_services(const struct services_conf *c, struct svc_set *set, struct diags *diags);

/* The inittab has a `restart` line (SIGQUIT means something). */
bool inittab_has_restart(void);
/* Execs that line's process as PID 1, signals reset; returns only if the
 * exec failed (said on the console). */
void inittab_restart_exec(void);

#endif
