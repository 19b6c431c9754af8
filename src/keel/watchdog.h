/* watchdog: the hardware watchdog — taken from preinit or opened, fed from PID 1's loop, disarmed only at the very end. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_WATCHDOG_H
#define KEEL_WATCHDOG_H

#include <stdbool.h>
#include <stdint.h>
#include "buf.h"

/* Takes preinit's fd (KEEL_WATCHDOG_FD) or opens device ("off", NULL or
 * "": none); timeout in seconds (0: the device's own). */
void wdog_init(const char *device, int timeout, bool timeout_given);
uint64_t wdog_next_deadline(void);
void wdog_event(int fd); /* LOOP_WATCHDOG: the device may have appeared */
void wdog_timer_event(void);
void wdog_feed_now(void);
/* The magic close, after the last sync, right before reboot(2). */
void wdog_disarm(void);
int wdog_fd(void); /* -1: none (for the upgrade stage) */
void wdog_request(struct buf *o); /* the `watchdog` control request */

#endif
