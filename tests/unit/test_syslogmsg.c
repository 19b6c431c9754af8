/* test_syslogmsg: /dev/log datagrams as glibc, musl, busybox logger, python and RFC 5424 senders write them. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syslogmsg.h"

/* The datagram is copied into a buffer of exactly its size, so a read past its
 * end is a heap overflow the sanitizer build reports. */
static void check_n(const char *dgram, size_t len, unsigned pri, const char *tag, uint32_t pid,
		    const char *msg, size_t msg_len)
{
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, dgram, len);
	struct syslog_msg m;
	memset(&m, 0xA5, sizeof m);
	syslogmsg_parse(copy, len, &m);

	assert_int_equal(m.pri, pri);
	assert_int_equal(m.pid, pid);
	assert_non_null(m.tag);
	assert_non_null(m.msg);
	assert_true(m.tag >= copy && m.tag_len <= len && (size_t)(m.tag - copy) <= len - m.tag_len);
	assert_true(m.msg >= copy && m.msg_len <= len && (size_t)(m.msg - copy) <= len - m.msg_len);
	assert_int_equal(m.tag_len, strlen(tag));
	if (m.tag_len)
		assert_memory_equal(m.tag, tag, m.tag_len);
	assert_int_equal(m.msg_len, msg_len);
	if (msg_len)
		assert_memory_equal(m.msg, msg, msg_len);
	free(copy);
}

static void check(const char *dgram, size_t len, unsigned pri, const char *tag, uint32_t pid,
		  const char *msg)
{
	check_n(dgram, len, pri, tag, pid, msg, strlen(msg));
}

/* A string literal (which may hold NULs) without the terminating NUL. */
#define D(lit) lit, sizeof(lit) - 1

/* Captured from Debian 12's glibc 2.36 syslog(3) on a bound /dev/log. */
static void test_glibc(void **state)
{
	(void)state;
	/* no openlog(): the ident is the program's name, LOG_PID unset */
	check(D("<28>Dec  1 04:33:31 gl: plain 1"), 28, "gl", 0, "plain 1");
	/* openlog("mytag", LOG_PID, LOG_LOCAL0); syslog(LOG_ERR, ...) */
	check(D("<131>Dec  1 04:33:31 mytag[32570]: with pid"), 131, "mytag", 32570, "with pid");
	check(D("<134>Dec  1 04:33:31 mytag[32570]: ends with newline\n"), 134, "mytag", 32570,
	      "ends with newline");
	check(D("<13>Dec  1 04:33:31 nopid: no pid here"), 13, "nopid", 0, "no pid here");
	/* openlog(NULL, LOG_PID, LOG_USER) */
	check(D("<15>Dec  1 04:33:31 gl[32570]: null ident"), 15, "gl", 32570, "null ident");
}

/* Captured from musl 1.2.3's syslog(3) (the same program, musl-gcc -static):
 * every message ends with '\n'; with no ident there is no tag but still ": ". */
static void test_musl(void **state)
{
	(void)state;
	check(D("<28>Dec  1 04:33:31 : plain 1\n"), 28, "", 0, "plain 1");
	check(D("<131>Dec  1 04:33:31 mytag[32573]: with pid\n"), 131, "mytag", 32573, "with pid");
	check(D("<134>Dec  1 04:33:31 mytag[32573]: ends with newline\n"), 134, "mytag", 32573,
	      "ends with newline");
	check(D("<13>Dec  1 04:33:31 nopid: no pid here\n"), 13, "nopid", 0, "no pid here");
	check(D("<15>Dec  1 04:33:31 [32573]: null ident\n"), 15, "", 32573, "null ident");
}

/* Captured from Debian 12's busybox 1.35 logger (it calls glibc's syslog(3)). */
static void test_busybox_logger(void **state)
{
	(void)state;
	/* logger -t TAG -p local0.err msg */
	check(D("<131>Dec  1 04:33:31 TAG: msg"), 131, "TAG", 0, "msg");
	/* logger "no tag given": the tag is the user's name */
	check(D("<13>Dec  1 04:33:31 root: no tag given"), 13, "root", 0, "no tag given");
}

/* Captured from python 3.11's logging.handlers.SysLogHandler('/dev/log'):
 * no timestamp, a trailing NUL, a tag only if the formatter writes one. */
