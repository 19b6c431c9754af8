/* conditions: the table of facts services wait for, the start gate, user flags, and the `cond` requests. */
/* SPDX-License-Identifier: MIT */
#include "cond_internal.h"
#include "events.h"
#include "timeline.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "log.h"
#include "spawn.h"
#include "trim.h"

struct cond_core cond;

/* ---- facts ---- */

static int fact_key_cmp(uint8_t kind, uint8_t sub, const char *arg, const struct fact *f)
{
	if (kind != f->kind)
		return kind < f->kind ? -1 : 1;
	if (sub != f->sub)
		return sub < f->sub ? -1 : 1;
	return strcmp(arg ? arg : "", f->arg ? f->arg : "");
}

static int fact_cmp(const void *a, const void *b)
{
	const struct fact *x = a, *y = b;
	return fact_key_cmp(x->kind, x->sub, x->arg, y);
}

struct fact *cond_fact_find(const struct svc_cond *c)
{
	size_t lo = 0, hi = cond.nfacts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = fact_key_cmp(c->kind, c->sub, c->arg, &cond.facts[mid]);
		if (!r)
			return &cond.facts[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static bool flag_find(const char *name, size_t *at)
{
	size_t lo = 0, hi = cond.nflags;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(name, cond.flags[mid]);
		if (!r) {
			*at = mid;
			return true;
		}
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*at = lo;
	return false;
}

static bool cmdline_has(const char *word)
{
	if (!cond.cmdline)
		return false;
	size_t wl = strlen(word), len;
	bool exact = strchr(word, '=') != NULL;
	const char *p = cond.cmdline, *w;
	while ((w = cmdline_next_word(&p, &len)))
		if (len >= wl && !strncmp(w, word, wl) &&
		    (len == wl || (!exact && w[wl] == '=')))
			return true;
	return false;
}

static bool service_in_state(const char *name, uint8_t sub)
{
	for (size_t i = 0, n = sup_count(); i < n; i++) {
		const struct svc *s = sup_get(i);
		if (s->removed || !svc_matches(s->def, name))
			continue;
		switch (sub) {
		case COND_SVC_RUNNING:
			if (s->pid > 0 && s->state != SUP_STOPPING)
				return true;
			break;
		case COND_SVC_READY:
			if (s->state == SUP_RUNNING)
				return true;
			break;
		case COND_SVC_FINISHED:
			if (s->state == SUP_DONE)
				return true;
			break;
		case COND_SVC_FAILED:
			if (s->state == SUP_FAILED)
				return true;
			break;
		}
	}
	return false;
}

bool cond_fact_value(const struct fact *f)
{
	static const enum netfacts_ifstate ifmap[COND_IF_COUNT] = {
		NETFACTS_IF_EXISTS, NETFACTS_IF_UP, NETFACTS_IF_CARRIER, NETFACTS_IF_IPV4,
		NETFACTS_IF_IPV6,
	};
	static const int famap[COND_ROUTE_COUNT] = { 0, 2 /* AF_INET */, 10 /* AF_INET6 */ };
	size_t at;
	switch (f->kind) {
	case COND_IFACE:
		return f->sub < COND_IF_COUNT && netfacts_iface(net_facts(), f->arg, ifmap[f->sub]);
	case COND_ROUTE:
		return f->sub < COND_ROUTE_COUNT && netfacts_default_route(net_facts(), famap[f->sub]);
	case COND_SERVICE:
		return service_in_state(f->arg, f->sub);
	case COND_FLAG:
		return flag_find(f->arg, &at);
	default: /* path, cmdline, mounted: kept up to date by their events */
		return f->value;
	}
}

bool cond_holds(const struct svc_cond *c)
{
	const struct fact *f = cond_fact_find(c);
	/* No fact: the table could not be built (memory). Unknown network
	 * state (before the first dump): neither way. Waiting is the safe side. */
	if (!f || ((c->kind == COND_IFACE || c->kind == COND_ROUTE) && !net_known()))
		return false;
	return cond_fact_value(f) != c->neg;
}

struct csvc *cond_csvc(const struct svc *s)
{
	return s->cix && s->cix <= cond.ncsvcs && cond.csvcs[s->cix - 1].s == s
		       ? &cond.csvcs[s->cix - 1]
		       : NULL;
}

void cond_events_sync(void)
{
	for (size_t i = 0; i < cond.nfacts; i++)
		if (cond.facts[i].kind != COND_SERVICE)
			cond.facts[i].reported = cond_fact_value(&cond.facts[i]);
}

/* Each fact whose value changed: when (for status's waits), and an event.
 * A service-state fact changes with that service's state, told by its
 * state events and timeline, not here. */
static void cond_note_changes(void)
{
	for (size_t i = 0; i < cond.nfacts; i++) {
		struct fact *f = &cond.facts[i];
		if (f->kind == COND_SERVICE)
			continue;
		bool v = cond_fact_value(f);
		if (v == f->reported)
			continue;
		f->reported = v;
		f->since = timeline_stamp_now();
		if (!events_wanted())
			continue;
		struct svc_cond c = { .arg = f->arg, .kind = f->kind, .sub = f->sub };
		char *t = cond_text(&c);
		events_cond(t ? t : f->arg, v);
		free(t);
	}
}

/* When f came to its present value (monotonic ms), 0: before the table. */
static uint64_t fact_since(const struct fact *f)
{
	if (f->kind != COND_SERVICE)
		return timeline_stamp_ms(f->since);
	static const enum tl_stamp stamp[COND_SVC_COUNT] = {
		[COND_SVC_RUNNING] = TL_STARTED, [COND_SVC_READY] = TL_READY,
		[COND_SVC_FINISHED] = TL_EXITED, [COND_SVC_FAILED] = TL_EXITED,
	};
	uint64_t t = 0;
	for (size_t i = 0, n = sup_count(); f->sub < COND_SVC_COUNT && i < n; i++) {
		const struct svc *s = sup_get(i);
		if (s->removed || !svc_matches(s->def, f->arg))
			continue;
		uint64_t x = timeline_get(s, stamp[f->sub]);
		if (x > t)
			t = x;
	}
	return t;
}

static char *cond_text_neg(const struct svc_cond *c);

void cond_waits(struct buf *o, const struct svc *s, uint64_t wanted, uint64_t end, bool started)
{
	const struct svc_conds *cs = s->def->o->cs;
	for (size_t k = 0; cs && k < cs->n; k++) {
		const struct svc_cond *c = &cs->v[k];
		const struct fact *f = cond_fact_find(c);
		uint64_t ms = 0;
		if (!started && !cond_holds(c)) {
			ms = end > wanted ? end - wanted : 0; /* still waiting for it */
		} else if (f) {
			uint64_t t = fact_since(f);
			if (t > wanted && t <= end)
				ms = t - wanted;
		}
		char *t = cond_text_neg(c);
		buf_adds(o, "wait\t");
		buf_add_field(o, s->def->instance);
		buf_adds(o, "\t");
		buf_add_field(o, t ? t : "?");
		buf_addf(o, "\t%llu\n", (unsigned long long)ms);
		free(t);
	}
}

void cond_fact_changed(void)
{
	cond_note_changes();
	sup_poke();
}

/* The first condition of s that does not hold, or NULL. */
static const struct svc_cond *first_unmet(const struct svc *s)
{
	const struct svc_conds *cs = s->def->o->cs;
	for (size_t i = 0; cs && i < cs->n; i++)
		if (!cond_holds(&cs->v[i]))
			return &cs->v[i];
	return NULL;
}

/* "!path /x" into a buffer that grows as needed; NULL on no memory. */
static char *cond_text_neg(const struct svc_cond *c)
{
	char *t = cond_text(c), *n = NULL;
	if (!t || !c->neg)
		return t;
	if (asprintf(&n, "!%s", t) < 0)
		n = NULL;
	free(t);
	return n;
}

/* ---- the gate ---- */

/* "waiting for: A, B": every condition that does not hold, so one look at
 * the status says all that is missing. Rebuilt only when it changes. */
static void set_waiting_reason(struct svc *s)
{
	const struct svc_conds *cs = s->def->o->cs;
	struct buf b = { 0 };
	buf_adds(&b, "waiting for: ");
	bool first = true;
	for (size_t i = 0; i < cs->n; i++) {
		if (cond_holds(&cs->v[i]))
			continue;
		char *t = cond_text_neg(&cs->v[i]);
		if (!first)
			buf_adds(&b, ", ");
		buf_adds(&b, t ? t : "?");
		free(t);
		first = false;
	}
	if (b.p && !b.oom && (!s->reason || strcmp(s->reason, b.p))) {
		free(s->reason);
		s->reason = strdup(b.p);
	}
	buf_free(&b);
}

bool cond_gate(struct svc *s)
{
	const struct svc_conds *cs = s->def->o->cs;
	if (!cs)
		return true;
	struct csvc *c = cond_csvc(s);
	if (c && c->cycle)
		return false;
	const struct svc_cond *unmet = first_unmet(s);
	if (unmet) {
		set_waiting_reason(s);
		if (c && (!c->wait_since_ms || c->wait_since_ms < s->state_ms))
			c->wait_since_ms = s->state_ms ? s->state_ms : sup_now_ms();
		return false;
	}
	if (c) {
		c->wait_since_ms = 0;
		if (c->pending) {
			c->pending = false;
			cond.npending--;
			if (c->trig_env)
				spawn_set_extra_env(c->trig_env);
		}
	}
	return true;
}

bool cond_skipped(const struct svc *s)
{
	const struct csvc *c = s->def->o->cs ? cond_csvc(s) : NULL;
	return c && c->cycle;
}

bool cond_waiting(const struct svc *s)
{
	return s->state == SUP_WAITING && s->def->o->cs && first_unmet(s);
}

/* ---- each turn ---- */

void cond_step(void)
{
	if (cond.npending)
		for (size_t i = 0; i < cond.ncsvcs; i++) {
			struct csvc *c = &cond.csvcs[i];
			enum sup_state st = c->s->state;
			if (c->pending && c->s->pid <= 0 && st != SUP_WAITING && st != SUP_BACKOFF)
				sup_want(c->s);
		}
	if (!cond.nlost)
		return;
	for (size_t i = 0; i < cond.ncsvcs; i++) {
		struct svc *s = cond.csvcs[i].s;
		const struct svc_conds *cs = s->def->o->cs;
		if (!cs || !cs->lost_restart || !s->want_up ||
		    (s->state != SUP_STARTING && s->state != SUP_RUNNING && s->state != SUP_BACKOFF))
			continue;
		const struct svc_cond *unmet = first_unmet(s);
		if (!unmet)
			continue;
		char *t = cond_text_neg(unmet);
		log_msg("%s: condition %s no longer holds: stopping it until it does", s->def->instance,
			t ? t : "?");
		free(t);
		sup_cond_lost(s);
	}
}

/* ---- rebuild ---- */

static void csvc_free(struct csvc *c)
{
	for (char **e = c->trig_env; e && *e; e++)
		free(*e);
	free(c->trig_env);
	free(c->due_ms);
	free(c->due_wall);
	free(c->wps);
	free(c->reload_def);
}

/* Collects every condition of def into facts (unsorted, duplicates kept). */
static int facts_collect(const struct svc_def *def, struct fact **v, size_t *n, size_t *cap)
{
	const struct svc_conds *cs = def ? def->o->cs : NULL;
	for (size_t i = 0; cs && i < cs->n; i++) {
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 16;
			struct fact *nv = realloc(*v, nc * sizeof *nv);
			if (!nv)
				return -1;
			*v = nv;
			*cap = nc;
		}
		const struct svc_cond *c = &cs->v[i];
		struct fact f = { .kind = c->kind, .sub = c->sub, .wp = -1 };
		if ((c->arg && !(f.arg = strdup(c->arg))) ||
		    asprintf(&f.where, "%s:%u", def->file ? def->file : def->instance, c->line) < 0) {
			free(f.arg);
			return -1;
		}
		(*v)[(*n)++] = f;
	}
	return 0;
}

static void facts_free(void)
{
	for (size_t i = 0; i < cond.nfacts; i++) {
		free(cond.facts[i].arg);
		free(cond.facts[i].where);
	}
	free(cond.facts);
	cond.facts = NULL;
	cond.nfacts = 0;
}

static int facts_build(void)
{
	struct fact *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0, ns = sup_count(); i < ns; i++) {
		const struct svc *s = sup_get(i);
		if (facts_collect(s->def, &v, &n, &cap) < 0 || facts_collect(s->next_def, &v, &n, &cap) < 0)
			goto oom;
	}
	if (n)
		qsort(v, n, sizeof *v, fact_cmp);
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (w && !fact_cmp(&v[w - 1], &v[i])) {
			free(v[i].arg);
			free(v[i].where);
			continue;
		}
		v[w++] = v[i];
	}
	cond.facts = v;
	cond.nfacts = w;
	return 0;
