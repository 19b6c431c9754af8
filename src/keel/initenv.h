/* initenv: the services' base environment — keel's defaults and /etc/initd.env, applied at boot and again on reload. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_INITENV_H
#define KEEL_INITENV_H

/* At boot: defaults ("KEY=VALUE", NULL-terminated, kept by the caller)
 * where the environment has no such key, then the file at path (a missing
 * file adds nothing; a bad line is reported and skipped). */
void initenv_apply(const char *path, const char *const *defaults);

/* On reload: the file is read again. Keys it no longer sets go back to
 * what they were before it (a default, or unset); new and changed ones
 * apply to every later start. */
void initenv_reload(void);

#endif
