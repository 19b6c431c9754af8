/* svcparse: turns one service description file into a struct svc_def. */
/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cond.h"
#include "live.h"
#include "envop.h"
#include "lex.h"
#include "suggest.h"
#include "svc.h"
#include "svcparse_int.h"

/*
 * The parser never stops at the first problem: every line is checked and
 * every error reported, and only at the end is the definition dropped if any
 * error was seen. Allocation failures are remembered in `oom` and reported
 * once at the end, so handlers simply return on them.
 */

enum svc_kw {
	SVC_KW_DESCRIPTION,
	SVC_KW_TYPE,
	SVC_KW_TARGET,
	SVC_KW_AFTER,
	SVC_KW_BEFORE,
	SVC_KW_REQUIRES,
	SVC_KW_PROVIDES,
	SVC_KW_EXEC,
	SVC_KW_TTY,
	SVC_KW_USER,
	SVC_KW_GROUP,
	SVC_KW_ENV,
	SVC_KW_CWD,
	SVC_KW_UMASK,
	SVC_KW_RLIMIT,
	SVC_KW_STOP,
	SVC_KW_RESPAWN,
	SVC_KW_READY,
	SVC_KW_TIMEOUT,
	SVC_KW_CONDITION,
	SVC_KW_CONDITION_LOST,
	SVC_KW_CONDITION_TIMEOUT,
	SVC_KW_TRIGGER,
	SVC_KW_TIMER,
	SVC_KW_RELOAD,
	SVC_KW_LOG,
	SVC_KW_PIDFILE,
	SVC_KW_WATCHDOG,
	SVC_KW_ON_CRASH,
	SVC_KW_GIVE_UP,
	SVC_KW_CRITICAL,
	SVC_KW_BIND,
	SVC_KW_HOOK,
	SVC_KW_MODULE,
	SVC_KW_COUNT
};

#define SVC_QUOTE_MAX 64 /* longer offending text is shown with "..." */
/* A file this broken is not a service file: stop before the diagnostics
 * of one huge file eat a small board's memory. */
#define SVC_MAX_ERRORS 1000


void svc_err(struct svc_parser *p, unsigned line, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	p->nerr++;
	va_start(ap, fmt);
	int r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0) {
		p->oom = true;
		return;
	}
	diag_add(p->diags, DIAG_ERROR, p->file, line, "%s", msg);
	free(msg);
}

/*
 * Offending text for a message: in double quotes, control bytes escaped,
 * long text cut with a visible "...". The string lives until a few more
 * quotes were made or the parse ends, which is all a message needs.
 */
const char *svc_quote(struct svc_parser *p, const char *s)
{
	size_t len = strlen(s);
	size_t shown = len > SVC_QUOTE_MAX ? SVC_QUOTE_MAX : len;
	char *out = malloc(shown * 4 + 8);
	if (!out) {
		p->oom = true;
		return "\"?\"";
	}
	char *o = out;
	*o++ = '"';
	for (size_t i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += sprintf(o, "\\x%02x", c);
		} else {
			*o++ = (char)c;
		}
	}
	if (shown < len)
		o += sprintf(o, "...");
	*o++ = '"';
	*o = '\0';
	unsigned i = p->quote_next++ % SVC_QUOTE_RING;
	free(p->quotes[i]);
	p->quotes[i] = out;
	return out;
}

char *svc_strdup(struct svc_parser *p, const char *s)
{
	char *d = strdup(s);
	if (!d)
		p->oom = true;
	return d;
}

/* Returns v grown so that index n fits (capacity is always the next power of
 * two, so no capacity needs storing), or NULL with p->oom set (v untouched). */
void *svc_grow(struct svc_parser *p, void *v, size_t n, size_t size)
{
	if (v && n != 0 && (n & (n - 1)) != 0)
		return v;
	size_t cap = n ? n * 2 : 1;
	if (cap < n || cap > SIZE_MAX / size) {
		p->oom = true;
		return NULL;
	}
	void *nv = realloc(v, cap * size);
	if (!nv)
		p->oom = true;
	return nv;
}

static bool svc_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '/' || c == ' ' || c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

static bool svc_word_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' || c < 0x20 || c == 0x7f)
			return false;
	}
	return true;
}

static char *svc_join(struct svc_parser *p, char *const *v, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	char *out = malloc(len);
	if (!out) {
		p->oom = true;
		return NULL;
	}
	char *o = out;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]);
		if (i)
			*o++ = ' ';
		memcpy(o, v[i], l);
		o += l;
	}
	*o = '\0';
	return out;
}

