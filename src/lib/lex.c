/* lex: splits keel's line-based configuration syntax into keyword + arguments. */
/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "hexdigit.h"

/* A growable byte string; every argument is built in one and handed over. */
struct lex_buf {
	char *p;
	size_t n, cap;
};

/* Growable argv, kept NULL-terminated as a lex_line needs it. */
struct lex_args {
	char **v;
	size_t n, cap;
};

static int lex_buf_push(struct lex_buf *b, const char *s, size_t len)
{
	/* +1 keeps room for the terminating NUL at every step. */
	if (b->cap - b->n < len + 1) {
		size_t cap = b->cap ? b->cap : 32;
		while (cap - b->n < len + 1) {
			if (cap > ((size_t)-1) / 2)
				return -1;
			cap *= 2;
		}
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = '\0';
	return 0;
}

static int lex_args_push(struct lex_args *a, char *s)
{
	if (a->cap - a->n < 2) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		if (cap > ((size_t)-1) / sizeof(char *) / 2)
			return -1;
		char **v = realloc(a->v, cap * sizeof(*v));
		if (!v)
			return -1;
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
	return 0;
}

static void lex_args_free(struct lex_args *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	*a = (struct lex_args){0};
}

void lex_init(struct lexer *lx, const char *buf, size_t len, const char *file,
	      const char *const *params, size_t nparams, struct diags *diags)
{
	*lx = (struct lexer){
		.p = buf, .end = buf + len, .file = file, .lineno = 0,
		.params = params, .nparams = nparams, .diags = diags,
		.noparam_why = NULL,
	};
}

void lex_line_free(struct lex_line *l)
{
	if (l->argv) {
		for (size_t i = 0; i < l->argc; i++)
			free(l->argv[i]);
		free(l->argv);
	}
	*l = (struct lex_line){0};
}

/*
 * Reads one escape after a backslash at *qp (inside quotes). Returns the byte
 * (1..255), or -1 after reporting the problem.
 */
static int lex_escape(struct lexer *lx, const char **qp, const char *e)
{
	const char *q = *qp;
	if (q == e) {
		diag_add(lx->diags, DIAG_ERROR, lx->file, lx->lineno, "unterminated quote");
		return -1;
	}
	unsigned char c = (unsigned char)*q++;
	int v;
	switch (c) {
	case 'n': v = '\n'; break;
	case 't': v = '\t'; break;
	case 'r': v = '\r'; break;
	case '\\': v = '\\'; break;
	case '"': v = '"'; break;
	case '\'': v = '\''; break;
	case '%': v = '%'; break; /* Pygos: "\%" is a literal '%', like "%%" */
	case 'a': v = '\a'; break;
	case 'b': v = '\b'; break;
	case 'f': v = '\f'; break;
	case 'v': v = '\v'; break;
	case 'e': v = 0x1b; break;
	case 'x': {
		int h, ndig = 0;
		v = 0;
		while (ndig < 2 && q < e && (h = hex_digit(*q)) >= 0) {
			v = v * 16 + h;
			q++;
			ndig++;
		}
		if (ndig == 0) {
			diag_add(lx->diags, DIAG_ERROR, lx->file, lx->lineno,
				 "bad escape \"\\x\": expected hex digits");
			return -1;
		}
		break;
	}
	default:
		if (c >= '0' && c <= '7') {
			int ndig = 1;
			v = c - '0';
			while (ndig < 3 && q < e && *q >= '0' && *q <= '7') {
				v = v * 8 + (*q - '0');
				q++;
				ndig++;
			}
			if (v > 0377) {
				diag_add(lx->diags, DIAG_ERROR, lx->file, lx->lineno,
					 "bad escape \"\\%.3s\": octal value over 377",
					 q - 3);
				return -1;
			}
			break;
		}
		if (c >= 0x20 && c < 0x7f)
			diag_add(lx->diags, DIAG_ERROR, lx->file, lx->lineno,
				 "bad escape \"\\%c\"", c);
		else
			diag_add(lx->diags, DIAG_ERROR, lx->file, lx->lineno,
				 "bad escape: '\\' followed by byte 0x%02x", c);
		return -1;
	}
	if (v == 0) {
		/* A NUL would silently cut the argument short: refuse it. */
		diag_add(lx->diags, DIAG_ERROR, lx->file, lx->lineno,
			 "escape gives a NUL byte, which cannot be part of an argument");
		return -1;
	}
	*qp = q;
	return v;
}

/* Handles '%' at *qp: appends the parameter or '%' to b. 0, or -1 reported. */
static int lex_percent(struct lexer *lx, const char **qp, const char *e,
		       struct lex_buf *b)
{
	const char *q = *qp + 1;
	if (q < e && *q == '%') {
		*qp = q + 1;
		return lex_buf_push(b, "%", 1) < 0 ? -2 : 0;
	}
	if (q < e && *q >= '0' && *q <= '9') {
		size_t i = (size_t)(*q - '0');
		if (i >= lx->nparams || !lx->params || !lx->params[i]) {
			if (lx->noparam_why)
				diag_add(lx->diags, DIAG_ERROR, lx->file, lx->lineno,
					 "%%%c used but %s", *q, lx->noparam_why);
			else
				diag_add(lx->diags, DIAG_ERROR, lx->file, lx->lineno,
					 "%%%c used but there is no parameter %c", *q, *q);
			return -1;
		}
		*qp = q + 1;
		const char *v = lx->params[i];
		return lex_buf_push(b, v, strlen(v)) < 0 ? -2 : 0;
	}
	if (q < e && (unsigned char)*q > 0x20 && (unsigned char)*q < 0x7f)
		diag_add(lx->diags, DIAG_ERROR, lx->file, lx->lineno,
			 "bad \"%%%c\": '%%' must be followed by a digit or '%%' "
			 "(write \"%%%%%c\" for a literal \"%%%c\")", *q, *q, *q);
	else
		diag_add(lx->diags, DIAG_ERROR, lx->file, lx->lineno,
			 "bad '%%': it must be followed by a digit or '%%' "
			 "(write \"%%%%\" for a literal '%%')");
	return -1;
}

static int lex_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Splits the line [s, e) into arguments. 1: out filled; 0: nothing but blanks
 * or a comment; -1: error reported.
 */
static int lex_split(struct lexer *lx, const char *s, const char *e,
		     struct lex_line *out)
{
	struct lex_args args = {0};
	struct lex_buf b = {0};
	const char *q = s;
	int r = 0;

	for (;;) {
		while (q < e && lex_is_blank(*q))
			q++;
		if (q == e || *q == '#')
			break;
		if (lex_buf_push(&b, "", 0) < 0)
			goto oom;
		while (q < e && !lex_is_blank(*q) && *q != '#') {
			if (*q == '%') {
				r = lex_percent(lx, &q, e, &b);
			} else if (*q == '"') {
				q++;
				while (q < e && *q != '"') {
					if (*q == '%') {
						r = lex_percent(lx, &q, e, &b);
					} else if (*q == '\\') {
						q++;
						int c = lex_escape(lx, &q, e);
						if (c < 0)
							goto fail;
						char ch = (char)c;
						r = lex_buf_push(&b, &ch, 1) < 0 ? -2 : 0;
					} else {
						/* copy the plain run in one go */
						const char *t = q;
						while (t < e && *t != '"' && *t != '%' && *t != '\\')
							t++;
						r = lex_buf_push(&b, q, (size_t)(t - q)) < 0 ? -2 : 0;
						q = t;
					}
					if (r == -2)
						goto oom;
					if (r < 0)
						goto fail;
				}
				if (q == e) {
					diag_add(lx->diags, DIAG_ERROR, lx->file, lx->lineno,
						 "unterminated quote");
					goto fail;
				}
				q++;
			} else {
				const char *t = q;
				while (t < e && !lex_is_blank(*t) && *t != '#' && *t != '"' && *t != '%')
					t++;
				r = lex_buf_push(&b, q, (size_t)(t - q)) < 0 ? -2 : 0;
				q = t;
			}
			if (r == -2)
				goto oom;
			if (r < 0)
				goto fail;
		}
		if (lex_args_push(&args, b.p) < 0)
			goto oom;
		b = (struct lex_buf){0};
	}
	free(b.p);
	if (args.n == 0) {
		free(args.v);
		return 0;
	}
	out->lineno = lx->lineno;
	out->argc = args.n;
	out->argv = args.v;
	return 1;
oom:
	diag_add(lx->diags, DIAG_ERROR, lx->file, lx->lineno, "out of memory");
fail:
	free(b.p);
	lex_args_free(&args);
	return -1;
}

int lex_next(struct lexer *lx, struct lex_line *out)
{
	*out = (struct lex_line){0};
	while (lx->p < lx->end) {
		const char *s = lx->p;
		const char *nl = memchr(s, '\n', (size_t)(lx->end - s));
		const char *e = nl ? nl : lx->end;
		lx->p = nl ? nl + 1 : lx->end;
		if (lx->lineno < UINT_MAX)
			lx->lineno++;
		/* "\r\n" ends a line like "\n" (files edited on other systems). */
		if (e > s && e[-1] == '\r')
			e--;
		if (memchr(s, '\0', (size_t)(e - s))) {
			diag_add(lx->diags, DIAG_ERROR, lx->file, lx->lineno, "NUL byte in line");
			return -1;
		}
		int r = lex_split(lx, s, e, out);
		if (r != 0)
			return r;
	}
	return 0;
}

int lex_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (ULONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

int lex_duration_ms(const char *s, unsigned long *ms)
{
	unsigned long ip = 0;
	unsigned long long frac = 0, fscale = 1;
	const char *q = s;

	if (!s || *q < '0' || *q > '9')
		return -1;
	for (; *q >= '0' && *q <= '9'; q++) {
		unsigned d = (unsigned)(*q - '0');
		if (ip > (ULONG_MAX - d) / 10)
			return -1;
		ip = ip * 10 + d;
	}
	if (*q == '.') {
		q++;
		if (*q < '0' || *q > '9')
			return -1;
		/* Digits past the ninth are below a millisecond for every unit: ignored. */
		for (int n = 0; *q >= '0' && *q <= '9'; q++, n++) {
			if (n < 9) {
				frac = frac * 10 + (unsigned)(*q - '0');
				fscale *= 10;
			}
		}
	}
	unsigned long unit;
	if (strcmp(q, "ms") == 0)
		unit = 1;
	else if (strcmp(q, "s") == 0 || *q == '\0')
		unit = 1000;
	else if (strcmp(q, "m") == 0)
		unit = 60UL * 1000;
	else if (strcmp(q, "h") == 0)
		unit = 3600UL * 1000;
	else
		return -1;
	if (ip > ULONG_MAX / unit)
		return -1;
	unsigned long v = ip * unit;
	/* frac/fscale < 1 and unit <= 3.6e6, so this stays below 3.6e15. */
	unsigned long long part = frac * unit / fscale;
	if (part > ULONG_MAX - v)
		return -1;
	*ms = v + (unsigned long)part;
	return 0;
}

size_t lex_each(const char *buf, size_t len, const char *file, struct diags *d, lex_apply_fn *apply,
		void *ctx)
{
	struct lexer lx;
	struct lex_line l;
	size_t errors = 0;
	int r;
	lex_init(&lx, buf, len, file, NULL, 0, d);
	while ((r = lex_next(&lx, &l)) != 0) {
		if (r < 0) {
			errors++;
			continue;
		}
		if (apply(ctx, l.argv, l.argc, file, l.lineno, d) < 0)
			errors++;
		lex_line_free(&l);
	}
	return errors;
}
