/* binds: the steps a service file declares with bind, hook and module, run as `keel bind|hook|module` in the service's process. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_BINDS_H
#define KEEL_BINDS_H

/*
 *   keel bind SOURCE TARGET [ro]       bind-mount SOURCE over TARGET
 *   keel hook FILE before|after TEXT LINE
 *                                      copy FILE into a tmpfs (KEEL_HOOK_DIR,
 *                                      default /run/keel/hooks) with LINE added
 *                                      before/after the first line containing
 *                                      TEXT, and bind the copy over FILE
 *   keel module PATH [PARAM=VALUE...]  load a kernel module from any path
 * Each is idempotent (run again, it changes nothing) and says what it did
 * on stdout, what failed on stderr (exit 1). Returns the exit status, or
 * -1 when argv[1] is none of these verbs.
 */
int binds_main(int argc, char **argv);

#endif
