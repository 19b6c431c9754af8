/* fwimage: keel's firmware image — the header's layout, its parser and builder, the payload check. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_FWIMAGE_H
#define KEEL_FWIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

/*
 * An image is a 512-byte header followed by its parts, back to back, in
 * the header's order (docs/upgrade.md, "Image format"). Numbers are big
 * endian; text fields are NUL-padded, printable ASCII.
 *
 *   0   8  magic "KEELFW\x01\n"
 *   8   4  header length (512)
 *  12   4  format version (1)
 *  16  32  board name (non-empty, no blanks)
 *  48  64  image version (may hold blanks)
 * 112   4  number of parts (1..8)
 * 116   4  zero
 * 120 256  8 part slots of 32 bytes: name (24, [a-z0-9_-], unique), length (8)
 * 376  32  SHA-256 of the payload (every part, in order)
 * 408  72  zero
 * 480  32  SHA-256 of bytes 0..479
 *
 * The file is exactly 512 + the sum of the parts' lengths: a short file is
 * truncated, a longer one is not this image.
 */
#define FWIMAGE_HEADER_LEN 512
#define FWIMAGE_MAGIC "KEELFW\x01\n"
#define FWIMAGE_MAX_PARTS 8
#define FWIMAGE_BOARD_LEN 32
#define FWIMAGE_VERSION_LEN 64
#define FWIMAGE_NAME_LEN 24

struct fwimage_part {
	char name[FWIMAGE_NAME_LEN + 1];
	uint64_t offset; /* from the start of the file */
	uint64_t length;
};

struct fwimage {
	char board[FWIMAGE_BOARD_LEN + 1];
	char version[FWIMAGE_VERSION_LEN + 1];
	unsigned nparts;
	struct fwimage_part part[FWIMAGE_MAX_PARTS];
	uint8_t payload_sha[SHA256_LEN];
	uint64_t total; /* the whole file's length */
};

/* Parses a header (len bytes available, at least FWIMAGE_HEADER_LEN for
 * success). 0, or -1 with *err a static text naming what is wrong. Pure. */
int fwimage_parse(const uint8_t *hdr, size_t len, struct fwimage *img, const char **err);

/* Builds the header of img (board, version, parts' names and lengths,
 * payload_sha set by the caller; offsets and total are filled in). 0, or
 * -1 with *err when a field cannot be represented. Pure. */
int fwimage_build(struct fwimage *img, uint8_t out[FWIMAGE_HEADER_LEN], const char **err);

/* The part with that name, NULL if none. */
const struct fwimage_part *fwimage_find(const struct fwimage *img, const char *name);

/* Reads and checks the whole image on fd (from offset 0): header, length,
 * board (NULL: any), payload checksum. progress (may be NULL) is called
 * with the bytes hashed so far. 0; -1 with a message in err (errsize
 * bytes) naming what failed; errno is set to EIO for a read error. */
int fwimage_check_fd(int fd, struct fwimage *img, const char *board,
		     void (*progress)(uint64_t done, uint64_t total, void *ctx), void *ctx,
		     char *err, size_t errsize);

#endif
