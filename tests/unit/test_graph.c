/* test_graph: unit tests of the dependency graph (edges, skips, cycles, order). */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "graph.h"

/*
 * Services are built by hand rather than parsed, so these tests stay about
 * the graph alone: t_svc() makes one with file "/etc/init.d/INSTANCE", and
 * t_ref() adds an after/before/requires/provides name with its line.
 */

#define T_MAX 64

struct t_set {
	struct svc_def *v[T_MAX];
	size_t n;
	struct graph g;
	struct diags d;
};

static char *t_strdup(const char *s)
{
	char *p = strdup(s);

	assert_non_null(p);
	return p;
}

static struct svc_def *t_svc_new(const char *instance)
{
	struct svc_def *s = calloc(1, sizeof(*s));
	const char *at = strchr(instance, '@');
	char file[256];

	assert_non_null(s);
	struct svc_opt *o = malloc(sizeof *o);
	assert_non_null(o);
	*o = svc_opt_default;
	s->o = o;
	s->instance = t_strdup(instance);
	s->name = t_strdup(instance);
	if (at) {
		s->name[at - instance] = '\0';
		o->arg = t_strdup(at + 1);
	}
	snprintf(file, sizeof(file), "/etc/init.d/%s", instance);
	s->file = t_strdup(file);
	return s;
}

static void t_refs_free(struct svc_refs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].name);
	free(r->v);
}

static void t_svc_free(struct svc_def *s)
{
	t_refs_free(&s->after);
	t_refs_free(&s->before);
	t_refs_free(&s->requires);
	t_refs_free(&s->provides);
	free(s->name);
	free(s->instance);
	free(s->o->arg);
	free((void *)s->o);
	free(s->file);
	free(s);
}

static struct svc_def *t_svc(struct t_set *t, const char *instance)
{
	assert_true(t->n < T_MAX);
	t->v[t->n] = t_svc_new(instance);
	return t->v[t->n++];
}

static void t_ref(struct svc_refs *r, const char *name, unsigned line)
{
	struct svc_ref *v = realloc(r->v, (r->n + 1) * sizeof(*v));

	assert_non_null(v);
	r->v = v;
	r->v[r->n++] = (struct svc_ref){ t_strdup(name), line };
}

static size_t t_find(const struct t_set *t, const char *instance)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i]->instance, instance))
			return i;
	fail_msg("no service %s", instance);
	return 0;
}

/* The expanded deps (or rdeps) of node i: what the users of graph.h see. */
static size_t t_expand(const struct graph *g, size_t i, bool reverse, struct graph_edge **v)
{
	ptrdiff_t n = graph_expand(g, i, reverse, v);

	assert_true(n >= 0);
	return (size_t)n;
}

/* A barrier stands between services only, and is never ordered or skipped. */
static void t_check_barriers(const struct graph *g)
{
	for (size_t b = g->n; b < g->n + g->nbarriers; b++) {
		const struct graph_node *nd = &g->nodes[b];

		assert_false(nd->skipped);
		for (size_t j = 0; j < nd->ndeps; j++) {
			assert_true(nd->deps[j].dep < g->n);
			assert_false(nd->deps[j].hard);
		}
		for (size_t k = 0; k < nd->nrdeps; k++)
			assert_true(nd->rdeps[k] < g->n);
	}
	for (size_t i = 0; i < g->n + g->nbarriers; i++)
		for (size_t j = 1; j < g->nodes[i].ndeps; j++)
			assert_true(g->nodes[i].deps[j - 1].dep < g->nodes[i].deps[j].dep);
}

/* Structural promises of graph.h, checked after every build (on the
 * expanded graph: barriers must not show). */
static void t_check_invariants(struct svc_def *const *v, const struct graph *g)
{
	size_t *pos = malloc((g->n ? g->n : 1) * sizeof(*pos));

	t_check_barriers(g);

	assert_non_null(pos);
	for (size_t i = 0; i < g->n; i++)
		pos[i] = SIZE_MAX;
	for (size_t k = 0; k < g->norder; k++) {
		size_t i = g->order[k];

		assert_true(i < g->n);
		assert_true(pos[i] == SIZE_MAX);
		assert_false(g->nodes[i].skipped);
		pos[i] = k;
	}
	for (size_t i = 0; i < g->n; i++) {
		const struct graph_node *nd = &g->nodes[i];
		struct graph_edge *deps, *rdeps;
		size_t ndeps = t_expand(g, i, false, &deps), nrdeps = t_expand(g, i, true, &rdeps);

		assert_true(nd->skipped == (pos[i] == SIZE_MAX));
		if (nd->skipped) {
			assert_int_equal(ndeps, 0);
			assert_int_equal(nrdeps, 0);
		}
		for (size_t j = 0; j < ndeps; j++) {
			size_t dep = deps[j].dep, hits = 0;
			struct graph_edge *dr;
			size_t ndr = t_expand(g, dep, true, &dr);

			assert_true(dep != i);
			if (j)
				assert_true(deps[j - 1].dep < dep);
			assert_true(pos[dep] < pos[i]);
			for (size_t k = 0; k < ndr; k++)
				hits += dr[k].dep == i;
			assert_int_equal(hits, 1);
			free(dr);
		}
		for (size_t k = 0; k < nrdeps; k++) {
			size_t r = rdeps[k].dep;
			bool found = false;
			struct graph_edge *rd;
			size_t nrd = t_expand(g, r, false, &rd);

			if (k)
				assert_true(rdeps[k - 1].dep < r);
			for (size_t j = 0; j < nrd; j++)
				found |= rd[j].dep == i;
			assert_true(found);
			free(rd);
		}
		free(deps);
		free(rdeps);
	}
	/* lowest name first among the ready: whatever was placed after the last
	 * dependency of a service, and before it, has a lower name */
	for (size_t k = 0; g->n <= 1000 && k < g->norder; k++) {
		struct graph_edge *deps;
		size_t ndeps = t_expand(g, g->order[k], false, &deps), from = 0;

		for (size_t j = 0; j < ndeps; j++)
			if (pos[deps[j].dep] + 1 > from)
				from = pos[deps[j].dep] + 1;
		for (size_t j = from; j < k; j++)
			assert_true(strcmp(v[g->order[j]]->instance, v[g->order[k]]->instance) < 0);
		free(deps);
	}
	free(pos);
}

