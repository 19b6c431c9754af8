/* fuzz_uci: libFuzzer target: parse arbitrary bytes as a config file, export, re-parse; and as a uci_ptr. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uci_internal.h"

static char *export_all(struct uci_context *ctx, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	uci_export(ctx, f, NULL, true);
	fclose(f);
	return buf;
}

/* Types are exported unquoted, as OpenWrt does: a type holding quote,
 * comment, escape or separator characters does not read back the same. */
static int round_trips(struct uci_context *ctx)
{
	struct uci_element *pe, *se;
	uci_foreach_element(&ctx->root, pe)
		uci_foreach_element(&uci_to_package(pe)->sections, se)
			if (strpbrk(uci_to_section(se)->type, "'\"#;\\"))
				return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uci_context *ctx = uci_alloc_context();
	if (!ctx)
		return 0;
	/* odd sizes try non-strict mode too */
	if (size & 1)
		ctx->flags &= ~UCI_FLAG_STRICT;
	FILE *in = fmemopen((void *)data, size, "r");
	if (in && size && uci_import(ctx, in, NULL, NULL, false) == UCI_OK && round_trips(ctx)) {
		/* what we export must parse back to the same text */
		size_t len, len2;
		char *out = export_all(ctx, &len);
		struct uci_context *again = uci_alloc_context();
		FILE *in2 = out ? fmemopen(out, len, "r") : NULL;
		if (again && in2 && len && uci_import(again, in2, NULL, NULL, false) == UCI_OK) {
			char *out2 = export_all(again, &len2);
			if (out2 && (len2 != len || memcmp(out, out2, len)))
				abort();
			free(out2);
		}
		if (in2)
			fclose(in2);
		uci_free_context(again);
		free(out);
	}
	if (in)
		fclose(in);
	/* the same bytes as `uci_ptr` text */
	char *s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = 0;
		struct uci_ptr ptr;
		uci_parse_ptr(ctx, &ptr, s);
		free(s);
	}
	uci_free_context(ctx);
	return 0;
}
