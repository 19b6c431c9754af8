/* fuzz_svcparse: feeds arbitrary service files and link names to svc_parse. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "svc.h"

/*
 * Input layout: byte 0 gives the link name length (mod 32), the next bytes
 * are the link name, the rest is the file. Besides memory safety, checks the
 * contract: a definition comes back exactly when no error was reported.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = {0};
	char *link;
	size_t nlink = 0;

	if (size > 0) {
		nlink = data[0] % 32;
		data++;
		size--;
		if (nlink > size)
			nlink = size;
	}
	link = malloc(nlink + 1);
	if (!link)
		return 0;
	memcpy(link, data, nlink);
	link[nlink] = '\0';
	data += nlink;
	size -= nlink;

	/* a private copy so reads past the end are caught by ASan */
	char *buf = malloc(size ? size : 1);
	if (!buf) {
		free(link);
		return 0;
	}
	memcpy(buf, data, size);

	struct svc_def *s = svc_parse(buf, size, "fuzz", link, &d);
	if (!d.oom && (s != NULL) != (d.nerrors == 0))
		abort();
	if (s) {
		if (!s->name || !s->instance || !svc_matches(s, s->instance) ||
		    !svc_matches(s, s->name))
			abort();
		for (size_t i = 0; i < s->nexec; i++)
			if (!s->exec[i].argv[0] || !s->exec[i].argv[0][0])
				abort();
		if (s->o->respawn_delay_ms > s->o->respawn_max_delay_ms)
			abort();
		svc_def_free(s);
	}
	for (size_t i = 0; i < d.n; i++)
		free(diag_format(&d.v[i]));
	diags_free(&d);
	free(buf);
	free(link);
	return 0;
}