static void t_build(struct t_set *t)
{
	assert_int_equal(graph_build(t->v, t->n, &t->g, &t->d), 0);
	assert_int_equal(t->g.n, t->n);
	t_check_invariants(t->v, &t->g);
}

static void t_done(struct t_set *t)
{
	graph_free(&t->g);
	diags_free(&t->d);
	for (size_t i = 0; i < t->n; i++)
		t_svc_free(t->v[i]);
	t->n = 0;
}

/* "a b c": the start order by instance names. */
static char *t_order(const struct t_set *t)
{
	static char buf[4096];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < t->g.norder; k++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", k ? " " : "",
					t->v[t->g.order[k]]->instance);
	return buf;
}

/* "b c!": the deps of one service by name, "!" marking hard ones. */
static char *t_deps(const struct t_set *t, const char *instance)
{
	static char buf[4096];
	struct graph_edge *v;
	size_t n = t_expand(&t->g, t_find(t, instance), false, &v), len = 0;

	buf[0] = '\0';
	for (size_t j = 0; j < n; j++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s%s", j ? " " : "",
					t->v[v[j].dep]->instance, v[j].hard ? "!" : "");
	free(v);
	return buf;
}

static char *t_rdeps(const struct t_set *t, const char *instance)
{
	static char buf[4096];
	struct graph_edge *v;
	size_t n = t_expand(&t->g, t_find(t, instance), true, &v), len = 0;

	buf[0] = '\0';
	for (size_t k = 0; k < n; k++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", k ? " " : "",
					t->v[v[k].dep]->instance);
	free(v);
	return buf;
}

static bool t_skipped(const struct t_set *t, const char *instance)
{
	return t->g.nodes[t_find(t, instance)].skipped;
}

/* Exactly one diagnostic with these level, location and words. */
static void t_expect_diag(const struct t_set *t, enum diag_level level,
			  const char *instance, unsigned line, const char *msg)
{
	char file[256];
	size_t hits = 0;

	snprintf(file, sizeof(file), "/etc/init.d/%s", instance);
	for (size_t i = 0; i < t->d.n; i++) {
		const struct diag *dg = &t->d.v[i];

		hits += dg->level == level && dg->line == line && dg->file &&
			!strcmp(dg->file, file) && !strcmp(dg->msg, msg);
	}
	if (hits != 1) {
		for (size_t i = 0; i < t->d.n; i++)
			print_message("have: %d %s:%u: %s\n", (int)t->d.v[i].level,
				      t->d.v[i].file ? t->d.v[i].file : "-",
				      t->d.v[i].line, t->d.v[i].msg);
		fail_msg("want once: %d %s:%u: %s (seen %zu)", (int)level, file, line, msg,
			 hits);
	}
}

static void test_empty(void **state)
{
	struct t_set t = { 0 };

	(void)state;
	assert_int_equal(graph_build(t.v, 0, &t.g, &t.d), 0);
	assert_int_equal(t.g.n, 0);
	assert_int_equal(t.g.norder, 0);
	assert_int_equal(t.d.n, 0);
	t_done(&t);
	graph_free(&t.g); /* twice is harmless */
}

static void test_no_edges_by_name(void **state)
{
	struct t_set t = { 0 };

	(void)state;
	t_svc(&t, "zebra");
	t_svc(&t, "alpha");
	t_svc(&t, "mid");
	t_build(&t);
	assert_string_equal(t_order(&t), "alpha mid zebra");
	assert_int_equal(t.d.n, 0);
	t_done(&t);
}

static void test_chain(void **state)
{
	struct t_set t = { 0 };

	(void)state;
	t_ref(&t_svc(&t, "c")->after, "b", 3);
	t_ref(&t_svc(&t, "b")->after, "a", 4);
	t_svc(&t, "a");
	t_svc(&t, "0-free");
	t_build(&t);
	assert_string_equal(t_order(&t), "0-free a b c");
	assert_string_equal(t_deps(&t, "c"), "b");
	assert_string_equal(t_deps(&t, "b"), "a");
	assert_string_equal(t_deps(&t, "a"), "");
	assert_string_equal(t_rdeps(&t, "a"), "b");
	assert_string_equal(t_rdeps(&t, "b"), "c");
	assert_int_equal(t.d.n, 0);
	t_done(&t);
}

/* Name order only among the ready: "z" must still wait for "zz". */
static void test_order_respects_deps(void **state)
{
	struct t_set t = { 0 };

	(void)state;
	t_ref(&t_svc(&t, "a")->after, "zz", 1);
	t_svc(&t, "zz");
	t_svc(&t, "b");
	t_build(&t);
	assert_string_equal(t_order(&t), "b zz a");
	t_done(&t);
}

static void test_diamond(void **state)
{
	struct t_set t = { 0 };
	struct svc_def *d;

	(void)state;
	d = t_svc(&t, "d");
	t_ref(&d->after, "c", 1);
	t_ref(&d->after, "b", 2);
	t_ref(&t_svc(&t, "c")->after, "a", 1);
	t_ref(&t_svc(&t, "b")->after, "a", 1);
	t_svc(&t, "a");
	t_build(&t);
	assert_string_equal(t_order(&t), "a b c d");
	assert_string_equal(t_deps(&t, "d"), "c b"); /* by index: c was added first */
	assert_string_equal(t_rdeps(&t, "a"), "c b");
	t_done(&t);
}

