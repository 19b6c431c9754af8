/* test_cond: unit tests of the condition, trigger, timer and reload keywords and their words. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cond.h"
#include "live.h"
#include "svc.h"

static struct diags D;

static int teardown(void **state)
{
	(void)state;
	diags_free(&D);
	return 0;
}

static struct svc_def *parse(const char *text)
{
	diags_free(&D);
	return svc_parse(text, strlen(text), "/etc/init.d/x", "svc", &D);
}

static struct svc_def *parse_ok(const char *text)
{
	struct svc_def *s = parse(text);
	for (size_t i = 0; i < D.n; i++)
		fprintf(stderr, "diag: %u: %s\n", D.v[i].line, D.v[i].msg);
	assert_non_null(s);
	assert_int_equal(D.nerrors, 0);
	return s;
}

/* The file is refused with exactly one error, "LINE: MESSAGE". */
static void parse_fail(const char *text, const char *want)
{
	struct svc_def *s = parse(text);
	assert_null(s);
	if (D.n != 1)
		for (size_t i = 0; i < D.n; i++)
			fprintf(stderr, "diag: %u: %s\n", D.v[i].line, D.v[i].msg);
	assert_int_equal(D.n, 1);
	char got[1024];
	snprintf(got, sizeof got, "%u: %s", D.v[0].line, D.v[0].msg);
	assert_string_equal(got, want);
}

static void test_conditions(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("condition path /opt/x/flag\n"
				     "condition !path /opt/wz_mini/debug\n"
				     "condition iface wlan0 ipv4\n"
				     "condition iface eth*\n"
				     "condition !route default6\n"
				     "condition service dnsmasq ready\n"
				     "condition cmdline keel.skip=app\n"
				     "condition flag upgrade-ok\n"
				     "condition !mounted /media/mmc\n"
				     "condition mounted /\n"
				     "exec /bin/true\n");
	const struct svc_conds *cs = s->o->cs;
	assert_non_null(cs);
	assert_int_equal(cs->n, 10);
	assert_int_equal(cs->v[0].kind, COND_PATH);
	assert_false(cs->v[0].neg);
	assert_string_equal(cs->v[0].arg, "/opt/x/flag");
	assert_true(cs->v[1].neg);
	assert_int_equal(cs->v[2].kind, COND_IFACE);
	assert_int_equal(cs->v[2].sub, COND_IF_IPV4);
	assert_int_equal(cs->v[3].sub, COND_IF_EXISTS);
	assert_int_equal(cs->v[4].kind, COND_ROUTE);
	assert_int_equal(cs->v[4].sub, COND_ROUTE_V6);
	assert_null(cs->v[4].arg);
	assert_true(cs->v[4].neg);
	assert_int_equal(cs->v[5].sub, COND_SVC_READY);
	assert_int_equal(cs->v[6].kind, COND_CMDLINE);
	assert_int_equal(cs->v[7].kind, COND_FLAG);
	assert_int_equal(cs->v[7].line, 8);
	assert_int_equal(cs->v[8].kind, COND_MOUNTED);
	assert_true(cs->v[8].neg);
	assert_string_equal(cs->v[9].arg, "/");
	assert_false(cond_event_started(cs));

	const char *texts[] = { "path /opt/x/flag", "path /opt/wz_mini/debug", "iface wlan0 ipv4",
				"iface eth* exists", "route default6", "service dnsmasq ready",
				"cmdline keel.skip=app", "flag upgrade-ok", "mounted /media/mmc",
				"mounted /" };
	for (size_t i = 0; i < cs->n; i++) {
		char *t = cond_text(&cs->v[i]);
		assert_string_equal(t, texts[i]);
		free(t);
	}
	svc_def_free(s);
}

static void test_no_conditions_share_default(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("exec /bin/true\n");
	assert_null(s->o->cs);
	assert_ptr_equal(s->o, &svc_opt_default);
	svc_def_free(s);
}

