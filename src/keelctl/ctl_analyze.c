/* ctl_analyze: the boot from keel's timings — analyze blame, analyze critical-chain, chart (SVG), times. */
/* SPDX-License-Identifier: MIT */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { T_WANTED, T_STARTED, T_READY, T_STOPPED, T_EXITED, T_COUNT };

struct tsvc {
	char *name, *state, *type, *deps;
	uint64_t t[T_COUNT]; /* monotonic ms, 0: never */
	uint64_t settled;    /* ready (a `wait`: exited), 0: not yet */
	bool critical;
};

struct times {
	struct tsvc *v;
	size_t n;
	uint64_t keel_start, now, span_end;
	long long now_wall;
	char *text; /* the answer the fields point into */
};

static int tsvc_cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct tsvc *)a)->name, ((const struct tsvc *)b)->name);
}

static struct tsvc *find(struct times *t, const char *name)
{
	struct tsvc key = { .name = (char *)name };
	return t->n ? bsearch(&key, t->v, t->n, sizeof *t->v, tsvc_cmp_name) : NULL;
}

static int read_file(const char *path, struct buf *b)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f)
		return -1;
	char tmp[8192];
	size_t r;
	while ((r = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_add(b, tmp, r);
	int bad = ferror(f);
	if (f != stdin)
		fclose(f);
	return bad || b->oom ? -1 : 0;
}

/* Parses the `times` answer (kept in t->text). 0 or an exit code. */
static int times_parse(const struct ctl *c, struct times *t)
{
	size_t cap = 0;
	bool ok = false;
	for (char *line = t->text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *f[12];
		size_t n = ctl_split_tabs(line, f, 12);
		if (!strncmp(line, "ERR", 3))
			return ctl_fail(c, EXIT_FAILED, "%s", line[3] ? line + 4 : "failed");
		if (!strncmp(line, "OK", 2)) {
			ok = true;
			break;
		}
		if (!strcmp(f[0], "boot") && n >= 5) {
			t->keel_start = strtoull(f[1], NULL, 10);
			t->now = strtoull(f[2], NULL, 10);
			t->now_wall = strtoll(f[3], NULL, 10);
		} else if (!strcmp(f[0], "time") && n == 11) {
			if (t->n == cap) {
				cap = cap ? cap * 2 : 64;
				struct tsvc *v = realloc(t->v, cap * sizeof *v);
				if (!v)
					return ctl_fail(c, EXIT_FAILED, "out of memory");
				t->v = v;
			}
			struct tsvc *s = &t->v[t->n++];
			*s = (struct tsvc){ .name = f[1], .state = f[2], .type = f[3], .deps = f[10] };
			for (int k = 0; k < T_COUNT; k++)
				s->t[k] = strtoull(f[5 + k], NULL, 10);
			if (!strcmp(s->type, "wait"))
				s->settled = s->t[T_EXITED];
			else
				s->settled = s->t[T_READY] ? s->t[T_READY]
					   : !strcmp(s->state, "done") ? s->t[T_EXITED] : 0;
		}
	}
	if (!ok)
		return ctl_fail(c, EXIT_FAILED, "incomplete timings (not a `keelctl times` answer?)");
	if (t->n)
		qsort(t->v, t->n, sizeof *t->v, tsvc_cmp_name);
	for (size_t i = 0; i < t->n; i++)
		for (int k = 0; k < T_COUNT; k++)
			if (t->v[i].t[k] > t->span_end)
				t->span_end = t->v[i].t[k];
	if (t->span_end < t->keel_start)
		t->span_end = t->keel_start;
	return 0;
}

/* The dependency of s that became ready last before s started: the one
 * that held it back. NULL if none held it. */
static struct tsvc *holder(struct times *t, const struct tsvc *s)
{
	struct tsvc *best = NULL;
	char *deps = strdup(s->deps);
	for (char *d = deps, *next; d && *d; d = next) {
		next = strchr(d, ',');
		if (next)
			*next++ = '\0';
		struct tsvc *x = find(t, d);
		if (!x || !x->settled || (s->t[T_STARTED] && x->settled > s->t[T_STARTED]))
			continue;
		if (!best || x->settled > best->settled)
			best = x;
	}
	free(deps);
	return best;
}

static uint64_t since_keel(const struct times *t, uint64_t ms)
{
	return ms > t->keel_start ? ms - t->keel_start : 0;
}

static int blame(const struct ctl *c, struct times *t)
{
	struct tsvc **v = calloc(t->n ? t->n : 1, sizeof *v);
	if (!v)
		return ctl_fail(c, EXIT_FAILED, "out of memory");
	size_t m = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].t[T_WANTED] && t->v[i].settled >= t->v[i].t[T_WANTED])
			v[m++] = &t->v[i];
	/* Longest first; insertion order keeps names sorted among equals. */
	for (size_t i = 1; i < m; i++)
		for (size_t j = i; j > 0 && v[j]->settled - v[j]->t[T_WANTED] >
					     v[j - 1]->settled - v[j - 1]->t[T_WANTED]; j--) {
			struct tsvc *x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	struct buf o = { 0 };
	if (c->json)
		buf_adds(&o, "{\"blame\":[");
	for (size_t i = 0; i < m; i++) {
		uint64_t ms = v[i]->settled - v[i]->t[T_WANTED];
		uint64_t wait = v[i]->t[T_STARTED] > v[i]->t[T_WANTED] ? v[i]->t[T_STARTED] - v[i]->t[T_WANTED] : 0;
		if (c->json) {
			buf_adds(&o, i ? ",{\"name\":" : "{\"name\":");
			buf_add_json(&o, v[i]->name);
			buf_addf(&o, ",\"ms\":%llu,\"waiting_ms\":%llu,\"starting_ms\":%llu}",
				 (unsigned long long)ms, (unsigned long long)wait,
				 (unsigned long long)(ms - wait));
		} else {
			buf_addf(&o, "%6llu.%03llus %s (waiting %llu.%03llus)\n", (unsigned long long)ms / 1000,
				 (unsigned long long)ms % 1000, v[i]->name, (unsigned long long)wait / 1000,
				 (unsigned long long)wait % 1000);
		}
	}
	if (c->json)
		buf_adds(&o, "]}\n");
	free(v);
	if (o.oom)
		return ctl_fail(c, EXIT_FAILED, "out of memory");
	if (o.p)
		fputs(o.p, stdout);
	buf_free(&o);
	return EXIT_OK;
}

