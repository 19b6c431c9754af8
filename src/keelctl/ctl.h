/* ctl: what keelctl's parts share — options, exit codes, one request to keel, errors for people or JSON. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CTL_H
#define KEEL_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

/* Exit codes a shell script can test (docs/keelctl.md, "Exit status"). */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,      /* keel refused or the request failed */
	EXIT_USAGE = 2,
	EXIT_NOT_RUNNING = 3, /* status NAME: the service is not running */
	EXIT_TIMEOUT = 4,     /* --wait: the state was not reached in time */
	EXIT_UNREACHABLE = 111,
};

/* The protocol this keelctl speaks (keel's `version` says its own). */
#define CTL_PROTOCOL 2
#define CTL_REPLY_TIMEOUT_MS 10000

struct ctl {
	const char *sock, *log_sock;
	const char *from; /* analyze/chart: a saved `keelctl times` instead of keel */
	bool json;
	bool wait;
	bool quiet; /* errors are not reported (--version asking keel) */
	long timeout_ms; /* --wait's limit */
	uint64_t t_request; /* when the request was sent (monotonic ms) */
};

/*
 * Sends the request (words joined by spaces) and reads the whole answer
 * into reply. 0, or the exit code after the error was reported (111: keel
 * not reachable). An answer cut by a reset is kept: keel's ERR is in it.
 */
int ctl_request(const struct ctl *c, const char *request, struct buf *reply);
/* Opens the socket and sends the request; the fd or -exit code. */
int ctl_connect(const struct ctl *c, const char *request);
/* Reports an error (stderr, or a JSON object on stdout with --json) and
 * returns code. */
int ctl_fail(const struct ctl *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The last line of an answer: "OK ..." or "ERR ..." (NULL: none). The
 * answer's lines are split in place (each NUL-terminated) first. */
char *ctl_status_line(char *reply);
size_t ctl_split_tabs(char *line, char **f, size_t max);
uint64_t ctl_now_ms(void); /* CLOCK_MONOTONIC, as keel's stamps */
void ctl_fmt_ms(unsigned long long ms, char *buf, size_t len); /* "1.2s", "3m05s" */

/* Verbs in their own files. */
int ctl_render(const struct ctl *c, char *reply, const char *verb, const char *name);
int ctl_wait(const struct ctl *c, const char *verb, const char *name);
int ctl_events(const struct ctl *c);
int ctl_analyze(const struct ctl *c, int argc, char **argv); /* analyze ..., chart, times */

#endif