static void test_python_handler(void **state)
{
	(void)state;
	check(D("<12>python warning\x00"), 12, "", 0, "python warning");
	/* Formatter('%(name)s[%(process)d]: %(message)s'), facility LOG_LOCAL3 */
	check(D("<155>app2[32577]: formatted\x00"), 155, "app2", 32577, "formatted");
}

/* RFC 5424 section 6.5; "BOM" there stands for the bytes EF BB BF. */
static void test_rfc5424_examples(void **state)
{
	(void)state;
	check(D("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "
		"\xEF\xBB\xBF'su root' failed for lonvick on /dev/pts/8"),
	      34, "su", 0, "'su root' failed for lonvick on /dev/pts/8");
	check(D("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time "
		"to make the do-nothing program run again."),
	      165, "myproc", 8710, "%% It's time to make the do-nothing program run again.");
	check(D("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
		"[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] "
		"\xEF\xBB\xBF"
		"An application event log entry..."),
	      165, "evntslog", 0, "An application event log entry...");
	check(D("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
		"[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
		"[examplePriority@32473 class=\"high\"]"),
	      165, "evntslog", 0, "");
}

static void test_rfc5424_forms(void **state)
{
	(void)state;
	/* every field nil */
	check(D("<14>1 - - - - - -"), 14, "", 0, "");
	check(D("<14>1 - - - - - - hello"), 14, "", 0, "hello");
	/* escaped '"', '\' and ']' inside a PARAM-VALUE do not end the element */
	check(D("<14>1 - h app 7 - [a@1 x=\"q\\\"]\" y=\"\\\\\" z=\"\\]\"][b@1] text"), 14, "app", 7,
	      "text");
	/* an unescaped ']' inside quotes (not allowed, but seen) */
	check(D("<14>1 - h app 7 - [a@1 x=\"]\"] text"), 14, "app", 7, "text");
	/* the header or SD cut short: what was there, no message */
	check(D("<14>1 2024-01-01T00:00:00Z host app"), 14, "app", 0, "");
	check(D("<14>1 2024-01-01T00:00:00Z host app 99"), 14, "app", 99, "");
	check(D("<14>1 2024-01-01T00:00:00Z host app 99 ID"), 14, "app", 99, "");
	check(D("<14>1 2024-01-01T00:00:00Z host app 99 ID "), 14, "app", 99, "");
	check(D("<14>1 - h app 7 - [a@1 x=\"unterminated"), 14, "app", 7, "");
	/* no SD where it belongs: the rest is the message */
	check(D("<14>1 - h app 7 - oops here"), 14, "app", 7, "oops here");
	/* PROCID is any printable word in RFC 5424 */
	check(D("<14>1 - h app worker-3 - - m"), 14, "app", 0, "m");
	/* "1 " not followed by a timestamp is RFC 3164 text starting with a 1 */
	check(D("<13>1 hello world"), 13, "", 0, "1 hello world");
	check(D("<13>1 -"), 13, "", 0, "1 -");
}

/* RFC 3164 section 5.4. */
static void test_rfc3164_examples(void **state)
{
	(void)state;
	check(D("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8"), 34,
	      "su", 0, "'su root' failed for lonvick on /dev/pts/8");
	/* a HOST word, but no tag after it: nothing is skipped */
	check(D("<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!"), 13, "", 0, "10.0.0.99 Use the BFG!");
}

static void test_pri(void **state)
{
	(void)state;
	check(D("<0>kernel: boot"), 0, "kernel", 0, "boot");
	check(D("<191>t: m"), 191, "t", 0, "m");
	check(D("<013>t: m"), 13, "t", 0, "m");
	/* missing: user.notice, and the rest parsed as usual */
	check(D("plain text"), 13, "", 0, "plain text");
	check(D("foo[12]: bar"), 13, "foo", 12, "bar");
	check(D("Dec  1 04:33:31 foo: bar"), 13, "foo", 0, "bar");
	/* bad: user.notice, and the whole datagram is the message */
	check(D("<192>t: m"), 13, "", 0, "<192>t: m");
	check(D("<999>t: m"), 13, "", 0, "<999>t: m");
	check(D("<1000>t: m"), 13, "", 0, "<1000>t: m");
	check(D("<>t: m"), 13, "", 0, "<>t: m");
	check(D("<-1>t: m"), 13, "", 0, "<-1>t: m");
	check(D("<1a>t: m"), 13, "", 0, "<1a>t: m");
	check(D("<13"), 13, "", 0, "<13");
	check(D("<"), 13, "", 0, "<");
}

