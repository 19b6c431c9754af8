/* fuzz_envfile: any bytes as initd.env give variables and diagnostics, never a fault. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = { 0 };
	size_t n = 0;
	char **env = envfile_parse((const char *)data, size, "initd.env", &n, &d);
	for (size_t i = 0; env && i < n; i++)
		if (!strchr(env[i], '='))
			abort();
	envfile_free(env);
	diags_free(&d);
	return 0;
}