static void test_condition_errors(void **state)
{
	(void)state;
	parse_fail("condition path tmp/x\n", "1: condition: path: expected an absolute path: \"tmp/x\"");
	parse_fail("condition path /a/../b\n",
		   "1: condition: path: \".\" and \"..\" are not allowed in the path: \"/a/../b\"");
	parse_fail("condition path /a/*\n",
		   "1: condition: path: globs are not allowed here: \"/a/*\"");
	parse_fail("condition iface eth0:1\n",
		   "1: condition: iface: bad interface name (1 to 15 bytes, no '/', ':' or blanks): \"eth0:1\"");
	parse_fail("condition iface abcdefghijklmnop\n",
		   "1: condition: iface: bad interface name (1 to 15 bytes, no '/', ':' or blanks): "
		   "\"abcdefghijklmnop\"");
	parse_fail("condition iface eth0 down\n",
		   "1: condition: iface: unknown state \"down\" (expected exists, up, carrier, ipv4 or ipv6)");
	parse_fail("condition route via\n",
		   "1: condition: route: expected default, default4 or default6, got \"via\"");
	parse_fail("condition service a stopped\n",
		   "1: condition: service: unknown state \"stopped\" (expected running, ready, finished or failed)");
	parse_fail("condition service a\n",
		   "1: condition: wrong number of arguments (usage: condition [!]service NAME "
		   "running|ready|finished|failed)");
	parse_fail("condition flag no/slash\n",
		   "1: condition: flag: bad flag name (1 to 64 letters, digits, '.', '_' or '-'): \"no/slash\"");
	parse_fail("condition wifi up\n",
		   "1: condition: unknown kind \"wifi\" (expected path, iface, route, service, cmdline, "
		   "flag or mounted, optionally after '!')");
	parse_fail("condition mounted media/mmc\n",
		   "1: condition: mounted: expected an absolute path: \"media/mmc\"");
	parse_fail("condition mounted /media/mmc/\n",
		   "1: condition: mounted: a mount point has no trailing or doubled '/': \"/media/mmc/\"");
	parse_fail("condition !mounted /media//mmc\n",
		   "1: condition: mounted: a mount point has no trailing or doubled '/': \"/media//mmc\"");
	parse_fail("condition mounted /media/*\n",
		   "1: condition: mounted: globs are not allowed here: \"/media/*\"");
	parse_fail("condition service svc running\n",
		   "1: condition: service: the service waits for itself: \"svc\"");
	parse_fail("condition-lost sometimes\n",
		   "1: condition-lost: expected keep or restart, got \"sometimes\"");
	parse_fail("condition-timeout soon\n",
		   "1: condition-timeout: expected a duration (like 500ms, 3s, 1m), got \"soon\"");
	parse_fail("condition flag a\ncondition-lost keep\ncondition-lost restart\n",
		   "3: duplicate \"condition-lost\" (first on line 2)");
}

static void test_lost_and_timeout(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("condition flag a\ncondition-lost restart\ncondition-timeout 1m\n");
	assert_true(s->o->cs->lost_restart);
	assert_int_equal(s->o->cs->timeout_ms, 60000);
	svc_def_free(s);
	/* Without a condition, condition-lost is a warning, not an error. */
	s = parse("condition-lost restart\n");
	assert_non_null(s);
	assert_int_equal(D.n, 1);
	assert_int_equal(D.v[0].level, DIAG_WARNING);
	svc_def_free(s);
}