/* The service whose readiness came last: the end of the boot. One that
 * crashes and respawns (backoff, failed) or was stopped since is not part
 * of it: its last run's stamps are not the boot's. */
static struct tsvc *last_ready(struct times *t)
{
	struct tsvc *best = NULL;
	for (size_t i = 0; i < t->n; i++) {
		const char *st = t->v[i].state;
		if (strcmp(st, "running") && strcmp(st, "done"))
			continue;
		if (t->v[i].settled && (!best || t->v[i].settled > best->settled))
			best = &t->v[i];
	}
	return best;
}

static void mark_critical(struct times *t, struct tsvc *s)
{
	for (size_t guard = 0; s && guard <= t->n; guard++) {
		s->critical = true;
		s = holder(t, s);
	}
}

static int critical_chain(const struct ctl *c, struct times *t, const char *name)
{
	struct tsvc *s = name ? find(t, name) : last_ready(t);
	if (name && !s)
		return ctl_fail(c, EXIT_FAILED, "%s: no such service", name);
	if (!s)
		return ctl_fail(c, EXIT_FAILED, "no service is ready yet");
	struct buf o = { 0 };
	if (c->json)
		buf_adds(&o, "{\"chain\":[");
	else
		buf_adds(&o, "The time a service was ready (since keel started) is after \"@\", "
			     "the time it took to start after \"+\".\n\n");
	for (size_t depth = 0; s && depth <= t->n; depth++) {
		uint64_t at = s->settled ? since_keel(t, s->settled) : 0;
		uint64_t took = s->settled && s->t[T_STARTED] ? s->settled - s->t[T_STARTED] : 0;
		if (c->json) {
			buf_adds(&o, depth ? ",{\"name\":" : "{\"name\":");
			buf_add_json(&o, s->name);
			buf_addf(&o, ",\"state\":\"%s\",\"ready_ms\":", s->state);
			if (s->settled)
				buf_addf(&o, "%llu", (unsigned long long)at);
			else
				buf_adds(&o, "null");
			buf_addf(&o, ",\"took_ms\":%llu}", (unsigned long long)took);
		} else {
			for (size_t k = 1; k < depth; k++)
				buf_adds(&o, "  ");
			buf_adds(&o, depth ? "└─" : "");
			if (s->settled)
				buf_addf(&o, "%s @%llu.%03llus +%llu.%03llus\n", s->name,
					 (unsigned long long)at / 1000, (unsigned long long)at % 1000,
					 (unsigned long long)took / 1000, (unsigned long long)took % 1000);
			else
				buf_addf(&o, "%s (%s, not ready)\n", s->name, s->state);
		}
		s = holder(t, s);
	}
	if (c->json)
		buf_adds(&o, "]}\n");
	if (o.oom)
		return ctl_fail(c, EXIT_FAILED, "out of memory");
	fputs(o.p, stdout);
	buf_free(&o);
	return EXIT_OK;
}

