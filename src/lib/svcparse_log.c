/* svcparse_log: the `log` keyword of service files — where stdout and stderr go, and their line rate. */
/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <string.h>

#include "svcparse_int.h"

void svc_kw_log(struct svc_parser *p, struct lex_line *l)
{
	static const char *const modes[] = { [SVC_LOG_RING] = "ring", [SVC_LOG_CONSOLE] = "console",
					     [SVC_LOG_NULL] = "null" };
	int mode = -1;
	for (int m = SVC_LOG_RING; m <= SVC_LOG_NULL; m++)
		if (!strcmp(l->argv[1], modes[m]))
			mode = m;
	if (mode < 0) {
		svc_err(p, l->lineno, "log: expected ring, console or null, got %s", svc_quote(p, l->argv[1]));
		return;
	}
	unsigned long rate = 0;
	if (l->argc == 3 || (l->argc == 4 && strcmp(l->argv[2], "rate"))) {
		svc_err(p, l->lineno, "log: expected \"rate LINES\" after the mode");
		return;
	}
	if (l->argc == 4 && lex_uint(l->argv[3], INT_MAX, &rate) < 0) {
		svc_err(p, l->lineno, "log: rate: expected a number of lines per second, got %s",
			svc_quote(p, l->argv[3]));
		return;
	}
	SVC_OPT(p->s)->log_mode = (uint8_t)mode;
	if (l->argc == 4)
		SVC_OPT(p->s)->log_rate = (int)rate;
}
