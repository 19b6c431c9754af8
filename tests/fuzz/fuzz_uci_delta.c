/* fuzz_uci_delta: libFuzzer target: replay arbitrary bytes as a delta file (SAVEDIR/NAME) onto a package. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uci_internal.h"

static const char base[] =
	"config interface 'lan'\n\toption proto 'static'\n\tlist dns '1.1.1.1'\n\tlist dns '8.8.8.8'\n"
	"config rule\n\toption name 'a'\nconfig rule\n\toption name 'b'\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uci_context *ctx = uci_alloc_context();
	struct uci_package *p = NULL;
	if (!ctx)
		return 0;
	FILE *f = fmemopen((void *)base, sizeof(base) - 1, "r");
	if (f && uci_import(ctx, f, "net", &p, true) == UCI_OK && p) {
		p->has_delta = true;
		FILE *d = size ? fmemopen((void *)data, size, "r") : NULL;
		int changes = 0;
		if (d) {
			uci_parse_delta(ctx, d, p, &changes);
			fclose(d);
		}
		/* the replayed tree must still export and hold its invariants */
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);
		if (out) {
			uci_export(ctx, out, p, true);
			fclose(out);
		}
		free(buf);
		struct uci_element *e;
		uci_foreach_element(&p->sections, e)
			if (!e->name || uci_to_section(e)->package != p)
				abort();
	}
	if (f)
		fclose(f);
	uci_free_context(ctx);
	return 0;
}
