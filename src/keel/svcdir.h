/* svcdir: loads every service description of a service directory. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SVCDIR_H
#define KEEL_SVCDIR_H

#include <stddef.h>
#include "diag.h"
#include "svc.h"

/* An entry that could not be loaded (syntax error, dangling link...):
 * PID 1 keeps it to show it as skipped instead of unknown. */
struct svc_bad {
	char *instance; /* the entry's name */
	char *reason;   /* its first error, "FILE:LINE: message", cut at SVC_BAD_REASON_MAX */
};
/* Bounds on what one load keeps of its bad entries (the diagnostics keep
 * every error): a directory full of junk costs PID 1 a few KiB at most. */
#define SVC_BAD_MAX 64
#define SVC_BAD_REASON_MAX 200

struct svc_set {
	struct svc_def **v; /* sorted by instance name */
	size_t n;
	struct svc_bad *bad; /* in the order found, at most SVC_BAD_MAX */
	size_t nbad, nbad_more; /* kept, and not kept beyond the bound */
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
 *   - every entry skipped for an error (those above, a syntax error) is
 *     also recorded in set->bad;
 *   - two entries with the same instance name cannot happen (one directory).
 * A missing or unreadable dir is a DIAG_ERROR and gives an empty set.
 * Returns 0, or -1 on allocation failure (set is then empty).
 */
int svcdir_load(const char *dir, struct svc_set *set, struct diags *diags);

/* For `keel check` (PID 1 passes none): read dir inside a system image,
 * and see each file's text as read. */
struct svcdir_opts {
	const char *root; /* dir and every link are resolved inside it (rootpath.h) */
	/* Called with every file read (OpenWrt scripts included), before it is parsed. */
	void (*on_file)(void *ctx, const char *path, const char *name, const char *text,
			size_t len, struct diags *diags);
	void *ctx;
};
int svcdir_load_opts(const char *dir, const struct svcdir_opts *opts, struct svc_set *set,
		     struct diags *diags);

void svc_set_free(struct svc_set *set);

/* Records an entry that failed to load, its reason being the first error
 * diags got from index `from` on. Over the bound it is only counted;
 * allocation failure loses the record, nothing else. */
void svc_set_add_bad(struct svc_set *set, const char *instance, const struct diags *diags,
		     size_t from);
/* Moves src's bad entries after dst's (src keeps none). */
void svc_set_move_bad(struct svc_set *dst, struct svc_set *src);

/* Reads a small configuration file whole (regular files only, at most
 * 1 MiB, NUL-terminated): 0, -1 on a problem reported in diags (missing,
 * not regular, too large, unreadable), -2 on allocation failure. Used for
 * every file keel reads at boot. */
int svcdir_read(const char *path, char **buf, size_t *len, struct diags *diags);

#endif
