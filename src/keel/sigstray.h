/* sigstray: signals PID 1 inherited or has no use for — dispositions back to default, strays drained and counted. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SIGSTRAY_H
#define KEEL_SIGSTRAY_H

#include <stdint.h>
#include <sys/signalfd.h>

/* Every disposition back to SIG_DFL, whatever keel was started with (a
 * harness's `trap '' INT`, nohup's SIGHUP): an ignored signal is dropped
 * before PID 1's signalfd sees it, and exec passes "ignored" on to every
 * service. Call before installing PID 1's own handlers. */
void sig_defaults(void);

/* A signal read from the signalfd that PID 1 has no use for: discarded
 * and counted, one message at once and then at most one a second. */
void sig_stray(const struct signalfd_siginfo *si);
uint64_t sig_next_deadline(void);
void sig_timer_event(void);

#endif
