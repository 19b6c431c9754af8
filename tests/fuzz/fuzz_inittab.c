/* fuzz_inittab: any bytes as /etc/inittab give steps and diagnostics, never a fault. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inittab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diags d = { 0 };
	struct inittab t;
	if (inittab_parse((const char *)data, size, "inittab", &t, &d) == 0) {
		for (size_t i = 0; i < t.n; i++) {
			if (!t.v[i].process[0] || t.v[i].action >= IT_COUNT)
				abort();
			if (t.v[i].tty && strncmp(t.v[i].tty, "/dev/", 5))
				abort();
			bool login;
			char **argv = inittab_argv(t.v[i].process, &login);
			if (argv && (!argv[0] || !argv[0][0]))
				abort();
			free(argv);
		}
		inittab_free(&t);
	}
	diags_free(&d);
	return 0;
}
