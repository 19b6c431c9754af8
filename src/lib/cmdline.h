/* cmdline: keel's options on the kernel command line (keel.debug, keel.single, keel.target=). */
#ifndef KEEL_CMDLINE_H
#define KEEL_CMDLINE_H

#include <stdbool.h>
#include "diag.h"
#include "svc.h"

struct cmdline {
	bool debug;              /* keel.debug: every state change on the console */
	bool single;             /* keel.single (or plain "single"/"S"): rescue shell first */
	enum svc_target target;  /* keel.target=NAME, default boot */
};

/* Parses the text of /proc/cmdline. Unknown keel.* options and bad values
 * are DIAG_WARNINGs naming "kernel command line"; they never stop the boot.
 * Pure. */
void cmdline_parse(const char *text, struct cmdline *out, struct diags *diags);

#endif
