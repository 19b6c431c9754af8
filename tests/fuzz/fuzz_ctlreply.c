/* fuzz_ctlreply: any bytes as keel's answer are rendered (status, cond, events) or analysed (blame, critical-chain, chart), never a fault. */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/keelctl/ctl.h"

/* keelctl's reply readers (ctl_analyze.c, ctl_render.c, linked in by the
 * Makefile) with the request side stubbed: the answer is the fuzz input. */

static const uint8_t *in_data;
static size_t in_size;

int ctl_fail(const struct ctl *c, int code, const char *fmt, ...)
{
	(void)c;
	(void)fmt;
	return code;
}

int ctl_request(const struct ctl *c, const char *request, struct buf *reply)
{
	(void)c;
	(void)request;
	buf_add(reply, (const char *)in_data, in_size);
	return reply->oom ? 1 : 0;
}

void ctl_fmt_ms(unsigned long long ms, char *buf, size_t len)
{
	snprintf(buf, len, "%llu", ms);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	if (!quiet) {
		quiet = freopen("/dev/null", "w", stdout) != NULL;
	}
	in_data = data;
	in_size = size;
	for (int json = 0; json < 2; json++) {
		struct ctl c = { .json = json };
		char *views[][3] = { { "chart" }, { "analyze", "blame" }, { "analyze", "critical-chain" },
				     { "analyze", "critical-chain", "a" } };
		for (size_t k = 0; k < sizeof views / sizeof views[0]; k++)
			ctl_analyze(&c, views[k][2] ? 3 : views[k][1] ? 2 : 1, views[k]);
		static const char *const verbs[][2] = { { "status", NULL }, { "status", "a" }, { "list", NULL },
							{ "cond", NULL }, { "health", NULL }, { "stop", "a" } };
		for (size_t k = 0; k < sizeof verbs / sizeof verbs[0]; k++) {
			char *copy = malloc(size + 1);
			if (!copy)
				return 0;
			memcpy(copy, data, size);
			copy[size] = '\0';
			ctl_render(&c, copy, verbs[k][0], verbs[k][1]);
			free(copy);
		}
	}
	return 0;
}
