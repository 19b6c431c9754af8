/* svcdir: loads every service description of a service directory. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SVCDIR_H
#define KEEL_SVCDIR_H

#include <stddef.h>
#include "diag.h"
#include "svc.h"

struct svc_set {
	struct svc_def **v; /* sorted by instance name */
	size_t n;
};

/*
 * Reads every entry of dir (entries are usually symlinks into
 * /usr/share/init; "agetty@ttyS0" instantiates "agetty" with %0 = ttyS0,
 * the file read being the link's target, or for a plain file the file
 * "agetty" next to it when "agetty@ttyS0" itself does not exist).
 *   - entries starting with '.' and ending in '~' are ignored;
 *   - an OpenWrt script (first line "#!/bin/sh /etc/rc.common") is not a
 *     service description: it is skipped here (rc.common support loads it);
 *   - a dangling link, an unreadable file, a file over 1 MiB: DIAG_ERROR
 *     naming the entry, the entry is skipped;
 *   - two entries with the same instance name cannot happen (one directory).
 * A missing or unreadable dir is a DIAG_ERROR and gives an empty set.
 * Returns 0, or -1 on allocation failure (set is then empty).
 */
int svcdir_load(const char *dir, struct svc_set *set, struct diags *diags);

void svc_set_free(struct svc_set *set);

/* Reads a small configuration file whole (regular files only, at most
 * 1 MiB, NUL-terminated): 0, -1 on a problem reported in diags (missing,
 * not regular, too large, unreadable), -2 on allocation failure. Used for
 * every file keel reads at boot. */
int svcdir_read(const char *path, char **buf, size_t *len, struct diags *diags);

#endif
