/* fuzz_preinit_conf: any bytes as preinit.conf, as the kernel command line, or as a health counter: no fault, and what parses is sane. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "preinit_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct preinit_conf c;
	struct diags d = { 0 };
	preinit_conf_defaults(&c);
	preinit_conf_parse(&c, (const char *)data, size, "preinit.conf", &d);
	char *text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
		preinit_conf_cmdline(&c, text, &d);
		unsigned long n;
		(void)preinit_health_parse(text, &n);
		free(text);
	}
	preinit_conf_free(&c);
	diags_free(&d);
	return 0;
}
