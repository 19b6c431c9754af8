/* skip: debug switches — services named by keel.skip= on the kernel command line or in a marker file are not started at boot. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SKIP_H
#define KEEL_SKIP_H

#include <stdbool.h>
#include "supervisor.h"

/* Reads the names: keel.skip=NAME[,NAME...] words of cmdline (may be
 * NULL), and the file (blank- or line-separated names, '#' comments,
 * the service files' quoting; missing: none). Problems go to diags. */
void skip_init(const char *cmdline, const char *file, struct diags *diags);

/* True (and s is marked skipped, saying why) when a name matches s (its
 * instance, canonical or a provided name). Asked when a target starts. */
bool skip_listed(struct svc *s);

#endif
