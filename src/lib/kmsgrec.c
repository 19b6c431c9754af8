/* kmsgrec: parses one record read from /dev/kmsg into priority, kernel time and text. */
/* SPDX-License-Identifier: MIT */
#include "kmsgrec.h"

#include <string.h>

#include "hexdigit.h"
#include "procstat.h"

bool kmsgrec_parse(char *buf, size_t len, struct kmsg_rec *out)
{
	const char *semi = memchr(buf, ';', len);
	if (!semi)
		return false;
	/* The header, copied to be NUL-terminated for scan_dec; a longer one
	 * is cut, and then no longer of the form (its fields are short). */
	unsigned long long pri = 0, seq = 0, ts = 0;
	char head[96];
	size_t hl = (size_t)(semi - buf) < sizeof head - 1 ? (size_t)(semi - buf) : sizeof head - 1;
	memcpy(head, buf, hl);
	head[hl] = '\0';
	const char *h = scan_dec(head, &pri);
	if (!h || *h != ',' || !(h = scan_dec(h + 1, &seq)) || *h != ',' ||
	    !(h = scan_dec(h + 1, &ts)) || (*h && *h != ','))
		return false;
	char *raw = (char *)semi + 1;
	const char *nl = memchr(raw, '\n', len - (size_t)(raw - buf));
	size_t rlen = nl ? (size_t)(nl - raw) : len - (size_t)(raw - buf);
	size_t mlen = 0;
	for (size_t i = 0; i < rlen; i++) {
		int hi, lo;
		if (raw[i] == '\\' && i + 3 < rlen && raw[i + 1] == 'x' &&
		    (hi = hex_digit(raw[i + 2])) >= 0 && (lo = hex_digit(raw[i + 3])) >= 0) {
			raw[mlen++] = (char)(hi * 16 + lo);
			i += 3;
		} else {
			raw[mlen++] = raw[i];
		}
	}
	out->pri = (uint8_t)(pri & 0xff);
	if (out->pri >> 3 > 23)
		out->pri &= 7;
	out->seq = seq;
	out->ts_us = ts;
	out->msg = raw;
	out->msg_len = mlen;
	return true;
}
