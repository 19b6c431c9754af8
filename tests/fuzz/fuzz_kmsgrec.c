/* fuzz_kmsgrec: any bytes read from /dev/kmsg give no record or one whose text lies inside them, decoded, as kmsgrec.h promises. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmsgrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes on the heap (the parser decodes in
	 * place; ASan reports a read or write past the record). */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct kmsg_rec k;
	if (kmsgrec_parse(buf, size, &k)) {
		const char *semi = memchr(data, ';', size);
		if (!semi)
			abort();
		/* The text starts right after the header and only shrinks. */
		if (k.msg != buf + (semi - (const char *)data) + 1 ||
		    k.msg_len > size - (size_t)(semi - (const char *)data) - 1)
			abort();
		/* Without a backslash nothing is decoded: the text is the bytes
		 * up to the first newline, unchanged. */
		const char *raw = semi + 1, *end = (const char *)data + size;
		const char *nl = memchr(raw, '\n', (size_t)(end - raw));
		if (!memchr(raw, '\\', (size_t)(end - raw)) &&
		    (k.msg_len != (size_t)((nl ? nl : end) - raw) || memcmp(k.msg, raw, k.msg_len)))
			abort();
		if (k.pri >> 3 > 23)
			abort();
	}
	free(buf);
	return 0;
}
