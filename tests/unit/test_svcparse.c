/* test_svcparse: unit tests of the service file parser, keyword by keyword. */
/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <cmocka.h>

#include "svc.h"
#include "svcparse_int.h"

static struct diags D;

static int teardown(void **state)
{
	(void)state;
	diags_free(&D);
	return 0;
}

static struct svc_def *parse_as(const char *link, const char *text)
{
	diags_free(&D);
	return svc_parse(text, strlen(text), "/etc/init.d/x", link, &D);
}

static struct svc_def *parse_ok(const char *text)
{
	struct svc_def *s = parse_as("svc", text);
	for (size_t i = 0; i < D.n; i++)
		if (D.v[i].level == DIAG_ERROR)
			fprintf(stderr, "unexpected: %u: %s\n", D.v[i].line, D.v[i].msg);
	assert_non_null(s);
	assert_int_equal(D.nerrors, 0);
	return s;
}

/*
 * Parses text (as link name "svc") expecting failure, and checks that the
 * diagnostics are exactly the given "LINE: MESSAGE" strings, NULL-ended.
 */
static void parse_fail_as(const char *link, const char *text, ...)
{
	struct svc_def *s = parse_as(link, text);
	assert_null(s);
	va_list ap;
	va_start(ap, text);
	size_t i = 0;
	for (const char *want; (want = va_arg(ap, const char *)); i++) {
		char got[4096];
		assert_true(i < D.n);
		snprintf(got, sizeof(got), "%u: %s", D.v[i].line, D.v[i].msg);
		assert_string_equal(got, want);
		assert_string_equal(D.v[i].file, "/etc/init.d/x");
	}
	va_end(ap);
	assert_int_equal(i, D.n);
}

#define parse_fail(...) parse_fail_as("svc", __VA_ARGS__, NULL)

static void test_defaults(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("");
	assert_string_equal(s->name, "svc");
	assert_string_equal(s->instance, "svc");
	assert_null(s->o->arg);
	assert_string_equal(s->file, "/etc/init.d/x");
	assert_null(s->description);
	assert_int_equal(s->type, SVC_TYPE_ONCE);
	assert_int_equal(s->target, SVC_TARGET_BOOT);
	assert_int_equal(s->o->target_line, 0);
	assert_int_equal(s->after.n + s->before.n + s->requires.n + s->provides.n, 0);
	assert_int_equal(s->nexec, 0);
	assert_null(s->o->tty);
	assert_false(s->o->tty_truncate);
	assert_null(s->o->user);
	assert_null(s->o->group);
	assert_null(s->o->env);
	assert_null(s->o->cwd);
	assert_int_equal(s->o->umask, -1);
	assert_int_equal(s->o->nrlimits, 0);
	assert_int_equal(s->o->stop_signal, SIGTERM);
	assert_int_equal(s->o->stop_grace_ms, SVC_DEFAULT_STOP_GRACE_MS);
	assert_int_equal(s->o->respawn_limit, 0);
	assert_int_equal(s->o->respawn_window_ms, 0);
	assert_int_equal(s->o->respawn_delay_ms, SVC_DEFAULT_RESPAWN_DELAY_MS);
	assert_int_equal(s->o->respawn_max_delay_ms, SVC_DEFAULT_RESPAWN_MAX_DELAY_MS);
	assert_int_equal(s->ready, SVC_READY_NONE);
	assert_int_equal(s->o->ready_timeout_ms, SVC_DEFAULT_READY_TIMEOUT_MS);
	assert_int_equal(D.n, 0);
	svc_def_free(s);
}

/* The two examples of the model's documentation, in its exact syntax. */
static void test_pygos_agetty(void **state)
{
	(void)state;
	static const char text[] =
		"#\n"
		"# A login prompt on a terminal, one instance per device:\n"
		"# link it as agetty@tty1, agetty@ttyS0, ...\n"
		"#\n"
		"description \"agetty on %0\"\n"
		"exec agetty %0 linux\n"
		"type respawn\n"
		"target boot\n"
		"after sysinit\n"
		"tty \"/dev/%0\"\n";
	struct svc_def *s = parse_as("agetty@ttyS0", text);
	assert_non_null(s);
	assert_int_equal(D.n, 0);
	assert_string_equal(s->name, "agetty");
	assert_string_equal(s->instance, "agetty@ttyS0");
	assert_string_equal(strchr(s->instance, '@') + 1, "ttyS0"); /* the argument %0 was */
	assert_string_equal(s->description, "agetty on ttyS0");
	assert_int_equal(s->nexec, 1);
	assert_string_equal(s->exec[0].argv[0], "agetty");
	assert_string_equal(s->exec[0].argv[1], "ttyS0");
	assert_string_equal(s->exec[0].argv[2], "linux");
	assert_null(s->exec[0].argv[3]);
	assert_int_equal(s->exec[0].line, 6);
	assert_int_equal(s->type, SVC_TYPE_RESPAWN);
	assert_int_equal(s->target, SVC_TARGET_BOOT);
	assert_int_equal(s->o->target_line, 8);
	assert_int_equal(s->after.n, 1);
	assert_string_equal(s->after.v[0].name, "sysinit");
	assert_int_equal(s->after.v[0].line, 9);
	assert_string_equal(s->o->tty, "/dev/ttyS0");
	svc_def_free(s);

	/* the same file as a plain link name: %0 has nothing to stand for */
	parse_fail_as("agetty", text,
		      "5: %0 used but the link name has no @argument",
		      "6: %0 used but the link name has no @argument",
		      "10: %0 used but the link name has no @argument", NULL);
}

