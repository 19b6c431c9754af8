/* notifymsg: parses one sd_notify datagram (KEY=VALUE lines) into what keel acts on. */
/* SPDX-License-Identifier: MIT */
#include "notifymsg.h"

#include <string.h>

static bool key_is(const char *k, size_t kl, const char *lit)
{
	return strlen(lit) == kl && !memcmp(k, lit, kl);
}

static bool val_is(const char *v, size_t vl, const char *lit)
{
	return key_is(v, vl, lit);
}

/* A decimal number that fits max; false if it is not one. */
static bool num(const char *v, size_t vl, uint64_t max, uint64_t *out)
{
	if (!vl || vl > 20)
		return false;
	uint64_t n = 0;
	for (size_t i = 0; i < vl; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		uint64_t d = (uint64_t)(v[i] - '0');
		if (n > (max - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*out = n;
	return true;
}

void notifymsg_parse(const char *buf, size_t len, struct notify_msg *m)
{
	*m = (struct notify_msg){ 0 };
	for (size_t off = 0; off < len;) {
		const char *line = buf + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - line) : len - off;
		off += ll + (nl ? 1 : 0);
		if (!ll)
			continue;
		const char *eq = memchr(line, '=', ll);
		if (!eq) {
			m->bad++;
			continue;
		}
		const char *k = line, *v = eq + 1;
		size_t kl = (size_t)(eq - line), vl = ll - kl - 1;
		uint64_t n;
		if (key_is(k, kl, "READY")) {
			if (val_is(v, vl, "1"))
				m->ready = true;
			else
				m->bad++;
		} else if (key_is(k, kl, "STATUS")) {
			m->status = v;
			m->status_len = vl;
			m->has_status = true;
		} else if (key_is(k, kl, "RELOADING")) {
			m->reloading = val_is(v, vl, "1");
		} else if (key_is(k, kl, "STOPPING")) {
			m->stopping = val_is(v, vl, "1");
		} else if (key_is(k, kl, "MAINPID")) {
			if (num(v, vl, INT32_MAX, &n) && n > 1)
				m->mainpid = (int32_t)n;
			else
				m->bad++;
		} else if (key_is(k, kl, "EXTEND_TIMEOUT_USEC")) {
			if (num(v, vl, UINT64_MAX, &n)) {
				m->extend_usec = n;
				m->has_extend = true;
			} else {
				m->bad++;
			}
		} else if (key_is(k, kl, "WATCHDOG")) {
			if (val_is(v, vl, "1"))
				m->watchdog = true;
			else if (val_is(v, vl, "trigger"))
				m->watchdog_trigger = true;
			else
				m->bad++;
		} else if (key_is(k, kl, "WATCHDOG_USEC")) {
			if (num(v, vl, UINT64_MAX, &n) && n > 0) {
				m->watchdog_usec = n;
				m->has_watchdog_usec = true;
			} else {
				m->bad++;
			}
		}
		/* Other keys (ERRNO, BUSERROR, FDSTORE, ...): not ours. */
	}
}
