/* syslogmsg: parses one /dev/log datagram (RFC 3164 and RFC 5424 forms) into priority, tag, pid and text, pointing into it. */
/* SPDX-License-Identifier: MIT */
#include "syslogmsg.h"

#include <string.h>

#define TAG_MAX 64
/* RFC 3164 4.3.3: what a message without a usable PRI is taken to be. */
#define PRI_DEFAULT 13
#define PRI_MAX 191

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A pid the kernel could have handed out: digits only, below 2^31; 0 otherwise. */
static uint32_t parse_pid(const char *s, size_t n)
{
	uint64_t v = 0;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > INT32_MAX)
			return 0;
	}
	return (uint32_t)v;
}

/* Bytes of a valid "<PRI>" at the start (0 when there is none); *bad when
 * the datagram starts with '<' but what follows is no PRI. */
static size_t parse_pri(const char *b, size_t len, uint8_t *pri, int *bad)
{
	unsigned v = 0;
	size_t i = 1;

	*pri = PRI_DEFAULT;
	*bad = 0;
	if (len == 0 || b[0] != '<')
		return 0;
	while (i < len && i <= 3 && is_digit(b[i])) {
		v = v * 10 + (unsigned)(b[i] - '0');
		i++;
	}
	if (i == 1 || i >= len || b[i] != '>' || v > PRI_MAX) {
		*bad = 1;
		return 0;
	}
	*pri = (uint8_t)v;
	return i + 1;
}

static size_t word_len(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] != ' ')
		i++;
	return i;
}

static void set_tag(struct syslog_msg *out, const char *t, size_t n)
{
	out->tag = t;
	out->tag_len = n > TAG_MAX ? TAG_MAX : n;
}

/* "Mmm dd hh:mm:ss" as glibc and musl write it (day padded with a space):
 * its length with the following space, 0 when s does not start with one. */
static size_t bsd_time_len(const char *s, size_t n)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int month = 0;

	if (n < 15)
		return 0;
	for (int m = 0; m < 12; m++)
		if (memcmp(s, months + 3 * m, 3) == 0)
			month = 1;
	if (!month || s[3] != ' ' || !(s[4] == ' ' || is_digit(s[4])) || !is_digit(s[5]) ||
	    s[6] != ' ' || !is_digit(s[7]) || !is_digit(s[8]) || s[9] != ':' ||
	    !is_digit(s[10]) || !is_digit(s[11]) || s[12] != ':' || !is_digit(s[13]) ||
	    !is_digit(s[14]))
		return 0;
	if (n == 15)
		return 15;
	return s[15] == ' ' ? 16 : 0;
}

/* The tag word is "TAG:" or "TAG[PID]:" (TAG may be empty: musl writes ": MSG" and
 * "[PID]: MSG" when no ident was set). The last '[' splits, so an ident holding
 * brackets keeps them. */
static void take_tag_word(const char *w, size_t n, struct syslog_msg *out)
{
	size_t t = n - 1; /* without the ':' */

	if (t >= 1 && w[t - 1] == ']') {
		size_t open = t - 1;
		while (open > 0 && w[open - 1] != '[')
			open--;
		if (open > 0) {
			out->pid = parse_pid(w + open, t - 1 - open);
			t = open - 1;
		}
	}
	set_tag(out, w, t);
}

static void parse_3164(const char *s, size_t n, struct syslog_msg *out)
{
	size_t ts = bsd_time_len(s, n);
	const char *tagw = NULL;
	size_t tagn = 0;

	s += ts;
	n -= ts;
	size_t w1 = word_len(s, n);
	if (w1 > 0 && s[w1 - 1] == ':') {
		tagw = s;
		tagn = w1;
	} else if (ts > 0 && w1 > 0 && w1 < n) {
		/* Only after a timestamp: a relayed message names its host there; without
		 * one, "word word:" is far more likely plain text. */
		const char *s2 = s + w1 + 1;
		size_t w2 = word_len(s2, n - w1 - 1);
		if (w2 > 0 && s2[w2 - 1] == ':') {
			tagw = s2;
			tagn = w2;
		}
	}
	if (!tagw) {
		set_tag(out, s, 0);
		out->msg = s;
		out->msg_len = n;
		return;
	}
	take_tag_word(tagw, tagn, out);
	size_t used = (size_t)(tagw - s) + tagn;
	if (used < n && s[used] == ' ')
		used++;
	out->msg = s + used;
	out->msg_len = n - used;
}

/* "1 " then a nil or RFC 3339 timestamp ("YYYY-"): anything else starting with
 * "1 " is an RFC 3164 message whose text happens to start with a 1. */
static int is_5424(const char *s, size_t n)
{
	if (n < 4 || s[0] != '1' || s[1] != ' ')
		return 0;
	if (s[2] == '-' && s[3] == ' ')
		return 1;
	return n >= 7 && is_digit(s[2]) && is_digit(s[3]) && is_digit(s[4]) && is_digit(s[5]) &&
	       s[6] == '-';
}

/* Past the SD-ELEMENTs starting at i: '"', '\' and ']' are escaped inside a
 * PARAM-VALUE, and only an unquoted ']' closes an element. */
static size_t skip_sd(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] == '[') {
		int quoted = 0;
		i++;
		while (i < n) {
			char c = s[i++];
			if (quoted) {
				if (c == '\\') {
					if (i < n)
						i++;
				} else if (c == '"') {
					quoted = 0;
				}
			} else if (c == '"') {
				quoted = 1;
			} else if (c == ']') {
				break;
			}
		}
	}
	return i;
}

static void parse_5424(const char *s, size_t n, struct syslog_msg *out)
{
	/* TIMESTAMP HOSTNAME APP-NAME PROCID MSGID */
	const char *field[5] = { 0 };
	size_t flen[5] = { 0 };
	size_t i = 2;
	int nf = 0;

	set_tag(out, s + n, 0);
	while (nf < 5 && i < n) {
		size_t w = word_len(s + i, n - i);
		field[nf] = s + i;
		flen[nf] = w;
		nf++;
		i += w;
		if (i < n)
			i++;
	}
	if (nf > 2 && !(flen[2] == 1 && field[2][0] == '-'))
		set_tag(out, field[2], flen[2]);
	if (nf > 3)
		out->pid = parse_pid(field[3], flen[3]);
	if (nf == 5 && i < n) {
		if (s[i] == '-')
			i++;
		else
			i = skip_sd(s, n, i);
		if (i < n && s[i] == ' ')
			i++;
		if (n - i >= 3 && memcmp(s + i, "\xEF\xBB\xBF", 3) == 0)
			i += 3;
	} else {
		i = n; /* cut short before MSG */
	}
	out->msg = s + i;
	out->msg_len = n - i;
}

void syslogmsg_parse(const char *buf, size_t len, struct syslog_msg *out)
{
	int bad;

	*out = (struct syslog_msg){ .pri = PRI_DEFAULT };
	if (!buf || len == 0) {
		out->tag = out->msg = buf ? buf : "";
		return;
	}
	/* musl ends every message with '\n', python's SysLogHandler with a NUL. */
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\0'))
		len--;
	size_t p = parse_pri(buf, len, &out->pri, &bad);
	if (bad) {
		/* RFC 3164 4.3.3: the whole datagram is the message. */
		set_tag(out, buf, 0);
		out->msg = buf;
		out->msg_len = len;
		return;
	}
	if (is_5424(buf + p, len - p))
		parse_5424(buf + p, len - p, out);
	else
		parse_3164(buf + p, len - p, out);
}