static void test_pygos_exec_block(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok(
		"description \"mount the virtual file systems\"\n"
		"type wait\n"
		"target boot\n"
		"before vfs\n"
		"\n"
		"exec {\n"
		"\tmount -t proc proc /proc\n"
		"\n"
		"\t# the kernel's view of devices\n"
		"\tmount -t sysfs sysfs /sys\n"
		"\tmount -t tmpfs -o \"mode=0755,size=1m\" none /tmp\n"
		"}\n"
		"exec echo done\n");
	assert_int_equal(s->type, SVC_TYPE_WAIT);
	assert_int_equal(s->before.n, 1);
	assert_string_equal(s->before.v[0].name, "vfs");
	assert_int_equal(s->nexec, 4);
	assert_string_equal(s->exec[0].argv[0], "mount");
	assert_string_equal(s->exec[0].argv[4], "/proc");
	assert_null(s->exec[0].argv[5]);
	assert_int_equal(s->exec[0].line, 7);
	assert_int_equal(s->exec[1].line, 10);
	assert_string_equal(s->exec[2].argv[4], "mode=0755,size=1m");
	assert_int_equal(s->exec[2].line, 11);
	assert_string_equal(s->exec[3].argv[0], "echo");
	assert_int_equal(s->exec[3].line, 13);
	svc_def_free(s);
}

/* Pygos takes the rest of the brace line as the block's first command, and
 * "\%" in quotes as a literal '%'. */
static void test_pygos_brace_line_and_escaped_percent(void **state)
{
	(void)state;
	struct svc_def *s = parse_as("svc@ttyS0", "exec { mount -a\n mount \"%0\"\n}\nexec date \"+\\%s\\%0\" %%s\n");
	assert_non_null(s);
	assert_int_equal(D.nerrors, 0);
	assert_int_equal(s->nexec, 3);
	assert_string_equal(s->exec[0].argv[0], "mount");
	assert_string_equal(s->exec[0].argv[1], "-a");
	assert_null(s->exec[0].argv[2]);
	assert_int_equal(s->exec[0].line, 1);
	assert_string_equal(s->exec[1].argv[1], "ttyS0");
	assert_int_equal(s->exec[1].line, 2);
	assert_string_equal(s->exec[2].argv[1], "+%s%0");
	assert_string_equal(s->exec[2].argv[2], "%s");
	svc_def_free(s);
	/* the block opened on the brace line still needs its "}" */
	parse_fail("exec { a\n b\n", "1: exec: block not closed (no line \"}\")");
}

static void test_exec_lines(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("exec a 1\nexec b\nexec {\n c\n}\nexec \"d e\" \"\"\n");
	assert_int_equal(s->nexec, 4);
	assert_string_equal(s->exec[0].argv[0], "a");
	assert_string_equal(s->exec[0].argv[1], "1");
	assert_string_equal(s->exec[1].argv[0], "b");
	assert_null(s->exec[1].argv[1]);
	assert_string_equal(s->exec[2].argv[0], "c");
	assert_string_equal(s->exec[3].argv[0], "d e");
	assert_string_equal(s->exec[3].argv[1], "");
	svc_def_free(s);
}

static void test_exec_errors(void **state)
{
	(void)state;
	parse_fail("type wait\nexec {\n a\n b\n",
		   "2: exec: block not closed (no line \"}\")");
	parse_fail("exec {\n}\n", "1: exec: empty block");
	parse_fail("exec\n", "1: exec: wrong number of arguments (usage: exec COMMAND [ARGS...], or \"exec {\")");
	parse_fail("exec \"\" x\n", "1: exec: empty command name");
	parse_fail("exec {\n \"\"\n}\n", "2: exec: empty command name");
	parse_fail("exec { a }\n",
		   "1: exec: \"}\" must be alone on its line (a block is never one line)");
	parse_fail("}\n", "1: \"}\" without \"exec {\"");
	parse_fail("exec {\n a\n} x\n",
		   "3: exec: \"}\" must be alone on its line",
		   "1: exec: block not closed (no line \"}\")");
	/* keywords inside a block are commands, and a lex error there is counted */
	struct svc_def *s = parse_ok("exec {\n type wait\n}\n");
	assert_int_equal(s->type, SVC_TYPE_ONCE);
	assert_string_equal(s->exec[0].argv[0], "type");
	svc_def_free(s);
	parse_fail("exec {\n echo \"x\n}\n", "2: unterminated quote");
}

