/* spawn_ids: a service's user and group, resolved in its own child so that NSS never runs in PID 1. */
/* SPDX-License-Identifier: MIT */
#include "spawn_ids.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Why in the child: getpwnam() runs the C library's NSS modules (files,
 * nscd, LDAP...), which read files and sockets with blocking calls. A FIFO
 * or a hung mount over /etc/passwd would stop PID 1 there. In the child it
 * stops only that start, which PID 1 reports as not started (spawn.c) and
 * can stop like any other process. The price: such starts fork instead of
 * sharing PID 1's memory (clone(CLONE_VM) forbids allocation in the child).
 */

int spawn_parse_id(const char *s, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || end == s || *s == '-' || v > (unsigned long)(gid_t)-1 - 1)
		return -1;
	*out = v;
	return 0;
}

bool spawn_ids_need_lookup(const char *user, const char *group, gid_t *gid)
{
	unsigned long v;
	if (user)
		return true; /* its primary and supplementary groups */
	if (!group || spawn_parse_id(group, &v) < 0)
		return group != NULL;
	*gid = (gid_t)v;
	return false;
}

/* "unknown user "x"", with the lookup's error when it had one (an empty
 * answer leaves errno alone, or sets ENOENT/ESRCH, depending on the libc). */
static int ids_fail(char *msg, size_t size, const char *what, const char *name, int e)
{
	bool real = e && e != ENOENT && e != ESRCH && e != EBADF && e != EPERM;
	snprintf(msg, size, "%s \"%s\"%s%s", what, name, real ? ": " : "", real ? strerror(e) : "");
	return -1;
}

int spawn_ids_resolve(const char *user, const char *group, uid_t *uid, gid_t *gid,
		      gid_t **groups, int *ngroups, char *msg, size_t size)
{
	unsigned long v;
	const char *uname = NULL;
	bool have_gid = false;
	*groups = NULL;
	*ngroups = 0;
	if (user) {
		struct passwd *pw;
		errno = 0;
		if (spawn_parse_id(user, &v) == 0) {
			*uid = (uid_t)v;
			pw = getpwuid(*uid);
		} else if (!(pw = getpwnam(user))) {
			return ids_fail(msg, size, "unknown user", user, errno);
		} else {
			*uid = pw->pw_uid;
		}
		if (pw) {
			*gid = pw->pw_gid;
			have_gid = true;
			uname = pw->pw_name;
		}
	}
	if (group) {
		errno = 0;
		if (spawn_parse_id(group, &v) == 0) {
			*gid = (gid_t)v;
		} else {
			struct group *gr = getgrnam(group);
			if (!gr)
				return ids_fail(msg, size, "unknown group", group, errno);
			*gid = gr->gr_gid;
		}
		have_gid = true;
	}
	if (!have_gid) {
		snprintf(msg, size, "user %s has no passwd entry, so no group to run as: add a "
			 "`group` line", user);
		return -1;
	}
	/* Supplementary groups of the user, or none: never keep root's. */
	if (!uname)
		return 0;
	for (int n = 16;;) {
		gid_t *g = realloc(*groups, (size_t)n * sizeof *g);
		if (!g) {
			snprintf(msg, size, "out of memory listing the groups of \"%s\"", uname);
			return -1;
		}
		*groups = g;
		int want = n;
		if (getgrouplist(uname, *gid, g, &want) >= 0) {
			*ngroups = want;
			return 0;
		}
		if (want <= n || want > 65536) {
			snprintf(msg, size, "cannot list the groups of \"%s\"", uname);
			return -1;
		}
		n = want;
	}
}