oom:
	for (size_t i = 0; i < n; i++) {
		free(v[i].arg);
		free(v[i].where);
	}
	free(v);
	return -1;
}

/* Path facts watch their parent directory ("/" for "/x"). */
static char *parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash && slash != path ? (size_t)(slash - path) : 1;
	return strndup(path, len);
}

/* ---- service-state cycles ---- */

static void cycles_check(void)
{
	size_t n = sup_count();
	struct svc_def **defs = calloc(n ? n : 1, sizeof *defs);
	bool *skip = calloc(n ? n : 1, sizeof *skip);
	struct diags d = { 0 };
	if (defs && skip) {
		for (size_t i = 0; i < n; i++)
			defs[i] = sup_get(i)->removed ? NULL : sup_get(i)->def;
		if (cond_find_cycles(defs, n, skip, &d) < 0)
			log_msg("error: out of memory looking for condition cycles");
	}
	for (size_t i = 0; i < d.n; i++)
		log_diag(&d.v[i]);
	for (size_t i = 0; skip && i < n; i++) {
		struct csvc *c = skip[i] ? cond_csvc(sup_get(i)) : NULL;
		if (!c)
			continue;
		c->cycle = true;
		sup_skip(sup_get(i), "condition cycle (see diagnostics)");
	}
	diags_free(&d);
	free(defs);
	free(skip);
}