static void test_description(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("description  the   SSH\tserver  # comment\n");
	assert_string_equal(s->description, "the SSH server");
	svc_def_free(s);
	s = parse_ok("description \"the  \\\"SSH\\\"  server\"\n");
	assert_string_equal(s->description, "the  \"SSH\"  server");
	svc_def_free(s);
	parse_fail("description\n",
		   "1: description: wrong number of arguments (usage: description TEXT)");
	parse_fail("description a\n\ndescription b\n", "3: duplicate \"description\" (first on line 1)");
}

static void test_type(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("type wait");
	assert_int_equal(s->type, SVC_TYPE_WAIT);
	svc_def_free(s);
	s = parse_ok("type once");
	assert_int_equal(s->type, SVC_TYPE_ONCE);
	svc_def_free(s);
	s = parse_ok("type respawn limit 7");
	assert_int_equal(s->type, SVC_TYPE_RESPAWN);
	assert_int_equal(s->o->respawn_limit, 7);
	assert_int_equal(s->o->respawn_window_ms, 0);
	svc_def_free(s);
	parse_fail("type x", "1: type: expected wait, once or respawn, got \"x\"");
	parse_fail("type Wait", "1: type: expected wait, once or respawn, got \"Wait\"");
	parse_fail("type", "1: type: wrong number of arguments (usage: type wait|once|respawn)");
	parse_fail("type wait limit 3", "1: type: only \"respawn limit N\" takes more words, got \"limit\"");
	parse_fail("type respawn limit", "1: type: expected wait, once, respawn or \"respawn limit N\"");
	parse_fail("type respawn limit -1", "1: type: respawn limit: expected a number, got \"-1\"");
	parse_fail("# c\n\n\ntype wait\ntype once\n", "5: duplicate \"type\" (first on line 4)");
}

static void test_target(void **state)
{
	(void)state;
	static const char *const names[] = { "boot", "reboot", "shutdown", "ctrlaltdel" };
	for (int i = 0; i < SVC_TARGET_COUNT; i++) {
		char text[64];
		snprintf(text, sizeof(text), "\ntarget %s\n", names[i]);
		struct svc_def *s = parse_ok(text);
		assert_int_equal(s->target, i);
		assert_int_equal(s->o->target_line, 2);
		assert_string_equal(svc_target_name(s->target), names[i]);
		assert_int_equal(svc_target_from_name(names[i]), i);
		svc_def_free(s);
	}
	assert_int_equal(svc_target_from_name("halt"), -1);
	/* substitution happens before the keyword sees the value */
	struct svc_def *s = parse_as("halt@shutdown", "target %0\n");
	assert_non_null(s);
	assert_int_equal(s->target, SVC_TARGET_SHUTDOWN);
	svc_def_free(s);
	parse_fail("target halt", "1: target: expected boot, reboot, shutdown or ctrlaltdel, got \"halt\"");
	parse_fail("target boot reboot", "1: target: wrong number of arguments (usage: target boot|reboot|shutdown|ctrlaltdel)");
	parse_fail("target boot\ntarget boot", "2: duplicate \"target\" (first on line 1)");
}

static void test_refs(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("after a b\nbefore c\nrequires d@x\nprovides e f\nafter g\n");
	assert_int_equal(s->after.n, 3);
	assert_string_equal(s->after.v[0].name, "a");
	assert_int_equal(s->after.v[0].line, 1);
	assert_string_equal(s->after.v[1].name, "b");
	assert_string_equal(s->after.v[2].name, "g");
	assert_int_equal(s->after.v[2].line, 5);
	assert_int_equal(s->before.n, 1);
	assert_string_equal(s->before.v[0].name, "c");
	assert_int_equal(s->requires.n, 1);
	assert_string_equal(s->requires.v[0].name, "d@x");
	assert_int_equal(s->requires.v[0].line, 3);
	assert_int_equal(s->provides.n, 2);
	assert_string_equal(s->provides.v[1].name, "f");
	svc_def_free(s);
	parse_fail("after\n", "1: after: wrong number of arguments (usage: after NAME...)");
	parse_fail("after a/b \"c d\" \"\" ok\nprovides \"x\\ty\"\n",
		   "1: after: bad service name \"a/b\" (empty, or has '/', blanks or control characters)",
		   "1: after: bad service name \"c d\" (empty, or has '/', blanks or control characters)",
		   "1: after: bad service name \"\" (empty, or has '/', blanks or control characters)",
		   "2: provides: bad service name \"x\\x09y\" (empty, or has '/', blanks or control characters)");
}

static void test_tty(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("tty /dev/console");
	assert_string_equal(s->o->tty, "/dev/console");
	assert_false(s->o->tty_truncate);
	svc_def_free(s);
	s = parse_ok("tty truncate /dev/ttyS0");
	assert_string_equal(s->o->tty, "/dev/ttyS0");
	assert_true(s->o->tty_truncate);
	svc_def_free(s);
	parse_fail("tty", "1: tty: wrong number of arguments (usage: tty [truncate] DEVICE)");
	parse_fail("tty truncate", "1: tty: expected a device after \"truncate\"");
	parse_fail("tty trunc /dev/x", "1: tty: expected \"truncate\" or one device, got \"trunc\"");
	parse_fail("tty \"\"", "1: tty: empty device name");
	parse_fail("tty /a\ntty /b", "2: duplicate \"tty\" (first on line 1)");
}