static void test_generic_names(void **state)
{
	struct t_set t = { 0 };
	struct svc_def *login;

	(void)state;
	t_svc(&t, "agetty@ttyS0");
	t_svc(&t, "agetty@tty1");
	login = t_svc(&t, "login");
	t_ref(&login->after, "agetty", 5);
	t_ref(&t_svc(&t, "one")->after, "agetty@tty1", 2);
	t_build(&t);
	assert_string_equal(t_deps(&t, "login"), "agetty@ttyS0 agetty@tty1");
	assert_string_equal(t_deps(&t, "one"), "agetty@tty1");
	assert_string_equal(t_order(&t), "agetty@tty1 agetty@ttyS0 login one");
	assert_int_equal(t.d.n, 0);
	t_done(&t);
}

static void test_provides(void **state)
{
	struct t_set t = { 0 };
	struct svc_def *s;

	(void)state;
	t_ref(&t_svc(&t, "dnsmasq")->after, "net", 3);
	s = t_svc(&t, "netifd");
	t_ref(&s->provides, "net", 1);
	t_ref(&s->provides, "network", 2);
	s = t_svc(&t, "wifi");
	t_ref(&s->provides, "net", 1);
	t_ref(&t_svc(&t, "ntpd")->requires, "network", 4);
	t_build(&t);
	assert_string_equal(t_deps(&t, "dnsmasq"), "netifd wifi");
	assert_string_equal(t_deps(&t, "ntpd"), "netifd!");
	assert_string_equal(t_order(&t), "netifd ntpd wifi dnsmasq");
	assert_int_equal(t.d.n, 0);
	t_done(&t);
}

static void test_before(void **state)
{
	struct t_set t = { 0 };
	struct svc_def *s;

	(void)state;
	s = t_svc(&t, "mount");
	t_ref(&s->before, "syslog", 2);
	t_ref(&s->before, "agetty", 3);
	t_svc(&t, "syslog");
	t_svc(&t, "agetty@tty1");
	t_svc(&t, "agetty@tty2");
	t_build(&t);
	assert_string_equal(t_deps(&t, "syslog"), "mount");
	assert_string_equal(t_deps(&t, "agetty@tty1"), "mount");
	assert_string_equal(t_deps(&t, "agetty@tty2"), "mount");
	assert_string_equal(t_deps(&t, "mount"), "");
	assert_string_equal(t_rdeps(&t, "mount"), "syslog agetty@tty1 agetty@tty2");
	assert_string_equal(t_order(&t), "mount agetty@tty1 agetty@tty2 syslog");
	t_done(&t);
}

static void test_unknown_names_noted(void **state)
{
	struct t_set t = { 0 };
	struct svc_def *s;

	(void)state;
	s = t_svc(&t, "a");
	t_ref(&s->after, "ghost", 7);
	t_ref(&s->before, "spook", 8);
	t_build(&t);
	t_expect_diag(&t, DIAG_NOTE, "a", 7, "after \"ghost\": no such service (ignored)");
	t_expect_diag(&t, DIAG_NOTE, "a", 8, "before \"spook\": no such service (ignored)");
	assert_int_equal(t.d.n, 2);
	assert_int_equal(t.d.nerrors, 0);
	assert_string_equal(t_order(&t), "a");
	t_done(&t);
}

static void test_requires_missing(void **state)
{
	struct t_set t = { 0 };
	struct svc_def *s;

	(void)state;
	s = t_svc(&t, "b");
	t_ref(&s->requires, "missing", 6);
	t_ref(&s->after, "a", 2);
	t_ref(&t_svc(&t, "c")->requires, "b", 3);
	t_ref(&t_svc(&t, "e")->requires, "c", 9);
	t_ref(&t_svc(&t, "d")->after, "b", 4); /* soft: the edge just vanishes */
	s = t_svc(&t, "f");
	t_ref(&s->before, "b", 1); /* so does a before edge to a skipped one */
	t_ref(&s->requires, "a", 2);
	t_svc(&t, "a");
	t_build(&t);
	assert_true(t_skipped(&t, "b"));
	assert_true(t_skipped(&t, "c"));
	assert_true(t_skipped(&t, "e"));
	assert_false(t_skipped(&t, "d"));
	assert_false(t_skipped(&t, "f"));
	assert_false(t_skipped(&t, "a"));
	assert_string_equal(t_deps(&t, "d"), "");
	assert_string_equal(t_deps(&t, "f"), "a!");
	assert_string_equal(t_rdeps(&t, "a"), "f");
	assert_string_equal(t_order(&t), "a d f");
	t_expect_diag(&t, DIAG_ERROR, "b", 6, "requires \"missing\": no such service");
	t_expect_diag(&t, DIAG_ERROR, "c", 3, "requires \"b\", which is skipped");
	t_expect_diag(&t, DIAG_ERROR, "e", 9, "requires \"c\", which is skipped");
	assert_int_equal(t.d.n, 3);
	assert_int_equal(t.d.nerrors, 3);
	t_done(&t);
}

/* Skipping follows hard edges even through a requires cycle, and a generic
 * requires is broken by one skipped instance. */
static void test_requires_skip_generic_and_cycle(void **state)
{
	struct t_set t = { 0 };
	struct svc_def *s;

	(void)state;
	t_ref(&t_svc(&t, "tty@1")->requires, "nodev", 2);
	t_svc(&t, "tty@2");
	t_ref(&t_svc(&t, "login")->requires, "tty", 3);
	s = t_svc(&t, "x");
	t_ref(&s->requires, "y", 1);
	t_ref(&s->requires, "gone", 2);
	t_ref(&t_svc(&t, "y")->requires, "x", 4);
	t_build(&t);
	assert_true(t_skipped(&t, "tty@1"));
	assert_false(t_skipped(&t, "tty@2"));
	assert_true(t_skipped(&t, "login"));
	assert_true(t_skipped(&t, "x"));
	assert_true(t_skipped(&t, "y"));
	t_expect_diag(&t, DIAG_ERROR, "tty@1", 2, "requires \"nodev\": no such service");
	t_expect_diag(&t, DIAG_ERROR, "login", 3, "requires \"tty\", which is skipped");
	t_expect_diag(&t, DIAG_ERROR, "x", 2, "requires \"gone\": no such service");
	t_expect_diag(&t, DIAG_ERROR, "y", 4, "requires \"x\", which is skipped");
	assert_int_equal(t.d.n, 4); /* no cycle report: both ends are skipped */
	assert_string_equal(t_order(&t), "tty@2");
	t_done(&t);
}