KEEL_BOOT void cond_rebuild(void)
{
	struct csvc *old = cond.csvcs;
	size_t nold = cond.ncsvcs;
	cond.csvcs = NULL;
	cond.ncsvcs = 0;
	cond.npending = 0;
	cond.nlost = 0;
	cond.need_net = false;
	facts_free();
	watch_points_reset();
	if (facts_build() < 0)
		log_msg("error: out of memory building the conditions' table: services with "
			"conditions wait");

	size_t n = 0, ns = sup_count();
	for (size_t i = 0; i < ns; i++)
		n += sup_get(i)->def->o->cs != NULL;
	cond.csvcs = n ? calloc(n, sizeof *cond.csvcs) : NULL;
	for (size_t i = 0; i < ns; i++) {
		struct svc *s = sup_get(i);
		s->cix = 0;
		const struct svc_conds *cs = s->def->o->cs;
		if (!cs || !cond.csvcs)
			continue;
		struct csvc *c = &cond.csvcs[cond.ncsvcs];
		*c = (struct csvc){ .s = s };
		/* A service still there keeps its pending run and trigger. */
		for (size_t k = 0; k < nold; k++)
			if (old[k].s == s) {
				c->pending = old[k].pending;
				c->trig_env = old[k].trig_env;
				c->skipped_runs = old[k].skipped_runs;
				old[k].trig_env = NULL;
				break;
			}
		c->ntrig = cs->ntrig;
		c->wps = cs->ntrig ? calloc(cs->ntrig, sizeof *c->wps) : NULL;
		for (size_t t = 0; t < cs->ntrig; t++) {
			char *where = NULL, *dir = NULL;
			const char *p = cs->trig[t].path;
			if (!(cs->trig[t].events & COND_EV_PATH)) {
				if (c->wps)
					c->wps[t] = -1; /* mount events only: the mount table's */
				continue;
			}
			const char *slash = strrchr(p, '/');
			dir = strndup(p, slash == p ? 1 : (size_t)(slash - p));
			if (asprintf(&where, "%s:%u", s->def->file ? s->def->file : s->def->instance,
				     cs->trig[t].line) < 0)
				where = NULL;
			if (c->wps)
				c->wps[t] = dir && where ? watch_point_add(dir, where) : -1;
			free(dir);
			free(where);
		}
		timers_plan(c);
		cond.npending += c->pending;
		cond.nlost += cs->lost_restart && cs->n;
		s->cix = (uint32_t)++cond.ncsvcs;
	}
	for (size_t k = 0; k < nold; k++)
		csvc_free(&old[k]);
	free(old);

	for (size_t i = 0; i < cond.nfacts; i++) {
		struct fact *f = &cond.facts[i];
		if (f->kind == COND_CMDLINE)
			f->value = cmdline_has(f->arg);
		else if (f->kind == COND_IFACE || f->kind == COND_ROUTE)
			cond.need_net = true;
		else if (f->kind == COND_PATH) {
			char *dir = parent_dir(f->arg);
			f->wp = dir ? watch_point_add(dir, f->where) : -1;
			free(dir);
		}
	}
	watch_sync_all();
	timers_arm_clock();
	if (cond.need_net)
		net_open();
	cycles_check();
	mount_sync();
	cond_events_sync(); /* a new table: changes are noted from now */
	sup_poke();
}

