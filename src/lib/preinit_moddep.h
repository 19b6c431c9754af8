/* preinit_moddep: which module files to load, in which order, from modules.dep (pure). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PREINIT_MODDEP_H
#define KEEL_PREINIT_MODDEP_H

#include <stdbool.h>

#include "preinit_conf.h"

/* Module names compare with '-' and '_' equal ("virtio-blk" is virtio_blk). */
bool preinit_modname_equal(const char *a, const char *b);

/* The module name of a path: "kernel/fs/overlayfs/overlay.ko.xz" -> "overlay"
 * (malloc'd, NULL on allocation failure). */
char *preinit_modname(const char *path);

/*
 * Resolves module `name` against the text of modules.dep: appends to
 * `order` the paths (relative to the modules directory) to load, the
 * dependencies first, skipping paths already in `order` (so several calls
 * build one list without duplicates).
 * Returns 1 if found, 0 if not in modules.dep (then the caller checks
 * modules.builtin with preinit_modbuiltin), -1 on allocation failure.
 */
int preinit_moddep_resolve(const char *dep, const char *name, struct preinit_strv *order);

/* true if modules.builtin's text lists module `name`. */
bool preinit_modbuiltin(const char *builtin, const char *name);

/* The parameters of module `name` on a kernel command line: the PARAM=VALUE
 * part of every NAME.PARAM=VALUE word, blank-separated (modprobe's
 * convention; the kernel applies these itself only to built-in modules).
 * "" when there are none; malloc'd, NULL on allocation failure. */
char *preinit_modparams(const char *cmdline, const char *name);

#endif
