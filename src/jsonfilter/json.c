/* json: parses JSON text into a tree and prints it the way json-c does, for jsonfilter and jshn. */
/* SPDX-License-Identifier: MIT */
#include "json.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../lib/hexdigit.h"

const char *const json_type_names[] = { "null", "boolean", "double", "int", "object", "array", "string" };

enum { MAX_DEPTH = 1000 };

struct parser {
	const char *p, *end;
	const char *err;
	int depth;
};

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static struct jval *new_val(enum jtype t)
{
	struct jval *v = calloc(1, sizeof *v);
	if (v)
		v->t = t;
	return v;
}

void json_free(struct jval *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		json_free(v->kids[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->kids);
	free(v->keys);
	free(v->s);
	free(v);
}

static int grow(struct jval *v)
{
	if (v->n < v->cap)
		return 0;
	size_t cap = v->cap ? v->cap * 2 : 4;
	struct jval **k = realloc(v->kids, cap * sizeof *k);
	if (!k)
		return -1;
	v->kids = k;
	if (v->t == J_OBJECT) {
		char **ks = realloc(v->keys, cap * sizeof *ks);
		if (!ks)
			return -1;
		v->keys = ks;
	}
	v->cap = cap;
	return 0;
}

struct jval *json_new_array(void)
{
	return new_val(J_ARRAY);
}

int json_array_add(struct jval *a, struct jval *v)
{
	if (grow(a) < 0)
		return -1;
	a->kids[a->n++] = v;
	return 0;
}

struct jval *json_get(const struct jval *o, const char *key)
{
	if (!o || o->t != J_OBJECT)
		return NULL;
	for (size_t i = o->n; i-- > 0;)
		if (strcmp(o->keys[i], key) == 0)
			return o->kids[i];
	return NULL;
}

static int hex4(struct parser *ps, unsigned *out)
{
	if (ps->end - ps->p < 4)
		return -1;
	unsigned u = 0;
	for (int i = 0; i < 4; i++) {
		int h = hex_digit(ps->p[i]);
		if (h < 0)
			return -1;
		u = u << 4 | (unsigned)h;
	}
	ps->p += 4;
	*out = u;
	return 0;
}

static size_t put_utf8(char *o, unsigned c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | c >> 12);
		o[1] = (char)(0x80 | (c >> 6 & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | c >> 18);
	o[1] = (char)(0x80 | (c >> 12 & 0x3f));
	o[2] = (char)(0x80 | (c >> 6 & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* A string after its opening quote q (" or ', which json-c accepts too). */
static char *parse_string(struct parser *ps, char q, size_t *len)
{
	const char *start = ps->p;
	/* the output is never longer than the input up to the closing quote */
	size_t cap = 1;
	for (const char *c = start; c < ps->end && *c != q; c++, cap++)
		if (*c == '\\' && c + 1 < ps->end)
			c++, cap++;
	char *out = malloc(cap + 4), *o = out;
	if (!out) {
		ps->err = "out of memory";
		return NULL;
	}
	while (ps->p < ps->end && *ps->p != q) {
		unsigned char c = (unsigned char)*ps->p++;
		if (c < 0x20) {
			ps->err = "control character in a string";
			goto bad;
		}
		if (c != '\\') {
			*o++ = (char)c;
			continue;
		}
		if (ps->p >= ps->end)
			break;
		c = (unsigned char)*ps->p++;
		unsigned u, lo;
		switch (c) {
		case '"': case '\'': case '\\': case '/': *o++ = (char)c; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (hex4(ps, &u) < 0) {
				ps->err = "bad \\u escape";
				goto bad;
			}
			/* a surrogate pair is one code point; a lone half becomes U+FFFD */
			if (u >= 0xd800 && u < 0xdc00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
			    ps->p[1] == 'u') {
				ps->p += 2;
				if (hex4(ps, &lo) < 0) {
					ps->err = "bad \\u escape";
					goto bad;
				}
				if (lo >= 0xdc00 && lo < 0xe000)
					u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				else {
					o += put_utf8(o, 0xfffd);
					u = lo;
				}
			}
			if (u >= 0xd800 && u < 0xe000)
				u = 0xfffd;
			o += put_utf8(o, u);
			break;
		default:
			ps->err = "bad escape in a string";
			goto bad;
		}
	}
	if (ps->p >= ps->end) {
		ps->err = "unterminated string";
		goto bad;
	}
	ps->p++;
	*o = 0;
	*len = (size_t)(o - out);
	return out;
bad:
	free(out);
	return NULL;
}

static struct jval *parse_value(struct parser *ps);

static struct jval *parse_number(struct parser *ps)
{
	const char *s = ps->p;
	bool frac = false;
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
		ps->err = "unexpected character";
		return NULL;
	}
	if (*ps->p == '0')
		ps->p++;
	else
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	if (ps->p < ps->end && *ps->p == '.') {
		frac = true;
		ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
			ps->err = "bad number";
			return NULL;
		}
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		frac = true;
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
			ps->err = "bad number";
			return NULL;
		}
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	size_t n = (size_t)(ps->p - s);
	char *txt = malloc(n + 1);
	struct jval *v = new_val(frac ? J_DOUBLE : J_INT);
	if (!txt || !v) {
		free(txt);
		free(v);
		ps->err = "out of memory";
		return NULL;
	}
	memcpy(txt, s, n);
	txt[n] = 0;
	if (frac) {
		v->d = strtod(txt, NULL);
		v->s = txt;
		v->slen = n;
	} else {
		/* json-c clamps integers out of range to the int64 limits */
		errno = 0;
		v->i = strtoll(txt, NULL, 10);
		free(txt);
	}
	return v;
}

static struct jval *parse_container(struct parser *ps, bool obj)
{
	struct jval *v = new_val(obj ? J_OBJECT : J_ARRAY);
	if (!v) {
		ps->err = "out of memory";
		return NULL;
	}
	if (++ps->depth > MAX_DEPTH) {
		ps->err = "nesting too deep";
		goto bad;
	}
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == (obj ? '}' : ']')) {
		ps->p++;
		ps->depth--;
		return v;
	}
	for (;;) {
		char *key = NULL;
		size_t klen;
		skip_ws(ps);
		if (obj) {
			if (ps->p >= ps->end || (*ps->p != '"' && *ps->p != '\'')) {
				ps->err = ps->p >= ps->end ? "unexpected end of data" : "object key expected";
				goto bad;
			}
			ps->p++;
			if (!(key = parse_string(ps, ps->p[-1], &klen)))
				goto bad;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				ps->err = "':' expected";
				goto bad;
			}
			ps->p++;
		}
		struct jval *kid = parse_value(ps);
		if (!kid) {
			free(key);
			goto bad;
		}
		struct jval *old = obj ? json_get(v, key) : NULL;
		if (old) {
			/* json-c: a repeated key replaces the value in its place */
			for (size_t i = 0; i < v->n; i++)
				if (v->kids[i] == old) {
					json_free(old);
					v->kids[i] = kid;
				}
			free(key);
		} else {
			if (grow(v) < 0) {
				json_free(kid);
				free(key);
				ps->err = "out of memory";
				goto bad;
			}
			if (obj)
				v->keys[v->n] = key;
			v->kids[v->n++] = kid;
		}
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == (obj ? '}' : ']')) {
			ps->p++;
			break;
		}
		ps->err = ps->p >= ps->end ? "unexpected end of data" : (obj ? "',' or '}' expected" : "',' or ']' expected");
		goto bad;
	}
	ps->depth--;
	return v;
bad:
	json_free(v);
	return NULL;
}

