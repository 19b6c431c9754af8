/* spawn: starts a service's process and sets up its environment before exec. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SPAWN_H
#define KEEL_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>
#include "svc.h"

/*
 * Starts def's commands in a new child: new session (so stopping signals
 * the whole process group), stdio on the tty or /dev/null + console, env,
 * cwd, umask, rlimits, groups/gid/uid, then exec. Several exec commands run
 * one after another from that child, stopping at the first failure whose
 * status becomes the child's (the model's runsvc behaviour).
 * What fails after the fork (setup, exec) ends the child with exit status
 * 126 (setup failed) or 127 (command not found), and its one-line reason
 * reaches PID 1 without PID 1 ever blocking on the child:
 *   - a single command starts with clone(CLONE_VM) on a stack of its own
 *     (*pending = true): the outcome comes from spawn_collect;
 *   - several commands, `user` or a `group` name (looked up in the child,
 *     spawn_ids.h), no free stack, and sanitizer builds fork: the reason comes on
 *     the exec pipe *exec_rfd, non-blocking, end of file without text =
 *     the setup is done; PID 1 reads it from its event loop.
 * With `ready fd N`, *ready_rfd gets the read end of the notification pipe.
 * Returns the pid, or -1 with errno (fork or pipe failure) or *why.
 * *why stays valid until the next call.
 */
pid_t spawn_service(const struct svc_def *def, int *ready_rfd, int *exec_rfd, const char **why,
		    bool *pending);

/* Calls report for every pending start that has exec'd or failed: why
 * NULL = exec'd, else the reason (its exit follows). Waits up to
 * FLIGHT_FRESH_MS for a start just made; one slower stays pending, is
 * looked at again by spawn_next_deadline and named on the console when
 * stuck (spawn_flight.h). Call it before acting on anything else about
 * those services (their exit included), and before PID 1 sleeps. Returns
 * the number reported. */
size_t spawn_collect(void (*report)(pid_t pid, const char *why));
/* When a start still in flight must be looked at again (0: none). */
uint64_t spawn_next_deadline(void);
/* The next start's definition is freed or reused soon (a hook's, a reload
 * command's): that start forks, so a child slow to exec never reads it. */
void spawn_set_detached(void);

/* PID 1 holds a pipe or two per starting service. With more services than
 * its open-file limit leaves room for, it raises its own limit, and each
 * service gets back the limit PID 1 was started with; below that nothing
 * changes, and no start pays a setrlimit. Called whenever the set of
 * services is (re)built. */
void spawn_fit_nofile(size_t nservices);

/* Base environment for services, set once at startup from PID 1's own. */
void spawn_set_base_env(char **env);
/* "KEY=VALUE" strings added to the next spawn_service call only (then
 * forgotten); they must stay valid until that call returns. */
void spawn_set_extra_env(char *const *env); /* twice at most per start */
/* A string "WATCHDOG_PID=" followed by room for 11 more bytes, also in
 * the extra environment: the child writes its pid into it (next start only). */
void spawn_set_pid_var(char *var);
/* stdout and stderr of the next spawn_service call only (then forgotten):
 * fds kept open by the caller, -1 for PID 1's own. */
void spawn_set_stdio(int out, int err);

#endif
