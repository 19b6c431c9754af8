/* fuzz_fwimage: any bytes as an image header, an A/B env or upgrade.conf are refused or understood, never a fault, and what parses builds back the same. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "abenv.h"
#include "fwimage.h"
#include "upgradeconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwimage img;
	const char *err = NULL;
	if (fwimage_parse(data, size, &img, &err) == 0) {
		/* Accepted: sane fields, and the builder gives the same header. */
		if (!img.board[0] || !img.nparts || img.nparts > FWIMAGE_MAX_PARTS ||
		    img.total < FWIMAGE_HEADER_LEN)
			abort();
		uint64_t sum = FWIMAGE_HEADER_LEN;
		for (unsigned i = 0; i < img.nparts; i++) {
			if (img.part[i].offset != sum || !img.part[i].name[0])
				abort();
			sum += img.part[i].length;
		}
		if (sum != img.total)
			abort();
		uint8_t back[FWIMAGE_HEADER_LEN];
		struct fwimage copy = img;
		if (fwimage_build(&copy, back, &err) < 0 || memcmp(back, data, FWIMAGE_HEADER_LEN))
			abort();
	} else if (!err || !*err) {
		abort();
	}

	struct abenv e;
	int which;
	if (abenv_parse(data, size, &e, &which) == 0) {
		if ((e.slot != 'a' && e.slot != 'b') || (which != 0 && which != 1))
			abort();
		uint8_t rec[ABENV_RECORD];
		struct abenv back;
		abenv_format(&e, rec);
		if (abenv_parse(rec, sizeof rec, &back, &which) < 0 || back.slot != e.slot ||
		    back.seq != e.seq || back.tries != e.tries || back.upgrade != e.upgrade)
			abort();
	}

	struct upgrade_conf c;
	struct diags d = { 0 };
	upgrade_conf_defaults(&c);
	size_t errors = upgrade_conf_parse(&c, (const char *)data, size, "upgrade.conf", &d);
	if (errors && !d.nerrors && !d.oom)
		abort();
	for (size_t i = 0; i < c.nparts; i++)
		if (!c.part[i].name || !c.part[i].dev[0] || c.part[i].dev[0][0] != '/')
			abort();
	upgrade_conf_free(&c);
	diags_free(&d);

	char **v = NULL;
	size_t n = 0;
	keeplist_parse((const char *)data, size, &v, &n);
	for (size_t i = 0; i < n; i++) {
		if (!v[i][0] || v[i][0] == '#' || strchr(v[i], '\n'))
			abort();
		free(v[i]);
	}
	free(v);
	return 0;
}