static void test_no_tag(void **state)
{
	(void)state;
	check(D("<13>Dec  1 04:33:31 just some text"), 13, "", 0, "just some text");
	check(D("<13>just some text"), 13, "", 0, "just some text");
	check(D("<13>no colon[12] at end"), 13, "", 0, "no colon[12] at end");
	/* "TAG:MSG" with no space is not a tag word */
	check(D("<13>tag:msg"), 13, "", 0, "tag:msg");
	check(D("<13>Dec  1 04:33:31"), 13, "", 0, "");
	check(D("<13>Dec  1 04:33:31 "), 13, "", 0, "");
	/* not a timestamp (no such month, cut short): plain text */
	check(D("<13>Foo  1 04:33:31 t: m"), 13, "", 0, "Foo  1 04:33:31 t: m");
	check(D("<13>Dec  1 04:33"), 13, "", 0, "Dec  1 04:33");
}

static void test_host_word(void **state)
{
	(void)state;
	check(D("<30>Dec  1 04:33:31 router dnsmasq[812]: query A example.org"), 30, "dnsmasq", 812,
	      "query A example.org");
	check(D("<30>Dec  1 04:33:31 router kernel: eth0 up"), 30, "kernel", 0, "eth0 up");
	check(D("<30>Nov 23 18:02:09 ntpd[1207]: synchronized"), 30, "ntpd", 1207, "synchronized");
	/* the tag word comes first: nothing is taken for a host */
	check(D("<30>Dec  1 04:33:31 ntpd: router kernel: x"), 30, "ntpd", 0, "router kernel: x");
	/* only after a timestamp */
	check(D("<30>router dnsmasq[812]: q"), 30, "", 0, "router dnsmasq[812]: q");
}

static void test_pid(void **state)
{
	(void)state;
	check(D("<13>t[abc]: m"), 13, "t", 0, "m");
	check(D("<13>t[]: m"), 13, "t", 0, "m");
	check(D("<13>t[-5]: m"), 13, "t", 0, "m");
	check(D("<13>t[12a]: m"), 13, "t", 0, "m");
	check(D("<13>t[2147483647]: m"), 13, "t", 2147483647u, "m");
	check(D("<13>t[2147483648]: m"), 13, "t", 0, "m");
	check(D("<13>t[4294967296]: m"), 13, "t", 0, "m");
	check(D("<13>t[99999999999999999999999]: m"), 13, "t", 0, "m");
	check(D("<13>t[007]: m"), 13, "t", 7, "m");
	/* an ident with brackets of its own keeps them */
	check(D("<13>x[1][23]: m"), 13, "x[1]", 23, "m");
	/* ']' with no '[': part of the tag */
	check(D("<13>x]: m"), 13, "x]", 0, "m");
	check(D("<14>1 - h app 12x - - m"), 14, "app", 0, "m");
	check(D("<14>1 - h app 2147483648 - - m"), 14, "app", 0, "m");
}

static void test_long_tag(void **state)
{
	(void)state;
	char dg[300];
	char tag[128];
	memset(tag, 'a', 100);
	tag[100] = '\0';
	size_t n = (size_t)snprintf(dg, sizeof dg, "<13>Dec  1 04:33:31 %s[42]: msg", tag);
	tag[64] = '\0';
	check(dg, n, 13, tag, 42, "msg");
	n = (size_t)snprintf(dg, sizeof dg, "<13>%.64s: msg", tag);
	check(dg, n, 13, tag, 0, "msg");
	memset(tag, 'b', 100);
	tag[100] = '\0';
	n = (size_t)snprintf(dg, sizeof dg, "<14>1 - h %s 5 - - msg", tag);
	tag[64] = '\0';
	check(dg, n, 14, tag, 5, "msg");
}

static void test_trailing(void **state)
{
	(void)state;
	check(D("<13>t: m\n\0\0"), 13, "t", 0, "m");
	check(D("<13>t: m\n\n\n"), 13, "t", 0, "m");
	check(D("<13>t: m\0\n\0\n"), 13, "t", 0, "m");
	/* kept: NULs and newlines inside, other trailing bytes */
	check_n(D("<13>t: a\0b\nc\n"), 13, "t", 0, "a\0b\nc", 5);
	check(D("<13>t: m \r"), 13, "t", 0, "m \r");
	check(D("<13>t:\n"), 13, "t", 0, "");
	check(D("<13>t: \n"), 13, "t", 0, "");
	check(D("\n\0\n"), 13, "", 0, "");
	check(D("<13>\n"), 13, "", 0, "");
	check(D("<14>1 - - - - - - m\n\0"), 14, "", 0, "m");
}