static void xml_text(struct buf *o, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': buf_adds(o, "&amp;"); break;
		case '<': buf_adds(o, "&lt;"); break;
		case '>': buf_adds(o, "&gt;"); break;
		case '"': buf_adds(o, "&quot;"); break;
		default:
			/* Control characters are not XML. */
			buf_add(o, (unsigned char)*s < 0x20 ? " " : s, 1);
		}
	}
}

static int start_cmp(const void *a, const void *b)
{
	const struct tsvc *x = *(struct tsvc *const *)a, *y = *(struct tsvc *const *)b;
	uint64_t tx = x->t[T_STARTED] ? x->t[T_STARTED] : x->t[T_WANTED];
	uint64_t ty = y->t[T_STARTED] ? y->t[T_STARTED] : y->t[T_WANTED];
	return tx < ty ? -1 : tx > ty ? 1 : strcmp(x->name, y->name);
}

#define CHART_W 1200.0 /* px for the time axis */
#define CHART_LEFT 20
#define CHART_TOP 80
#define ROW_H 18

static int chart(const struct ctl *c, struct times *t)
{
	struct tsvc **v = calloc(t->n ? t->n : 1, sizeof *v);
	if (!v)
		return ctl_fail(c, EXIT_FAILED, "out of memory");
	size_t m = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].t[T_WANTED] || t->v[i].t[T_STARTED])
			v[m++] = &t->v[i];
	if (m)
		qsort(v, m, sizeof *v, start_cmp);
	mark_critical(t, last_ready(t));
	/* A real boot starts the axis at 0 with the kernel's time; a keel
	 * started long after the machine (a container) at keel's start. */
	bool from_boot = t->keel_start < 120000;
	uint64_t origin = from_boot ? 0 : t->keel_start;
	uint64_t end = t->span_end > origin ? t->span_end : origin + 1;
	end += (end - origin) / 20 + 50;
	double scale = CHART_W / (double)(end - origin);
	double width = CHART_LEFT * 2 + CHART_W + 260;
	double height = CHART_TOP + (double)(m + 1) * ROW_H + 40;
	struct buf o = { 0 };
	buf_addf(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		     "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"11\">\n",
		 width, height, width, height);
	buf_addf(&o, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n"
		     "<text x=\"%d\" y=\"22\" font-size=\"16\" font-weight=\"bold\">keel boot chart: %zu "
		     "services</text>\n", CHART_LEFT, m);
	struct tsvc *last = last_ready(t);
	uint64_t boot_ms = last ? since_keel(t, last->settled) : 0;
	buf_addf(&o, "<text x=\"%d\" y=\"40\">kernel %llu.%03llus, keel to last ready %llu.%03llus "
		     "(%s); critical path outlined in red</text>\n", CHART_LEFT,
		 (unsigned long long)t->keel_start / 1000, (unsigned long long)t->keel_start % 1000,
		 (unsigned long long)boot_ms / 1000, (unsigned long long)boot_ms % 1000,
		 last ? last->name : "none");
	/* Legend */
	static const struct {
		const char *color, *word;
	} legend[] = { { "#d9d9d9", "waiting" }, { "#f4b183", "starting" }, { "#9dc3e6", "running" },
		       { "#c6e0b4", "done" }, { "#e06666", "failed" }, { "#b4a7d6", "kernel" } };
	for (size_t k = 0; k < sizeof legend / sizeof legend[0]; k++)
		buf_addf(&o, "<rect x=\"%zu\" y=\"50\" width=\"12\" height=\"12\" fill=\"%s\"/>"
			     "<text x=\"%zu\" y=\"60\">%s</text>\n", CHART_LEFT + k * 90, legend[k].color,
			 CHART_LEFT + k * 90 + 16, legend[k].word);
	/* Grid: about ten lines at a round step. */
	static const uint64_t steps[] = { 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000 };
	uint64_t span = end - origin, step = span / 12 + 1; /* beyond the table: 12 lines */
	for (size_t k = sizeof steps / sizeof steps[0]; k-- > 0;)
		if (span / steps[k] <= 12)
			step = steps[k];
	double rows_end = CHART_TOP + (double)(m + 1) * ROW_H;
	for (uint64_t k = 0, g = 0; g <= span && k <= 60; k++, g = k * step) {
		double x = CHART_LEFT + (double)g * scale;
		buf_addf(&o, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#eeeeee\"/>"
			     "<text x=\"%.1f\" y=\"%d\" fill=\"#777777\">%llu.%03llus</text>\n", x,
			 CHART_TOP - 6, x, rows_end, x + 2, CHART_TOP - 8,
			 (unsigned long long)(g + origin) / 1000, (unsigned long long)(g + origin) % 1000);
	}
	/* Row 0: the kernel, and keel's start as a line through every row. */
	double ks = CHART_LEFT + (double)(t->keel_start - origin) * scale;
	if (from_boot)
		buf_addf(&o, "<rect class=\"kernel\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
			     "fill=\"#b4a7d6\"/>\n", CHART_LEFT, CHART_TOP, ks - CHART_LEFT, ROW_H - 4);
	buf_addf(&o, "<text x=\"%.1f\" y=\"%d\">kernel</text>\n<line class=\"keel-start\" x1=\"%.1f\" "
		     "y1=\"%d\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#674ea7\" stroke-dasharray=\"4,3\"/>\n"
		     "<text x=\"%.1f\" y=\"%.0f\" fill=\"#674ea7\">keel started</text>\n",
		 ks + 4, CHART_TOP + 11, ks, CHART_TOP, ks, rows_end, ks + 4, rows_end + 14);
	for (size_t i = 0; i < m; i++) {
		struct tsvc *s = v[i];
		double y = CHART_TOP + (double)(i + 1) * ROW_H;
		uint64_t w = s->t[T_WANTED] ? s->t[T_WANTED] : s->t[T_STARTED];
		uint64_t st = s->t[T_STARTED], rd = s->settled && s->settled >= st ? s->settled : 0;
		uint64_t stop = s->t[T_EXITED] ? s->t[T_EXITED] : s->t[T_STOPPED] ? s->t[T_STOPPED] : end;
		bool failed = !strcmp(s->state, "failed") || !strcmp(s->state, "skipped");
		struct {
			uint64_t a, b;
			const char *cls, *color;
		} seg[3] = {
			{ w, st ? st : end, "waiting", "#d9d9d9" },
			{ st, st ? (rd ? rd : stop) : 0, "starting", failed && !rd ? "#e06666" : "#f4b183" },
			{ rd, rd ? stop : 0, "running",
			  failed ? "#e06666" : !strcmp(s->state, "done") ? "#c6e0b4" : "#9dc3e6" },
		};
		buf_addf(&o, "<g class=\"service%s\"><title>", s->critical ? " critical" : "");
		xml_text(&o, s->name);
		buf_addf(&o, ": %s</title>\n", s->state);
		for (int k = 0; k < 3; k++) {
			if (!seg[k].a || seg[k].b < seg[k].a)
				continue;
			double x = CHART_LEFT + (double)(seg[k].a - origin) * scale;
			double wd = (double)(seg[k].b - seg[k].a) * scale;
			buf_addf(&o, "<rect class=\"%s\" x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%d\" "
				     "fill=\"%s\"%s/>\n", seg[k].cls, x, y, wd < 1 ? 1 : wd, ROW_H - 4,
				 seg[k].color, s->critical ? " stroke=\"#cc0000\" stroke-width=\"1.5\"" : "");
		}
		/* The label after the bar, or after ready when the bar runs on
		 * to the chart's end. */
		uint64_t lt = stop < end ? stop : rd ? rd : st ? st : w;
		double lx = CHART_LEFT + (double)(lt - origin) * scale + 4;
		uint64_t took = rd && w ? rd - w : 0;
		buf_addf(&o, "<text x=\"%.1f\" y=\"%.0f\"%s>", lx, y + 11,
			 s->critical ? " font-weight=\"bold\" fill=\"#cc0000\"" : "");
		xml_text(&o, s->name);
		if (took)
			buf_addf(&o, " (%llu.%03llus)", (unsigned long long)took / 1000,
				 (unsigned long long)took % 1000);
		buf_adds(&o, "</text></g>\n");
	}
	buf_adds(&o, "</svg>\n");
	free(v);
	if (o.oom)
		return ctl_fail(c, EXIT_FAILED, "out of memory");
	fputs(o.p, stdout);
	buf_free(&o);
	return EXIT_OK;
}

