/* preinit_probe: recognises file systems from their first bytes and matches device specs (pure). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PREINIT_PROBE_H
#define KEEL_PREINIT_PROBE_H

#include <stdbool.h>
#include <stddef.h>

/* How many bytes of a device preinit_probe wants to see. */
#define PREINIT_PROBE_LEN 65536

enum preinit_fs {
	PREINIT_FS_UNKNOWN, /* data we do not recognise: never formatted over */
	PREINIT_FS_BLANK,   /* all 0x00 or 0xff, or OpenWrt's deadc0de mark: free to format */
	PREINIT_FS_EXT4,    /* ext2/3/4: mounted as ext4 */
	PREINIT_FS_SQUASHFS,
	PREINIT_FS_F2FS,
	PREINIT_FS_JFFS2,
	PREINIT_FS_SWAP,
};

struct preinit_probe {
	enum preinit_fs fs;
	char label[65]; /* "" if none */
	char uuid[37];  /* canonical lower-case 8-4-4-4-12, "" if none */
	bool erased;    /* blank because every byte read is 0xff, as flash after an erase */
};

/* Probes the first len bytes of a device (len < PREINIT_PROBE_LEN only
 * for a smaller device). */
void preinit_probe(const unsigned char *buf, size_t len, struct preinit_probe *out);

/* How many bytes of each erase block preinit_probe_eraseblock looks at. */
#define PREINIT_ERASEBLOCK_HEAD 16

/* Classifies the start of one flash erase block: PREINIT_FS_BLANK (erased),
 * PREINIT_FS_JFFS2 (jffs2 writes each block from its start, node by node,
 * and its cleanmarkers sit there too) or PREINIT_FS_UNKNOWN. */
enum preinit_fs preinit_probe_eraseblock(const unsigned char *head, size_t len);

/* The mount(2) type name, NULL for unknown/blank/swap. */
const char *preinit_fs_name(enum preinit_fs fs);

/* A way to name a device, as written in the configuration. */
enum preinit_spec_kind {
	PREINIT_SPEC_PATH,      /* /dev/vdb or a file */
	PREINIT_SPEC_NAME,      /* vdb: kernel name in /sys/class/block */
	PREINIT_SPEC_LABEL,     /* LABEL=data */
	PREINIT_SPEC_UUID,      /* UUID=... */
	PREINIT_SPEC_PARTLABEL, /* PARTLABEL=rootfs_data (GPT name, or PARTNAME in uevent) */
};

struct preinit_spec {
	enum preinit_spec_kind kind;
	const char *value; /* points into the parsed text */
};

/* 0, or -1 for an empty value ("LABEL="). */
int preinit_spec_parse(const char *text, struct preinit_spec *out);

/* What is known about one block device. */
struct preinit_blkinfo {
	const char *name;     /* vdb1 */
	const char *partname; /* from uevent PARTNAME, or NULL */
	const struct preinit_probe *probe; /* NULL if not read */
};

bool preinit_spec_match(const struct preinit_spec *s, const struct preinit_blkinfo *b);

/* The value of KEY in a uevent file's text ("KEY=value" lines), as a
 * malloc'd string, or NULL. */
char *preinit_uevent_get(const char *text, const char *key);

/* "UUID" and "uuid" with or without dashes compare equal. */
bool preinit_uuid_equal(const char *a, const char *b);

#endif