static void test_self_edges(void **state)
{
	struct t_set t = { 0 };
	struct svc_def *s;

	(void)state;
	s = t_svc(&t, "a");
	t_ref(&s->after, "a", 1);
	t_ref(&s->requires, "a", 2);
	t_ref(&s->before, "a", 3);
	s = t_svc(&t, "agetty@tty1");
	t_ref(&s->after, "agetty", 1); /* only itself: nothing, silently */
	s = t_svc(&t, "netifd");
	t_ref(&s->provides, "net", 1);
	t_ref(&s->after, "net", 2);
	t_build(&t);
	for (size_t i = 0; i < t.n; i++) {
		assert_int_equal(t.g.nodes[i].ndeps, 0);
		assert_int_equal(t.g.nodes[i].nrdeps, 0);
		assert_false(t.g.nodes[i].skipped);
	}
	assert_int_equal(t.d.n, 0);
	t_done(&t);
}

static void test_duplicate_edges(void **state)
{
	struct t_set t = { 0 };
	struct svc_def *s;

	(void)state;
	s = t_svc(&t, "b");
	t_ref(&s->after, "a", 2);
	t_ref(&s->after, "a", 5);
	t_ref(&s->requires, "a", 3);
	t_ref(&s->after, "alias", 4);
	s = t_svc(&t, "a");
	t_ref(&s->before, "b", 1);
	t_ref(&s->provides, "alias", 1);
	s = t_svc(&t, "c");
	t_ref(&s->after, "a", 1);
	t_ref(&s->after, "b", 1);
	t_build(&t);
	assert_string_equal(t_deps(&t, "b"), "a!");
	assert_string_equal(t_rdeps(&t, "a"), "b c");
	assert_int_equal(t.d.n, 0);
	t_done(&t);
}

static void test_cycle_two(void **state)
{
	struct t_set t = { 0 };

	(void)state;
	t_ref(&t_svc(&t, "b")->after, "a", 7);
	t_ref(&t_svc(&t, "a")->after, "b", 3);
	t_build(&t);
	t_expect_diag(&t, DIAG_ERROR, "b", 7,
		      "dependency cycle: a -> b -> a; ignoring \"b after a\"");
	assert_int_equal(t.d.n, 1);
	assert_string_equal(t_deps(&t, "a"), "b");
	assert_string_equal(t_deps(&t, "b"), "");
	assert_string_equal(t_order(&t), "b a");
	t_done(&t);
}

static void test_cycle_three(void **state)
{
	struct t_set t = { 0 };

	(void)state;
	t_ref(&t_svc(&t, "c")->after, "a", 5);
	t_ref(&t_svc(&t, "a")->after, "b", 1);
	t_ref(&t_svc(&t, "b")->after, "c", 2);
	t_build(&t);
	t_expect_diag(&t, DIAG_ERROR, "c", 5,
		      "dependency cycle: a -> b -> c -> a; ignoring \"c after a\"");
	assert_int_equal(t.d.n, 1);
	assert_string_equal(t_order(&t), "c b a");
	t_done(&t);
}

/* The dropped edge is reported where it was written, in the words of the
 * edge it makes: a `before` in a, a `requires` in y. */
static void test_cycle_declared_by_before_and_requires(void **state)
{
	struct t_set t = { 0 };
	struct svc_def *s;

	(void)state;
	s = t_svc(&t, "a");
	t_ref(&s->after, "b", 2);
	t_ref(&s->before, "b", 9);
	t_svc(&t, "b");
	t_ref(&t_svc(&t, "x")->requires, "y", 1);
	t_ref(&t_svc(&t, "y")->requires, "x", 4);
	t_build(&t);
	t_expect_diag(&t, DIAG_ERROR, "a", 9,
		      "dependency cycle: a -> b -> a; ignoring \"b after a\"");
	t_expect_diag(&t, DIAG_ERROR, "y", 4,
		      "dependency cycle: x -> y -> x; ignoring \"y requires x\"");
	assert_int_equal(t.d.n, 2);
	assert_false(t_skipped(&t, "x"));
	assert_false(t_skipped(&t, "y"));
	assert_string_equal(t_deps(&t, "x"), "y!");
	assert_string_equal(t_order(&t), "b a y x");
	t_done(&t);
}

static void test_cycles_sharing_node(void **state)
{
	struct t_set t = { 0 };
	struct svc_def *s;

	(void)state;
	s = t_svc(&t, "a");
	t_ref(&s->after, "c", 1);
	t_ref(&s->after, "b", 2);
	t_ref(&t_svc(&t, "b")->after, "a", 3);
	t_ref(&t_svc(&t, "c")->after, "a", 4);
	t_build(&t);
	t_expect_diag(&t, DIAG_ERROR, "b", 3,
		      "dependency cycle: a -> b -> a; ignoring \"b after a\"");
	t_expect_diag(&t, DIAG_ERROR, "c", 4,
		      "dependency cycle: a -> c -> a; ignoring \"c after a\"");
	assert_int_equal(t.d.n, 2);
	assert_string_equal(t_deps(&t, "a"), "b c");
	assert_string_equal(t_order(&t), "b c a");
	t_done(&t);
}

/* The walk from the lowest member backs out of a dead end (b -> bb -> b)
 * before it finds its way home through c; the dead end is a cycle of its
 * own, broken next. */
