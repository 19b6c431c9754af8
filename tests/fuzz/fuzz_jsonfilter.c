/* fuzz_jsonfilter: any bytes as "PATH\nJSON" give jsonfilter's matches or an error, never a fault; every match is printable. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jpath.h"
#include "json.h"

static void print_match(const struct jval *v, void *ctx)
{
	json_print(ctx, v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	size_t elen = nl ? (size_t)(nl - (const char *)data) : size;
	char *expr = malloc(elen + 1);
	if (!expr)
		return 0;
	memcpy(expr, data, elen);
	expr[elen] = 0;
	const char *json = nl ? nl + 1 : "";
	size_t jlen = nl ? size - elen - 1 : 0;
	const char *err;
	size_t used, pos;
	struct jval *doc = json_parse(json, jlen, &used, &err);
	if (doc && used > jlen)
		abort();
	struct jpath *jp = jp_parse(expr, &err, &pos);
	if (!jp && pos > elen)
		abort();
	FILE *null = fopen("/dev/null", "w");
	if (doc && null) {
		json_print(null, doc);
		if (jp)
			jp_match(jp, doc, print_match, null);
	}
	if (null)
		fclose(null);
	jp_free(jp);
	json_free(doc);
	free(expr);
	return 0;
}
