/* test_uci: unit tests of the UCI library: grammar, names, deltas, errors, and commit surviving SIGKILL. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uci.h"

static struct uci_package *parse(struct uci_context *ctx, const char *text)
{
	struct uci_package *p = NULL;
	assert_int_equal(uci_package_parse(ctx, text, strlen(text), "mem", "pkg", &p), UCI_OK);
	return p;
}

static void test_grammar(void **state)
{
	(void)state;
	struct uci_context *ctx = uci_context_new();
	struct uci_package *p = parse(ctx,
		"# c\nconfig t 'n'\n\toption a 'x y'\n\toption b \"q\\\"d\"\n"
		"\toption c ab'cd'\"ef\"\n\tlist l 1\n\tlist l '2 3'\n"
		"\toption m 'l1\nl2'\n\toption k a\\\nb\nc u; o z 1\n");
	assert_int_equal(p->n_sections, 2);
	assert_string_equal(uci_option_get_string(p, "n", "a"), "x y");
	assert_string_equal(uci_option_get_string(p, "n", "b"), "q\"d");
	assert_string_equal(uci_option_get_string(p, "n", "c"), "abcdef");
	assert_string_equal(uci_option_get_string(p, "n", "m"), "l1\nl2");
	assert_string_equal(uci_option_get_string(p, "n", "k"), "ab");
	struct uci_option *l = uci_option_find(uci_section_find(p, "n"), "l");
	assert_non_null(l);
	assert_int_equal(l->type, UCI_OPTION_LIST);
	assert_int_equal(l->n_items, 2);
	assert_string_equal(l->items[1], "2 3");
	assert_true(p->sections[1]->anonymous);
	assert_string_equal(p->sections[1]->type, "u");
	assert_string_equal(p->sections[1]->options[0]->string, "1");
	uci_package_free(p);
	uci_context_free(ctx);
}

static void test_anonymous_names(void **state)
{
	(void)state;
	struct uci_context *ctx = uci_context_new();
	/* the names OpenWrt gives the default firewall sections */
	struct uci_package *p = parse(ctx, "config defaults\nconfig zone\n\toption name lan\n");
	assert_string_equal(p->sections[0]->name, "cfg01e63d");
	assert_string_equal(p->sections[1]->name, "cfg02dc81");
	int err;
	assert_ptr_equal(uci_section_find_ext(p, "@zone[0]", &err), p->sections[1]);
	assert_ptr_equal(uci_section_find_ext(p, "@zone[-1]", &err), p->sections[1]);
	assert_ptr_equal(uci_section_find_ext(p, "@[0]", &err), p->sections[0]);
	assert_null(uci_section_find_ext(p, "@zone[1]", &err));
	assert_int_equal(err, UCI_OK);
	assert_null(uci_section_find_ext(p, "@zone", &err));
	assert_int_equal(err, UCI_ERR_INVAL);
	uci_package_free(p);
	uci_context_free(ctx);
}

static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *reason;
		int line;
	} cases[] = {
		{ "config a\nbogus\n", "invalid command", 2 },
		{ "option a b\n", "option/list command found before the first section", 1 },
		{ "config a 'x\n", "EOF with unterminated '", 1 },
		{ "config a b c\n", "too many arguments", 1 },
		{ "config a b-c\n", "invalid character in name field", 1 },
		{ "config\n", "insufficient arguments", 1 },
	};
	struct uci_context *ctx = uci_context_new();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct uci_package *p = NULL;
		int err = uci_package_parse(ctx, cases[i].text, strlen(cases[i].text), "f.conf", "x", &p);
		assert_int_equal(err, UCI_ERR_PARSE);
		assert_null(p);
		assert_string_equal(ctx->perr.reason, cases[i].reason);
		assert_int_equal(ctx->perr.line, cases[i].line);
		char *loc = uci_error_location(ctx);
		assert_non_null(loc);
		assert_memory_equal(loc, "f.conf:", 7);
		free(loc);
	}
	/* non-strict: the bad line is skipped */
	ctx->flags &= ~(unsigned)UCI_FLAG_STRICT;
	struct uci_package *p = parse(ctx, "config a s\nbogus\n\toption k v\n");
	assert_string_equal(uci_option_get_string(p, "s", "k"), "v");
	uci_package_free(p);
	uci_context_free(ctx);
}

