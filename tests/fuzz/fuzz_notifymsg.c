/* fuzz_notifymsg: the sd_notify datagram parser takes any bytes; its strings stay inside the datagram. */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>

#include "notifymsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct notify_msg m;
	notifymsg_parse((const char *)data, size, &m);
	if (m.has_status && (m.status < (const char *)data ||
			     m.status + m.status_len > (const char *)data + size))
		abort();
	if (m.mainpid < 0)
		abort();
	return 0;
}
