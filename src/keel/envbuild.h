/* envbuild: a service's complete environment — the base, its env lines (set, append, prepend), keel's own keys. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ENVBUILD_H
#define KEEL_ENVBUILD_H

#include <stddef.h>

/* One allocation (free() it): the pointer array and the composed strings.
 * base: "KEY=VALUE" list; svc: the service's env lines (KEY=, KEY+=, KEY^=,
 * at most one per key and operation); extra: two more lists (may be NULL)
 * of keel's own keys, added as they are. NULL on allocation failure. */
char **envbuild(char *const *base, char *const *svc, size_t nsvc, char *const *const *extra);

#endif
