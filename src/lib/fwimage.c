/* fwimage: keel's firmware image — the header's layout, its parser and builder, the payload check. */
/* SPDX-License-Identifier: MIT */
#include "fwimage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	OFF_HLEN = 8,
	OFF_FORMAT = 12,
	OFF_BOARD = 16,
	OFF_VERSION = 48,
	OFF_COUNT = 112,
	OFF_PARTS = 120,
	PART_SLOT = 32,
	OFF_PAYLOAD_SHA = 376,
	OFF_HEADER_SHA = 480,
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

/* A NUL-padded field: text, then only NULs. blanks: spaces allowed. */
static bool text_get(const uint8_t *p, size_t size, char *out, bool blanks)
{
	size_t n = 0;
	while (n < size && p[n])
		n++;
	for (size_t i = n; i < size; i++)
		if (p[i])
			return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < (blanks ? 0x20 : 0x21) || p[i] > 0x7e)
			return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

static bool name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

static bool zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

int fwimage_parse(const uint8_t *h, size_t len, struct fwimage *img, const char **err)
{
	memset(img, 0, sizeof *img);
	if (len < 8 || memcmp(h, FWIMAGE_MAGIC, 8)) {
		*err = len < 8 ? "truncated header" : "not a keel image (bad magic)";
		return -1;
	}
	if (len < FWIMAGE_HEADER_LEN) {
		*err = "truncated header";
		return -1;
	}
	if (be32(h + OFF_HLEN) != FWIMAGE_HEADER_LEN || be32(h + OFF_FORMAT) != 1) {
		*err = "unsupported image format version";
		return -1;
	}
	uint8_t sum[SHA256_LEN];
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, h, OFF_HEADER_SHA);
	sha256_final(&s, sum);
	if (memcmp(sum, h + OFF_HEADER_SHA, SHA256_LEN)) {
		*err = "header checksum mismatch (corrupt header)";
		return -1;
	}
	if (!text_get(h + OFF_BOARD, FWIMAGE_BOARD_LEN, img->board, false) || !img->board[0]) {
		*err = "bad board name in header";
		return -1;
	}
	if (!text_get(h + OFF_VERSION, FWIMAGE_VERSION_LEN, img->version, true)) {
		*err = "bad version in header";
		return -1;
	}
	uint32_t n = be32(h + OFF_COUNT);
	if (n < 1 || n > FWIMAGE_MAX_PARTS) {
		*err = "bad number of parts in header";
		return -1;
	}
	if (!zero(h + OFF_COUNT + 4, 4) || !zero(h + OFF_PAYLOAD_SHA + SHA256_LEN, OFF_HEADER_SHA - OFF_PAYLOAD_SHA - SHA256_LEN)) {
		*err = "reserved header bytes are not zero";
		return -1;
	}
	uint64_t off = FWIMAGE_HEADER_LEN;
	for (uint32_t i = 0; i < FWIMAGE_MAX_PARTS; i++) {
		const uint8_t *slot = h + OFF_PARTS + i * PART_SLOT;
		if (i >= n) {
			if (!zero(slot, PART_SLOT)) {
				*err = "unused part slot is not zero";
				return -1;
			}
			continue;
		}
		struct fwimage_part *p = &img->part[i];
		if (!text_get(slot, FWIMAGE_NAME_LEN, p->name, false) || !name_ok(p->name)) {
			*err = "bad part name in header";
			return -1;
		}
		for (uint32_t j = 0; j < i; j++)
			if (!strcmp(img->part[j].name, p->name)) {
				*err = "two parts with the same name";
				return -1;
			}
		p->length = be64(slot + FWIMAGE_NAME_LEN);
		p->offset = off;
		/* Lengths are limited so that the sum never wraps. */
		if (p->length > (UINT64_C(1) << 48)) {
			*err = "part length too large";
			return -1;
		}
		off += p->length;
	}
	img->nparts = n;
	img->total = off;
	memcpy(img->payload_sha, h + OFF_PAYLOAD_SHA, SHA256_LEN);
	return 0;
}

