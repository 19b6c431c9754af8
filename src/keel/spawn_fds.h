/* spawn_fds: what a child on its way to exec keeps of PID 1's open files. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SPAWN_FDS_H
#define KEEL_SPAWN_FDS_H

#include <stdbool.h>
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

/*
 * A clone(CLONE_VM) child used to copy PID 1's whole fd table (4 fds per
 * service with log capture: a reference taken per open file, dropped again
 * at exec), which made 1000 starts cost 2.7 times a bare fork+exec loop.
 * Instead it shares the table (CLONE_FILES) and its first act is
 * close_range(low, ~0, CLOSE_RANGE_UNSHARE), which copies only the fds
 * below `low`: PID 1 puts each in-flight child's own fds there first, in
 * SPAWN_FDS_PER_SLOT numbers per slot reserved before the first start.
 *
 * spawn_fds_fit: at each load, before the services start: reserves the
 * numbers (once) and grows the table to nfds entries (see the .c).
 * spawn_fds_place: PID 1, before the clone: each *fd (-1 ignored) is
 * duplicated onto the slot's numbers and replaced by it. True if the child
 * may share the table; false (nothing reserved, more fds than numbers, an
 * error) if it must copy it as before.
 * spawn_fds_unshare: the child, first thing; 0, or -1 (then it must not
 * touch an fd: it still shares PID 1's table).
 * spawn_fds_release: PID 1, once the slot's child has exec'd or died: the
 * reserved numbers hold nothing of it any more (a ready pipe's writer
 * kept there would hide the end of file).
 */
#define SPAWN_FDS_PER_SLOT 4
void spawn_fds_fit(unsigned slots, size_t nfds);
bool spawn_fds_place(unsigned slot, int **fd, size_t n);
int spawn_fds_unshare(void);
void spawn_fds_release(unsigned slot);

#endif
