/* fuzz_cmdline: the kernel command line parser must take any bytes without fault. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct cmdline cl;
	struct diags d = { 0 };
	cmdline_parse(text, &cl, &d);
	cmdline_free(&cl);
	diags_free(&d);
	free(text);
	return 0;
}