static void test_empty(void **state)
{
	(void)state;
	struct syslog_msg m;
	syslogmsg_parse(NULL, 0, &m);
	assert_int_equal(m.pri, 13);
	assert_int_equal(m.tag_len, 0);
	assert_int_equal(m.msg_len, 0);
	assert_int_equal(m.pid, 0);
	assert_non_null(m.tag);
	assert_non_null(m.msg);
	const char one = 'x';
	syslogmsg_parse(&one, 0, &m);
	assert_ptr_equal(m.msg, &one);
	assert_int_equal(m.msg_len, 0);
	check(D(""), 13, "", 0, "");
	check(D("<13>"), 13, "", 0, "");
	check(D("<13>:"), 13, "", 0, "");
	check(D("<13>: "), 13, "", 0, "");
	check(D(" "), 13, "", 0, " ");
}

static void test_bom(void **state)
{
	(void)state;
	check(D("<14>1 - h app - - - \xEF\xBB\xBF"), 14, "app", 0, "");
	check(D("<14>1 - h app - - - \xEF\xBB\xBF\xC3\xA9t\xC3\xA9"), 14, "app", 0,
	      "\xC3\xA9t\xC3\xA9");
	/* only one BOM, and only a whole one */
	check(D("<14>1 - h app - - - \xEF\xBB\xBF\xEF\xBB\xBFx"), 14, "app", 0, "\xEF\xBB\xBFx");
	check(D("<14>1 - h app - - - \xEF\xBBx"), 14, "app", 0, "\xEF\xBBx");
	/* RFC 3164 has no BOM: the text is kept as sent */
	check(D("<13>t: \xEF\xBB\xBFx"), 13, "t", 0, "\xEF\xBB\xBFx");
}

/* Every prefix of real datagrams, and bytes of every value: pointers stay inside. */
static void test_any_bytes(void **state)
{
	(void)state;
	static const char *const samples[] = {
		"<134>Dec  1 04:33:31 mytag[32570]: ends with newline\n",
		"<15>Dec  1 04:33:31 [32573]: null ident\n",
		"<30>Dec  1 04:33:31 router dnsmasq[812]: query",
		"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
		"[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
		"[examplePriority@32473 class=\"\\]high\"] \xEF\xBB\xBFtext",
	};
	for (size_t s = 0; s < sizeof samples / sizeof samples[0]; s++) {
		size_t full = strlen(samples[s]);
		for (size_t n = 0; n <= full; n++) {
			char *copy = malloc(n ? n : 1);
			assert_non_null(copy);
			memcpy(copy, samples[s], n);
			struct syslog_msg m;
			syslogmsg_parse(copy, n, &m);
			assert_true(m.tag >= copy && (size_t)(m.tag - copy) + m.tag_len <= n);
			assert_true(m.msg >= copy && (size_t)(m.msg - copy) + m.msg_len <= n);
			assert_true(m.tag_len <= 64);
			assert_true(m.pri <= 191);
			free(copy);
		}
	}
	char bytes[256];
	for (int i = 0; i < 256; i++)
		bytes[i] = (char)(255 - i);
	struct syslog_msg m;
	syslogmsg_parse(bytes, sizeof bytes, &m);
	assert_int_equal(m.pri, 13);
	assert_true(m.msg >= bytes && (size_t)(m.msg - bytes) + m.msg_len <= sizeof bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glibc),
		cmocka_unit_test(test_musl),
		cmocka_unit_test(test_busybox_logger),
		cmocka_unit_test(test_python_handler),
		cmocka_unit_test(test_rfc5424_examples),
		cmocka_unit_test(test_rfc5424_forms),
		cmocka_unit_test(test_rfc3164_examples),
		cmocka_unit_test(test_pri),
		cmocka_unit_test(test_no_tag),
		cmocka_unit_test(test_host_word),
		cmocka_unit_test(test_pid),
		cmocka_unit_test(test_long_tag),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_any_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