int ctl_analyze(const struct ctl *c, int argc, char **argv)
{
	const char *verb = argv[0];
	const char *view = argc > 1 ? argv[1] : NULL, *name = NULL;
	if (!strcmp(verb, "analyze")) {
		if (!view || (strcmp(view, "blame") && strcmp(view, "critical-chain")) ||
		    argc > (strcmp(view, "blame") ? 3 : 2))
			return ctl_fail(c, EXIT_USAGE, "usage: keelctl analyze blame | critical-chain [NAME]");
		name = argc > 2 ? argv[2] : NULL;
	} else if (argc > 1) {
		return ctl_fail(c, EXIT_USAGE, "usage: keelctl %s [--from FILE]", verb);
	}
	struct buf text = { 0 };
	int rc = 0;
	if (c->from) {
		if (read_file(c->from, &text) < 0)
			rc = ctl_fail(c, EXIT_FAILED, "%s: %s", c->from, errno ? strerror(errno) : "cannot read");
	} else {
		rc = ctl_request(c, "times\n", &text);
	}
	if (rc) {
		buf_free(&text);
		return rc;
	}
	if (!strcmp(verb, "times")) {
		/* The raw answer: what --from reads back (a saved boot). */
		if (text.p)
			fputs(text.p, stdout);
		buf_free(&text);
		return EXIT_OK;
	}
	struct times t = { .text = text.p };
	rc = t.text ? times_parse(c, &t) : ctl_fail(c, EXIT_FAILED, "empty timings");
	if (!rc) {
		if (!strcmp(verb, "chart"))
			rc = chart(c, &t);
		else if (!strcmp(view, "blame"))
			rc = blame(c, &t);
		else
			rc = critical_chain(c, &t, name);
	}
	free(t.v);
	buf_free(&text);
	return rc;
}