static void test_user_group(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("user nobody\ngroup 65534\n");
	assert_string_equal(s->o->user, "nobody");
	assert_string_equal(s->o->group, "65534");
	svc_def_free(s);
	parse_fail("user a b", "1: user: wrong number of arguments (usage: user NAME|UID)");
	parse_fail("user \"a b\"", "1: user: bad name or id \"a b\"");
	parse_fail("group \"\"", "1: group: bad name or id \"\"");
	parse_fail("user a\nuser b", "2: duplicate \"user\" (first on line 1)");
	parse_fail("group a\ngroup b", "2: duplicate \"group\" (first on line 1)");
}

/* bind, hook and module become steps of the exec sequence: keel itself,
 * in the service's process. */
static void test_binds(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("bind /sd/a /system/a ro\n"
				     "hook /etc/rcS before app_init.sh \"/sd/post.sh\"\n"
				     "module /sd/v4l2loopback.ko video_nr=1 exclusive_caps=1\n"
				     "exec /bin/true\n"
				     "env LD_PRELOAD+=/lib/a.so\nenv PATH^=/opt/bin\n");
	assert_int_equal(s->nexec, 4);
	assert_string_equal(s->exec[0].argv[0], "/proc/self/exe");
	assert_string_equal(s->exec[0].argv[1], "bind");
	assert_string_equal(s->exec[0].argv[4], "ro");
	assert_null(s->exec[0].argv[5]);
	assert_string_equal(s->exec[1].argv[1], "hook");
	assert_string_equal(s->exec[1].argv[5], "/sd/post.sh");
	assert_int_equal(s->exec[1].line, 2);
	assert_string_equal(s->exec[2].argv[1], "module");
	assert_string_equal(s->exec[2].argv[4], "exclusive_caps=1");
	assert_string_equal(s->exec[3].argv[0], "/bin/true");
	assert_int_equal(s->o->nenv, 2);
	svc_def_free(s);
	parse_fail("bind a /b", "1: bind: the source must be an absolute path, got \"a\"");
	parse_fail("bind /a /b rw", "1: bind: expected \"ro\" or nothing after the target, got \"rw\"");
	parse_fail("hook /f inside x y", "1: hook: expected before or after, got \"inside\"");
	parse_fail("hook /f before \"\" y", "1: hook: the text to find is empty");
	parse_fail("module x.ko", "1: module: the module must be an absolute path, got \"x.ko\"");
	parse_fail("module /x.ko debug", "1: module: expected PARAM=VALUE, got \"debug\"");
	parse_fail("env PATH++=/x", "1: env: bad variable name in \"PATH++=/x\" (letters, digits and '_', not starting with a digit)");
}

static void test_env(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("env A=1\nenv _b2=\nenv \"C=x y\"\nenv A=2\nenv AB=3\n");
	assert_int_equal(s->o->nenv, 4);
	assert_string_equal(s->o->env[0], "A=2");
	assert_string_equal(s->o->env[1], "_b2=");
	assert_string_equal(s->o->env[2], "C=x y");
	assert_string_equal(s->o->env[3], "AB=3");
	assert_null(s->o->env[4]);
	svc_def_free(s);
	s = parse_ok("env PATH=/bin:/sbin\nenv X=a=b\n");
	assert_string_equal(s->o->env[1], "X=a=b");
	svc_def_free(s);
	/* many repeated keys: merged without a quadratic search */
	size_t rounds = 50, keys = 1000;
	char *text = malloc(rounds * keys * 24 + 1);
	assert_non_null(text);
	char *o = text;
	for (size_t r = 0; r < rounds; r++)
		for (size_t k = 0; k < keys; k++)
			o += sprintf(o, "env K%zu=%zu\n", (k * 7919) % keys, r);
	s = parse_ok(text);
	free(text);
	assert_int_equal(s->o->nenv, keys);
	assert_string_equal(s->o->env[0], "K0=49");
	assert_string_equal(s->o->env[1], "K919=49");
	assert_null(s->o->env[keys]);
	svc_def_free(s);
	parse_fail("env A", "1: env: expected KEY=VALUE, KEY+=VALUE or KEY^=VALUE, got \"A\"");
	parse_fail("env =x", "1: env: bad variable name in \"=x\" (letters, digits and '_', not starting with a digit)");
	parse_fail("env 1A=x", "1: env: bad variable name in \"1A=x\" (letters, digits and '_', not starting with a digit)");
	parse_fail("env A-B=x", "1: env: bad variable name in \"A-B=x\" (letters, digits and '_', not starting with a digit)");
	parse_fail("env A=x y", "1: env: wrong number of arguments (usage: env KEY=VALUE)");
}