static void test_cycle_with_dead_end(void **state)
{
	struct t_set t = { 0 };
	struct svc_def *s;

	(void)state;
	t_ref(&t_svc(&t, "a")->after, "b", 1);
	s = t_svc(&t, "b");
	t_ref(&s->after, "c", 1);
	t_ref(&s->after, "bb", 2);
	t_ref(&t_svc(&t, "bb")->after, "b", 3);
	t_ref(&t_svc(&t, "c")->after, "a", 6);
	t_build(&t);
	t_expect_diag(&t, DIAG_ERROR, "c", 6,
		      "dependency cycle: a -> b -> c -> a; ignoring \"c after a\"");
	t_expect_diag(&t, DIAG_ERROR, "bb", 3,
		      "dependency cycle: b -> bb -> b; ignoring \"bb after b\"");
	assert_int_equal(t.d.n, 2);
	assert_string_equal(t_order(&t), "bb c b a");
	t_done(&t);
}

/* Edges and skips by name, so builds of permuted inputs can be compared. */
static char *t_describe(const struct t_set *t)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);

	assert_non_null(buf);
	buf[0] = '\0';
	len += (size_t)snprintf(buf + len, cap - len, "order: %s\n", t_order(t));
	/* one line per service, sorted, so the array order does not show */
	char *lines[T_MAX];
	for (size_t i = 0; i < t->n; i++) {
		char line[2048];
		const struct graph_node *nd = &t->g.nodes[i];
		const char *names[T_MAX];
		struct graph_edge *deps;
		size_t ndeps = t_expand(&t->g, i, false, &deps), nn = 0, l = 0;

		for (size_t j = 0; j < ndeps; j++)
			names[nn++] = t->v[deps[j].dep]->instance;
		for (size_t a = 0; a < nn; a++)
			for (size_t b = a + 1; b < nn; b++)
				if (strcmp(names[b], names[a]) < 0) {
					const char *x = names[a];
					names[a] = names[b];
					names[b] = x;
				}
		l += (size_t)snprintf(line + l, sizeof(line) - l, "%s%s:",
				      t->v[i]->instance, nd->skipped ? " (skipped)" : "");
		for (size_t a = 0; a < nn; a++) {
			size_t dep = t_find(t, names[a]);
			bool hard = false;

			for (size_t j = 0; j < ndeps; j++)
				if (deps[j].dep == dep)
					hard = deps[j].hard;
			l += (size_t)snprintf(line + l, sizeof(line) - l, " %s%s", names[a],
					      hard ? "!" : "");
		}
		free(deps);
		lines[i] = t_strdup(line);
	}
	for (size_t a = 0; a < t->n; a++)
		for (size_t b = a + 1; b < t->n; b++)
			if (strcmp(lines[b], lines[a]) < 0) {
				char *x = lines[a];
				lines[a] = lines[b];
				lines[b] = x;
			}
	for (size_t i = 0; i < t->n; i++) {
		len += (size_t)snprintf(buf + len, cap - len, "%s\n", lines[i]);
		free(lines[i]);
	}
	/* diagnostics in the order given: that order must not move either */
	for (size_t i = 0; i < t->d.n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%d %s:%u: %s\n",
					(int)t->d.v[i].level, t->d.v[i].file,
					t->d.v[i].line, t->d.v[i].msg);
	assert_true(len < cap - 1);
	return buf;
}

/* Overlapping cycles, generic names, provides, before, skips. */
static void t_tangle(struct t_set *t)
{
	struct svc_def *s;

	s = t_svc(t, "a");
	t_ref(&s->after, "b", 1);
	t_ref(&s->after, "e", 2);
	s = t_svc(t, "b");
	t_ref(&s->after, "c", 1);
	t_ref(&s->requires, "d", 2);
	s = t_svc(t, "c");
	t_ref(&s->after, "a", 1);
	t_ref(&s->after, "net", 2);
	s = t_svc(t, "d");
	t_ref(&s->after, "b", 1);
	t_ref(&s->before, "e", 2);
	s = t_svc(t, "e");
	t_ref(&s->after, "a", 1);
	t_ref(&s->provides, "net", 2);
	s = t_svc(t, "getty@1");
	t_ref(&s->after, "getty", 1);
	t_ref(&s->after, "login", 2);
	s = t_svc(t, "getty@2");
	t_ref(&s->before, "getty@1", 1);
	s = t_svc(t, "login");
	t_ref(&s->requires, "getty", 1);
	t_ref(&s->after, "c", 2);
	s = t_svc(t, "broken");
	t_ref(&s->requires, "nothing", 3);
	t_ref(&s->before, "a", 4);
	s = t_svc(t, "victim");
	t_ref(&s->requires, "broken", 5);
	t_ref(&s->after, "ghost", 6);
	s = t_svc(t, "z");
	t_ref(&s->before, "a", 1);
	t_ref(&s->after, "net", 2);
}

static void test_permutation_invariance(void **state)
{
	struct t_set t = { 0 };
	char *want;
	uint32_t seed = 12345;

	(void)state;
	t_tangle(&t);
	t_build(&t);
	want = t_describe(&t);
	assert_true(t.d.nerrors >= 3);
	graph_free(&t.g);
	diags_free(&t.d);
	for (int round = 0; round < 50; round++) {
		char *got;

		for (size_t i = t.n - 1; i > 0; i--) {
			size_t j;
			struct svc_def *x;

			seed = seed * 1103515245u + 12345u;
			j = (seed >> 8) % (i + 1);
			x = t.v[i];
			t.v[i] = t.v[j];
			t.v[j] = x;
		}
		t_build(&t);
		got = t_describe(&t);
		assert_string_equal(got, want);
		free(got);
		graph_free(&t.g);
		diags_free(&t.d);
	}
	free(want);
	t_done(&t);
}

/* Many services without a T_MAX array: built and freed here. */
struct t_big {
	struct svc_def **v;
	size_t n;
};

static void t_big_make(struct t_big *b, size_t n)
{
	b->n = n;
	b->v = calloc(n, sizeof(*b->v));
	assert_non_null(b->v);
	for (size_t i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "s%05zu", i);
		b->v[i] = t_svc_new(name);
	}
}

static void t_big_free(struct t_big *b)
{
	for (size_t i = 0; i < b->n; i++)
		t_svc_free(b->v[i]);
	free(b->v);
}

