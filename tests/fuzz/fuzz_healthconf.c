/* fuzz_healthconf: any bytes as the boot-health file or the counter file give a config and diagnostics, never a fault. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "healthconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct health_conf c = { 0 };
	struct diags d = { 0 };
	size_t errors = health_conf_parse(&c, (const char *)data, size, "/etc/keel/health", &d);
	/* What the parser promises its one user, PID 1. */
	if (errors && !d.nerrors && !d.oom)
		abort();
	if (!errors && (!c.nreq || (c.reboot && !c.within_ms)))
		abort();
	for (size_t i = 0; i < c.nreq; i++)
		if (!c.req[i].name || !*c.req[i].name || strchr(c.req[i].name, '/') ||
		    strchr(c.req[i].name, '\t') || strchr(c.req[i].name, '\n'))
			abort();
	if (c.counter && c.counter[0] != '/')
		abort();
	if (c.commit && (!c.commit[0] || !*c.commit[0]))
		abort();
	health_conf_free(&c);
	diags_free(&d);

	/* The same bytes as a counter file: a number comes back as it is
	 * written, and nothing over the maximum. */
	unsigned long v;
	if (health_counter_parse((const char *)data, size, &v) == 0) {
		char out[HEALTH_COUNTER_TEXT_MAX];
		unsigned long back;
		if (v > HEALTH_COUNTER_MAX)
			abort();
		size_t n = health_counter_format(v, out);
		if (health_counter_parse(out, n, &back) < 0 || back != v)
			abort();
	}
	return 0;
}