static void test_cwd_umask(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("cwd /var/lib/x\numask 022\n");
	assert_string_equal(s->o->cwd, "/var/lib/x");
	assert_int_equal(s->o->umask, 022);
	svc_def_free(s);
	s = parse_ok("umask 0077");
	assert_int_equal(s->o->umask, 077);
	svc_def_free(s);
	s = parse_ok("umask 0");
	assert_int_equal(s->o->umask, 0);
	svc_def_free(s);
	s = parse_ok("umask 777");
	assert_int_equal(s->o->umask, 0777);
	svc_def_free(s);
	parse_fail("cwd tmp", "1: cwd: expected an absolute path, got \"tmp\"");
	parse_fail("cwd /a\ncwd /b", "2: duplicate \"cwd\" (first on line 1)");
	parse_fail("umask 1000", "1: umask: expected an octal mask up to 0777, got \"1000\"");
	parse_fail("umask 8", "1: umask: expected an octal mask up to 0777, got \"8\"");
	parse_fail("umask -022", "1: umask: expected an octal mask up to 0777, got \"-022\"");
	parse_fail("umask 00000000000000000000001777777777777777777777777777",
		   "1: umask: expected an octal mask up to 0777, got \"00000000000000000000001777777777777777777777777777\"");
	parse_fail("umask \"\"", "1: umask: expected an octal mask up to 0777, got \"\"");
	parse_fail("umask 022\numask 022", "2: duplicate \"umask\" (first on line 1)");
}

static void test_rlimit(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("rlimit nofile 1024 4096\nrlimit core unlimited\n"
				     "rlimit stack 100 unlimited\nrlimit nofile 10\n");
	assert_int_equal(s->o->nrlimits, 3);
	assert_int_equal(s->o->rlimits[0].resource, RLIMIT_NOFILE);
	assert_true(s->o->rlimits[0].lim.rlim_cur == 10);
	assert_true(s->o->rlimits[0].lim.rlim_max == 10);
	assert_int_equal(s->o->rlimits[1].resource, RLIMIT_CORE);
	assert_true(s->o->rlimits[1].lim.rlim_cur == RLIM_INFINITY);
	assert_true(s->o->rlimits[1].lim.rlim_max == RLIM_INFINITY);
	assert_true(s->o->rlimits[2].lim.rlim_cur == 100);
	assert_true(s->o->rlimits[2].lim.rlim_max == RLIM_INFINITY);
	svc_def_free(s);
	static const char *const names[] = { "as", "core", "cpu", "data", "fsize", "locks",
		"memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime",
		"sigpending", "stack" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char text[64];
		snprintf(text, sizeof(text), "rlimit %s 1", names[i]);
		s = parse_ok(text);
		assert_int_equal(s->o->nrlimits, 1);
		svc_def_free(s);
	}
	parse_fail("rlimit files 1", "1: rlimit: unknown limit \"files\" (as, core, cpu, data, fsize, locks, "
		   "memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack)");
	parse_fail("rlimit nofile", "1: rlimit: wrong number of arguments (usage: rlimit NAME SOFT [HARD])");
	parse_fail("rlimit nofile 1 2 3", "1: rlimit: wrong number of arguments (usage: rlimit NAME SOFT [HARD])");
	parse_fail("rlimit nofile -1", "1: rlimit: expected a number or \"unlimited\", got \"-1\"");
	parse_fail("rlimit nofile 1 x", "1: rlimit: expected a number or \"unlimited\", got \"x\"");
	parse_fail("rlimit nofile 10 5", "1: rlimit: soft limit \"10\" is above hard limit \"5\"");
	parse_fail("rlimit nofile unlimited 5", "1: rlimit: soft limit \"unlimited\" is above hard limit \"5\"");
}

static void test_stop(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("stop INT");
	assert_int_equal(s->o->stop_signal, SIGINT);
	assert_int_equal(s->o->stop_grace_ms, SVC_DEFAULT_STOP_GRACE_MS);
	svc_def_free(s);
	s = parse_ok("stop sigHup 500ms");
	assert_int_equal(s->o->stop_signal, SIGHUP);
	assert_int_equal(s->o->stop_grace_ms, 500);
	svc_def_free(s);
	s = parse_ok("stop 10 0");
	assert_int_equal(s->o->stop_signal, 10);
	assert_int_equal(s->o->stop_grace_ms, 0);
	svc_def_free(s);
	parse_fail("stop FOO", "1: stop: unknown signal \"FOO\"");
	parse_fail("stop 0", "1: stop: unknown signal \"0\"");
	parse_fail("stop 65", "1: stop: unknown signal \"65\"");
	parse_fail("stop TERM 3x", "1: stop: expected a duration (like 500ms, 3s, 1m), got \"3x\"");
	parse_fail("stop", "1: stop: wrong number of arguments (usage: stop SIGNAL [GRACE])");
	parse_fail("stop TERM\nstop KILL", "2: duplicate \"stop\" (first on line 1)");
}

static void test_timeout(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("type wait\ntimeout 90s");
	assert_int_equal(s->o->timeout_ms, 90000);
	svc_def_free(s);
	s = parse_ok("");
	assert_int_equal(s->o->timeout_ms, 0);
	svc_def_free(s);
	parse_fail("timeout soon", "1: timeout: expected a duration (like 500ms, 3s, 1m), got \"soon\"");
	parse_fail("timeout 1s\ntimeout 2s", "2: duplicate \"timeout\" (first on line 1)");
}