static void test_large_graph(void **state)
{
	struct t_big b;
	struct graph g;
	struct diags d = { 0 };
	uint32_t seed = 7;
	size_t nedges = 0;

	(void)state;
	t_big_make(&b, 10000);
	/* every edge points to a lower number, so nothing is dropped */
	for (size_t i = 1; i < b.n; i++)
		for (int k = 0; k < 5; k++) {
			char name[32];

			seed = seed * 1103515245u + 12345u;
			snprintf(name, sizeof(name), "s%05zu", (size_t)(seed >> 8) % i);
			t_ref(k == 4 ? &b.v[i]->requires : &b.v[i]->after, name, (unsigned)k + 1);
			nedges++;
		}
	assert_true(nedges >= 49995);
	assert_int_equal(graph_build(b.v, b.n, &g, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(g.norder, b.n);
	assert_int_equal(g.order[0], 0);
	t_check_invariants(b.v, &g);
	graph_free(&g);
	diags_free(&d);
	t_big_free(&b);
}

/* A long chain must not recurse: 10000 deep, plus one ring over all. */
static void test_large_ring(void **state)
{
	struct t_big b;
	struct graph g;
	struct diags d = { 0 };

	(void)state;
	t_big_make(&b, 10000);
	for (size_t i = 0; i < b.n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "s%05zu", (i + 1) % b.n);
		t_ref(&b.v[i]->after, name, 1);
	}
	assert_int_equal(graph_build(b.v, b.n, &g, &d), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].level, DIAG_ERROR);
	assert_string_equal(d.v[0].file, "/etc/init.d/s09999");
	assert_string_equal(d.v[0].msg,
			    "dependency cycle: s00000 -> s00001 -> s00002 -> s00003 -> "
			    "s00004 -> s00005 -> s00006 -> s00007 -> s00008 -> s00009 -> "
			    "s00010 -> s00011 -> s00012 -> s00013 -> s00014 -> s00015 -> "
			    "... (9969 more) -> s09985 -> s09986 -> s09987 -> s09988 -> "
			    "s09989 -> s09990 -> s09991 -> s09992 -> s09993 -> s09994 -> "
			    "s09995 -> s09996 -> s09997 -> s09998 -> s09999 -> s00000; "
			    "ignoring \"s09999 after s00000\"");
	assert_int_equal(g.norder, b.n);
	assert_int_equal(g.order[0], b.n - 1); /* only "s09999 after s00000" went */
	t_check_invariants(b.v, &g);
	graph_free(&g);
	diags_free(&d);
	t_big_free(&b);
}

/* Up to 32 services a cycle is named whole; beyond, its two ends. */
static void test_cycle_message_length(void **state)
{
	(void)state;
	for (size_t n = 31; n <= 34; n++) {
		struct t_big b;
		struct graph g;
		struct diags d = { 0 };
		size_t arrows = 0;
		const char *p;

		t_big_make(&b, n);
		for (size_t i = 0; i < n; i++) {
			char name[32];

			snprintf(name, sizeof(name), "s%05zu", (i + 1) % n);
			t_ref(&b.v[i]->after, name, 1);
		}
		assert_int_equal(graph_build(b.v, n, &g, &d), 0);
		assert_int_equal(d.n, 1);
		for (p = d.v[0].msg; (p = strstr(p, " -> ")); p++)
			arrows++;
		assert_int_equal(arrows, n <= 32 ? n : 32);
		assert_int_equal(strstr(d.v[0].msg, "more)") != NULL, n > 32);
		graph_free(&g);
		diags_free(&d);
		t_big_free(&b);
	}
}

/* Dense random cycles: every edge lost must have been reported, once. */
static void test_many_overlapping_cycles(void **state)
{
	struct t_big b;
	struct graph g;
	struct diags d = { 0 };
	uint32_t seed = 99;
	size_t kept = 0, distinct = 0;
	static bool have[300][300];

	(void)state;
	memset(have, 0, sizeof(have));
	t_big_make(&b, 300);
	for (int k = 0; k < 3000; k++) {
		size_t from, to;
		char name[32];

		seed = seed * 1103515245u + 12345u;
		from = (seed >> 8) % b.n;
		seed = seed * 1103515245u + 12345u;
		to = (seed >> 8) % b.n;
		snprintf(name, sizeof(name), "s%05zu", to);
		t_ref(&b.v[from]->after, name, (unsigned)k + 1);
		if (from != to && !have[from][to]) {
			have[from][to] = true;
			distinct++;
		}
	}
	assert_int_equal(graph_build(b.v, b.n, &g, &d), 0);
	for (size_t i = 0; i < g.n; i++)
		kept += g.nodes[i].ndeps;
	assert_int_equal(g.norder, b.n);
	/* Kept diagnostics are bounded (diag.h): the rest are counted, and a
	 * warning says so. */
	size_t notes = 0;
	for (size_t i = 0; i < d.n; i++) {
		if (d.v[i].level == DIAG_WARNING) {
			notes++;
			assert_non_null(strstr(d.v[i].msg, "too many problems"));
		} else {
			assert_true(!strncmp(d.v[i].msg, "dependency cycle: ", 18));
		}
	}
	assert_int_equal(d.nerrors, d.n - notes + d.nlost);
	assert_int_equal(kept + d.nerrors, distinct);
	assert_true(d.nerrors > 100);
	t_check_invariants(b.v, &g);
	graph_free(&g);
	diags_free(&d);
	t_big_free(&b);
}

