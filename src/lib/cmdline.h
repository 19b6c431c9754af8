/* cmdline: keel's options on the kernel command line (keel.debug, keel.quiet, keel.single, keel.target=, quiet). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CMDLINE_H
#define KEEL_CMDLINE_H

#include <stdbool.h>
#include "diag.h"
#include "svc.h"

struct cmdline {
	bool debug;              /* keel.debug: every state change on the console */
	bool quiet;              /* keel.quiet, or the kernel's own "quiet": only
				  * failures, warnings and errors */
	bool verbose;            /* keel.verbose: [ OK ] lines even with "quiet" */
	bool single;             /* keel.single (or plain "single"/"S"): rescue shell first */
	enum svc_target target;  /* keel.target=NAME, default boot */
	/* keel.log* (docs/logging.md); -1 / NULL: not given */
	int log_mode;            /* keel.log=ring|console|null: enum svc_log */
	long log_size;           /* keel.log.size=SIZE (bytes) */
	long log_rate;           /* keel.log.rate=N (lines/s) */
	long log_filesize;       /* keel.log.filesize=SIZE */
	long log_flush_ms;       /* keel.log.flush=DURATION */
	char *log_file;          /* keel.log.file=PATH (allocated: cmdline_free) */
	char *watchdog;          /* keel.watchdog=DEVICE|off (allocated) */
	long watchdog_timeout;   /* keel.watchdog.timeout=SECONDS, -1 */
};

/* Parses the text of /proc/cmdline. Unknown keel.* options and bad values
 * are DIAG_WARNINGs naming "kernel command line"; they never stop the boot.
 * Pure. */
void cmdline_parse(const char *text, struct cmdline *out, struct diags *diags);
void cmdline_free(struct cmdline *c);

/* "64K", "1M", "4096": bytes, or -1. */
long cmdline_size(const char *s, size_t n);

/* The kernel's word splitting, for every reader of /proc/cmdline: returns
 * the next blank-separated word (double quotes group blanks, as in
 * name="a b"), stores its length and advances *p; NULL at the end. */
const char *cmdline_next_word(const char **p, size_t *len);

#endif
