/* spawn_ids: a service's user and group, resolved in its own child so that NSS never runs in PID 1. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SPAWN_IDS_H
#define KEEL_SPAWN_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A decimal id ("4242"): 0, else -1 (a name). */
int spawn_parse_id(const char *s, unsigned long *out);

/* Does a start with these lines need a user database lookup? Only
 * `group GID` alone does not (PID 1 sets *gid then); the rest is resolved
 * by spawn_ids_resolve in the forked child. */
bool spawn_ids_need_lookup(const char *user, const char *group, gid_t *gid);

/*
 * In the forked child only (it allocates and may block on NSS: /etc/passwd
 * on a FIFO or a hung mount, an LDAP server...): uid, primary gid and the
 * user's supplementary groups (*groups malloc'd). A numeric user without a
 * passwd entry has no group to take: an error unless `group` is given, so
 * the drop never leaves root's gid 0 behind. -1 with the reason in msg.
 */
int spawn_ids_resolve(const char *user, const char *group, uid_t *uid, gid_t *gid,
		      gid_t **groups, int *ngroups, char *msg, size_t size);

#endif
