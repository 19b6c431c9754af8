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

/* text parsed as package "pkg" through the public import, as a file would be */
static struct uci_package *parse(struct uci_context *ctx, const char *text)
{
	struct uci_package *p = NULL;
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	assert_non_null(f);
	assert_int_equal(uci_import(ctx, f, "pkg", &p, true), UCI_OK);
	fclose(f);
	assert_non_null(p);
	return p;
}

static struct uci_section *section_at(struct uci_package *p, int n)
{
	struct uci_element *e;
	uci_foreach_element(&p->sections, e)
		if (n-- == 0)
			return uci_to_section(e);
	return NULL;
}

static void test_grammar(void **state)
{
	(void)state;
	struct uci_context *ctx = uci_alloc_context();
	struct uci_package *p = parse(ctx,
		"# c\nconfig t 'n'\n\toption a 'x y'\n\toption b \"q\\\"d\"\n"
		"\toption c ab'cd'\"ef\"\n\tlist l 1\n\tlist l '2 3'\n"
		"\toption m 'l1\nl2'\n\toption k a\\\nb\nc u '';o z '1'\nc v; o y '1'\n");
	struct uci_section *n = uci_lookup_section(ctx, p, "n");
	assert_non_null(n);
	assert_string_equal(uci_lookup_option_string(ctx, n, "a"), "x y");
	assert_string_equal(uci_lookup_option_string(ctx, n, "b"), "q\"d");
	assert_string_equal(uci_lookup_option_string(ctx, n, "c"), "abcdef");
	assert_string_equal(uci_lookup_option_string(ctx, n, "m"), "l1\nl2");
	assert_string_equal(uci_lookup_option_string(ctx, n, "k"), "ab");
	struct uci_option *l = uci_lookup_option(ctx, n, "l");
	assert_non_null(l);
	assert_int_equal(l->type, UCI_TYPE_LIST);
	struct uci_element *e;
	int items = 0;
	uci_foreach_element(&l->v.list, e)
		items++;
	assert_int_equal(items, 2);
	assert_string_equal(list_to_element(l->v.list.prev)->name, "2 3");
	struct uci_section *u = section_at(p, 1);
	assert_true(u->anonymous);
	assert_string_equal(u->type, "u");
	assert_string_equal(uci_lookup_option_string(ctx, u, "z"), "1");
	/* a ';' right after a bare word ends the line (libuci overwrites it) */
	assert_true(uci_list_empty(&section_at(p, 2)->options));
	uci_free_context(ctx); /* frees the package too */
}

static void test_anonymous_names(void **state)
{
	(void)state;
	struct uci_context *ctx = uci_alloc_context();
	/* the names OpenWrt gives the default firewall sections */
	struct uci_package *p = parse(ctx, "config defaults\nconfig zone\n\toption name lan\n");
	assert_string_equal(section_at(p, 0)->e.name, "cfg01e63d");
	assert_string_equal(section_at(p, 1)->e.name, "cfg02dc81");
	static const struct {
		const char *ref;
		int index; /* -1 not found (lookup ok), -2 error */
	} refs[] = {
		{ "pkg.@zone[0]", 1 }, { "pkg.@zone[-1]", 1 }, { "pkg.@[0]", 0 }, { "pkg.@zone[]", 1 },
		{ "pkg.@zone[1]", -1 }, { "pkg.@zone", -2 }, { "pkg.@zone[x]", -2 },
	};
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		char buf[64];
		struct uci_ptr ptr;
		snprintf(buf, sizeof(buf), "%s", refs[i].ref);
		int err = uci_lookup_ptr(ctx, &ptr, buf, true);
		if (refs[i].index == -2) {
			assert_int_equal(err, UCI_ERR_INVAL);
			continue;
		}
		assert_int_equal(err, UCI_OK);
		if (refs[i].index == -1)
			assert_false(ptr.flags & UCI_LOOKUP_COMPLETE);
		else
			assert_ptr_equal(ptr.s, section_at(p, refs[i].index));
	}
	uci_free_context(ctx);
}

