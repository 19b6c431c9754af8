/* upgradeconf: /etc/keel/upgrade.conf (where an image's parts go, hooks, A/B) and the keep-list files (pure). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_UPGRADECONF_H
#define KEEL_UPGRADECONF_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/*
 * The file, in the line syntax of every keel configuration (lex.h);
 * docs/upgrade.md has the reference:
 *
 *   board NAME                 images must carry this board name
 *   part NAME DEVICE [DEVICE]  where the image's part NAME is written; two
 *                              devices: A/B slots a and b
 *   data DEVICE|auto|none      the writable layer's partition (kept config)
 *   check COMMAND ARGS...      vendor image check: IMAGE appended, 0 accepts
 *   slot-switch COMMAND ARGS.. A/B: SLOT and DEVICE appended; default: the
 *                              env of preinit's own A/B (ab_env)
 *   copy PATH...               more files the stage needs in the RAM root
 *   stage PATH                 the stage program (default /sbin/preinit)
 *   reserve SIZE               RAM left free besides the RAM root (default 4M)
 *   iface NAME / port N / ipaddr ADDR/PREFIX / net yes|no    UDP progress
 *   led LED MODE               shown while the stage works
 */

#define UPGRADE_CONF_FILE "/etc/keel/upgrade.conf"
#define UPGRADE_MAX_PARTS 8

struct upgrade_part {
	char *name;
	char *dev[2]; /* dev[1] NULL: no A/B */
};

struct upgrade_conf {
	char *board;
	struct upgrade_part part[UPGRADE_MAX_PARTS];
	size_t nparts;
	char *data;          /* NULL: auto (from /run/preinit/state); "none": no kept config */
	char **check;        /* NULL-terminated, NULL if none */
	char **slot_switch;  /* NULL-terminated, NULL: built-in */
	char **copy;         /* NULL-terminated list, may be NULL */
	size_t ncopy;
	char *stage;
	unsigned long long reserve;
	bool net;
	char *iface, *ipaddr;
	unsigned long port;
	char *led, *led_mode;
};

void upgrade_conf_defaults(struct upgrade_conf *c);
void upgrade_conf_free(struct upgrade_conf *c);
/* Parses a whole file into c (defaults set by the caller). Returns the
 * number of errors, each in d with file:line. */
size_t upgrade_conf_parse(struct upgrade_conf *c, const char *buf, size_t len, const char *file,
			  struct diags *d);
/* True if any part has two slots. */
bool upgrade_conf_ab(const struct upgrade_conf *c);
const struct upgrade_part *upgrade_conf_part(const struct upgrade_conf *c, const char *name);

/*
 * Keep lists (OpenWrt's /etc/sysupgrade.conf, the files in /lib/upgrade/keep.d): one
 * path per line; blanks around it are dropped, empty lines and lines
 * starting with '#' skipped. Each path is appended to *list (n entries,
 * NULL-terminated). Returns the number added, -1 on allocation failure.
 */
int keeplist_parse(const char *buf, size_t len, char ***list, size_t *n);

#endif
