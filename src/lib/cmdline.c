/* cmdline: keel's options on the kernel command line (keel.debug, keel.quiet, keel.single, keel.target=, quiet). */
/* SPDX-License-Identifier: MIT */
#include "cmdline.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"

#define WHERE "kernel command line"

static bool word_is(const char *w, size_t n, const char *lit)
{
	return strlen(lit) == n && !memcmp(w, lit, n);
}

long cmdline_size(const char *s, size_t n)
{
	char buf[32];
	if (!n || n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	long mult = 1;
	char last = buf[n - 1];
	if (last == 'K' || last == 'k')
		mult = 1024;
	else if (last == 'M' || last == 'm')
		mult = 1024 * 1024;
	if (mult > 1)
		buf[--n] = '\0';
	unsigned long v;
	if (lex_uint(buf, (unsigned long)(LONG_MAX / mult), &v) < 0)
		return -1;
	return (long)v * mult;
}

/* keel.log=MODE and keel.log.NAME=VALUE (eq points at '=', vlen+1 bytes). */
static void cmdline_log(const char *opt, size_t olen, const char *eq, size_t eqlen,
			struct cmdline *out, struct diags *diags)
{
	if (!eq) {
		diag_add(diags, DIAG_WARNING, WHERE, 0, "keel.%.*s needs a value", (int)olen, opt);
		return;
	}
	const char *val = eq + 1;
	size_t vlen = eqlen - 1;
	const char *key = olen > 4 ? opt + 4 : "";
	size_t klen = olen > 4 ? olen - 4 : 0;
	if (olen == 3) {
		static const char *const modes[] = { "ring", "console", "null" };
		for (int m = 0; m < 3; m++)
			if (word_is(val, vlen, modes[m]))
				out->log_mode = m;
		if (out->log_mode < 0)
			diag_add(diags, DIAG_WARNING, WHERE, 0,
				 "keel.log: expected ring, console or null, got \"%.*s\"", (int)vlen, val);
		return;
	}
	if (word_is(key, klen, "file")) {
		free(out->log_file);
		out->log_file = vlen && val[0] == '/' ? strndup(val, vlen) : NULL;
		if (!out->log_file)
			diag_add(diags, DIAG_WARNING, WHERE, 0,
				 "keel.log.file: expected an absolute path, got \"%.*s\"", (int)vlen, val);
		return;
	}
	bool ok = false;
	if (word_is(key, klen, "size") || word_is(key, klen, "filesize")) {
		long v = cmdline_size(val, vlen);
		ok = v >= 4096;
		if (ok)
			*(key[0] == 's' ? &out->log_size : &out->log_filesize) = v;
	} else if (word_is(key, klen, "rate")) {
		long v = cmdline_size(val, vlen);
		ok = v >= 0;
		if (ok)
			out->log_rate = v;
	} else if (word_is(key, klen, "flush")) {
		char buf[32];
		unsigned long ms;
		if (vlen < sizeof buf) {
			memcpy(buf, val, vlen);
			buf[vlen] = '\0';
			ok = lex_duration_ms(buf, &ms) == 0 && ms >= 100 && ms <= LONG_MAX;
			if (ok)
				out->log_flush_ms = (long)ms;
		}
	} else {
		diag_add(diags, DIAG_WARNING, WHERE, 0, "unknown option \"keel.%.*s\"", (int)olen, opt);
		return;
	}
	if (!ok)
		diag_add(diags, DIAG_WARNING, WHERE, 0, "keel.%.*s: bad value \"%.*s\" (ignored)",
			 (int)olen, opt, (int)vlen, val);
}

/* Works on the word in place: no allocation per word of a command line
 * that is mostly the kernel's own options. */
static void cmdline_word(const char *w, size_t n, struct cmdline *out, struct diags *diags)
{
	const char *eq = memchr(w, '=', n);
	size_t klen = eq ? (size_t)(eq - w) : n;
	if (word_is(w, klen, "single") || word_is(w, klen, "S")) {
		if (!eq)
			out->single = true;
		return;
	}
	/* The kernel's "quiet" asks for a quiet boot: init's lines too (as
	 * systemd and finit read it). */
	if (!eq && word_is(w, klen, "quiet")) {
		out->quiet = true;
		return;
	}
	if (klen < 5 || memcmp(w, "keel.", 5))
		return;
	const char *opt = w + 5;
	size_t olen = klen - 5;
	if (!eq && word_is(opt, olen, "debug")) {
		out->debug = true;
	} else if (!eq && word_is(opt, olen, "quiet")) {
		out->quiet = true;
	} else if (!eq && word_is(opt, olen, "verbose")) {
		out->verbose = true;
	} else if (!eq && word_is(opt, olen, "single")) {
		out->single = true;
	} else if (eq && word_is(opt, olen, "target")) {
		const char *val = eq + 1;
		size_t vlen = n - klen - 1;
		char name[32]; /* longer than any target name */
		int t = -1;
		if (vlen < sizeof name) {
			memcpy(name, val, vlen);
			name[vlen] = '\0';
			t = svc_target_from_name(name);
		}
		if (t < 0 || t == SVC_TARGET_CTRLALTDEL)
			diag_add(diags, DIAG_WARNING, WHERE, 0,
				 "keel.target: unknown target \"%.*s\" (using boot)", (int)vlen, val);
		else
			out->target = (enum svc_target)t;
	} else if (eq && word_is(opt, olen, "watchdog")) {
		free(out->watchdog);
		out->watchdog = strndup(eq + 1, n - klen - 1);
	} else if (eq && word_is(opt, olen, "watchdog.timeout")) {
		long v = cmdline_size(eq + 1, n - klen - 1);
		if (v > 0 && v < 3600)
			out->watchdog_timeout = v;
		else
			diag_add(diags, DIAG_WARNING, WHERE, 0, "keel.watchdog.timeout: bad value \"%.*s\"",
				 (int)(n - klen - 1), eq + 1);
	} else if (olen >= 3 && !memcmp(opt, "log", 3) && (olen == 3 || opt[3] == '.')) {
		cmdline_log(opt, olen, eq, n - klen, out, diags);
	} else if (eq && word_is(opt, olen, "skip")) {
		/* keel.skip=NAME,...: services not started (src/keel/skip.c) */
	} else if ((olen > 5 && !memcmp(opt, "skip.", 5)) || (olen > 5 && !memcmp(opt, "flag.", 5))) {
		/* Left for `condition cmdline keel.skip.NAME`: not keel's own. */
	} else {
		diag_add(diags, DIAG_WARNING, WHERE, 0, "unknown option \"%.*s\"", (int)n, w);
	}
}

const char *cmdline_next_word(const char **pp, size_t *len)
{
	const char *p = *pp;
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p) {
		*pp = p;
		return NULL;
	}
	const char *start = p;
	bool quoted = false;
	while (*p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n'))) {
		if (*p == '"')
			quoted = !quoted;
		p++;
	}
	*len = (size_t)(p - start);
	*pp = p;
	return start;
}

void cmdline_parse(const char *text, struct cmdline *out, struct diags *diags)
{
	*out = (struct cmdline){ .target = SVC_TARGET_BOOT, .log_mode = -1, .log_size = -1,
				 .log_rate = -1, .log_filesize = -1, .log_flush_ms = -1,
				 .watchdog_timeout = -1 };
	const char *p = text, *w;
	size_t n;
	while ((w = cmdline_next_word(&p, &n)))
		cmdline_word(w, n, out, diags);
}

void cmdline_free(struct cmdline *c)
{
	free(c->log_file);
	c->log_file = NULL;
	free(c->watchdog);
	c->watchdog = NULL;
}
