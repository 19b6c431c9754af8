/* ifconf.h: the interfaces of UCI's network file, and an inotify watch saying when they may have changed. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_UBUS_IFCONF_H
#define KEEL_UBUS_IFCONF_H

#include <stdbool.h>

struct ifconf {
	char *dir;  /* UCI's config folder */
	char *file; /* dir/network */
	int fd;     /* inotify, for the caller's epoll (-1: none, the caller asks ifconf_stale) */
	int wd;     /* the watch on dir (-1: none, e.g. dir missing) */
};

/* dir: UCI_CONFIG_DIR's value, or NULL/"" for /etc/config. Returns -1 out of memory. */
int ifconf_open(struct ifconf *c, const char *dir);
/* Drains the watch's events. True when the file may differ from its last read:
 * it was written, renamed, removed, or the watch was (re)established. Never
 * blocks. Without a watch (none possible), it is always true. */
bool ifconf_stale(struct ifconf *c);
/* The NAME of a "config interface NAME" line (in line, which it cuts), else NULL. */
const char *ifconf_section(char *line);
/* Calls each(NAME) for every "config interface NAME" section, in file order.
 * A missing file has no interfaces (0). -1: the file could not be read
 * (errno), after calling each for what was read. */
int ifconf_read(const struct ifconf *c, void (*each)(const char *name, void *arg), void *arg);

#endif
