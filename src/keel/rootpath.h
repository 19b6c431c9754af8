/* rootpath: resolves a path inside a system image the way that system will, absolute links included (keel check --root). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ROOTPATH_H
#define KEEL_ROOTPATH_H

#include <stddef.h>

/*
 * root is a directory on this machine holding a system image (a firmware
 * staging tree); path is a path as that system sees it ("/etc/init.d/x",
 * relative paths count from its "/"). Every symlink on the way, the last
 * one included, is followed inside root: an absolute target starts again
 * at root, ".." never climbs above it (as with chroot or openat2's
 * RESOLVE_IN_ROOT, done here with lstat and readlink so that any kernel
 * and any user can run it).
 * Returns the path on this machine (malloc'd: root + the resolved path),
 * or NULL with errno set: ENOENT (a component, or a link's target, is
 * missing), ENOTDIR, ELOOP (over 40 links), ENOMEM, or lstat's error.
 * With root NULL, returns a copy of path (nothing resolved).
 */
char *rootpath_resolve(const char *root, const char *path);

/* The target of the link at path (malloc'd), or NULL with errno set
 * (ENAMETOOLONG past max bytes). */
char *rootpath_readlink(const char *path, size_t max);

#endif
