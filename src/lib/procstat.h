/* procstat: a process's state, parent, group and session from /proc/PID/stat, read without blocking. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PROCSTAT_H
#define KEEL_PROCSTAT_H

#include <stdbool.h>
#include <sys/types.h>

struct procstat {
	char state; /* R, S, D, Z, ... */
	pid_t ppid, pgrp, session;
};

/* False if the process is gone or its stat line is not understood. */
bool procstat_read(pid_t pid, struct procstat *ps);
/* The same from the text of a stat file ("pid (comm) state ppid pgrp
 * session ..."); comm may hold anything, spaces and parentheses too. */
bool procstat_parse(const char *text, struct procstat *ps);
/* Reads the decimal digits at s into *v: the end, or NULL when there is no
 * digit or the value overflows. */
const char *scan_dec(const char *s, unsigned long long *v);

#endif