/* The graph resolves names the way svc_matches() says. */
static void test_matching_agrees_with_svc_matches(void **state)
{
	static const char *const probes[] = {
		"agetty", "agetty@tty1", "agetty@", "net", "netifd", "tty1", "dns", "",
	};
	struct t_set t = { 0 };
	struct svc_def *s;

	(void)state;
	t_svc(&t, "agetty@tty1");
	t_svc(&t, "agetty@ttyS0");
	s = t_svc(&t, "netifd");
	t_ref(&s->provides, "net", 1);
	s = t_svc(&t, "dnsmasq");
	t_ref(&s->provides, "dns", 1);
	t_ref(&s->provides, "net", 2);
	for (size_t p = 0; p < sizeof(probes) / sizeof(probes[0]); p++) {
		struct svc_def *probe = t_svc_new("~probe");
		struct svc_def *all[T_MAX + 1];
		struct graph g;
		struct diags d = { 0 };

		t_ref(&probe->after, probes[p], 1);
		memcpy(all, t.v, t.n * sizeof(*all));
		all[t.n] = probe;
		assert_int_equal(graph_build(all, t.n + 1, &g, &d), 0);
		struct graph_edge *deps;
		size_t ndeps = t_expand(&g, t.n, false, &deps);

		for (size_t i = 0; i < t.n; i++) {
			bool edge = false;

			for (size_t j = 0; j < ndeps; j++)
				edge |= deps[j].dep == i;
			if (edge != svc_matches(t.v[i], probes[p]))
				fail_msg("\"%s\" vs %s", probes[p], t.v[i]->instance);
		}
		free(deps);
		graph_free(&g);
		diags_free(&d);
		t_svc_free(probe);
	}
	t_done(&t);
}

/* ---- barriers ---- */

/* Raw edges stored (deps of every node, barriers included). */
static size_t t_raw_edges(const struct graph *g)
{
	size_t e = 0;

	for (size_t i = 0; i < g->n + g->nbarriers; i++)
		e += g->nodes[i].ndeps;
	return e;
}

/* The same set built with barriers (for names matched by 2 or more) and
 * without: everything the users see must be the same. */
static size_t t_same_both_ways(struct t_set *t)
{
	char *with, *without;
	size_t keep = graph_barrier_min, nb;

	graph_free(&t->g); /* an earlier build of the same set */
	diags_free(&t->d);
	graph_barrier_min = 2;
	t_build(t);
	nb = t->g.nbarriers;
	with = t_describe(t);
	graph_free(&t->g);
	diags_free(&t->d);
	graph_barrier_min = SIZE_MAX;
	t_build(t);
	assert_int_equal(t->g.nbarriers, 0);
	without = t_describe(t);
	graph_free(&t->g);
	diags_free(&t->d);
	graph_barrier_min = keep;
	assert_string_equal(with, without);
	free(with);
	free(without);
	return nb;
}

/* 10 levels of 10 instances, each `after` the level below by its generic
 * name: 9 barriers, edges linear (90 dependents + 90 providers), not 900. */
static void test_barrier_levels(void **state)
{
	struct t_set t = { 0 };
	char name[32];

	(void)state;
	for (int l = 0; l < 6; l++)
		for (int i = 0; i < 10; i++) {
			snprintf(name, sizeof(name), "level%d@%d", l, i);
			struct svc_def *s = t_svc(&t, name);
			if (l) {
				snprintf(name, sizeof(name), "level%d", l - 1);
				t_ref(&s->after, name, 1);
			}
		}
	t_svc(&t, "zz"); /* ready from the start, named last: placed last */
	t_build(&t);
	assert_int_equal(t.g.nbarriers, 5);
	assert_int_equal(t_raw_edges(&t.g), 50 + 50);
	assert_string_equal(t_deps(&t, "level3@4"),
			    "level2@0 level2@1 level2@2 level2@3 level2@4 level2@5 level2@6 "
			    "level2@7 level2@8 level2@9");
	assert_string_equal(t_rdeps(&t, "level0@0"),
			    "level1@0 level1@1 level1@2 level1@3 level1@4 level1@5 level1@6 "
			    "level1@7 level1@8 level1@9");
	assert_string_equal(t_deps(&t, "level0@0"), "");
	assert_non_null(strstr(t_order(&t), "level5@9 zz"));
	assert_int_equal(t.d.n, 0);
	t_same_both_ways(&t);
	t_done(&t);
}

/* `before` a generic name, `requires` one, a member naming its own group,
 * and a shared `provides`: the barrier forms of each. */
static void test_barrier_forms(void **state)
{
	struct t_set t = { 0 };
	struct svc_def *s;

	(void)state;
	for (int i = 0; i < 5; i++) {
		char name[32];

		snprintf(name, sizeof(name), "getty@%d", i);
		s = t_svc(&t, name);
		t_ref(&s->after, "getty", 1); /* its own group: the others only */
	}
	s = t_svc(&t, "mount");
	t_ref(&s->before, "getty", 1);
	s = t_svc(&t, "login");
	t_ref(&s->requires, "getty", 2);
	t_build(&t);
	/* a group that waits for itself is a cycle: built without barriers */
	assert_int_equal(t.g.nbarriers, 0);
	assert_true(t.d.nerrors > 0);
	t_same_both_ways(&t);
	t_done(&t);

	for (int i = 0; i < 5; i++) {
		char name[32];

		snprintf(name, sizeof(name), "getty@%d", i);
		s = t_svc(&t, name);
		t_ref(&s->provides, "tty", 1);
	}
	s = t_svc(&t, "mount");
	t_ref(&s->before, "getty", 1);
	s = t_svc(&t, "udev");
	t_ref(&s->before, "getty", 1);
	s = t_svc(&t, "login");
	t_ref(&s->requires, "getty", 2);
	t_ref(&s->after, "tty", 3);
	t_build(&t);
	assert_int_equal(t.d.n, 0);
	assert_true(t.g.nbarriers >= 2);
	assert_string_equal(t_deps(&t, "getty@3"), "mount udev");
	assert_string_equal(t_deps(&t, "login"),
			    "getty@0! getty@1! getty@2! getty@3! getty@4!");
	assert_string_equal(t_rdeps(&t, "mount"), "getty@0 getty@1 getty@2 getty@3 getty@4");
	assert_string_equal(t_order(&t), "mount udev getty@0 getty@1 getty@2 getty@3 getty@4 login");
	t_same_both_ways(&t);
	t_done(&t);
}

/* A skipped provider: `requires` through a barrier skips, `after` waits
 * for the rest. */
