/* log: PID 1's console voice — never blocks on a slow or stuck console. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_LOG_H
#define KEEL_LOG_H

#include <stdbool.h>
#include "diag.h"

/* Starts the log: lines are queued (deferred, see log_set_deferred). The
 * channel opens at the first write: a separate non-blocking description
 * of the console when stderr is a terminal (so services keep a blocking
 * one), else stderr. */
void log_init(void);
void log_set_debug(bool on);
bool log_debug_enabled(void);

/* "keel: " + text + "\n". Text that cannot be written at once is queued
 * (up to a cap; beyond it lines are dropped and the drop is counted). */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress ("[ OK ] ...", shutdown steps): left out with keel.quiet, which
 * keeps only failures, warnings, errors and the final power-off word. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_set_quiet(bool on);
void log_diag(const struct diag *dg);
/* After the diagnostics of a load: says so if some could not be recorded. */
void log_diags_lost(const struct diags *d);

/* For the event loop: the fd, and whether output is queued (then poll for
 * EPOLLOUT and call log_flush). */
int log_fd(void);
bool log_pending(void);
/* While on, lines are only queued; the owner calls log_flush() when the
 * work at hand is done (PID 1's loop: after starting services, before it
 * sleeps), so a slow serial console never delays a start. Off flushes. */
void log_set_deferred(bool on);
void log_flush(void);

/* Every line also goes to sink (the log ring), with its syslog severity,
 * without "keel: " and the newline; quiet-mode lines included. */
void log_set_sink(void (*sink)(int severity, const char *text, size_t len));

/* Blocking flush with a deadline, for the very end before reboot(2). */
void log_drain(int timeout_ms);

#endif