static void test_triggers(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("trigger start /tmp/Upgrade/upgraderun.sh created\n"
				     "trigger reload /etc/config/network\n"
				     "trigger restart /etc/ssl/*.pem changed removed\n"
				     "trigger start /var/spool/in/\n"
				     "trigger reload /mnt/data mounted\n"
				     "trigger start /media/ mounted unmounted created\n");
	const struct svc_conds *cs = s->o->cs;
	assert_int_equal(cs->ntrig, 6);
	assert_int_equal(cs->trig[0].action, COND_ACT_START);
	assert_int_equal(cs->trig[0].events, COND_EV_CREATED);
	assert_int_equal(cs->trig[1].action, COND_ACT_RELOAD);
	assert_int_equal(cs->trig[1].events, COND_EV_CREATED | COND_EV_CHANGED | COND_EV_REMOVED);
	assert_int_equal(cs->trig[2].events, COND_EV_CHANGED | COND_EV_REMOVED);
	assert_int_equal(cs->trig[3].events, COND_EV_CREATED | COND_EV_CHANGED);
	assert_string_equal(cs->trig[3].path, "/var/spool/in/");
	assert_int_equal(cs->trig[4].events, COND_EV_MOUNTED);
	assert_int_equal(cs->trig[5].events, COND_EV_MOUNTED | COND_EV_UNMOUNTED | COND_EV_CREATED);
	assert_true(cond_event_started(cs));
	svc_def_free(s);

	s = parse_ok("trigger reload /etc/config/x\n");
	assert_false(cond_event_started(s->o->cs));
	svc_def_free(s);

	parse_fail("trigger start /tmp/*/x\n",
		   "1: trigger: globs are allowed only in the last component: \"/tmp/*/x\"");
	parse_fail("trigger start tmp/x\n", "1: trigger: expected an absolute path: \"tmp/x\"");
	parse_fail("trigger stop /tmp/x\n", "1: trigger: expected start, reload or restart, got \"stop\"");
	parse_fail("trigger start /tmp/x appeared\n",
		   "1: trigger: unknown event \"appeared\" (expected created, changed, removed, mounted or "
		   "unmounted)");
	parse_fail("trigger start /mnt//x mounted\n", "1: trigger: a mount point has no doubled '/': \"/mnt//x\"");
	parse_fail("type respawn\ntrigger start /tmp/x\n",
		   "2: trigger start: a respawn service always runs; use \"trigger restart\", or type once");
}

static void test_timers(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("timer every 1h jitter 5m\ntimer at 03:15 23:59\n");
	const struct svc_conds *cs = s->o->cs;
	assert_int_equal(cs->ntimers, 3);
	assert_int_equal(cs->timers[0].every_ms, 3600000);
	assert_int_equal(cs->timers[0].jitter_ms, 300000);
	assert_int_equal(cs->timers[0].minute, -1);
	assert_int_equal(cs->timers[1].minute, 3 * 60 + 15);
	assert_int_equal(cs->timers[2].minute, 23 * 60 + 59);
	assert_true(cond_event_started(cs));
	svc_def_free(s);

	parse_fail("timer at 24:00\n", "1: timer: at: expected a time of day HH:MM, got \"24:00\"");
	parse_fail("timer at 3:15\n", "1: timer: at: expected a time of day HH:MM, got \"3:15\"");
	parse_fail("timer every 10ms\n",
		   "1: timer: every: expected a duration of at least 100ms, got \"10ms\"");
	parse_fail("timer every 1m jitter\n", "1: timer: usage: timer every DURATION [jitter DURATION]");
	parse_fail("timer sometimes 1\n", "1: timer: expected every or at, got \"sometimes\"");
	parse_fail("type respawn\ntimer every 1m\n", "2: timer: a respawn service always runs; use type once");
}

static void test_reload(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("reload signal USR1\n");
	assert_int_equal(s->o->cs->reload_signal, SIGUSR1);
	assert_null(s->o->cs->reload_argv);
	svc_def_free(s);
	s = parse_ok("reload exec /etc/init.d/x reload \"a b\"\n");
	assert_string_equal(s->o->cs->reload_argv[0], "/etc/init.d/x");
	assert_string_equal(s->o->cs->reload_argv[2], "a b");
	assert_null(s->o->cs->reload_argv[3]);
	svc_def_free(s);
	parse_fail("reload signal BOGUS\n", "1: reload: signal: expected one signal name, got \"BOGUS\"");
	parse_fail("reload kick now\n", "1: reload: expected signal or exec, got \"kick\"");
	parse_fail("reload signal HUP\nreload signal USR1\n", "2: duplicate \"reload\" (first on line 1)");
}

static void test_equal(void **state)
{
	(void)state;
	const char *a = "condition iface eth0 up\ntrigger reload /etc/config/x\ntimer every 1m\n"
			"reload exec /bin/kill -HUP 1\n";
	struct svc_def *x = parse_ok(a), *y = parse_ok(a);
	assert_true(cond_set_equal(x->o->cs, y->o->cs));
	svc_def_free(y);
	y = parse_ok("condition iface eth0 carrier\ntrigger reload /etc/config/x\ntimer every 1m\n"
		     "reload exec /bin/kill -HUP 1\n");
	assert_false(cond_set_equal(x->o->cs, y->o->cs));
	svc_def_free(y);
	y = parse_ok("exec /bin/true\n");
	assert_false(cond_set_equal(x->o->cs, y->o->cs));
	assert_true(cond_set_equal(NULL, NULL));
	svc_def_free(y);
	svc_def_free(x);
}