static void test_signals(void **state)
{
	(void)state;
	static const struct { const char *name; int sig; } t[] = {
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
		{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "TERM", SIGTERM }, { "CONT", SIGCONT },
		{ "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "ALRM", SIGALRM }, { "PIPE", SIGPIPE },
		{ "CHLD", SIGCHLD }, { "WINCH", SIGWINCH }, { "PWR", SIGPWR },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char buf[32];
		assert_int_equal(svc_signal_from_name(t[i].name), t[i].sig);
		snprintf(buf, sizeof(buf), "SIG%s", t[i].name);
		assert_int_equal(svc_signal_from_name(buf), t[i].sig);
		assert_string_equal(svc_signal_name(t[i].sig), t[i].name);
	}
	assert_int_equal(svc_signal_from_name("sigterm"), SIGTERM);
	assert_int_equal(svc_signal_from_name("Term"), SIGTERM);
	assert_int_equal(svc_signal_from_name("1"), 1);
	assert_int_equal(svc_signal_from_name("64"), 64);
	assert_int_equal(svc_signal_from_name("65"), -1);
	assert_int_equal(svc_signal_from_name("0"), -1);
	assert_int_equal(svc_signal_from_name("SIG"), -1);
	assert_int_equal(svc_signal_from_name(""), -1);
	assert_int_equal(svc_signal_from_name("SIG15"), -1);
	assert_int_equal(svc_signal_from_name("15x"), -1);
	assert_null(svc_signal_name(0));
	assert_null(svc_signal_name(63));
}

static void test_respawn(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("type respawn\nrespawn max-delay 2m delay 1s window 10m limit 5\n");
	assert_int_equal(s->o->respawn_limit, 5);
	assert_int_equal(s->o->respawn_window_ms, 600000);
	assert_int_equal(s->o->respawn_delay_ms, 1000);
	assert_int_equal(s->o->respawn_max_delay_ms, 120000);
	assert_int_equal(D.n, 0);
	svc_def_free(s);
	/* several lines merge; the order check is done on the final values */
	s = parse_ok("type respawn\nrespawn delay 2m\nrespawn max-delay 5m\n");
	assert_int_equal(s->o->respawn_delay_ms, 120000);
	assert_int_equal(s->o->respawn_max_delay_ms, 300000);
	svc_def_free(s);
	/* allowed with other types, but it does nothing there */
	s = parse_ok("respawn limit 3\ntype wait\n");
	assert_int_equal(D.n, 1);
	assert_int_equal(D.v[0].level, DIAG_WARNING);
	assert_int_equal(D.v[0].line, 1);
	assert_string_equal(D.v[0].msg, "respawn settings have no effect: the type is \"wait\", not \"respawn\"");
	svc_def_free(s);
	s = parse_ok("respawn limit 3\n");
	assert_int_equal(D.n, 1);
	assert_int_equal(D.v[0].level, DIAG_WARNING);
	svc_def_free(s);
	parse_fail("type respawn\nrespawn delay 2m\n", "2: respawn: delay (120000ms) is above max-delay (60000ms)");
	parse_fail("type respawn\nrespawn", "2: respawn: wrong number of arguments (usage: respawn [limit N] [window D] [delay D] [max-delay D] [jitter D])");
	parse_fail("type respawn\nrespawn limit", "2: respawn: wrong number of arguments (usage: respawn [limit N] [window D] [delay D] [max-delay D] [jitter D])");
	parse_fail("type respawn\nrespawn limit 3 delay", "2: respawn: \"delay\" needs a value");
	parse_fail("type respawn\nrespawn limit x often 3 delay y",
		   "2: respawn: limit: expected a number, got \"x\"",
		   "2: respawn: unknown setting \"often\" (expected limit, window, delay, max-delay or jitter)",
		   "2: respawn: delay: expected a duration (like 500ms, 3s, 1m), got \"y\"");
}

static void test_ready(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("ready fd 3");
	assert_int_equal(s->ready, SVC_READY_FD);
	assert_int_equal(s->ready_fd, 3);
	assert_int_equal(s->o->ready_timeout_ms, SVC_DEFAULT_READY_TIMEOUT_MS);
	svc_def_free(s);
	s = parse_ok("ready fd 1023 timeout 0");
	assert_int_equal(s->ready_fd, 1023);
	assert_int_equal(s->o->ready_timeout_ms, 0);
	svc_def_free(s);
	s = parse_ok("ready file /run/x.ready timeout 1.5");
	assert_int_equal(s->ready, SVC_READY_FILE);
	assert_string_equal(s->o->ready_file, "/run/x.ready");
	assert_int_equal(s->o->ready_timeout_ms, 1500);
	svc_def_free(s);
	parse_fail("ready fd 2", "1: ready: fd: expected a number from 3 to 1023, got \"2\"");
	parse_fail("ready fd 1024", "1: ready: fd: expected a number from 3 to 1023, got \"1024\"");
	parse_fail("ready file run/x", "1: ready: file: expected an absolute path, got \"run/x\"");
	parse_fail("ready pipe 3", "1: ready: expected \"fd\", \"file\" or \"notify\", got \"pipe\"");
	parse_fail("ready fd 3 timeout", "1: ready: expected \"fd N\" or \"file PATH\", then optionally \"timeout DURATION\"");
	parse_fail("ready fd 3 wait 1s", "1: ready: expected \"timeout\", got \"wait\"");
	parse_fail("ready fd 3 timeout soon", "1: ready: timeout: expected a duration (like 500ms, 3s, 1m), got \"soon\"");
	parse_fail("ready fd", "1: ready: expected \"fd N\", \"file PATH\" or \"notify\"");
	parse_fail("ready", "1: ready: wrong number of arguments (usage: ready fd N|file PATH|notify [timeout D])");
	parse_fail("ready fd 3\nready fd 4", "2: duplicate \"ready\" (first on line 1)");
}

static void test_all_errors_reported(void **state)
{
	(void)state;
	parse_fail("foo bar\n"
		   "type wait\n"
		   "\n"
		   "type once\n"
		   "exec \"unterminated\n"
		   "target nowhere\n"
		   "exec ok\n"
		   "bogus \"x\\\"y\"\n",
		   "1: unknown keyword \"foo\"",
		   "4: duplicate \"type\" (first on line 2)",
		   "5: unterminated quote",
		   "6: target: expected boot, reboot, shutdown or ctrlaltdel, got \"nowhere\"",
		   "8: unknown keyword \"bogus\"");
	/* the offending text is quoted with control bytes escaped, long text cut */
	parse_fail("\"a\\tb\"\n", "1: unknown keyword \"a\\x09b\"");
	parse_fail("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		   "1: unknown keyword \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\"");
}

static void test_crlf_comments(void **state)
{
	(void)state;
	struct svc_def *s = parse_ok("# dos file\r\ndescription \"x y\"\r\ntype wait # why\r\n\r\n"
				     "exec {\r\n  a b\r\n}\r\n");
	assert_string_equal(s->description, "x y");
	assert_int_equal(s->type, SVC_TYPE_WAIT);
	assert_int_equal(s->nexec, 1);
	assert_string_equal(s->exec[0].argv[1], "b");
	svc_def_free(s);
}

static void test_nul_byte(void **state)
{
	(void)state;
	static const char text[] = "type wait\nexec a\0b\n";
	diags_free(&D);
	struct svc_def *s = svc_parse(text, sizeof(text) - 1, "/etc/init.d/x", "svc", &D);
	assert_null(s);
	assert_int_equal(D.n, 1);
	assert_int_equal(D.v[0].line, 2);
	assert_string_equal(D.v[0].msg, "NUL byte in line");
	/* without the NUL the same bytes are fine: len is honoured */
	s = svc_parse(text, 16, "/etc/init.d/x", "svc", &D);
	assert_non_null(s);
	assert_string_equal(s->exec[0].argv[0], "a");
	svc_def_free(s);
	/* buf NULL with len 0 is an empty file */
	s = svc_parse(NULL, 0, "/etc/init.d/x", "svc", &D);
	assert_non_null(s);
	svc_def_free(s);
}

static void test_linknames(void **state)
{
	(void)state;
	struct svc_def *s = parse_as("getty@tty1@x", "exec getty %0");
	assert_non_null(s);
	assert_string_equal(s->name, "getty");
	assert_string_equal(strchr(s->instance, '@') + 1, "tty1@x");
	assert_string_equal(s->exec[0].argv[1], "tty1@x");
	/* An instance sets no option by being one: it shares the defaults
	 * (a copy would be half of each template instance's memory). */
	assert_ptr_equal(s->o, &svc_opt_default);
	svc_def_free(s);
	parse_fail_as("foo@", "", "0: bad service name \"foo@\": empty argument after '@'", NULL);
	parse_fail_as("@foo", "", "0: bad service name \"@foo\": nothing before '@'", NULL);
	parse_fail_as("", "", "0: bad service name \"\" (empty, or has '/', blanks or control characters)", NULL);
	parse_fail_as("a b", "", "0: bad service name \"a b\" (empty, or has '/', blanks or control characters)", NULL);
	parse_fail_as("a/b", "", "0: bad service name \"a/b\" (empty, or has '/', blanks or control characters)", NULL);
	/* the file is still checked in full */
	parse_fail_as("a\nb", "foo\n",
		      "0: bad service name \"a\\x0ab\" (empty, or has '/', blanks or control characters)",
		      "1: unknown keyword \"foo\"", NULL);
	parse_fail_as("getty@tty1", "exec getty %1",
		      "1: %1 used but the link name gives only %0", NULL);
	s = parse_as("svc@100", "exec echo \"%0%%\"");
	assert_non_null(s);
	assert_string_equal(s->exec[0].argv[1], "100%");
	svc_def_free(s);
}

static void test_matches(void **state)
{
	(void)state;
	struct svc_def *s = parse_as("getty@ttyS0", "provides console login\n");
	assert_non_null(s);
	assert_true(svc_matches(s, "getty@ttyS0"));
	assert_true(svc_matches(s, "getty"));
	assert_true(svc_matches(s, "console"));
	assert_true(svc_matches(s, "login"));
	assert_false(svc_matches(s, "getty@tty1"));
	assert_false(svc_matches(s, "gett"));
	assert_false(svc_matches(s, "ttyS0"));
	assert_false(svc_matches(s, ""));
	assert_false(svc_matches(s, NULL));
	svc_def_free(s);
	s = parse_as("getty@tty1", "");
	assert_true(svc_matches(s, "getty"));
	assert_false(svc_matches(s, "getty@ttyS0"));
	svc_def_free(s);
	s = parse_as("dropbear", "");
	assert_true(svc_matches(s, "dropbear"));
	assert_false(svc_matches(s, "dropbear@x"));
	svc_def_free(s);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(svc_type_name(SVC_TYPE_ONCE), "once");
	assert_string_equal(svc_type_name(SVC_TYPE_WAIT), "wait");
	assert_string_equal(svc_type_name(SVC_TYPE_RESPAWN), "respawn");
	assert_string_equal(svc_target_name(SVC_TARGET_CTRLALTDEL), "ctrlaltdel");
	svc_def_free(NULL);
}

static void test_big_file(void **state)
{
	(void)state;
	/* many lines and names: everything grows, nothing is truncated */
	size_t n = 20000;
	char *text = malloc(n * 16 + 32);
	assert_non_null(text);
	char *o = text;
	o += sprintf(o, "exec {\n");
	for (size_t i = 0; i < n; i++)
		o += sprintf(o, "c%zu\n", i);
	o += sprintf(o, "}\nafter");
	for (size_t i = 0; i < SVC_REFS_MAX; i++)
		o += sprintf(o, " s%zu", i);
	struct svc_def *s = parse_ok(text);
	assert_int_equal(s->nexec, n);
	assert_string_equal(s->exec[n - 1].argv[0], "c19999");
	assert_int_equal(s->exec[n - 1].line, n + 1);
	assert_int_equal(s->after.n, SVC_REFS_MAX);
	assert_string_equal(s->after.v[SVC_REFS_MAX - 1].name, "s1023");
	svc_def_free(s);
	free(text);
}

static void test_error_cap(void **state)
{
	(void)state;
	/* a huge broken file stops after 1000 errors instead of growing without end */
	size_t n = 5000;
	char *text = malloc(n * 2 + 1);
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		memcpy(text + 2 * i, i % 2 ? "\"\n" : "}\n", 2);
	text[2 * n] = '\0';
	struct svc_def *s = parse_as("svc", text);
	free(text);
	assert_null(s);
	/* The first DIAG_FILE_MAX are kept, then one note; all are counted. */
	assert_int_equal(D.n, DIAG_FILE_MAX + 1);
	assert_int_equal(D.v[DIAG_FILE_MAX - 1].line, DIAG_FILE_MAX);
	assert_string_equal(D.v[DIAG_FILE_MAX].msg,
			    "too many problems in this file: the rest are counted, not shown");
	assert_int_equal(D.nerrors, 1001);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_defaults, teardown),
		cmocka_unit_test_teardown(test_pygos_agetty, teardown),
		cmocka_unit_test_teardown(test_pygos_exec_block, teardown),
		cmocka_unit_test_teardown(test_pygos_brace_line_and_escaped_percent, teardown),
		cmocka_unit_test_teardown(test_exec_lines, teardown),
		cmocka_unit_test_teardown(test_exec_errors, teardown),
		cmocka_unit_test_teardown(test_description, teardown),
		cmocka_unit_test_teardown(test_type, teardown),
		cmocka_unit_test_teardown(test_target, teardown),
		cmocka_unit_test_teardown(test_refs, teardown),
		cmocka_unit_test_teardown(test_tty, teardown),
		cmocka_unit_test_teardown(test_user_group, teardown),
		cmocka_unit_test_teardown(test_env, teardown),
		cmocka_unit_test_teardown(test_cwd_umask, teardown),
		cmocka_unit_test_teardown(test_rlimit, teardown),
		cmocka_unit_test_teardown(test_stop, teardown),
		cmocka_unit_test_teardown(test_timeout, teardown),
		cmocka_unit_test_teardown(test_signals, teardown),
		cmocka_unit_test_teardown(test_respawn, teardown),
		cmocka_unit_test_teardown(test_ready, teardown),
		cmocka_unit_test_teardown(test_all_errors_reported, teardown),
		cmocka_unit_test_teardown(test_crlf_comments, teardown),
		cmocka_unit_test_teardown(test_nul_byte, teardown),
		cmocka_unit_test_teardown(test_linknames, teardown),
		cmocka_unit_test_teardown(test_matches, teardown),
		cmocka_unit_test_teardown(test_names, teardown),
		cmocka_unit_test_teardown(test_big_file, teardown),
		cmocka_unit_test_teardown(test_error_cap, teardown),
		cmocka_unit_test_teardown(test_binds, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
