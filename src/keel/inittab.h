/* inittab: busybox's /etc/inittab steps as keel services, run with busybox's order. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_INITTAB_KEEL_H
#define KEEL_INITTAB_KEEL_H

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
 *   restart   left out, with a note
 * A step with an id runs on /dev/ID (`tty`); one without writes to the
 * console (`log console`). -1 on allocation failure.
 */
int inittab_services(const struct services_conf *c, struct svc_set *set, struct diags *diags);

#endif