static void test_set_and_export(void **state)
{
	(void)state;
	struct uci_context *ctx = uci_context_new();
	struct uci_package *p = parse(ctx, "config t s\n\toption a 1\n\toption b 2\n");
	p->has_delta = true;
	struct uci_ptr ptr;
	char ref[] = "pkg.s.a=it's";
	assert_int_equal(uci_ptr_parse(ctx, &ptr, ref), UCI_OK);
	ptr.p = p;
	ptr.s = uci_section_find(p, "s");
	assert_int_equal(uci_set(ctx, &ptr), UCI_OK);
	struct uci_section *s;
	assert_int_equal(uci_section_add(ctx, p, "r", &s), UCI_OK);
	assert_int_equal(p->n_delta, 2);
	char *out = uci_package_export_string(ctx, p, true, NULL);
	assert_string_equal(out, "package pkg\n\nconfig t 's'\n\toption b '2'\n"
				 "\toption a 'it'\\''s'\n\nconfig r\n\n");
	free(out);
	uci_package_free(p);
	uci_context_free(ctx);
}

/* ---- power cut: SIGKILL a committing writer at random moments ---- */

static char tmpdir[] = "/tmp/test_uci.XXXXXX";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return strdup(buf);
}

/* The writer flips one big option between two values and commits, forever. */
static void writer(const char *confdir, const char *savedir)
{
	struct uci_context *ctx = uci_context_new();
	uci_context_set_confdir(ctx, confdir);
	uci_context_set_savedir(ctx, savedir);
	for (unsigned i = 0;; i++) {
		struct uci_package *p;
		if (uci_package_load(ctx, "pc", &p))
			_exit(2);
		struct uci_ptr ptr;
		char ref[] = "pc.s.v=A";
		uci_ptr_parse(ctx, &ptr, ref);
		ptr.p = p;
		ptr.s = uci_section_find(p, "s");
		const char *cur = uci_option_get_string(p, "s", "v");
		ptr.value = cur && cur[0] == 'A' ? "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" : "A";
		if (uci_set(ctx, &ptr) || uci_package_commit(ctx, &p, false))
			_exit(3);
		uci_package_free(p);
	}
}

static void test_power_cut(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(tmpdir));
	char conf[256], save[256], file[300];
	snprintf(conf, sizeof(conf), "%s/c", tmpdir);
	snprintf(save, sizeof(save), "%s/s", tmpdir);
	snprintf(file, sizeof(file), "%s/pc", conf);
	assert_int_equal(mkdir(conf, 0700), 0);
	const char *old = "\nconfig t 's'\n\toption v 'A'\n\n";
	const char *new = "\nconfig t 's'\n\toption v "
			  "'BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'\n\n";
	write_file(file, old);
	srand((unsigned)time(NULL));
	for (int round = 0; round < 40; round++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			writer(conf, save);
		struct timespec ts = { 0, (long)(rand() % 3000) * 1000L };
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int st;
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_true(WIFSIGNALED(st));
		char *text = read_file(file);
		assert_non_null(text);
		assert_true(!strcmp(text, old) || !strcmp(text, new));
		struct uci_context *ctx = uci_context_new();
		struct uci_package *p = NULL;
		assert_int_equal(uci_package_parse(ctx, text, strlen(text), file, "pc", &p), UCI_OK);
		uci_package_free(p);
		uci_context_free(ctx);
		free(text);
		/* a killed writer may leave a staged change: start clean */
		char delta[300];
		snprintf(delta, sizeof(delta), "%s/pc", save);
		unlink(delta);
	}
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grammar),
		cmocka_unit_test(test_anonymous_names),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_set_and_export),
		cmocka_unit_test(test_power_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
