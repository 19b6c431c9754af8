/* spawn: forks a service's process and sets up its environment before exec. */
#ifndef KEEL_SPAWN_H
#define KEEL_SPAWN_H

#include <sys/types.h>
#include "svc.h"

/*
 * Starts def's commands in a new child: new session (so stopping signals
 * the whole process group), stdio on the tty or /dev/null + console, env,
 * cwd, umask, rlimits, groups/gid/uid, then exec. Several exec commands run
 * one after another from that child, stopping at the first failure whose
 * status becomes the child's (the model's runsvc behaviour).
 * Everything that can fail after fork is reported by the child on stderr
 * and turns into exit status 126 (setup failed) or 127 (exec failed).
 * With `ready fd N`, *ready_rfd gets the read end of the notification pipe.
 * Returns the pid, or -1 with errno (fork or pipe failure).
 */
pid_t spawn_service(const struct svc_def *def, int *ready_rfd);

/* Base environment for services, set once at startup from PID 1's own. */
void spawn_set_base_env(char **env);

#endif
