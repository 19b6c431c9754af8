/* syslog_client: sends messages through the C library's syslog(3) (to /dev/log), for test_syslog.sh; prints its pid. */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

/* Usage: syslog_client IDENT FACILITY SEVERITY MESSAGE [COUNT]
 * FACILITY: user, daemon, local0..local7; SEVERITY: err, warning, notice,
 * info, debug. With COUNT, sends "MESSAGE 1" .. "MESSAGE COUNT". */

static int facility(const char *s)
{
	static const struct { const char *name; int code; } f[] = {
		{ "user", LOG_USER },	  { "daemon", LOG_DAEMON }, { "local0", LOG_LOCAL0 },
		{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
		{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
		{ "local7", LOG_LOCAL7 },
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (!strcmp(s, f[i].name))
			return f[i].code;
	return -1;
}

static int severity(const char *s)
{
	static const struct { const char *name; int code; } v[] = {
		{ "err", LOG_ERR },   { "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (!strcmp(s, v[i].name))
			return v[i].code;
	return -1;
}

int main(int argc, char **argv)
{
	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: syslog_client IDENT FACILITY SEVERITY MESSAGE [COUNT]\n");
		return 2;
	}
	int fac = facility(argv[2]), sev = severity(argv[3]);
	long count = argc == 6 ? strtol(argv[5], NULL, 10) : 0;
	if (fac < 0 || sev < 0 || count < 0) {
		fprintf(stderr, "syslog_client: bad facility, severity or count\n");
		return 2;
	}
	/* The pid first: the test compares it with the record's. */
	printf("%ld\n", (long)getpid());
	fflush(stdout);
	/* LOG_NDELAY: connect now, so a missing /dev/log shows at once. */
	openlog(argv[1], LOG_PID | LOG_NDELAY, fac);
	if (count == 0)
		syslog(sev, "%s", argv[4]);
	for (long i = 1; i <= count; i++)
		syslog(sev, "%s %ld", argv[4], i);
	closelog();
	return 0;
}