void cond_set_cmdline(const char *text)
{
	free(cond.cmdline);
	cond.cmdline = text ? strdup(text) : NULL;
}

/* ---- reload of one service ---- */

int cond_reload_service(struct svc *s, const char **err)
{
	if (s->pid <= 0 || s->state == SUP_STOPPING) {
		*err = "not running";
		return -1;
	}
	const struct svc_conds *cs = s->def->o->cs;
	struct csvc *c = cond_csvc(s);
	if (cs && cs->reload_argv && c) {
		/* The reload command runs like the service (user, env, cwd) but
		 * is nobody's process: its exit is reaped and forgotten. The
		 * definition it starts from lives in the csvc until the next
		 * rebuild, after any start in flight has exec'd. */
		if (!c->reload_def && !(c->reload_def = malloc(sizeof *c->reload_def))) {
			*err = "out of memory";
			return -1;
		}
		*c->reload_def = *s->def;
		c->reload_cmd = (struct svc_cmd){ .argv = cs->reload_argv };
		c->reload_def->exec = &c->reload_cmd;
		c->reload_def->nexec = 1;
		c->reload_def->ready = SVC_READY_NONE;
		int rfd, efd;
		bool pending;
		const char *why = NULL;
		spawn_set_detached();
		pid_t pid = spawn_service(c->reload_def, &rfd, &efd, &why, &pending);
		if (pid < 0) {
			*err = why ? why : strerror(errno);
			return -1;
		}
		if (efd >= 0)
			close(efd);
		if (rfd >= 0)
			close(rfd);
		log_info("%s: reloading (%s)", s->def->instance, cs->reload_argv[0]);
		return 0;
	}
	int sig = cs && cs->reload_signal ? cs->reload_signal : SIGHUP;
	if (kill(s->pid, sig) < 0) {
		*err = strerror(errno);
		return -1;
	}
	log_info("%s: reloading (signal %s)", s->def->instance, svc_signal_name(sig) ? svc_signal_name(sig) : "?");
	return 0;
}

