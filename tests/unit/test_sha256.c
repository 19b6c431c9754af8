/* test_sha256: SHA-256 against the FIPS 180-4 / NIST test vectors, whole and in pieces. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

static void hex_of(const void *data, size_t len, char out[65])
{
	struct sha256 s;
	uint8_t sum[SHA256_LEN];
	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, sum);
	sha256_hex(sum, out);
}

static void test_vectors(void **state)
{
	(void)state;
	static const struct {
		const char *msg, *sum;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	char got[65];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		hex_of(v[i].msg, strlen(v[i].msg), got);
		assert_string_equal(got, v[i].sum);
	}
}

/* One million 'a', fed in uneven pieces: the block buffer's edges. */
static void test_million_pieces(void **state)
{
	(void)state;
	char *a = malloc(1000000);
	assert_non_null(a);
	memset(a, 'a', 1000000);
	struct sha256 s;
	uint8_t sum[SHA256_LEN];
	char got[65];
	sha256_init(&s);
	size_t off = 0, step = 1;
	while (off < 1000000) {
		size_t n = step < 1000000 - off ? step : 1000000 - off;
		sha256_update(&s, a + off, n);
		off += n;
		step = step * 3 % 257 + 1;
	}
	sha256_final(&s, sum);
	sha256_hex(sum, got);
	assert_string_equal(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

/* Every length around the padding boundary (55, 56, 63, 64 bytes): the
 * same sum whole and byte by byte. */
static void test_boundaries(void **state)
{
	(void)state;
	uint8_t buf[130];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 7);
	for (size_t len = 0; len <= sizeof buf; len++) {
		char whole[65], bytes[65];
		hex_of(buf, len, whole);
		struct sha256 s;
		uint8_t sum[SHA256_LEN];
		sha256_init(&s);
		for (size_t i = 0; i < len; i++)
			sha256_update(&s, buf + i, 1);
		sha256_final(&s, sum);
		sha256_hex(sum, bytes);
		assert_string_equal(whole, bytes);
	}
	char got[65];
	hex_of("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 55, got);
	assert_string_equal(got, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	hex_of("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 64, got);
	assert_string_equal(got, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_million_pieces),
		cmocka_unit_test(test_boundaries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
