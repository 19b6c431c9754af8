/* spawn: starts a service's process and sets up its environment before exec. */
#ifndef KEEL_SPAWN_H
#define KEEL_SPAWN_H

#include <sys/resource.h>
#include <sys/types.h>
#include "svc.h"

/*
 * Starts def's commands in a new child: new session (so stopping signals
 * the whole process group), stdio on the tty or /dev/null + console, env,
 * cwd, umask, rlimits, groups/gid/uid, then exec. Several exec commands run
 * one after another from that child, stopping at the first failure whose
 * status becomes the child's (the model's runsvc behaviour).
 * Everything that can fail after fork is reported by the child as one line
 * of text on the exec pipe (*exec_rfd, non-blocking; end of file without
 * text = the command was exec'd) and exit status 126 (setup failed) or
 * 127 (command not found). PID 1 never waits on that pipe: it reads it from
 * its event loop. With several exec commands, the pipe closes once the
 * setup is done.
 * With `ready fd N`, *ready_rfd gets the read end of the notification pipe.
 * Returns the pid, or -1 with errno (fork or pipe failure) or *why (a
 * reason such as an unknown user, valid until the next call).
 */
pid_t spawn_service(const struct svc_def *def, int *ready_rfd, int *exec_rfd, const char **why);

/* PID 1 raises its own open-file limit (one or two pipes per starting
 * service); services get back the limit PID 1 was started with. */
void spawn_set_nofile(const struct rlimit *orig);

/* Base environment for services, set once at startup from PID 1's own. */
void spawn_set_base_env(char **env);

#endif