/* ---- keyword handlers: argv[0] is the keyword, counts already checked ---- */

static void svc_kw_description(struct svc_parser *p, struct lex_line *l)
{
	p->s->description = svc_join(p, l->argv + 1, l->argc - 1);
}

static int svc_type_from_name(const char *s)
{
	if (strcmp(s, "wait") == 0)
		return SVC_TYPE_WAIT;
	if (strcmp(s, "once") == 0)
		return SVC_TYPE_ONCE;
	if (strcmp(s, "respawn") == 0)
		return SVC_TYPE_RESPAWN;
	return -1;
}

static void svc_kw_type(struct svc_parser *p, struct lex_line *l)
{
	int t = svc_type_from_name(l->argv[1]);
	if (t < 0) {
		svc_err(p, l->lineno, "type: expected wait, once or respawn, got %s",
			svc_quote(p, l->argv[1]));
		return;
	}
	if (l->argc == 4) {
		unsigned long n;
		if (t != SVC_TYPE_RESPAWN || strcmp(l->argv[2], "limit") != 0) {
			svc_err(p, l->lineno, "type: only \"respawn limit N\" takes more words, got %s",
				svc_quote(p, l->argv[2]));
			return;
		}
		if (lex_uint(l->argv[3], ULONG_MAX, &n) < 0) {
			svc_err(p, l->lineno, "type: respawn limit: expected a number, got %s",
				svc_quote(p, l->argv[3]));
			return;
		}
		SVC_OPT(p->s)->respawn_limit = n;
		SVC_OPT(p->s)->respawn_window_ms = 0;
	} else if (l->argc != 2) {
		svc_err(p, l->lineno, "type: expected wait, once, respawn or \"respawn limit N\"");
		return;
	}
	p->s->type = (enum svc_type)t;
}

static void svc_kw_target(struct svc_parser *p, struct lex_line *l)
{
	int t = svc_target_from_name(l->argv[1]);
	if (t < 0) {
		svc_err(p, l->lineno,
			"target: expected boot, reboot, shutdown or ctrlaltdel, got %s",
			svc_quote(p, l->argv[1]));
		return;
	}
	p->s->target = (enum svc_target)t;
	SVC_OPT(p->s)->target_line = l->lineno;
}

static void svc_refs_add(struct svc_parser *p, struct lex_line *l, struct svc_refs *r)
{
	for (size_t i = 1; i < l->argc; i++) {
		if (!svc_name_ok(l->argv[i])) {
			svc_err(p, l->lineno, "%s: bad service name %s (empty, or has '/', blanks or control characters)",
				l->argv[0], svc_quote(p, l->argv[i]));
			continue;
		}
		if (r->n == SVC_REFS_MAX) {
			/* Bounded: 100,000 names in one file must not cost PID 1
			 * megabytes of names and graph edges. */
			svc_err(p, l->lineno, "%s: more than %d names", l->argv[0], SVC_REFS_MAX);
			return;
		}
		struct svc_ref *v = svc_grow(p, r->v, r->n, sizeof(*v));
		if (!v)
			return;
		r->v = v;
		/* take the string from the line instead of copying it */
		r->v[r->n++] = (struct svc_ref){ .name = l->argv[i], .line = l->lineno };
		l->argv[i] = NULL;
	}
}

static void svc_kw_after(struct svc_parser *p, struct lex_line *l) { svc_refs_add(p, l, &p->s->after); }
static void svc_kw_before(struct svc_parser *p, struct lex_line *l) { svc_refs_add(p, l, &p->s->before); }
static void svc_kw_requires(struct svc_parser *p, struct lex_line *l) { svc_refs_add(p, l, &p->s->requires); }
static void svc_kw_provides(struct svc_parser *p, struct lex_line *l) { svc_refs_add(p, l, &p->s->provides); }

/* Takes argv[from..] of l as one command (the strings move, l keeps NULLs). */
static void svc_cmd_add(struct svc_parser *p, struct lex_line *l, size_t from)
{
	struct svc_def *s = p->s;
	if (l->argv[from][0] == '\0') {
		svc_err(p, l->lineno, "exec: empty command name");
		return;
	}
	size_t n = l->argc - from;
	char **argv = malloc((n + 1) * sizeof(*argv));
	if (!argv) {
		p->oom = true;
		return;
	}
	struct svc_cmd *v = svc_grow(p, s->exec, s->nexec, sizeof(*v));
	if (!v) {
		free(argv);
		return;
	}
	s->exec = v;
	for (size_t i = 0; i < n; i++) {
		argv[i] = l->argv[from + i];
		l->argv[from + i] = NULL;
	}
	argv[n] = NULL;
	s->exec[s->nexec++] = (struct svc_cmd){ .argv = argv, .line = l->lineno };
}