int fwimage_build(struct fwimage *img, uint8_t out[FWIMAGE_HEADER_LEN], const char **err)
{
	memset(out, 0, FWIMAGE_HEADER_LEN);
	size_t bl = strlen(img->board), vl = strlen(img->version);
	if (!bl || bl > FWIMAGE_BOARD_LEN || vl > FWIMAGE_VERSION_LEN || !img->nparts ||
	    img->nparts > FWIMAGE_MAX_PARTS) {
		*err = "board, version or number of parts out of range";
		return -1;
	}
	memcpy(out, FWIMAGE_MAGIC, 8);
	put32(out + OFF_HLEN, FWIMAGE_HEADER_LEN);
	put32(out + OFF_FORMAT, 1);
	memcpy(out + OFF_BOARD, img->board, bl);
	memcpy(out + OFF_VERSION, img->version, vl);
	put32(out + OFF_COUNT, img->nparts);
	uint64_t off = FWIMAGE_HEADER_LEN;
	for (unsigned i = 0; i < img->nparts; i++) {
		struct fwimage_part *p = &img->part[i];
		size_t nl = strlen(p->name);
		if (nl > FWIMAGE_NAME_LEN || !name_ok(p->name) || p->length > (UINT64_C(1) << 48)) {
			*err = "bad part name or length";
			return -1;
		}
		uint8_t *slot = out + OFF_PARTS + i * PART_SLOT;
		memcpy(slot, p->name, nl);
		put64(slot + FWIMAGE_NAME_LEN, p->length);
		p->offset = off;
		off += p->length;
	}
	img->total = off;
	memcpy(out + OFF_PAYLOAD_SHA, img->payload_sha, SHA256_LEN);
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, out, OFF_HEADER_SHA);
	sha256_final(&s, out + OFF_HEADER_SHA);
	/* What we wrote must be what we read. */
	struct fwimage back;
	return fwimage_parse(out, FWIMAGE_HEADER_LEN, &back, err);
}

const struct fwimage_part *fwimage_find(const struct fwimage *img, const char *name)
{
	for (unsigned i = 0; i < img->nparts; i++)
		if (!strcmp(img->part[i].name, name))
			return &img->part[i];
	return NULL;
}

static ssize_t read_full(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int fwimage_check_fd(int fd, struct fwimage *img, const char *board,
		     void (*progress)(uint64_t done, uint64_t total, void *ctx), void *ctx,
		     char *err, size_t errsize)
{
	uint8_t hdr[FWIMAGE_HEADER_LEN];
	const char *why;
	struct stat st;
	if (fstat(fd, &st) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		snprintf(err, errsize, "cannot read the image: %s", strerror(errno));
		return -1;
	}
	ssize_t n = read_full(fd, hdr, sizeof hdr);
	if (n < 0) {
		snprintf(err, errsize, "read error: %s", strerror(errno));
		return -1;
	}
	if (fwimage_parse(hdr, (size_t)n, img, &why) < 0) {
		snprintf(err, errsize, "%s", why);
		return -1;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size != img->total) {
		snprintf(err, errsize, "%s: the file has %llu bytes, the header says %llu",
			 (uint64_t)st.st_size < img->total ? "truncated image" : "trailing bytes after the image",
			 (unsigned long long)st.st_size, (unsigned long long)img->total);
		return -1;
	}
	if (board && strcmp(board, img->board)) {
		snprintf(err, errsize, "image is for board \"%s\", this is \"%s\"", img->board, board);
		errno = EXDEV;
		return -1;
	}
	enum { CHUNK = 64 * 1024 };
	uint8_t *buf = malloc(CHUNK);
	if (!buf) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	struct sha256 s;
	sha256_init(&s);
	uint64_t left = img->total - FWIMAGE_HEADER_LEN, done = 0;
	int r = 0;
	while (left) {
		size_t want = left < CHUNK ? (size_t)left : CHUNK;
		n = read_full(fd, buf, want);
		if (n < 0 || (size_t)n < want) {
			snprintf(err, errsize, n < 0 ? "read error: %s" : "truncated image%s",
				 n < 0 ? strerror(errno) : "");
			r = -1;
			break;
		}
		sha256_update(&s, buf, want);
		left -= want;
		done += want;
		if (progress)
			progress(done, img->total - FWIMAGE_HEADER_LEN, ctx);
	}
	free(buf);
	if (r < 0)
		return -1;
	uint8_t sum[SHA256_LEN];
	sha256_final(&s, sum);
	if (memcmp(sum, img->payload_sha, SHA256_LEN)) {
		char want[65], got[65];
		sha256_hex(img->payload_sha, want);
		sha256_hex(sum, got);
		snprintf(err, errsize, "payload checksum mismatch (corrupt image): sha256 %s, header says %s",
			 got, want);
		errno = EBADMSG;
		return -1;
	}
	return 0;
}
