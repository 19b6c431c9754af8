/* healthconf: parses the boot-health file into requirements, a deadline, a commit command and a counter. */
/* SPDX-License-Identifier: MIT */
#include "healthconf.h"

#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "svc.h"

/* The longest counter path: its ".new" sibling must still fit PATH_MAX. */
#define COUNTER_PATH_MAX 4000
/* A deadline beyond a day is a typo, not a policy. */
#define WITHIN_MAX_MS (24UL * 3600 * 1000)
#define FALLBACK_MAX 1000UL

void health_conf_free(struct health_conf *c)
{
	for (size_t i = 0; i < c->nreq; i++)
		free(c->req[i].name);
	free(c->req);
	if (c->commit)
		for (char **a = c->commit; *a; a++)
			free(*a);
	free(c->commit);
	free(c->counter);
	*c = (struct health_conf){ 0 };
}

/* Service names as the service dir holds them: no path, no blanks or
 * control characters (they would break the control output's fields). */
static bool svc_name_ok(const char *n)
{
	if (!*n || *n == '.' || strlen(n) > 255)
		return false;
	for (const char *p = n; *p; p++)
		if (*p == '/' || (unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

static int req_add(struct health_conf *c, const char *name, bool target, unsigned line,
		   const char *file, struct diags *d)
{
	for (size_t i = 0; i < c->nreq; i++) {
		if (c->req[i].target == target && !strcmp(c->req[i].name, name)) {
			diag_add(d, DIAG_NOTE, file, line, "require: %s%s already required at line %u",
				 target ? "target " : "", name, c->req[i].line);
			return 0;
		}
	}
	char *copy = strdup(name);
	struct health_req *v = copy ? realloc(c->req, (c->nreq + 1) * sizeof *v) : NULL;
	if (!v) {
		free(copy);
		diag_add(d, DIAG_ERROR, file, line, "require: out of memory");
		return -1;
	}
	v[c->nreq++] = (struct health_req){ .name = copy, .line = line, .target = target };
	c->req = v;
	return 0;
}

static int kw_require(struct health_conf *c, char *const *a, size_t n, const char *file,
		      unsigned line, struct diags *d)
{
	if (n == 0) {
		diag_add(d, DIAG_ERROR, file, line, "require: expected NAME... or target NAME");
		return -1;
	}
	if (!strcmp(a[0], "target")) {
		if (n != 2) {
			diag_add(d, DIAG_ERROR, file, line,
				 "require target: expected one target name (boot, reboot, shutdown or ctrlaltdel)");
			return -1;
		}
		if (svc_target_from_name(a[1]) < 0) {
			diag_add(d, DIAG_ERROR, file, line,
				 "require target: unknown target \"%s\" (boot, reboot, shutdown or ctrlaltdel)",
				 a[1]);
			return -1;
		}
		return req_add(c, a[1], true, line, file, d);
	}
	int r = 0;
	for (size_t i = 0; i < n; i++) {
		if (!svc_name_ok(a[i])) {
			diag_add(d, DIAG_ERROR, file, line, "require: \"%s\" is not a service name", a[i]);
			r = -1;
		} else if (req_add(c, a[i], false, line, file, d) < 0) {
			r = -1;
		}
	}
	return r;
}

static int kw_commit(struct health_conf *c, char *const *a, size_t n, const char *file,
		     unsigned line, struct diags *d)
{
	if (n == 0 || !*a[0]) {
		diag_add(d, DIAG_ERROR, file, line, "commit: expected COMMAND ARGS...");
		return -1;
	}
	char **v = calloc(n + 1, sizeof *v);
	if (!v)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		v[i] = strdup(a[i]);
		if (!v[i]) {
			for (size_t k = 0; k < i; k++)
				free(v[k]);
			free(v);
			goto oom;
		}
	}
	c->commit = v;
	return 0;
oom:
	diag_add(d, DIAG_ERROR, file, line, "commit: out of memory");
	return -1;
}

static int kw_counter(struct health_conf *c, const char *path, const char *file, unsigned line,
		      struct diags *d)
{
	size_t len = strlen(path);
	const char *base = strrchr(path, '/');
	if (path[0] != '/' || len > COUNTER_PATH_MAX || path[len - 1] == '/' ||
	    !strcmp(base, "/.") || !strcmp(base, "/..")) {
		diag_add(d, DIAG_ERROR, file, line,
			 "counter: \"%s\" is not an absolute path to a file", path);
		return -1;
	}
	c->counter = strdup(path);
	if (!c->counter) {
		diag_add(d, DIAG_ERROR, file, line, "counter: out of memory");
		return -1;
	}
	return 0;
}

/* The keywords given at most once: which line of c records them. */
static unsigned *once_line(struct health_conf *c, const char *name)
{
	if (!strcmp(name, "within"))
		return &c->within_line;
	if (!strcmp(name, "commit"))
		return &c->commit_line;
	if (!strcmp(name, "counter"))
		return &c->counter_line;
	if (!strcmp(name, "fallback-after"))
		return &c->fallback_line;
	if (!strcmp(name, "on-unhealthy"))
		return &c->unhealthy_line;
	return NULL;
}

static int apply(struct health_conf *c, char *const *argv, size_t argc, const char *file,
		 unsigned line, struct diags *d)
{
	const char *name = argv[0];
	char *const *a = argv + 1;
	size_t n = argc - 1;
	if (!strcmp(name, "require"))
		return kw_require(c, a, n, file, line, d);
	unsigned *seen = once_line(c, name);
	if (!seen) {
		diag_add(d, DIAG_ERROR, file, line,
			 "unknown keyword \"%s\" (require, within, commit, counter, fallback-after, on-unhealthy)",
			 name);
		return -1;
	}
	if (*seen) {
		diag_add(d, DIAG_ERROR, file, line, "%s given twice (first at line %u)", name, *seen);
		return -1;
	}
	if (!strcmp(name, "commit")) {
		if (kw_commit(c, a, n, file, line, d) < 0)
			return -1;
		*seen = line;
		return 0;
	}
	if (n != 1) {
		diag_add(d, DIAG_ERROR, file, line, "%s: expected one argument, got %zu", name, n);
		return -1;
	}
	if (!strcmp(name, "within")) {
		unsigned long ms;
		if (lex_duration_ms(a[0], &ms) < 0 || ms == 0 || ms > WITHIN_MAX_MS) {
			diag_add(d, DIAG_ERROR, file, line,
				 "within: bad duration \"%s\" (from 1ms to 24h: 90s, 5m...)", a[0]);
			return -1;
		}
		c->within_ms = ms;
	} else if (!strcmp(name, "counter")) {
		if (kw_counter(c, a[0], file, line, d) < 0)
			return -1;
	} else if (!strcmp(name, "fallback-after")) {
		unsigned long v;
		if (lex_uint(a[0], FALLBACK_MAX, &v) < 0 || v == 0) {
			diag_add(d, DIAG_ERROR, file, line,
				 "fallback-after: bad number \"%s\" (1-%lu failed boots)", a[0],
				 FALLBACK_MAX);
			return -1;
		}
		c->fallback_after = v;
	} else { /* on-unhealthy */
		if (strcmp(a[0], "reboot") && strcmp(a[0], "stay")) {
			diag_add(d, DIAG_ERROR, file, line,
				 "on-unhealthy: expected reboot or stay, not \"%s\"", a[0]);
			return -1;
		}
		c->reboot = !strcmp(a[0], "reboot");
	}
	*seen = line;
	return 0;
}

static int apply_line(void *c, char *const *argv, size_t argc, const char *file, unsigned line,
		      struct diags *d)
{
	return apply((struct health_conf *)c, argv, argc, file, line, d);
}

size_t health_conf_parse(struct health_conf *c, const char *buf, size_t len, const char *file,
			 struct diags *d)
{
	size_t errors = lex_each(buf, len, file, d, apply_line, c);
	/* Checks of the whole: only once every line is read, and only for
	 * lines that parsed (a bad `within` already said so). */
	if (!c->nreq && !errors) {
		diag_add(d, DIAG_ERROR, file, 0,
			 "no require line: nothing says when the boot is healthy");
		errors++;
	}
	if (c->reboot && !c->within_line && !errors) {
		diag_add(d, DIAG_ERROR, file, c->unhealthy_line,
			 "on-unhealthy reboot needs a deadline (within DURATION)");
		errors++;
	}
	if (c->fallback_after && !c->counter && !errors)
		diag_add(d, DIAG_NOTE, file, c->fallback_line,
			 "fallback-after without counter: keel counts no failed boots itself");
	return errors;
}

int health_counter_parse(const char *buf, size_t len, unsigned long *out)
{
	if (len == 0 || len > HEALTH_COUNTER_TEXT_MAX)
		return -1;
	size_t i = 0;
	unsigned long v = 0;
	for (; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
		v = v * 10 + (unsigned long)(buf[i] - '0');
		if (v > HEALTH_COUNTER_MAX)
			return -1;
	}
	if (i == 0)
		return -1;
	for (; i < len; i++)
		if (buf[i] != '\n' && buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r')
			return -1;
	*out = v;
	return 0;
}

size_t health_counter_format(unsigned long v, char *out)
{
	if (v > HEALTH_COUNTER_MAX)
		v = HEALTH_COUNTER_MAX;
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	out[n] = '\n';
	out[n + 1] = '\0';
	return n + 1;
}
