/* fuzz_syslogmsg: any datagram gives a record whose pointers lie inside it, as syslogmsg.h promises. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>

#include "syslogmsg.h"

/* libFuzzer's buffer is exactly `size` bytes on the heap, so ASan reports a read past the datagram. */
static int inside(const char *base, size_t size, const char *p, size_t n)
{
	return p >= base && p <= base + size && n <= (size_t)(base + size - p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct syslog_msg m;
	syslogmsg_parse(buf, size, &m);
	if (!m.tag || !m.msg)
		abort();
	if (size > 0 && (!inside(buf, size, m.tag, m.tag_len) || !inside(buf, size, m.msg, m.msg_len)))
		abort();
	if (m.tag_len > 64 || m.pri > 191 || m.pid > INT32_MAX)
		abort();
	if (m.msg_len > 0 && (m.msg[m.msg_len - 1] == '\n' || m.msg[m.msg_len - 1] == '\0'))
		abort();
	return 0;
}