/* ---- control requests ---- */

struct use {
	size_t fact;
	bool neg;
	const struct svc *s;
};

static int use_cmp(const void *a, const void *b)
{
	const struct use *x = a, *y = b;
	if (x->fact != y->fact)
		return x->fact < y->fact ? -1 : 1;
	if (x->neg != y->neg)
		return x->neg ? 1 : -1;
	return strcmp(x->s->def->instance, y->s->def->instance);
}

static const char *fact_note(const struct fact *f)
{
	if ((f->kind == COND_IFACE || f->kind == COND_ROUTE) && net_unavailable())
		return "no rtnetlink: stays false";
	if (f->kind == COND_PATH && f->wp >= 0 && watch_point_refused(f->wp))
		return "inotify watch refused: checked every 5s";
	if (f->kind == COND_MOUNTED && mount_unavailable())
		return "no /proc/self/mountinfo: stays false";
	return "";
}

static void cond_list(struct buf *o)
{
	size_t n = 0;
	for (size_t i = 0; i < cond.ncsvcs; i++)
		n += cond.csvcs[i].s->def->o->cs->n;
	struct use *u = calloc(n ? n : 1, sizeof *u);
	if (!u) {
		buf_adds(o, "ERR out of memory\n");
		return;
	}
	size_t m = 0;
	for (size_t i = 0; i < cond.ncsvcs; i++) {
		const struct svc *s = cond.csvcs[i].s;
		const struct svc_conds *cs = s->def->o->cs;
		for (size_t k = 0; k < cs->n; k++) {
			struct fact *f = cond_fact_find(&cs->v[k]);
			if (f)
				u[m++] = (struct use){ .fact = (size_t)(f - cond.facts), .neg = cs->v[k].neg,
						       .s = s };
		}
	}
	qsort(u, m, sizeof *u, use_cmp);
	for (size_t i = 0; i < m;) {
		const struct fact *f = &cond.facts[u[i].fact];
		struct svc_cond c = { .arg = f->arg, .kind = f->kind, .sub = f->sub, .neg = u[i].neg };
		char *t = cond_text_neg(&c);
		buf_adds(o, "cond\t");
		buf_add_field(o, t ? t : "?");
		free(t);
		buf_addf(o, "\t%s\t", cond_fact_value(f) != u[i].neg ? "true" : "false");
		size_t j = i;
		for (; j < m && u[j].fact == u[i].fact && u[j].neg == u[i].neg; j++) {
			if (j > i)
				buf_adds(o, ",");
			buf_add_field(o, u[j].s->def->instance);
		}
		buf_adds(o, "\t");
		buf_add_field(o, fact_note(f));
		buf_adds(o, "\n");
		i = j;
	}
	free(u);
	/* Flags nobody waits for are still worth seeing. */
	for (size_t i = 0; i < cond.nflags; i++) {
		struct svc_cond c = { .arg = cond.flags[i], .kind = COND_FLAG };
		if (cond_fact_find(&c))
			continue;
		buf_adds(o, "cond\tflag ");
		buf_add_field(o, cond.flags[i]);
		buf_adds(o, "\ttrue\t\t\n");
	}
	buf_adds(o, "OK\n");
}

