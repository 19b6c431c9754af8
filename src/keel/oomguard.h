/* oomguard: keel as PID 1 of a PID namespace kept out of the OOM killer's choice, its services left as they were. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_OOMGUARD_H
#define KEEL_OOMGUARD_H

#include <stdbool.h>

/*
 * The kernel never picks the real init for the OOM killer, but the PID 1
 * of a PID namespace (a container, the tests) it picks like any process:
 * under a cgroup memory limit (which makes no allocation fail: the OOM
 * killer acts instead) keel is often the largest process while its
 * services start, and its death ends every service. So, in a PID
 * namespace, keel sets its own oom_score_adj to -1000, which takes
 * CAP_SYS_RESOURCE (without it: said once, nothing changes), and every
 * child sets the value keel had back before its exec.
 */
void oomguard_init(bool in_container);
/* In the child before exec: system calls only (a CLONE_VM child too). */
void oomguard_child(void);

#endif
