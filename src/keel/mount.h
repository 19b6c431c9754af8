/* mount: the pseudo file systems at start and the unmount/read-only pass at the end. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_MOUNT_H
#define KEEL_MOUNT_H

#include <stdbool.h>

/* Mounts /proc, /sys, /dev (devtmpfs), /run (tmpfs) unless something is
 * already mounted there. Failures are reported, never fatal. */
void mount_early(void);

/* After every process is gone: sync, then unmount every file system in
 * reverse mount order, and remount read-only what cannot be unmounted (the
 * root, busy ones). `superblock_ro` is false inside a container, where a
 * read-only remount of a shared superblock would reach the host. */
void mount_final(bool superblock_ro);

#endif