static void test_barrier_skips(void **state)
{
	struct t_set t = { 0 };
	struct svc_def *s;

	(void)state;
	for (int i = 0; i < 4; i++) {
		char name[32];

		snprintf(name, sizeof(name), "w@%d", i);
		s = t_svc(&t, name);
		if (i == 2)
			t_ref(&s->requires, "absent", 4);
	}
	s = t_svc(&t, "hard");
	t_ref(&s->requires, "w", 1);
	s = t_svc(&t, "soft");
	t_ref(&s->after, "w", 1);
	s = t_svc(&t, "chain");
	t_ref(&s->requires, "hard", 1);
	t_build(&t);
	assert_true(t_skipped(&t, "w@2"));
	assert_true(t_skipped(&t, "hard"));
	assert_true(t_skipped(&t, "chain"));
	assert_false(t_skipped(&t, "soft"));
	assert_string_equal(t_deps(&t, "soft"), "w@0 w@1 w@3");
	t_expect_diag(&t, DIAG_ERROR, "hard", 1, "requires \"w\", which is skipped");
	t_same_both_ways(&t);
	t_done(&t);
}

/* Random sets of generic names, provides, before/after/requires, absent
 * names and cycles: with barriers and without, the same result. */
static void test_barrier_equivalence(void **state)
{
	uint32_t seed = 4242;
	static const char *const kinds[] = { "a", "b", "c" };
	size_t with_barriers = 0;

	(void)state;
	for (int round = 0; round < 1000; round++) {
		struct t_set t = { 0 };
		size_t n;

		seed = seed * 1103515245u + 12345u;
		n = 6 + (seed >> 8) % 40;
		for (size_t i = 0; i < n; i++) {
			char name[32];

			/* tiers in index order: references go mostly down */
			snprintf(name, sizeof(name), "%s@%zu", kinds[i * 3 / n], i);
			t_svc(&t, name);
		}
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			int nrefs = (int)((seed >> 8) % 4);

			for (int k = 0; k < nrefs; k++) {
				char name[32];
				uint32_t x;

				seed = seed * 1103515245u + 12345u;
				x = seed >> 8;
				/* after/requires point down, before up (now and then
				 * the other way: cycles, which build without barriers) */
				int kind = (int)((x >> 12) % 7);
				bool up = (kind == 1) != !(x % 13);
				size_t lo = up ? i + 1 : 0, hi = up ? n : i;
				size_t to = hi > lo ? lo + (x >> 4) % (hi - lo) : SIZE_MAX;

				if (to == SIZE_MAX || x % 5 == 1)
					snprintf(name, sizeof(name), "nothing");
				else if (x % 5 == 0)
					snprintf(name, sizeof(name), "p%u", (x >> 4) % 3);
				else if (x % 5 == 2 || to * 3 / n == i * 3 / n)
					snprintf(name, sizeof(name), "%s", t.v[to]->instance);
				else
					snprintf(name, sizeof(name), "%s", kinds[to * 3 / n]);
				switch (kind) {
				case 0: t_ref(&t.v[i]->provides, name, (unsigned)k + 1); break;
				case 1: t_ref(&t.v[i]->before, name, (unsigned)k + 1); break;
				case 2: t_ref(&t.v[i]->requires, name, (unsigned)k + 1); break;
				default: t_ref(&t.v[i]->after, name, (unsigned)k + 1); break;
				}
			}
		}
		with_barriers += t_same_both_ways(&t) > 0;
		t_done(&t);
	}
	/* the case must be common, not a stray one (cycles build without) */
	print_message("# %zu of 1000 rounds built with barriers\n", with_barriers);
	assert_true(with_barriers >= 150);
}

/* 1000 services in 10 levels: the edges stored stay linear. */
static void test_barrier_scale(void **state)
{
	struct t_big b;
	struct graph g;
	struct diags d = { 0 };

	(void)state;
	b.n = 1000;
	b.v = calloc(b.n, sizeof(*b.v));
	assert_non_null(b.v);
	for (size_t i = 0; i < b.n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "level%zu@%zu", i / 100, i % 100);
		b.v[i] = t_svc_new(name);
		if (i >= 100) {
			snprintf(name, sizeof(name), "level%zu", i / 100 - 1);
			t_ref(&b.v[i]->after, name, 1);
		}
	}
	assert_int_equal(graph_build(b.v, b.n, &g, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(g.norder, b.n);
	assert_int_equal(g.nbarriers, 9);
	assert_int_equal(t_raw_edges(&g), 900 + 900);
	t_check_invariants(b.v, &g);
	graph_free(&g);
	diags_free(&d);
	t_big_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_no_edges_by_name),
		cmocka_unit_test(test_chain),
		cmocka_unit_test(test_order_respects_deps),
		cmocka_unit_test(test_diamond),
		cmocka_unit_test(test_generic_names),
		cmocka_unit_test(test_provides),
		cmocka_unit_test(test_before),
		cmocka_unit_test(test_unknown_names_noted),
		cmocka_unit_test(test_requires_missing),
		cmocka_unit_test(test_requires_skip_generic_and_cycle),
		cmocka_unit_test(test_self_edges),
		cmocka_unit_test(test_duplicate_edges),
		cmocka_unit_test(test_cycle_two),
		cmocka_unit_test(test_cycle_three),
		cmocka_unit_test(test_cycle_declared_by_before_and_requires),
		cmocka_unit_test(test_cycles_sharing_node),
		cmocka_unit_test(test_cycle_with_dead_end),
		cmocka_unit_test(test_permutation_invariance),
		cmocka_unit_test(test_large_graph),
		cmocka_unit_test(test_large_ring),
		cmocka_unit_test(test_cycle_message_length),
		cmocka_unit_test(test_many_overlapping_cycles),
		cmocka_unit_test(test_matching_agrees_with_svc_matches),
		cmocka_unit_test(test_barrier_levels),
		cmocka_unit_test(test_barrier_forms),
		cmocka_unit_test(test_barrier_skips),
		cmocka_unit_test(test_barrier_equivalence),
		cmocka_unit_test(test_barrier_scale),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
