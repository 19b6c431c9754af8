/* sha256: SHA-256 (FIPS 180-4), streaming, for keel's firmware images (no library). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SHA256_H
#define KEEL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;    /* message length so far */
	uint8_t block[64]; /* the partial block */
	size_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_LEN]);
/* 64 lowercase hex digits and a NUL. */
void sha256_hex(const uint8_t sum[SHA256_LEN], char out[2 * SHA256_LEN + 1]);

#endif
