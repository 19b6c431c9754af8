/* procstat: a process's state, parent, group and session from /proc/PID/stat, read without blocking. */
/* SPDX-License-Identifier: MIT */
#include "procstat.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Hand-written rather than sscanf: the scanf family is ~10 KiB of code in
 * a static PID 1 (its float scanner comes with it), for a few integers. */
const char *scan_dec(const char *s, unsigned long long *v)
{
	unsigned long long n = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (n > (ULLONG_MAX - d) / 10)
			return NULL;
		n = n * 10 + d;
	}
	if (p == s)
		return NULL;
	*v = n;
	return p;
}

static const char *scan_pid(const char *s, pid_t *v)
{
	while (*s == ' ')
		s++;
	unsigned long long n;
	/* A session or group of 0 is possible (the kernel's own); a negative
	 * one is not (tty_nr comes later). */
	const char *e = scan_dec(s, &n);
	if (!e || n > INT_MAX)
		return NULL;
	*v = (pid_t)n;
	return e;
}

bool procstat_parse(const char *text, struct procstat *ps)
{
	const char *p = strrchr(text, ')');
	if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
		return false;
	ps->state = p[2];
	p += 3;
	return (p = scan_pid(p, &ps->ppid)) && (p = scan_pid(p, &ps->pgrp)) &&
	       scan_pid(p, &ps->session);
}

bool procstat_read(pid_t pid, struct procstat *ps)
{
	char path[32], buf[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t r = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r <= 0)
		return false;
	buf[r] = '\0';
	return procstat_parse(buf, ps);
}