static void svc_kw_exec(struct svc_parser *p, struct lex_line *l)
{
	if (strcmp(l->argv[1], "{") == 0) {
		if (l->argc > 2 && strcmp(l->argv[l->argc - 1], "}") == 0) {
			svc_err(p, l->lineno, "exec: \"}\" must be alone on its line (a block is never one line)");
			return;
		}
		p->block_line = l->lineno;
		p->block_used = l->argc > 2;
		/* Pygos: "exec { cmd args" starts the block with its first command. */
		if (l->argc > 2)
			svc_cmd_add(p, l, 2);
		return;
	}
	svc_cmd_add(p, l, 1);
}

/* One line inside an exec block. */
static void svc_block_line(struct svc_parser *p, struct lex_line *l)
{
	if (strcmp(l->argv[0], "}") != 0) {
		p->block_used = true;
		svc_cmd_add(p, l, 0);
		return;
	}
	if (l->argc != 1) {
		p->block_used = true;
		svc_err(p, l->lineno, "exec: \"}\" must be alone on its line");
		return;
	}
	if (!p->block_used)
		svc_err(p, p->block_line, "exec: empty block");
	p->block_line = 0;
}

static void svc_kw_tty(struct svc_parser *p, struct lex_line *l)
{
	const char *dev = l->argv[l->argc - 1];
	if (l->argc == 3 && strcmp(l->argv[1], "truncate") != 0) {
		svc_err(p, l->lineno, "tty: expected \"truncate\" or one device, got %s",
			svc_quote(p, l->argv[1]));
		return;
	}
	if (l->argc == 2 && strcmp(dev, "truncate") == 0) {
		svc_err(p, l->lineno, "tty: expected a device after \"truncate\"");
		return;
	}
	if (!dev[0]) {
		svc_err(p, l->lineno, "tty: empty device name");
		return;
	}
	SVC_OPT(p->s)->tty_truncate = l->argc == 3;
	SVC_OPT(p->s)->tty = svc_strdup(p, dev);
}

static void svc_kw_user(struct svc_parser *p, struct lex_line *l)
{
	if (!svc_word_ok(l->argv[1])) {
		svc_err(p, l->lineno, "%s: bad name or id %s", l->argv[0], svc_quote(p, l->argv[1]));
		return;
	}
	char **dst = l->argv[0][0] == 'u' ? &SVC_OPT(p->s)->user : &SVC_OPT(p->s)->group;
	*dst = svc_strdup(p, l->argv[1]);
}

static void svc_kw_env(struct svc_parser *p, struct lex_line *l)
{
	struct svc_def *s = p->s;
	const char *kv = l->argv[1];
	size_t kl;
	enum envop op;
	const char *value;
	if (!strchr(kv, '=')) {
		svc_err(p, l->lineno, "env: expected KEY=VALUE, KEY+=VALUE or KEY^=VALUE, got %s",
			svc_quote(p, kv));
		return;
	}
	if (!envop_split(kv, &kl, &op, &value)) {
		svc_err(p, l->lineno, "env: bad variable name in %s (letters, digits and '_', not starting with a digit)",
			svc_quote(p, kv));
		return;
	}
	/* repeated keys are merged once at the end (svc_env_merge) */
	char **v = svc_grow(p, SVC_OPT(s)->env, SVC_OPT(s)->nenv + 1, sizeof(*v));
	if (!v)
		return;
	SVC_OPT(s)->env = v;
	SVC_OPT(s)->env[SVC_OPT(s)->nenv++] = l->argv[1];
	SVC_OPT(s)->env[SVC_OPT(s)->nenv] = NULL;
	l->argv[1] = NULL;
}

struct svc_env_ix {
	const char *kv;
	size_t klen, pos;
};

static int svc_env_cmp(const void *a, const void *b)
{
	const struct svc_env_ix *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->kv, y->kv, n);
	if (c)
		return c;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * A later "env KEY=..." replaces an earlier one, keeping the first one's
 * place. Done by sorting instead of a search per line so that a file with
 * thousands of env lines stays cheap.
 */
