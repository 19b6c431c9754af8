/* fuzz_ctlproto: any bytes as a control request are split or refused, never a fault. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	char *argv[CTLPROTO_MAX_ARGS];
	const char *err = NULL;
	int n = ctlproto_split(line, size, argv, &err);
	if (n < 0 && !err)
		abort();
	for (int i = 0; i < n; i++)
		if (!argv[i][0] || argv[i] < line || argv[i] >= line + size)
			abort();
	free(line);
	return 0;
}