static int flag_set(const char *name, bool on)
{
	size_t at;
	bool have = flag_find(name, &at);
	if (have == on)
		return 0;
	if (on) {
		char *d = strdup(name);
		char **nv = d ? realloc(cond.flags, (cond.nflags + 1) * sizeof *nv) : NULL;
		if (!nv) {
			free(d);
			return -1;
		}
		cond.flags = nv;
		memmove(nv + at + 1, nv + at, (cond.nflags - at) * sizeof *nv);
		nv[at] = d;
		cond.nflags++;
	} else {
		free(cond.flags[at]);
		memmove(cond.flags + at, cond.flags + at + 1, (cond.nflags - at - 1) * sizeof *cond.flags);
		cond.nflags--;
	}
	log_info("flag %s %s", name, on ? "set" : "cleared");
	cond_fact_changed();
	return 0;
}

void cond_request(struct buf *o, char **argv, int argc)
{
	if (argc == 1) {
		cond_list(o);
		return;
	}
	bool set = argc == 3 && !strcmp(argv[1], "set");
	if (argc != 3 || (!set && strcmp(argv[1], "clear"))) {
		buf_adds(o, "ERR usage: cond [set|clear NAME]\n");
		return;
	}
	if (!cond_flag_name_ok(argv[2])) {
		buf_adds(o, "ERR bad flag name (1 to 64 letters, digits, '.', '_' or '-')\n");
		return;
	}
	if (flag_set(argv[2], set) < 0) {
		buf_adds(o, "ERR out of memory\n");
		return;
	}
	buf_addf(o, "OK flag %s %s\n", argv[2], set ? "set" : "cleared");
}