static void svc_env_merge(struct svc_parser *p)
{
	struct svc_def *s = p->s;
	size_t n = SVC_OPT(s)->nenv;
	if (n < 2)
		return;
	struct svc_env_ix *ix = malloc(n * sizeof(*ix));
	char **keep = calloc(n, sizeof(*keep));
	if (!ix || !keep) {
		p->oom = true;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		ix[i] = (struct svc_env_ix){ SVC_OPT(s)->env[i], strcspn(SVC_OPT(s)->env[i], "="), i };
	qsort(ix, n, sizeof(*ix), svc_env_cmp);
	for (size_t a = 0, b; a < n; a = b) {
		for (b = a + 1; b < n && ix[b].klen == ix[a].klen &&
				memcmp(ix[b].kv, ix[a].kv, ix[a].klen) == 0; b++)
			;
		keep[ix[a].pos] = (char *)ix[b - 1].kv;
		for (size_t k = a; k + 1 < b; k++)
			free((char *)ix[k].kv);
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (keep[i])
			SVC_OPT(s)->env[m++] = keep[i];
	SVC_OPT(s)->env[m] = NULL;
	SVC_OPT(s)->nenv = m;
out:
	free(ix);
	free(keep);
}

static void svc_kw_cwd(struct svc_parser *p, struct lex_line *l)
{
	if (l->argv[1][0] != '/') {
		svc_err(p, l->lineno, "cwd: expected an absolute path, got %s",
			svc_quote(p, l->argv[1]));
		return;
	}
	SVC_OPT(p->s)->cwd = svc_strdup(p, l->argv[1]);
}

static void svc_kw_umask(struct svc_parser *p, struct lex_line *l)
{
	const char *v = l->argv[1];
	unsigned long m = 0;
	size_t i;
	for (i = 0; v[i] >= '0' && v[i] <= '7' && m <= 0777; i++)
		m = m * 8 + (unsigned long)(v[i] - '0');
	if (i == 0 || v[i] != '\0' || m > 0777) {
		svc_err(p, l->lineno, "umask: expected an octal mask up to 0777, got %s",
			svc_quote(p, v));
		return;
	}
	SVC_OPT(p->s)->umask = (int)m;
}

static const struct {
	const char *name;
	int resource;
} svc_rlimit_names[] = {
	{ "as", RLIMIT_AS },
	{ "core", RLIMIT_CORE },
	{ "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA },
	{ "fsize", RLIMIT_FSIZE },
	{ "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK },
	{ "msgqueue", RLIMIT_MSGQUEUE },
	{ "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE },
	{ "nproc", RLIMIT_NPROC },
	{ "rss", RLIMIT_RSS },
	{ "rtprio", RLIMIT_RTPRIO },
	{ "rttime", RLIMIT_RTTIME },
	{ "sigpending", RLIMIT_SIGPENDING },
	{ "stack", RLIMIT_STACK },
};

static int svc_rlim_value(const char *s, rlim_t *out)
{
	unsigned long v;
	/* the largest number that cannot be mistaken for RLIM_INFINITY */
	unsigned long max = (unsigned long long)RLIM_INFINITY - 1 > ULONG_MAX
		? ULONG_MAX : (unsigned long)(RLIM_INFINITY - 1);
	if (strcmp(s, "unlimited") == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	if (lex_uint(s, max, &v) < 0)
		return -1;
	*out = (rlim_t)v;
	return 0;
}

static void svc_kw_rlimit(struct svc_parser *p, struct lex_line *l)
{
	struct svc_def *s = p->s;
	int res = -1;
	for (size_t i = 0; i < sizeof(svc_rlimit_names) / sizeof(svc_rlimit_names[0]); i++)
		if (strcmp(l->argv[1], svc_rlimit_names[i].name) == 0)
			res = svc_rlimit_names[i].resource;
	if (res < 0) {
		svc_err(p, l->lineno, "rlimit: unknown limit %s (as, core, cpu, data, fsize, locks, "
			"memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack)",
			svc_quote(p, l->argv[1]));
		return;
	}
	struct rlimit lim;
	if (svc_rlim_value(l->argv[2], &lim.rlim_cur) < 0) {
		svc_err(p, l->lineno, "rlimit: expected a number or \"unlimited\", got %s",
			svc_quote(p, l->argv[2]));
		return;
	}
	lim.rlim_max = lim.rlim_cur;
	if (l->argc == 4 && svc_rlim_value(l->argv[3], &lim.rlim_max) < 0) {
		svc_err(p, l->lineno, "rlimit: expected a number or \"unlimited\", got %s",
			svc_quote(p, l->argv[3]));
		return;
	}
	/* RLIM_INFINITY is the largest rlim_t, so this also orders "unlimited" */
	if (lim.rlim_cur > lim.rlim_max) {
		svc_err(p, l->lineno, "rlimit: soft limit %s is above hard limit %s",
			svc_quote(p, l->argv[2]), svc_quote(p, l->argv[3]));
		return;
	}
	for (size_t i = 0; i < SVC_OPT(s)->nrlimits; i++) {
		if (SVC_OPT(s)->rlimits[i].resource == res) {
			SVC_OPT(s)->rlimits[i].lim = lim;
			return;
		}
	}
	struct svc_rlimit *v = svc_grow(p, SVC_OPT(s)->rlimits, SVC_OPT(s)->nrlimits, sizeof(*v));
	if (!v)
		return;
	SVC_OPT(s)->rlimits = v;
	SVC_OPT(s)->rlimits[SVC_OPT(s)->nrlimits++] = (struct svc_rlimit){ .resource = res, .lim = lim };
}

static void svc_kw_stop(struct svc_parser *p, struct lex_line *l)
{
	int sig = svc_signal_from_name(l->argv[1]);
	if (sig < 0) {
		svc_err(p, l->lineno, "stop: unknown signal %s", svc_quote(p, l->argv[1]));
		return;
	}
	if (l->argc == 3 && lex_duration_ms(l->argv[2], &SVC_OPT(p->s)->stop_grace_ms) < 0) {
		svc_err(p, l->lineno, "stop: expected a duration (like 500ms, 3s, 1m), got %s",
			svc_quote(p, l->argv[2]));
		return;
	}
	SVC_OPT(p->s)->stop_signal = sig;
}

static void svc_kw_timeout(struct svc_parser *p, struct lex_line *l)
{
	if (lex_duration_ms(l->argv[1], &SVC_OPT(p->s)->timeout_ms) < 0)
		svc_err(p, l->lineno, "timeout: expected a duration (like 500ms, 3s, 1m), got %s",
			svc_quote(p, l->argv[1]));
}

static void svc_kw_respawn(struct svc_parser *p, struct lex_line *l)
{
	struct svc_def *s = p->s;
	if ((l->argc - 1) % 2 != 0) {
		svc_err(p, l->lineno, "respawn: %s needs a value", svc_quote(p, l->argv[l->argc - 1]));
		return;
	}
	p->respawn_line = l->lineno;
	for (size_t i = 1; i + 1 < l->argc; i += 2) {
		const char *k = l->argv[i], *v = l->argv[i + 1];
		unsigned long *dst;
		if (strcmp(k, "limit") == 0) {
			if (lex_uint(v, ULONG_MAX, &SVC_OPT(s)->respawn_limit) < 0)
				svc_err(p, l->lineno, "respawn: limit: expected a number, got %s",
					svc_quote(p, v));
			continue;
		}
		if (strcmp(k, "jitter") == 0) {
			struct svc_live *lv = svc_live_of(p);
			if (lv && lex_duration_ms(v, &lv->jitter_ms) < 0)
				svc_err(p, l->lineno, "respawn: jitter: expected a duration (like 500ms, 3s, 1m), got %s",
					svc_quote(p, v));
			continue;
		}
		if (strcmp(k, "window") == 0)
			dst = &SVC_OPT(s)->respawn_window_ms;
		else if (strcmp(k, "delay") == 0)
			dst = &SVC_OPT(s)->respawn_delay_ms;
		else if (strcmp(k, "max-delay") == 0)
			dst = &SVC_OPT(s)->respawn_max_delay_ms;
		else {
			svc_err(p, l->lineno, "respawn: unknown setting %s (expected limit, window, delay, max-delay or jitter)",
				svc_quote(p, k));
			continue;
		}
		if (lex_duration_ms(v, dst) < 0)
			svc_err(p, l->lineno, "respawn: %s: expected a duration (like 500ms, 3s, 1m), got %s",
				k, svc_quote(p, v));
	}
}

static void svc_kw_ready(struct svc_parser *p, struct lex_line *l)
{
	struct svc_def *s = p->s;
	unsigned long v;
	if (strcmp(l->argv[1], "notify") == 0) {
		/* sd_notify's READY=1: "ready notify [timeout D]" */
		if (l->argc != 2 && !(l->argc == 4 && strcmp(l->argv[2], "timeout") == 0)) {
			svc_err(p, l->lineno, "ready: usage: ready notify [timeout DURATION]");
			return;
		}
		if (l->argc == 4 && lex_duration_ms(l->argv[3], &SVC_OPT(s)->ready_timeout_ms) < 0) {
			svc_err(p, l->lineno, "ready: timeout: expected a duration (like 500ms, 3s, 1m), got %s",
				svc_quote(p, l->argv[3]));
			return;
		}
		s->ready = SVC_READY_NOTIFY;
		return;
	}
	if (l->argc == 2) {
		svc_err(p, l->lineno, "ready: expected \"fd N\", \"file PATH\" or \"notify\"");
		return;
	}
	if (l->argc == 5) {
		if (strcmp(l->argv[3], "timeout") != 0) {
			svc_err(p, l->lineno, "ready: expected \"timeout\", got %s", svc_quote(p, l->argv[3]));
			return;
		}
		if (lex_duration_ms(l->argv[4], &SVC_OPT(s)->ready_timeout_ms) < 0) {
			svc_err(p, l->lineno, "ready: timeout: expected a duration (like 500ms, 3s, 1m), got %s",
				svc_quote(p, l->argv[4]));
			return;
		}
	} else if (l->argc != 3) {
		svc_err(p, l->lineno, "ready: expected \"fd N\" or \"file PATH\", then optionally \"timeout DURATION\"");
		return;
	}
	if (strcmp(l->argv[1], "fd") == 0) {
		if (lex_uint(l->argv[2], 1023, &v) < 0 || v < 3) {
			svc_err(p, l->lineno, "ready: fd: expected a number from 3 to 1023, got %s",
				svc_quote(p, l->argv[2]));
			return;
		}
		s->ready = SVC_READY_FD;
		s->ready_fd = (int)v;
	} else if (strcmp(l->argv[1], "file") == 0) {
		if (l->argv[2][0] != '/') {
			svc_err(p, l->lineno, "ready: file: expected an absolute path, got %s",
				svc_quote(p, l->argv[2]));
			return;
		}
		s->ready = SVC_READY_FILE;
		SVC_OPT(s)->ready_file = svc_strdup(p, l->argv[2]);
	} else {
		svc_err(p, l->lineno, "ready: expected \"fd\", \"file\" or \"notify\", got %s", svc_quote(p, l->argv[1]));
	}
}

struct svc_keyword {
	const char *name;
	void (*fn)(struct svc_parser *p, struct lex_line *l);
	size_t min, max; /* arguments after the keyword */
	bool once;
	const char *usage;
};

static const struct svc_keyword svc_keywords[SVC_KW_COUNT] = {
	[SVC_KW_DESCRIPTION] = { "description", svc_kw_description, 1, SIZE_MAX, true, "description TEXT" },
	[SVC_KW_TYPE] = { "type", svc_kw_type, 1, 3, true, "type wait|once|respawn" },
	[SVC_KW_TARGET] = { "target", svc_kw_target, 1, 1, true, "target boot|reboot|shutdown|ctrlaltdel" },
	[SVC_KW_AFTER] = { "after", svc_kw_after, 1, SIZE_MAX, false, "after NAME..." },
	[SVC_KW_BEFORE] = { "before", svc_kw_before, 1, SIZE_MAX, false, "before NAME..." },
	[SVC_KW_REQUIRES] = { "requires", svc_kw_requires, 1, SIZE_MAX, false, "requires NAME..." },
	[SVC_KW_PROVIDES] = { "provides", svc_kw_provides, 1, SIZE_MAX, false, "provides NAME..." },
	[SVC_KW_EXEC] = { "exec", svc_kw_exec, 1, SIZE_MAX, false, "exec COMMAND [ARGS...], or \"exec {\"" },
	[SVC_KW_TTY] = { "tty", svc_kw_tty, 1, 2, true, "tty [truncate] DEVICE" },
	[SVC_KW_USER] = { "user", svc_kw_user, 1, 1, true, "user NAME|UID" },
	[SVC_KW_GROUP] = { "group", svc_kw_user, 1, 1, true, "group NAME|GID" },
	[SVC_KW_ENV] = { "env", svc_kw_env, 1, 1, false, "env KEY=VALUE" },
	[SVC_KW_CWD] = { "cwd", svc_kw_cwd, 1, 1, true, "cwd /PATH" },
	[SVC_KW_UMASK] = { "umask", svc_kw_umask, 1, 1, true, "umask OCTAL" },
	[SVC_KW_RLIMIT] = { "rlimit", svc_kw_rlimit, 2, 3, false, "rlimit NAME SOFT [HARD]" },
	[SVC_KW_STOP] = { "stop", svc_kw_stop, 1, 2, true, "stop SIGNAL [GRACE]" },
	[SVC_KW_RESPAWN] = { "respawn", svc_kw_respawn, 2, SIZE_MAX, false,
			     "respawn [limit N] [window D] [delay D] [max-delay D] [jitter D]" },
	[SVC_KW_READY] = { "ready", svc_kw_ready, 1, 4, true, "ready fd N|file PATH|notify [timeout D]" },
	[SVC_KW_TIMEOUT] = { "timeout", svc_kw_timeout, 1, 1, true, "timeout DURATION" },
	[SVC_KW_CONDITION] = { "condition", svc_kw_condition, 1, 3, false, "condition [!]KIND ARGS..." },
	[SVC_KW_CONDITION_LOST] = { "condition-lost", svc_kw_condition_lost, 1, 1, true,
				    "condition-lost keep|restart" },
	[SVC_KW_CONDITION_TIMEOUT] = { "condition-timeout", svc_kw_condition_timeout, 1, 1, true,
				       "condition-timeout DURATION" },
	[SVC_KW_TRIGGER] = { "trigger", svc_kw_trigger, 2, 5, false,
			     "trigger start|reload|restart PATH [created] [changed] [removed]" },
	[SVC_KW_TIMER] = { "timer", svc_kw_timer, 2, SIZE_MAX, false,
			   "timer every DURATION [jitter DURATION] | timer at HH:MM..." },
	[SVC_KW_RELOAD] = { "reload", svc_kw_reload, 2, SIZE_MAX, true,
			    "reload signal SIGNAL | reload exec COMMAND ARGS..." },
	[SVC_KW_LOG] = { "log", svc_kw_log, 1, 3, true, "log ring|console|null [rate LINES]" },
	[SVC_KW_PIDFILE] = { "pidfile", svc_kw_pidfile, 1, 1, true, "pidfile /PATH" },
	[SVC_KW_WATCHDOG] = { "watchdog", svc_kw_watchdog, 1, 1, true, "watchdog DURATION" },
	[SVC_KW_ON_CRASH] = { "on-crash", svc_kw_on_crash, 1, SIZE_MAX, true, "on-crash COMMAND ARGS..." },
	[SVC_KW_GIVE_UP] = { "give-up", svc_kw_give_up, 1, 1, true,
			     "give-up fail|restart-dependents|reboot|failsafe" },
	[SVC_KW_CRITICAL] = { "critical", svc_kw_critical, 0, 0, true, "critical" },
	[SVC_KW_BIND] = { "bind", svc_kw_bind, 2, 3, false, "bind SOURCE TARGET [ro]" },
	[SVC_KW_HOOK] = { "hook", svc_kw_hook, 4, 4, false, "hook FILE before|after TEXT LINE" },
	[SVC_KW_MODULE] = { "module", svc_kw_module, 1, SIZE_MAX, false, "module PATH [PARAM=VALUE...]" },
};
_Static_assert(SVC_KW_COUNT <= sizeof ((struct svc_parser *)0)->first_line /
				   sizeof ((struct svc_parser *)0)->first_line[0],
	       "first_line has room for every keyword");

static void svc_dispatch(struct svc_parser *p, struct lex_line *l)
{
	const char *kw = l->argv[0];
	if (strcmp(kw, "}") == 0) {
		svc_err(p, l->lineno, "\"}\" without \"exec {\"");
		return;
	}
	for (size_t i = 0; i < SVC_KW_COUNT; i++) {
		const struct svc_keyword *k = &svc_keywords[i];
		if (strcmp(kw, k->name) != 0)
			continue;
		size_t nargs = l->argc - 1;
		if (nargs < k->min || nargs > k->max) {
			svc_err(p, l->lineno, "%s: wrong number of arguments (usage: %s)", kw, k->usage);
			return;
		}
		if (k->once && p->first_line[i]) {
			svc_err(p, l->lineno, "duplicate \"%s\" (first on line %u)", kw, p->first_line[i]);
			return;
		}
		if (!p->first_line[i])
			p->first_line[i] = l->lineno;
		k->fn(p, l);
		return;
	}
	struct suggest sg;
	suggest_init(&sg, kw);
	for (size_t i = 0; i < SVC_KW_COUNT; i++)
		suggest_try(&sg, svc_keywords[i].name);
	const char *best = suggest_best(&sg);
	if (best)
		svc_err(p, l->lineno, "unknown keyword %s (did you mean \"%s\"?)", svc_quote(p, kw), best);
	else
		svc_err(p, l->lineno, "unknown keyword %s", svc_quote(p, kw));
}

/* Fills name, instance and arg from the link name; false after reporting. */
static bool svc_split_linkname(struct svc_parser *p, const char *linkname)
{
	struct svc_def *s = p->s;
	if (!linkname || !svc_name_ok(linkname)) {
		svc_err(p, 0, "bad service name %s (empty, or has '/', blanks or control characters)",
			svc_quote(p, linkname ? linkname : ""));
		return false;
	}
	const char *at = strchr(linkname, '@');
	if (at == linkname) {
		svc_err(p, 0, "bad service name %s: nothing before '@'", svc_quote(p, linkname));
		return false;
	}
	if (at && !at[1]) {
		svc_err(p, 0, "bad service name %s: empty argument after '@'", svc_quote(p, linkname));
		return false;
	}
	s->instance = svc_strdup(p, linkname);
	s->name = at ? strndup(linkname, (size_t)(at - linkname)) : svc_strdup(p, linkname);
	if (!s->name)
		p->oom = true;
	if (at)
		SVC_OPT(s)->arg = svc_strdup(p, at + 1);
	return !p->oom;
}

struct svc_def *svc_parse(const char *buf, size_t len, const char *file,
			  const char *linkname, struct diags *diags)
{
	struct svc_parser p = { .file = file, .diags = diags };
	struct svc_def *s = calloc(1, sizeof(*s));
	if (!s) {
		diag_add(diags, DIAG_ERROR, file, 0, "out of memory");
		return NULL;
	}
	struct svc_opt *o = malloc(sizeof *o);
	if (!o) {
		free(s);
		diag_add(diags, DIAG_ERROR, file, 0, "out of memory");
		return NULL;
	}
	*o = svc_opt_default;
	*s = (struct svc_def){
		.type = SVC_TYPE_ONCE,
		.target = SVC_TARGET_BOOT,
		.ready = SVC_READY_NONE,
		.o = o,
	};
	p.s = s;
	if (file) {
		s->file = strdup(file);
		if (!s->file)
			p.oom = true;
	}

	/* A bad link name is reported, and the file is still checked in full. */
	bool name_ok = svc_split_linkname(&p, linkname);
	const char *params[1] = { name_ok ? SVC_OPT(s)->arg : NULL };
	struct lexer lx;
	lex_init(&lx, buf ? buf : "", buf ? len : 0, file, params, params[0] ? 1 : 0, diags);
	if (!params[0])
		lx.noparam_why = name_ok ? "the link name has no @argument"
					 : "the link name is not valid";
	else
		lx.noparam_why = "the link name gives only %0";

	struct lex_line l;
	int r;
	while ((r = lex_next(&lx, &l)) != 0) {
		if (r < 0) {
			p.nerr++;
			p.block_used = true;
			if (p.nerr >= SVC_MAX_ERRORS)
				break;
			continue;
		}
		if (p.block_line)
			svc_block_line(&p, &l);
		else
			svc_dispatch(&p, &l);
		lex_line_free(&l);
		if (p.nerr >= SVC_MAX_ERRORS)
			break;
	}

	if (r != 0) {
		svc_err(&p, lx.lineno, "too many errors (%u), the rest of the file is not checked",
			p.nerr);
		p.block_line = 0;
	}
	if (p.block_line)
		svc_err(&p, p.block_line, "exec: block not closed (no line \"}\")");
	if (p.respawn_line && SVC_OPT(s)->respawn_delay_ms > SVC_OPT(s)->respawn_max_delay_ms)
		svc_err(&p, p.respawn_line, "respawn: delay (%lums) is above max-delay (%lums)",
			SVC_OPT(s)->respawn_delay_ms, SVC_OPT(s)->respawn_max_delay_ms);
	if (s->type == SVC_TYPE_RESPAWN && p.first_line[SVC_KW_TIMEOUT])
		diag_add(diags, DIAG_WARNING, file, p.first_line[SVC_KW_TIMEOUT],
			 "timeout has no effect on a respawn service (it limits how long a wait or "
			 "once service runs; to limit how long it may take to be ready: \"ready ... timeout\")");
	if (p.respawn_line && s->type != SVC_TYPE_RESPAWN)
		diag_add(diags, DIAG_WARNING, file, p.respawn_line,
			 "respawn settings have no effect: the type is \"%s\", not \"respawn\"",
			 svc_type_name(s->type));
	svc_env_merge(&p);
	svc_cond_finish(&p);
	if (p.oom)
		svc_err(&p, 0, "out of memory");
	for (unsigned i = 0; i < SVC_QUOTE_RING; i++)
		free(p.quotes[i]);
	if (p.nerr) {
		svc_def_free(s);
		return NULL;
	}
	return svc_def_pack(s);
}
