/* mkdirs: mkdir -p — a folder and any parents it lacks. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_MKDIRS_H
#define KEEL_MKDIRS_H

#include <sys/types.h>

/* 0, or -1 with errno from the mkdir that failed (an existing folder is
 * no failure). */
int mkdirs(const char *path, mode_t mode);

#endif
