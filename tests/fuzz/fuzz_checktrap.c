/* fuzz_checktrap: feeds arbitrary raw service file text to keel check's trap scanner. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checktrap.h"

/* Besides memory safety (the text is not NUL-terminated: a read past its
 * end is caught by ASan), every diagnostic is a warning naming a line, but
 * for diag.c's one "too many problems" line past its limit per file. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = { 0 };
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	checktrap_scan("/f", buf, size, &d);
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].level != DIAG_WARNING ||
		    (d.v[i].line == 0 && strncmp(d.v[i].msg, "too many problems", 17)))
			abort();
	if (d.n > DIAG_FILE_MAX + 1)
		abort();
	diags_free(&d);
	free(buf);
	return 0;
}
