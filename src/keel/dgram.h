/* dgram: one datagram and its sender's pid, for PID 1's datagram sockets (/dev/log, NOTIFY_SOCKET). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_DGRAM_H
#define KEEL_DGRAM_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Receives one datagram without waiting (the socket has SO_PASSCRED). *pid
 * is the sender's, from SCM_CREDENTIALS (0 if absent); *cut says the
 * datagram was longer than len (the rest is gone). The control buffer has
 * room for the credentials only: file descriptors a sender attaches are
 * never installed in PID 1 (the kernel closes them). Returns the length,
 * or -1 with errno (EAGAIN: nothing more; EINTR is retried here).
 */
ssize_t dgram_recv(int fd, void *buf, size_t len, pid_t *pid, bool *cut);

#endif
