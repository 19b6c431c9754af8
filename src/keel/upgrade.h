/* upgrade: PID 1's half of a firmware upgrade or factory reset — checks, stop, RAM root, exec of the stage. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_UPGRADE_H
#define KEEL_UPGRADE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

/*
 * docs/upgrade.md. States: IDLE -> CHECKING (a child hashes the image and
 * runs the vendor check; PID 1 never reads more than the header) ->
 * STOPPING (sup_shutdown: every service stopped in order, respawn off) ->
 * at the end of the loop, upgrade_handover instead of the final unmount:
 * RAM root, pivot_root, exec of the stage as PID 1. A refusal at any point
 * before STOPPING goes back to IDLE and changes nothing.
 *
 * Hooks: upgrade_request from control.c; upgrade_reaped from the reaper;
 * upgrade_next_deadline/upgrade_timer_event with the other timers;
 * upgrade_armed/upgrade_handover in main.c before the final reboot.
 */

void upgrade_init(const char *conf_path);
/* The requests sysupgrade, firstboot and upgrade (status). False when the
 * verb is none of them. */
bool upgrade_request(struct buf *o, char **argv, int argc);
bool upgrade_reaped(pid_t pid, int status);
uint64_t upgrade_next_deadline(void);
void upgrade_timer_event(void);
/* Every service is down and an upgrade is on: hand over. Returns only if
 * the hand-over failed before the pivot (the caller then reboots: nothing
 * was written). */
bool upgrade_armed(void);
void upgrade_handover(void);

#endif
