/* fuzz_logrec: the log record line parser takes any bytes, and what the formatter writes parses back the same. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logrec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* 1. Any line (as logread gets it from a socket or a file). */
	char *line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	struct log_rec r;
	(void)logrec_parse(line, size, &r);
	free(line);

	/* 2. The bytes as a message and tag: format, parse, compare. */
	size_t tl = size / 4;
	struct log_rec x = { .seq = size, .mono_us = 1, .real_us = -2, .pid = 3, .pri = 191,
			     .source = LOG_SRC_SYSLOG, .flags = LOG_F_CONT, .tag = (const char *)data,
			     .tag_len = tl, .msg = (const char *)data + tl, .msg_len = size - tl };
	struct buf b = { 0 };
	logrec_format(&b, &x);
	if (b.oom)
		abort();
	/* One line, nothing the escaping let through. */
	if (memchr(b.p, '\n', b.len - 1) || b.p[b.len - 1] != '\n')
		abort();
	struct log_rec y;
	if (logrec_parse(b.p, b.len - 1, &y) != 0 || y.tag_len != x.tag_len ||
	    y.msg_len != x.msg_len || memcmp(y.tag, x.tag, tl) || memcmp(y.msg, x.msg, size - tl) ||
	    y.pri != 191 || y.real_us != -2 || y.flags != LOG_F_CONT)
		abort();
	buf_free(&b);
	return 0;
}
