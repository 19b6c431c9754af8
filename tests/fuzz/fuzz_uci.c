/* fuzz_uci: libFuzzer target: parse arbitrary bytes as a config file and a delta file, export, re-parse. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uci.h"

/* Types are exported unquoted, as OpenWrt does: a type holding quote,
 * comment or escape characters does not read back the same. */
static int types_round_trip(const struct uci_package *p)
{
	for (size_t i = 0; i < p->n_sections; i++)
		if (strpbrk(p->sections[i]->type, "'\"#;\\"))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uci_context *ctx = uci_context_new();
	if (!ctx)
		return 0;
	/* odd sizes try non-strict mode too */
	if (size & 1)
		ctx->flags &= ~(unsigned)UCI_FLAG_STRICT;
	struct uci_package **pkgs = NULL;
	size_t n = 0;
	if (uci_package_import(ctx, (const char *)data, size, "fuzz", NULL, NULL, &pkgs, &n) == UCI_OK) {
		for (size_t i = 0; i < n; i++) {
			/* what we export must parse back to the same text */
			size_t len;
			char *out = uci_package_export_string(ctx, pkgs[i], false, &len);
			struct uci_package *again = NULL;
			if (out && uci_package_parse(ctx, out, len, "re", pkgs[i]->name, &again) == UCI_OK) {
				size_t len2;
				char *out2 = uci_package_export_string(ctx, again, false, &len2);
				if (out2 && types_round_trip(pkgs[i]) && (len2 != len || memcmp(out, out2, len)))
					abort();
				free(out2);
			}
			uci_package_free(again);
			free(out);
			uci_package_free(pkgs[i]);
		}
		free(pkgs);
	}
	/* the same bytes as `uci_ptr` text */
	char *s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = 0;
		struct uci_ptr ptr;
		uci_ptr_parse(ctx, &ptr, s);
		free(s);
	}
	uci_context_free(ctx);
	return 0;
}
