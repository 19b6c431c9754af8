/* mountinfo: the lines of /proc/self/mountinfo as a sorted table of mount points, and the difference of two tables. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_MOUNTINFO_H
#define KEEL_MOUNTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Pure: no system calls besides memory allocation, so it is unit-tested and
 * fuzzed alone (PID 1's reader is src/keel/cond_mount.c).
 *
 * A mount is keyed by its mount point and its mount ID (field 1): a file
 * system unmounted and mounted again at the same place between two reads
 * usually comes back with another ID, and a mount stacked on top of another
 * one at the same point is a mount of its own, as fstools' `block` reports
 * each to procd. A table is sorted by (point, id), without duplicates.
 */

struct mnt_entry {
	const char *point; /* unescaped, absolute */
	uint32_t id;
};

struct mnt_table {
	struct mnt_entry *v;
	size_t n;
	char *strings; /* the points, one block */
};

/* The kernel's octal escapes (\040 for a blank, \011, \012, \134) undone in
 * place. False if an escape would give a NUL (it is left as it stands). */
bool mountinfo_unescape(char *p);

/* Parses len bytes of mountinfo text, modifying them: the points are
 * unescaped and NUL-terminated inside text, and the entries point there.
 * keep (may be NULL: every point) chooses the points to keep. A malformed
 * line (fewer than six fields, an ID that is not a number, a point that is
 * not absolute, a NUL byte, a line cut off at the end of the text) is
 * skipped and counted in *bad (may be NULL). *out is sorted and free of
 * duplicates; the caller frees it (not the strings). -1 on no memory. */
int mountinfo_parse(char *text, size_t len, bool (*keep)(const char *point, void *ctx), void *ctx,
		    struct mnt_entry **out, size_t *n, size_t *bad);

/* The mounts of a that b lacks (removed), then those of b that a lacks
 * (added): cb(ctx, point, added) for each, so a remount reads as
 * "unmounted, mounted". Both sorted as mountinfo_parse leaves them. */
void mountinfo_diff(const struct mnt_entry *a, size_t na, const struct mnt_entry *b, size_t nb,
		    void (*cb)(void *ctx, const char *point, bool added), void *ctx);

/* A table that owns its strings (one block), copied from sorted entries.
 * -1 on no memory (t unchanged). */
int mnt_table_set(struct mnt_table *t, const struct mnt_entry *v, size_t n);
void mnt_table_free(struct mnt_table *t);
/* Some mount has this point. */
bool mnt_table_has(const struct mnt_table *t, const char *point);

#endif
