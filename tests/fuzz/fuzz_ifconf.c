/* fuzz_ifconf: any bytes as lines of UCI's network file: keel-ubusd's "config interface NAME" reader names a non-empty word inside the line or nothing, never a fault. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ifconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* getline's lines: up to and with a newline, NUL-terminated (a NUL inside ends the C string) */
	size_t start = 0;
	while (start < size) {
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t len = nl ? (size_t)(nl - data) - start + 1 : size - start;
		char *line = malloc(len + 1);
		if (!line)
			abort();
		memcpy(line, data + start, len);
		line[len] = 0;
		size_t clen = strlen(line);
		const char *name = ifconf_section(line);
		if (name && (name < line || name >= line + clen || !*name || strchr(name, '\n')))
			abort();
		free(line);
		start += len;
	}
	return 0;
}