static struct jval *parse_word(struct parser *ps, const char *w, enum jtype t, int b)
{
	size_t n = strlen(w);
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0) {
		ps->err = "unexpected character";
		return NULL;
	}
	ps->p += n;
	struct jval *v = new_val(t);
	if (!v)
		ps->err = "out of memory";
	else
		v->b = b;
	return v;
}

static struct jval *parse_value(struct parser *ps)
{
	skip_ws(ps);
	if (ps->p >= ps->end) {
		ps->err = "unexpected end of data";
		return NULL;
	}
	switch (*ps->p) {
	case '{': return parse_container(ps, true);
	case '[': return parse_container(ps, false);
	case '"':
	case '\'': {
		ps->p++;
		size_t len;
		char *s = parse_string(ps, ps->p[-1], &len);
		if (!s)
			return NULL;
		struct jval *v = new_val(J_STRING);
		if (!v) {
			free(s);
			ps->err = "out of memory";
			return NULL;
		}
		v->s = s;
		v->slen = len;
		return v;
	}
	case 't': return parse_word(ps, "true", J_BOOL, 1);
	case 'f': return parse_word(ps, "false", J_BOOL, 0);
	case 'n': return parse_word(ps, "null", J_NULL, 0);
	default: return parse_number(ps);
	}
}

struct jval *json_parse(const char *buf, size_t len, size_t *used, const char **err)
{
	struct parser ps = { buf, buf + len, NULL, 0 };
	struct jval *v = parse_value(&ps);
	if (!v) {
		*err = ps.err ? ps.err : "parse error";
		return NULL;
	}
	skip_ws(&ps);
	*used = (size_t)(ps.p - buf);
	return v;
}

void json_print_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '/': fputs("\\/", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

void json_print(FILE *f, const struct jval *v)
{
	switch (v->t) {
	case J_NULL: fputs("null", f); break;
	case J_BOOL: fputs(v->b ? "true" : "false", f); break;
	case J_INT: fprintf(f, "%lld", v->i); break;
	case J_DOUBLE:
		if (v->s)
			fputs(v->s, f);
		else
			fprintf(f, "%.17g", v->d);
		break;
	case J_STRING: json_print_string(f, v->s, v->slen); break;
	case J_ARRAY:
	case J_OBJECT:
		fputs(v->t == J_OBJECT ? "{" : "[", f);
		for (size_t i = 0; i < v->n; i++) {
			fputs(i ? ", " : " ", f);
			if (v->t == J_OBJECT) {
				json_print_string(f, v->keys[i], strlen(v->keys[i]));
				fputs(": ", f);
			}
			json_print(f, v->kids[i]);
		}
		fputs(v->t == J_OBJECT ? " }" : " ]", f);
		break;
	}
}