static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text, *reason;
		int line, byte;
	} cases[] = {
		{ "config a\nbogus\n", "invalid command", 2, 0 },
		{ "option a b\n", "option/list command found before the first section", 1, 0 },
		{ "config a 'x\n", "EOF with unterminated '", 1, 12 },
		{ "config a b c\n", "too many arguments", 1, 13 },
		{ "config a b-c\n", "invalid character in name field", 1, 13 },
		{ "config \n", "insufficient arguments", 1, 8 },
		{ "config\n", "invalid command", 1, 0 },
		{ "'config' a\n", "invalid command", 1, 0 },
		{ "  config a\\\n b c d\n", "too many arguments", 2, 16 },
	};
	struct uci_context *ctx = uci_alloc_context();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct uci_package *p = NULL;
		FILE *f = fmemopen((void *)cases[i].text, strlen(cases[i].text), "r");
		assert_int_equal(uci_import(ctx, f, "x", &p, true), UCI_ERR_PARSE);
		fclose(f);
		assert_null(p);
		char *msg = NULL;
		uci_get_errorstr(ctx, &msg, "t");
		char want[200];
		snprintf(want, sizeof(want), "t: Parse error (%s) at line %d, byte %d", cases[i].reason,
			 cases[i].line, cases[i].byte);
		assert_string_equal(msg, want);
		free(msg);
	}
	/* non-strict: the bad line is skipped */
	ctx->flags &= ~UCI_FLAG_STRICT;
	struct uci_package *p = parse(ctx, "config a s\nbogus\n\toption k v\n");
	assert_string_equal(uci_lookup_option_string(ctx, uci_lookup_section(ctx, p, "s"), "k"), "v");
	uci_free_context(ctx);
}

static char *export_text(struct uci_context *ctx, struct uci_package *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(uci_export(ctx, f, p, true), UCI_OK);
	fclose(f);
	return buf;
}

static int count(struct uci_list *l)
{
	struct uci_element *e;
	int n = 0;
	uci_foreach_element(l, e)
		n++;
	return n;
}

static void test_set_and_export(void **state)
{
	(void)state;
	struct uci_context *ctx = uci_alloc_context();
	struct uci_package *p = parse(ctx, "config t s\n\toption a 1\n\toption b 2\n");
	p->has_delta = true;
	struct uci_ptr ptr;
	char ref[] = "pkg.s.a=it's";
	assert_int_equal(uci_lookup_ptr(ctx, &ptr, ref, true), UCI_OK);
	assert_ptr_equal(ptr.p, p);
	assert_int_equal(uci_set(ctx, &ptr), UCI_OK);
	struct uci_section *s;
	assert_int_equal(uci_add_section(ctx, p, "r", &s), UCI_OK);
	assert_int_equal(count(&p->delta), 2);
	/* an updated option keeps its place */
	char *out = export_text(ctx, p);
	assert_string_equal(out, "package pkg\n\nconfig t 's'\n\toption a 'it'\\''s'\n"
				 "\toption b '2'\n\nconfig r\n\n");
	free(out);
	/* a type of another length makes an anonymous section named (libuci) */
	char ref2[] = "pkg.@r[0]=longer";
	assert_int_equal(uci_lookup_ptr(ctx, &ptr, ref2, true), UCI_OK);
	assert_int_equal(uci_set(ctx, &ptr), UCI_OK);
	out = export_text(ctx, p);
	assert_string_equal(out, "package pkg\n\nconfig t 's'\n\toption a 'it'\\''s'\n"
				 "\toption b '2'\n\nconfig longer 'cfg02b617'\n\n");
	free(out);
	/* netifd's way: options by name and type, then a hash to compare */
	static const struct uci_parse_option opts[] = {
		{ "a", UCI_TYPE_STRING }, { "b", UCI_TYPE_LIST }, { "b", UCI_TYPE_STRING }, { "z", UCI_TYPE_STRING },
	};
	struct uci_option *tb[4];
	uci_parse_section(uci_lookup_section(ctx, p, "s"), opts, 4, tb);
	assert_non_null(tb[0]);
	assert_null(tb[1]);
	assert_string_equal(tb[2]->v.string, "2");
	assert_null(tb[3]);
	uint32_t h = uci_hash_options(tb, 4);
	assert_int_equal(h, uci_hash_options(tb, 4));
	tb[2] = NULL;
	assert_int_not_equal(h, uci_hash_options(tb, 4));
	assert_int_equal(uci_unload(ctx, p), UCI_OK);
	assert_true(uci_list_empty(&ctx->root));
	uci_free_context(ctx);
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
	struct uci_context *ctx = uci_alloc_context();
	uci_set_confdir(ctx, confdir);
	uci_set_savedir(ctx, savedir);
	for (unsigned i = 0;; i++) {
		struct uci_package *p;
		if (uci_load(ctx, "pc", &p))
			_exit(2);
		struct uci_ptr ptr;
		char ref[] = "pc.s.v=A";
		if (uci_lookup_ptr(ctx, &ptr, ref, true))
			_exit(2);
		const char *cur = ptr.o ? ptr.o->v.string : NULL;
		ptr.value = cur && cur[0] == 'A' ? "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB" : "A";
		if (uci_set(ctx, &ptr) || uci_commit(ctx, &p, false))
			_exit(3);
		uci_unload(ctx, p);
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
		struct uci_context *ctx = uci_alloc_context();
		parse(ctx, text);
		uci_free_context(ctx);
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
