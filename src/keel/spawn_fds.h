/* spawn_fds: what a child on its way to exec keeps of PID 1's open files. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SPAWN_FDS_H
#define KEEL_SPAWN_FDS_H

#include <stddef.h>

/*
 * In the child, before the first step that may block (a tty's open, a
 * chdir into a hung mount, a user lookup, the exec itself): every fd from 3
 * up is closed but the n in keep (-1 entries ignored). PID 1's fds are
 * close-on-exec, but a child stuck before its exec, or one that never execs
 * (several commands in a row), would otherwise hold copies of the control
 * socket, the log sockets and other services' pipes (whose readers then see
 * no end of file) for as long as it lives. System calls only, no
 * allocation: it runs in a CLONE_VM child too. Linux 5.9's close_range,
 * else /proc/self/fd read with getdents64; with neither, nothing is closed
 * before the exec (which still closes them).
 */
void spawn_keep_fds(const int *keep, size_t n);

#endif
