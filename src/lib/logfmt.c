/* logfmt: log records as readers show them — OpenWrt's logread line, JSON, an RFC 3164 message — and the reader protocol's lines. */
/* SPDX-License-Identifier: MIT */
#include "logfmt.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char hexd[] = "0123456789abcdef";

time_t logfmt_seconds(int64_t real_us)
{
	int64_t s = real_us / 1000000;
	if (real_us % 1000000 < 0)
		s--;
	return (time_t)s;
}

/* The text forms' escaping: see logfmt.h. */
static void add_text(struct buf *b, const char *s, size_t n)
{
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 0x20 && c != 0x7f) || c == '\t') {
			run++;
			continue;
		}
		if (run)
			buf_add(b, s + i - run, run);
		run = 0;
		char e[4] = { '\\', 'x', hexd[c >> 4], hexd[c & 15] };
		if (c == '\n' || c == '\r') {
			e[1] = c == '\n' ? 'n' : 'r';
			buf_add(b, e, 2);
		} else {
			buf_add(b, e, 4);
		}
	}
	if (run)
		buf_add(b, s + n - run, run);
}

/* Tag and pid the way syslog writes them: "dnsmasq[1234]" or "dnsmasq". */
static void add_tag(struct buf *b, const struct log_rec *r)
{
	add_text(b, r->tag, r->tag_len);
	if (r->pid)
		buf_addf(b, "[%" PRIu32 "]", r->pid);
}

void logfmt_text(struct buf *b, const struct log_rec *r, const struct tm *local)
{
	char when[64];
	if (!strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", local))
		strcpy(when, "?");
	buf_addf(b, "%s %s.%s ", when, logrec_facility_name(r->pri >> 3u),
		 logrec_severity_name(r->pri & 7u));
	add_tag(b, r);
	buf_adds(b, ": ");
	add_text(b, r->msg, r->msg_len);
	buf_adds(b, "\n");
}

void logfmt_rfc3164(struct buf *b, const struct log_rec *r, const struct tm *local,
		    const char *host)
{
	char when[32];
	if (!strftime(when, sizeof when, "%b %e %H:%M:%S", local))
		strcpy(when, "Jan  1 00:00:00");
	buf_addf(b, "<%u>%s ", (unsigned)r->pri, when);
	if (host && *host)
		buf_addf(b, "%s ", host);
	add_tag(b, r);
	buf_adds(b, ": ");
	add_text(b, r->msg, r->msg_len);
}


void logfmt_json(struct buf *b, const struct log_rec *r)
{
	struct tm tm;
	time_t t = logfmt_seconds(r->real_us);
	long us = (long)(r->real_us - (int64_t)t * 1000000);
	char when[48] = "";
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	buf_addf(b,
		 "{\"seq\":%" PRIu64 ",\"mono_us\":%" PRIu64 ",\"real_us\":%" PRId64
		 ",\"time\":\"%s.%06ldZ\",\"facility\":\"%s\",\"severity\":\"%s\",\"source\":\"%s\","
		 "\"pid\":%" PRIu32 ",\"flags\":\"%s\",\"tag\":",
		 r->seq, r->mono_us, r->real_us, when, us, logrec_facility_name(r->pri >> 3u),
		 logrec_severity_name(r->pri & 7u), logrec_source_name(r->source), r->pid,
		 (r->flags & LOG_F_CONT) ? "c" : "");
	buf_add_json_n(b, r->tag, r->tag_len);
	buf_adds(b, ",\"message\":");
	buf_add_json_n(b, r->msg, r->msg_len);
	buf_adds(b, "}\n");
}

static void insertion_sort(struct log_rec *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct log_rec x = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1].mono_us > x.mono_us; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

int logfmt_sort(struct log_rec *v, size_t n)
{
	/* Nearly always sorted already: one pass says so. */
	size_t i = 1;
	while (i < n && v[i - 1].mono_us <= v[i].mono_us)
		i++;
	if (i >= n)
		return 0;
	struct log_rec *tmp = malloc(n * sizeof *tmp);
	if (!tmp) {
		insertion_sort(v, n);
		return -1;
	}
	/* Bottom-up merge sort: stable, n log n whatever the input. */
	struct log_rec *src = v, *dst = tmp;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n;
			size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t a = lo, c = mid, o = lo;
			while (a < mid && c < hi)
				dst[o++] = src[c].mono_us < src[a].mono_us ? src[c++] : src[a++];
			while (a < mid)
				dst[o++] = src[a++];
			while (c < hi)
				dst[o++] = src[c++];
		}
		struct log_rec *t = src;
		src = dst;
		dst = t;
	}
	if (src != v)
		memcpy(v, src, n * sizeof *v);
	free(tmp);
	return 0;
}

enum logfmt_line logfmt_parse_line(char *line, size_t len, struct log_rec *r, uint64_t *lost)
{
	if (len == 3 && !memcmp(line, "end", 3))
		return LOGFMT_END;
	if (len >= 3 && !memcmp(line, "ERR", 3) && (len == 3 || line[3] == ' '))
		return LOGFMT_ERR;
	if (len > 5 && !memcmp(line, "lost ", 5)) {
		uint64_t v = 0;
		size_t i = 5;
		for (; i < len && line[i] >= '0' && line[i] <= '9'; i++)
			v = v * 10 + (uint64_t)(line[i] - '0');
		if (i == len) {
			*lost = v;
			return LOGFMT_LOST;
		}
		return LOGFMT_OTHER;
	}
	if (logrec_parse(line, len, r) < 0)
		return LOGFMT_OTHER;
	/* Unescaping only shrinks, so both ends are inside the line or on the
	 * byte after it. */
	((char *)r->tag)[r->tag_len] = '\0';
	((char *)r->msg)[r->msg_len] = '\0';
	return LOGFMT_RECORD;
}
