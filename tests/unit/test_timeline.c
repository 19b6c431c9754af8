/* test_timeline: each state change stamps the service's timeline, a new run clears the old one, entries are reused. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "timeline.h"

static struct svc *mk(const char *name, enum svc_type type)
{
	struct svc_def *d = calloc(1, sizeof *d);
	struct svc *s = calloc(1, sizeof *s);
	assert_non_null(d);
	assert_non_null(s);
	d->name = d->instance = (char *)name;
	d->type = type;
	d->o = &svc_opt_default;
	s->def = d;
	s->node = SIZE_MAX;
	s->last_status = -1;
	return s;
}

static void drop(struct svc *s)
{
	timeline_service_gone(s);
	free(s->def);
	free(s);
}

static void tick(void)
{
	struct timespec ts = { 0, 3 * 1000000L };
	nanosleep(&ts, NULL);
}

/* What svc_set_state does: the hooks see the old state, then it changes. */
static void go(struct svc *s, enum sup_state st)
{
	timeline_state(s, st);
	events_state(s, st); /* nobody subscribed: nothing happens */
	s->state = st;
	tick();
}

static void test_a_run(void **state)
{
	(void)state;
	struct svc *s = mk("a", SVC_TYPE_ONCE);
	assert_int_equal(timeline_get(s, TL_WANTED), 0);
	go(s, SUP_WAITING);
	s->pid = 42;
	go(s, SUP_STARTING);
	go(s, SUP_RUNNING);
	go(s, SUP_STOPPING);
	s->pid = 0;
	go(s, SUP_STOPPED);
	uint64_t t[TL_COUNT];
	for (int k = 0; k < TL_COUNT; k++) {
		t[k] = timeline_get(s, (enum tl_stamp)k);
		assert_true(t[k] > 0);
		assert_true(t[k] <= sup_now_ms());
		if (k)
			assert_true(t[k] > t[k - 1]);
	}
	/* Wanted again: a new run, the old one's later stamps are gone. */
	go(s, SUP_WAITING);
	assert_true(timeline_get(s, TL_WANTED) > t[TL_EXITED]);
	for (int k = TL_STARTED; k < TL_COUNT; k++)
		assert_int_equal(timeline_get(s, (enum tl_stamp)k), 0);
	drop(s);
}

static void test_respawn_is_wanted_at_its_start(void **state)
{
	(void)state;
	struct svc *s = mk("r", SVC_TYPE_RESPAWN);
	s->state = SUP_BACKOFF;
	s->pid = 7;
	go(s, SUP_STARTING);
	assert_int_equal(timeline_get(s, TL_WANTED), timeline_get(s, TL_STARTED));
	/* A failed start (no process) is no exit. */
	struct svc *f = mk("f", SVC_TYPE_ONCE);
	go(f, SUP_WAITING);
	go(f, SUP_FAILED);
	assert_int_equal(timeline_get(f, TL_EXITED), 0);
	drop(s);
	drop(f);
}

static void test_fields_and_reuse(void **state)
{
	(void)state;
	struct svc *a = mk("a", SVC_TYPE_ONCE), *b = mk("b", SVC_TYPE_ONCE);
	go(a, SUP_WAITING);
	go(b, SUP_WAITING);
	uint32_t tix = a->tix;
	assert_true(tix != 0 && b->tix != 0 && tix != b->tix);
	struct buf o = { 0 };
	timeline_fields(&o, b);
	assert_non_null(o.p);
	int tabs = 0;
	for (char *p = o.p; *p; p++)
		tabs += *p == '\t';
	assert_int_equal(tabs, TL_COUNT);
	buf_free(&o);
	drop(a);
	struct svc *c = mk("c", SVC_TYPE_ONCE);
	go(c, SUP_WAITING);
	assert_int_equal(c->tix, tix); /* the freed entry, cleared */
	assert_int_equal(timeline_get(c, TL_STARTED), 0);
	drop(b);
	drop(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_run),
		cmocka_unit_test(test_respawn_is_wanted_at_its_start),
		cmocka_unit_test(test_fields_and_reuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