/* ---- triggers ---- */

void cond_trigger_fire(struct csvc *c, const struct svc_trigger *t, const char *path,
		       const char *event)
{
	struct svc *s = c->s;
	const char *err = NULL;
	log_debug("%s: trigger %s: %s %s", s->def->instance,
		  t->action == COND_ACT_START ? "start" : t->action == COND_ACT_RELOAD ? "reload" : "restart",
		  event, path);
	switch (t->action) {
	case COND_ACT_START: {
		/* The newest event replaces one still waiting: a burst makes one
		 * more run, and that run sees the last path. A file created and
		 * then written (IN_CREATE, IN_CLOSE_WRITE) is still new: for the
		 * same path, "created" is not replaced by "changed". */
		if (c->pending && c->trig_env && !strcmp(event, "changed") &&
		    !strcmp(c->trig_env[1], "KEEL_TRIGGER_EVENT=created") &&
		    !strcmp(c->trig_env[0] + strlen("KEEL_TRIGGER_PATH="), path))
			break;
		char **env = calloc(3, sizeof *env);
		if (env && (asprintf(&env[0], "KEEL_TRIGGER_PATH=%s", path) < 0 ||
			    asprintf(&env[1], "KEEL_TRIGGER_EVENT=%s", event) < 0)) {
			free(env[0]);
			free(env);
			env = NULL;
		}
		if (env) {
			for (char **e = c->trig_env; e && *e; e++)
				free(*e);
			free(c->trig_env);
			c->trig_env = env;
		}
		if (!c->pending) {
			c->pending = true;
			cond.npending++;
		}
		if (s->pid <= 0)
			sup_want(s);
		break;
	}
	case COND_ACT_RELOAD:
		if (s->pid > 0 && cond_reload_service(s, &err) < 0)
			log_msg("%s: trigger reload: %s", s->def->instance, err);
		break;
	case COND_ACT_RESTART:
		if (s->pid > 0 && s->state != SUP_STOPPING) {
			log_info("%s: restarting (%s %s)", s->def->instance, event, path);
			sup_request_restart(s);
		}
		break;
	}
}

/* ---- event sources ---- */

uint64_t cond_next_deadline(void)
{
	uint64_t t = timers_next_deadline(), m = mount_next_deadline();
	return !t ? m : !m ? t : t < m ? t : m;
}

void cond_timer_event(void)
{
	timers_due();
	mount_due();
}

void cond_fd_event(int fd, enum loop_tag tag)
{
	switch (tag) {
	case LOOP_COND_INOTIFY: watch_event(fd); break;
	case LOOP_COND_NETLINK: net_event(fd); break;
	case LOOP_COND_CLOCK: clock_event(fd); break;
	case LOOP_COND_MOUNT: mount_event(fd); break;
	default: break;
	}
}
