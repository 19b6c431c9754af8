/* cmdline: keel's options on the kernel command line (keel.debug, keel.quiet, keel.single, keel.target=, quiet). */
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
};

/* Parses the text of /proc/cmdline. Unknown keel.* options and bad values
 * are DIAG_WARNINGs naming "kernel command line"; they never stop the boot.
 * Pure. */
void cmdline_parse(const char *text, struct cmdline *out, struct diags *diags);

/* The kernel's word splitting, for every reader of /proc/cmdline: returns
 * the next blank-separated word (double quotes group blanks, as in
 * name="a b"), stores its length and advances *p; NULL at the end. */
const char *cmdline_next_word(const char **p, size_t *len);

#endif
