/* healthconf: the boot-health file (/etc/keel/health) and the counter file's text (pure). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_HEALTHCONF_H
#define KEEL_HEALTHCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/*
 * The file, in the line syntax of every keel configuration (lex.h):
 *
 *   require NAME...            services that must be running or done
 *   require target NAME        every service of that target settled
 *   within DURATION            the deadline, counted from keel's start
 *   commit COMMAND ARGS...     run once healthy (not waited for)
 *   counter /ABS/PATH          failed boots, written atomically
 *   fallback-after N           preinit's (and give-up failsafe's) limit
 *   on-unhealthy reboot|stay
 *
 * `require` lines add up; every other keyword may be given once. Without
 * `within` there is no deadline (a boot is never declared unhealthy, it
 * only stays counted); `on-unhealthy reboot` therefore needs `within`.
 */

#define HEALTH_COUNTER_MAX 1000000UL /* the counter stops here: no wrap to "healthy" */
#define HEALTH_COUNTER_TEXT_MAX 32   /* longest counter file keel reads or writes */

struct health_req {
	char *name;     /* a service (instance or generic name), or a target */
	unsigned line;  /* where it was required */
	bool target;    /* `require target NAME` */
};

struct health_conf {
	struct health_req *req;
	size_t nreq;
	char **commit;  /* NULL-terminated, NULL if none */
	char *counter;  /* absolute path, NULL if none */
	unsigned long within_ms;      /* 0: no deadline */
	unsigned long fallback_after; /* 0: not set */
	bool reboot;                  /* on-unhealthy reboot (else stay) */
	/* Lines of the one-time keywords (0: not given), for "given twice". */
	unsigned within_line, commit_line, counter_line, fallback_line, unhealthy_line;
};

void health_conf_free(struct health_conf *c);

/* Parses a whole file into c (zeroed by the caller). Returns the number of
 * errors; every problem is in d with file:line. With errors, c keeps what
 * did parse (keel still counts the boot with a valid `counter` line: a
 * broken health file must not stop the fallback). */
size_t health_conf_parse(struct health_conf *c, const char *buf, size_t len, const char *file,
			 struct diags *d);

/* The counter file's text: a decimal number, optionally followed by blanks
 * and newlines; at most HEALTH_COUNTER_TEXT_MAX bytes. 0 and *out, or -1
 * (empty, a sign, another character, over HEALTH_COUNTER_MAX). */
int health_counter_parse(const char *buf, size_t len, unsigned long *out);

/* "N\n" into out (at least HEALTH_COUNTER_TEXT_MAX bytes); returns the
 * length. Values over HEALTH_COUNTER_MAX are written as the maximum. */
size_t health_counter_format(unsigned long v, char *out);

#endif
