/* logrec: one log record, and its line in the log socket protocol and the log file (format and parse). */
/* SPDX-License-Identifier: MIT */
#include "logrec.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "hexdigit.h"

static const char *const source_names[LOG_SRC_COUNT] = { "kern", "keel", "stdout", "stderr",
							  "syslog" };
static const char *const facility_names[24] = {
	"kern",   "user",   "mail",   "daemon", "auth",   "syslog", "lpr",    "news",
	"uucp",   "cron",   "authpriv", "ftp",  "ntp",    "security", "console", "cron2",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
};
static const char *const severity_names[8] = { "emerg", "alert", "crit",   "err",
						"warn",  "notice", "info", "debug" };

const char *logrec_source_name(unsigned source)
{
	return source < LOG_SRC_COUNT ? source_names[source] : "?";
}

const char *logrec_facility_name(unsigned facility)
{
	return facility < 24 ? facility_names[facility] : "?";
}

const char *logrec_severity_name(unsigned severity)
{
	return severity < 8 ? severity_names[severity] : "?";
}

void logrec_escape(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0; /* bytes copied as they are, flushed in one go */
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		unsigned cp;
		size_t ul = c >= 0x20 && c != 0x7f && c != '\\' ? utf8_seq(p + i, n - i, &cp) : 0;
		if (ul) {
			run += ul;
			i += ul;
			continue;
		}
		if (run)
			buf_add(b, (const char *)p + i - run, run);
		run = 0;
		char e[4] = { '\\', 0, 0, 0 };
		size_t el = 2;
		switch (c) {
		case '\\': e[1] = '\\'; break;
		case '\t': e[1] = 't'; break;
		case '\n': e[1] = 'n'; break;
		case '\r': e[1] = 'r'; break;
		default:
			e[1] = 'x';
			e[2] = hex[c >> 4];
			e[3] = hex[c & 15];
			el = 4;
		}
		buf_add(b, e, el);
		i++;
	}
	if (run)
		buf_add(b, (const char *)p + n - run, run);
}

void logrec_format(struct buf *b, const struct log_rec *r)
{
	char flags[4] = "-";
	if (r->flags & LOG_F_CONT)
		strcpy(flags, "c");
	buf_addf(b, "%" PRIu64 "\t%" PRIu64 "\t%" PRId64 "\t%u\t%s\t%" PRIu32 "\t%s\t", r->seq,
		 r->mono_us, r->real_us, (unsigned)r->pri, logrec_source_name(r->source), r->pid,
		 flags);
	logrec_escape(b, r->tag, r->tag_len);
	buf_adds(b, "\t");
	logrec_escape(b, r->msg, r->msg_len);
	buf_adds(b, "\n");
}

/* Unescapes s[0..n) in place; returns the new length. */
static size_t unescape(char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			s[o++] = s[i];
			continue;
		}
		char c = s[++i];
		if (c == 't')
			s[o++] = '\t';
		else if (c == 'n')
			s[o++] = '\n';
		else if (c == 'r')
			s[o++] = '\r';
		else if (c == 'x' && i + 2 < n && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
			s[o++] = (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
			i += 2;
		} else
			s[o++] = c;
	}
	return o;
}

static int parse_u64(const char *s, size_t n, uint64_t *out)
{
	if (!n || n > 20)
		return -1;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		uint64_t d = (uint64_t)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int logrec_parse(char *line, size_t len, struct log_rec *r)
{
	char *f[9];
	size_t fl[9];
	size_t nf = 0, start = 0;
	for (size_t i = 0; i <= len && nf < 9; i++) {
		if (i == len || (line[i] == '\t' && nf < 8)) {
			f[nf] = line + start;
			fl[nf] = i - start;
			nf++;
			start = i + 1;
		}
	}
	if (nf != 9)
		return -1;
	uint64_t v[6];
	bool neg = fl[2] > 0 && f[2][0] == '-';
	if (parse_u64(f[0], fl[0], &v[0]) < 0 || parse_u64(f[1], fl[1], &v[1]) < 0 ||
	    parse_u64(f[2] + neg, fl[2] - neg, &v[2]) < 0 || parse_u64(f[3], fl[3], &v[3]) < 0 ||
	    parse_u64(f[5], fl[5], &v[5]) < 0 || v[3] > 255 || v[5] > UINT32_MAX ||
	    v[2] > (uint64_t)INT64_MAX)
		return -1;
	int src = -1;
	for (int s = 0; s < LOG_SRC_COUNT; s++)
		if (strlen(source_names[s]) == fl[4] && !memcmp(source_names[s], f[4], fl[4]))
			src = s;
	if (src < 0)
		return -1;
	*r = (struct log_rec){ .seq = v[0], .mono_us = v[1],
			       .real_us = neg ? -(int64_t)v[2] : (int64_t)v[2],
			       .pri = (uint8_t)v[3], .source = (uint8_t)src, .pid = (uint32_t)v[5] };
	for (size_t i = 0; i < fl[6]; i++)
		if (f[6][i] == 'c')
			r->flags |= LOG_F_CONT;
	r->tag = f[7];
	r->tag_len = unescape(f[7], fl[7]);
	r->msg = f[8];
	r->msg_len = unescape(f[8], fl[8]);
	return 0;
}
