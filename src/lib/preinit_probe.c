/* preinit_probe: file system signatures, labels and UUIDs from a device's first bytes; device spec matching. */
/* SPDX-License-Identifier: MIT */
#include "preinit_probe.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint16_t le16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void uuid_format(const unsigned char *u, char out[37])
{
	bool zero = true;
	for (int i = 0; i < 16; i++)
		zero &= u[i] == 0;
	if (zero) {
		out[0] = '\0';
		return;
	}
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
		 u[12], u[13], u[14], u[15]);
}

/* A label field: up to n bytes, NUL-padded; non-printable bytes end it. */
static void label_copy(const unsigned char *p, size_t n, char *out, size_t outlen)
{
	size_t i = 0;
	for (; i < n && i + 1 < outlen && p[i] >= 0x20 && p[i] < 0x7f; i++)
		out[i] = (char)p[i];
	out[i] = '\0';
}

static bool all_bytes(const unsigned char *buf, size_t len, unsigned char v)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != v)
			return false;
	return true;
}

/* jffs2's node magic, written in the flash's byte order. */
static bool jffs2_magic(const unsigned char *buf, size_t len)
{
	return len >= 2 && (le16(buf) == 0x1985 || (buf[0] == 0x19 && buf[1] == 0x85));
}

void preinit_probe(const unsigned char *buf, size_t len, struct preinit_probe *out)
{
	*out = (struct preinit_probe){ .fs = PREINIT_FS_UNKNOWN };
	if (len >= 4 && !memcmp(buf, "hsqs", 4)) {
		out->fs = PREINIT_FS_SQUASHFS;
		return;
	}
	const unsigned char *sb = buf + 1024;
	if (len >= 1024 + 256 && le16(sb + 0x38) == 0xEF53) {
		out->fs = PREINIT_FS_EXT4;
		uuid_format(sb + 0x68, out->uuid);
		label_copy(sb + 0x78, 16, out->label, sizeof out->label);
		return;
	}
	if (len >= 1024 + 124 + 512 && le32(sb) == 0xF2F52010) {
		out->fs = PREINIT_FS_F2FS;
		uuid_format(sb + 108, out->uuid);
		/* The volume name is UTF-16LE; keep its ASCII part. */
		size_t i = 0;
		for (; i < 64 && le16(sb + 124 + 2 * i) && le16(sb + 124 + 2 * i) < 0x7f; i++)
			out->label[i] = (char)sb[124 + 2 * i];
		out->label[i] = '\0';
		return;
	}
	if (len >= 4096 && !memcmp(buf + 4096 - 10, "SWAPSPACE2", 10)) {
		out->fs = PREINIT_FS_SWAP;
		uuid_format(buf + 1024 + 12, out->uuid);
		label_copy(buf + 1024 + 28, 16, out->label, sizeof out->label);
		return;
	}
	if (jffs2_magic(buf, len)) {
		out->fs = PREINIT_FS_JFFS2;
		return;
	}
	if (len >= 4 && !memcmp(buf, "\xde\xad\xc0\xde", 4)) {
		out->fs = PREINIT_FS_BLANK;
		return;
	}
	if (len > 0 && all_bytes(buf, len, 0xff)) {
		out->fs = PREINIT_FS_BLANK;
		out->erased = true;
	} else if (len > 0 && all_bytes(buf, len, 0)) {
		out->fs = PREINIT_FS_BLANK;
	}
}

enum preinit_fs preinit_probe_eraseblock(const unsigned char *head, size_t len)
{
	if (jffs2_magic(head, len))
		return PREINIT_FS_JFFS2;
	if (len > 0 && all_bytes(head, len, 0xff))
		return PREINIT_FS_BLANK;
	return PREINIT_FS_UNKNOWN;
}

const char *preinit_fs_name(enum preinit_fs fs)
{
	switch (fs) {
	case PREINIT_FS_EXT4:
		return "ext4";
	case PREINIT_FS_SQUASHFS:
		return "squashfs";
	case PREINIT_FS_F2FS:
		return "f2fs";
	case PREINIT_FS_JFFS2:
		return "jffs2";
	default:
		return NULL;
	}
}

int preinit_spec_parse(const char *text, struct preinit_spec *out)
{
	static const struct {
		const char *prefix;
		enum preinit_spec_kind kind;
	} pre[] = {
		{ "LABEL=", PREINIT_SPEC_LABEL },
		{ "UUID=", PREINIT_SPEC_UUID },
		{ "PARTLABEL=", PREINIT_SPEC_PARTLABEL },
		{ "PARTNAME=", PREINIT_SPEC_PARTLABEL },
	};
	for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++) {
		size_t n = strlen(pre[i].prefix);
		if (!strncmp(text, pre[i].prefix, n)) {
			out->kind = pre[i].kind;
			out->value = text + n;
			return *out->value ? 0 : -1;
		}
	}
	if (!*text)
		return -1;
	out->kind = text[0] == '/' ? PREINIT_SPEC_PATH : PREINIT_SPEC_NAME;
	out->value = text;
	return 0;
}

bool preinit_uuid_equal(const char *a, const char *b)
{
	for (;;) {
		while (*a == '-')
			a++;
		while (*b == '-')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++, b++;
	}
}

bool preinit_spec_match(const struct preinit_spec *s, const struct preinit_blkinfo *b)
{
	switch (s->kind) {
	case PREINIT_SPEC_PATH:
		return !strncmp(s->value, "/dev/", 5) && !strcmp(s->value + 5, b->name);
	case PREINIT_SPEC_NAME:
		return !strcmp(s->value, b->name);
	case PREINIT_SPEC_LABEL:
		return b->probe && !strcmp(b->probe->label, s->value);
	case PREINIT_SPEC_UUID:
		return b->probe && b->probe->uuid[0] && preinit_uuid_equal(b->probe->uuid, s->value);
	case PREINIT_SPEC_PARTLABEL:
		return b->partname && !strcmp(b->partname, s->value);
	}
	return false;
}

char *preinit_uevent_get(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > klen && !strncmp(p, key, klen) && p[klen] == '=')
			return strndup(p + klen + 1, n - klen - 1);
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}