static void test_flag_names(void **state)
{
	(void)state;
	assert_true(cond_flag_name_ok("a"));
	assert_true(cond_flag_name_ok("net.up_2-ok"));
	assert_false(cond_flag_name_ok(""));
	assert_false(cond_flag_name_ok("a b"));
	char longname[66];
	memset(longname, 'x', 65);
	longname[65] = '\0';
	assert_false(cond_flag_name_ok(longname));
	longname[64] = '\0';
	assert_true(cond_flag_name_ok(longname));
}

/* The liveness keywords (docs/liveness.md) share this file: the same parser helpers. */
static void test_liveness(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("type respawn\nready notify timeout 5s\nwatchdog 2s\n"
				     "respawn limit 3 jitter 250ms\npidfile /run/d.pid\n"
				     "on-crash /bin/report \"a b\"\ngive-up restart-dependents\ncritical\n");
	assert_int_equal(s->ready, SVC_READY_NOTIFY);
	assert_int_equal(s->o->ready_timeout_ms, 5000);
	const struct svc_live *lv = s->o->lv;
	assert_non_null(lv);
	assert_int_equal(lv->watchdog_ms, 2000);
	assert_int_equal(lv->jitter_ms, 250);
	assert_string_equal(lv->pidfile, "/run/d.pid");
	assert_string_equal(lv->on_crash[0], "/bin/report");
	assert_string_equal(lv->on_crash[1], "a b");
	assert_null(lv->on_crash[2]);
	assert_int_equal(lv->give_up, LIVE_GIVE_UP_RESTART_DEPS);
	assert_true(lv->critical);
	struct svc_def *t = parse_ok("type respawn\nready notify timeout 5s\nwatchdog 2s\n"
				     "respawn limit 3 jitter 250ms\npidfile /run/d.pid\n"
				     "on-crash /bin/report \"a b\"\ngive-up restart-dependents\ncritical\n");
	assert_true(live_equal(s->o->lv, t->o->lv));
	svc_def_free(t);
	svc_def_free(s);
	s = parse_ok("ready notify\n");
	assert_int_equal(s->ready, SVC_READY_NOTIFY);
	assert_null(s->o->lv);
	svc_def_free(s);
	parse_fail("pidfile run/x\n", "1: pidfile: expected an absolute path, got \"run/x\"");
	parse_fail("watchdog 1ms\n", "1: watchdog: expected a duration of at least 10ms, got \"1ms\"");
	parse_fail("give-up sulk\n",
		   "1: give-up: expected fail, restart-dependents, reboot or failsafe, got \"sulk\"");
	parse_fail("critical now\n", "1: critical: wrong number of arguments (usage: critical)");
	parse_fail("ready notify 5s\n", "1: ready: usage: ready notify [timeout DURATION]");
	parse_fail("log loud\n", "1: log: expected ring, console or null, got \"loud\"");
	parse_fail("log ring rate many\n",
		   "1: log: rate: expected a number of lines per second, got \"many\"");
	s = parse_ok("log null\n");
	assert_int_equal(s->o->log_mode, SVC_LOG_NULL);
	svc_def_free(s);
	s = parse_ok("log ring rate 0\n");
	assert_int_equal(s->o->log_mode, SVC_LOG_RING);
	assert_int_equal(s->o->log_rate, 0);
	svc_def_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_conditions, teardown),
		cmocka_unit_test_teardown(test_no_conditions_share_default, teardown),
		cmocka_unit_test_teardown(test_condition_errors, teardown),
		cmocka_unit_test_teardown(test_lost_and_timeout, teardown),
		cmocka_unit_test_teardown(test_triggers, teardown),
		cmocka_unit_test_teardown(test_timers, teardown),
		cmocka_unit_test_teardown(test_reload, teardown),
		cmocka_unit_test_teardown(test_equal, teardown),
		cmocka_unit_test_teardown(test_flag_names, teardown),
		cmocka_unit_test_teardown(test_liveness, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
