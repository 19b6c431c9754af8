/* jpath: parses and matches jsonfilter's JsonPath subset ($ @ .key ["key"] [N] * unions, filters with = != < <= > >= && || !). */
/* SPDX-License-Identifier: MIT */
#include "jpath.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum nk {
	N_KEY, N_INDEX, N_WILD, N_UNION, N_FILTER,                /* path segments and union items */
	N_PATH, N_STR, N_NUM, N_TRUE, N_FALSE, N_NULL, N_AND, N_OR, N_NOT, N_CMP /* expressions */
};
enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct jp_node {
	enum nk k;
	char *s;        /* N_KEY, N_STR */
	long long idx;  /* N_INDEX */
	double num;     /* N_NUM */
	bool root;      /* N_PATH: starts at $ (else @) */
	enum op op;     /* N_CMP */
	struct jp_node *a, *b;  /* N_PATH: first segment; N_FILTER, N_NOT, N_AND, N_OR, N_CMP: operands */
	struct jp_node **v;     /* N_UNION: items */
	size_t n;
	struct jp_node *next;   /* the next segment of a path */
};

struct lexer {
	const char *s, *p;
	const char *err;
	int depth;
};

static void node_free(struct jp_node *n)
{
	while (n) {
		struct jp_node *next = n->next;
		free(n->s);
		node_free(n->a);
		node_free(n->b);
		for (size_t i = 0; i < n->n; i++)
			node_free(n->v[i]);
		free(n->v);
		free(n);
		n = next;
	}
}

void jp_free(struct jpath *jp)
{
	if (!jp)
		return;
	free(jp->label);
	node_free(jp->path);
	free(jp);
}

static struct jp_node *node(struct lexer *lx, enum nk k)
{
	struct jp_node *n = calloc(1, sizeof *n);
	if (!n)
		lx->err = "out of memory";
	else
		n->k = k;
	return n;
}

static void ws(struct lexer *lx)
{
	while (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\n')
		lx->p++;
}

static bool label_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool label_char(char c)
{
	return label_start(c) || (c >= '0' && c <= '9');
}

static char *dup_n(struct lexer *lx, const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d) {
		lx->err = "out of memory";
		return NULL;
	}
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

static char *label(struct lexer *lx)
{
	const char *s = lx->p;
	while (label_char(*lx->p))
		lx->p++;
	return dup_n(lx, s, (size_t)(lx->p - s));
}

/* A quoted string literal, lx->p on its quote. */
static char *string(struct lexer *lx)
{
	char q = *lx->p++;
	size_t cap = strlen(lx->p) + 1;
	char *out = malloc(cap), *o = out;
	if (!out) {
		lx->err = "out of memory";
		return NULL;
	}
	while (*lx->p && *lx->p != q) {
		char c = *lx->p++;
		if (c == '\\') {
			c = *lx->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '\\': case '\'': case '"': case '/': break;
			default:
				lx->err = "Invalid escape sequence";
				lx->p--;
				free(out);
				return NULL;
			}
		}
		*o++ = c;
	}
	if (*lx->p != q) {
		lx->err = "Unterminated string";
		free(out);
		return NULL;
	}
	lx->p++;
	*o = 0;
	return out;
}

static bool number_start(const char *p)
{
	return (*p >= '0' && *p <= '9') || (*p == '-' && p[1] >= '0' && p[1] <= '9');
}

static struct jp_node *or_expr(struct lexer *lx);

static struct jp_node *union_item(struct lexer *lx)
{
	struct jp_node *n;
	const char *save;
	ws(lx);
	save = lx->p;
	if (*lx->p == '*') {
		lx->p++;
		return node(lx, N_WILD);
	}
	if (*lx->p == '\'' || *lx->p == '"' || number_start(lx->p) || label_start(*lx->p)) {
		/* a key or an index, unless an operator follows: then a filter */
		bool num = number_start(lx->p);
		char *s = NULL;
		long long idx = 0;
		if (num)
			idx = strtoll(lx->p, (char **)&lx->p, 10);
		else if (label_start(*lx->p))
			s = label(lx);
		else
			s = string(lx);
		if (!num && !s)
			return NULL;
		ws(lx);
		if (*lx->p == ']' || *lx->p == ',') {
			if (!(n = node(lx, num ? N_INDEX : N_KEY))) {
				free(s);
				return NULL;
			}
			n->s = s;
			n->idx = idx;
			return n;
		}
		free(s);
		lx->p = save;
	}
	if (!(n = node(lx, N_FILTER)))
		return NULL;
	if (!(n->a = or_expr(lx))) {
		node_free(n);
		return NULL;
	}
	return n;
}

/* The segments after $ or @. */
static struct jp_node *segments(struct lexer *lx)
{
	struct jp_node *head = NULL, **tail = &head;
	for (;;) {
		struct jp_node *n = NULL;
		if (*lx->p == '.') {
			lx->p++;
			if (*lx->p == '*') {
				lx->p++;
				n = node(lx, N_WILD);
			} else if (label_start(*lx->p)) {
				char *s = label(lx);
				if (s && (n = node(lx, N_KEY)))
					n->s = s;
				else
					free(s);
			} else {
				lx->err = "Expecting label or '*'";
			}
		} else if (*lx->p == '[') {
			lx->p++;
			if (!(n = node(lx, N_UNION)))
				break;
			for (;;) {
				struct jp_node *it = union_item(lx);
				if (!it)
					break;
				struct jp_node **nv = realloc(n->v, (n->n + 1) * sizeof *nv);
				if (!nv) {
					node_free(it);
					lx->err = "out of memory";
					break;
				}
				n->v = nv;
				n->v[n->n++] = it;
				ws(lx);
				if (*lx->p == ',') {
					lx->p++;
					continue;
				}
				if (*lx->p == ']')
					lx->p++;
				else
					lx->err = "Expecting ',' or ']'";
				break;
			}
			if (lx->err) {
				node_free(n);
				n = NULL;
			}
		} else {
			return head;
		}
		if (!n) {
			if (!lx->err)
				lx->err = "out of memory";
			node_free(head);
			return NULL;
		}
		*tail = n;
		tail = &n->next;
	}
	node_free(head);
	return NULL;
}

static struct jp_node *path(struct lexer *lx)
{
	struct jp_node *n = node(lx, N_PATH);
	if (!n)
		return NULL;
	n->root = *lx->p == '$';
	lx->p++;
	n->a = segments(lx);
	if (lx->err) {
		node_free(n);
		return NULL;
	}
	return n;
}

static struct jp_node *operand(struct lexer *lx)
{
	struct jp_node *n;
	ws(lx);
	if (++lx->depth > 100) {
		lx->err = "expression too deep";
		return NULL;
	}
	if (*lx->p == '(') {
		lx->p++;
		n = or_expr(lx);
		ws(lx);
		if (n && *lx->p != ')') {
			lx->err = "Expecting ')'";
			node_free(n);
			n = NULL;
		}
		if (n)
			lx->p++;
	} else if (*lx->p == '!') {
		lx->p++;
		if ((n = node(lx, N_NOT)) && !(n->a = operand(lx))) {
			node_free(n);
			n = NULL;
		}
	} else if (*lx->p == '$' || *lx->p == '@') {
		n = path(lx);
	} else if (*lx->p == '\'' || *lx->p == '"') {
		char *s = string(lx);
		if (s && (n = node(lx, N_STR)))
			n->s = s;
		else {
			free(s);
			n = NULL;
		}
	} else if (number_start(lx->p)) {
		if ((n = node(lx, N_NUM)))
			n->num = strtod(lx->p, (char **)&lx->p);
	} else if (strncmp(lx->p, "true", 4) == 0 && !label_char(lx->p[4])) {
		lx->p += 4;
		n = node(lx, N_TRUE);
	} else if (strncmp(lx->p, "false", 5) == 0 && !label_char(lx->p[5])) {
		lx->p += 5;
		n = node(lx, N_FALSE);
	} else if (strncmp(lx->p, "null", 4) == 0 && !label_char(lx->p[4])) {
		lx->p += 4;
		n = node(lx, N_NULL);
	} else {
		lx->err = "Unexpected character";
		n = NULL;
	}
	lx->depth--;
	return n;
}

static struct jp_node *cmp_expr(struct lexer *lx)
{
	struct jp_node *l = operand(lx), *n;
	if (!l)
		return NULL;
	ws(lx);
	enum op op;
	const char *p = lx->p;
	if (p[0] == '=' && p[1] == '=') op = OP_EQ, lx->p += 2;
	else if (p[0] == '=') op = OP_EQ, lx->p += 1;
	else if (p[0] == '!' && p[1] == '=') op = OP_NE, lx->p += 2;
	else if (p[0] == '<' && p[1] == '=') op = OP_LE, lx->p += 2;
	else if (p[0] == '<') op = OP_LT, lx->p += 1;
	else if (p[0] == '>' && p[1] == '=') op = OP_GE, lx->p += 2;
	else if (p[0] == '>') op = OP_GT, lx->p += 1;
	else
		return l;
	if (!(n = node(lx, N_CMP))) {
		node_free(l);
		return NULL;
	}
	n->op = op;
	n->a = l;
	if (!(n->b = operand(lx))) {
		node_free(n);
		return NULL;
	}
	return n;
}

static struct jp_node *bin_expr(struct lexer *lx, bool is_or)
{
	struct jp_node *l = is_or ? bin_expr(lx, false) : cmp_expr(lx);
	while (l) {
		ws(lx);
		if (!(is_or ? (lx->p[0] == '|' && lx->p[1] == '|') : (lx->p[0] == '&' && lx->p[1] == '&')))
			break;
		lx->p += 2;
		struct jp_node *n = node(lx, is_or ? N_OR : N_AND);
		if (!n) {
			node_free(l);
			return NULL;
		}
		n->a = l;
		if (!(n->b = is_or ? bin_expr(lx, false) : cmp_expr(lx))) {
			node_free(n);
			return NULL;
		}
		l = n;
	}
	return l;
}

static struct jp_node *or_expr(struct lexer *lx)
{
	return bin_expr(lx, true);
}

struct jpath *jp_parse(const char *expr, const char **err, size_t *pos)
{
	struct lexer lx = { expr, expr, NULL, 0 };
	struct jpath *jp = calloc(1, sizeof *jp);
	if (!jp) {
		*err = "out of memory";
		*pos = 0;
		return NULL;
	}
	ws(&lx);
	if (label_start(*lx.p)) {
		jp->label = label(&lx);
		ws(&lx);
		if (jp->label && *lx.p == '=') {
			lx.p++;
			ws(&lx);
		} else if (!lx.err) {
			lx.err = "Expecting '='";
		}
	}
	if (!lx.err) {
		if (*lx.p == '$' || *lx.p == '@')
			jp->path = path(&lx);
		else
			lx.err = "Expecting '$' or '@'";
	}
	if (!lx.err) {
		ws(&lx);
		if (*lx.p)
			lx.err = "Unexpected character";
	}
	if (lx.err) {
		*err = lx.err;
		*pos = (size_t)(lx.p - expr);
		jp_free(jp);
		return NULL;
	}
	return jp;
}

struct walk {
	const struct jval *root;
	void (*cb)(const struct jval *v, void *ctx);
	void *ctx;
	size_t count;
};

static void walk(struct walk *w, const struct jp_node *seg, const struct jval *cur);
static bool eval(const struct walk *w, const struct jp_node *e, const struct jval *cur);

static void first_cb(const struct jval *v, void *ctx)
{
	const struct jval **first = ctx;
	if (!*first)
		*first = v;
}

/* The first value a path selects from cur (or the root), or NULL. */
static const struct jval *first_match(const struct walk *w, const struct jp_node *p, const struct jval *cur)
{
	const struct jval *first = NULL;
	struct walk sub = { w->root, first_cb, &first, 0 };
	walk(&sub, p->a, p->root ? w->root : cur);
	return first;
}

struct scalar {
	enum { S_NONE, S_NUM, S_STR, S_BOOL, S_NULL } t;
	double num;
	const char *s;
	int b;
};

static struct scalar scalar_of(const struct walk *w, const struct jp_node *e, const struct jval *cur)
{
	struct scalar s = { S_NONE, 0, NULL, 0 };
	const struct jval *v;
	switch (e->k) {
	case N_STR: s.t = S_STR; s.s = e->s; break;
	case N_NUM: s.t = S_NUM; s.num = e->num; break;
	case N_TRUE: s.t = S_BOOL; s.b = 1; break;
	case N_FALSE: s.t = S_BOOL; s.b = 0; break;
	case N_NULL: s.t = S_NULL; break;
	case N_PATH:
		if (!(v = first_match(w, e, cur)))
			break;
		switch (v->t) {
		case J_INT: s.t = S_NUM; s.num = (double)v->i; break;
		case J_DOUBLE: s.t = S_NUM; s.num = v->d; break;
		case J_STRING: s.t = S_STR; s.s = v->s; break;
		case J_BOOL: s.t = S_BOOL; s.b = v->b; break;
		case J_NULL: s.t = S_NULL; break;
		default: break;
		}
		break;
	default:
		s.t = S_BOOL;
		s.b = eval(w, e, cur);
		break;
	}
	return s;
}

static bool compare(struct scalar a, struct scalar b, enum op op)
{
	int c;
	if (a.t == S_NONE || b.t == S_NONE)
		return false;
	if (a.t != b.t)
		return op == OP_NE;
	switch (a.t) {
	case S_NUM: c = a.num < b.num ? -1 : a.num > b.num; break;
	case S_STR: c = strcmp(a.s, b.s); break;
	case S_BOOL: c = a.b - b.b; break;
	default: c = 0; break;
	}
	switch (op) {
	case OP_EQ: return c == 0;
	case OP_NE: return c != 0;
	case OP_LT: return c < 0;
	case OP_LE: return c <= 0;
	case OP_GT: return c > 0;
	case OP_GE: return c >= 0;
	}
	return false;
}

static bool eval(const struct walk *w, const struct jp_node *e, const struct jval *cur)
{
	switch (e->k) {
	case N_AND: return eval(w, e->a, cur) && eval(w, e->b, cur);
	case N_OR: return eval(w, e->a, cur) || eval(w, e->b, cur);
	case N_NOT: return !eval(w, e->a, cur);
	case N_CMP: return compare(scalar_of(w, e->a, cur), scalar_of(w, e->b, cur), e->op);
	case N_PATH: return first_match(w, e, cur) != NULL;
	case N_TRUE: return true;
	case N_STR: return *e->s != 0;
	case N_NUM: return e->num != 0;
	default: return false;
	}
}

static void item(struct walk *w, const struct jp_node *it, const struct jp_node *next, const struct jval *cur)
{
	switch (it->k) {
	case N_KEY: {
		const struct jval *v = json_get(cur, it->s);
		if (v)
			walk(w, next, v);
		break;
	}
	case N_INDEX:
		if (cur->t == J_ARRAY) {
			long long i = it->idx < 0 ? (long long)cur->n + it->idx : it->idx;
			if (i >= 0 && (unsigned long long)i < cur->n)
				walk(w, next, cur->kids[i]);
		}
		break;
	case N_WILD:
		if (cur->t == J_ARRAY || cur->t == J_OBJECT)
			for (size_t i = 0; i < cur->n; i++)
				walk(w, next, cur->kids[i]);
		break;
	case N_FILTER:
		if (cur->t == J_ARRAY || cur->t == J_OBJECT)
			for (size_t i = 0; i < cur->n; i++)
				if (eval(w, it->a, cur->kids[i]))
					walk(w, next, cur->kids[i]);
		break;
	default:
		break;
	}
}

static void walk(struct walk *w, const struct jp_node *seg, const struct jval *cur)
{
	if (!seg) {
		w->count++;
		w->cb(cur, w->ctx);
		return;
	}
	if (seg->k == N_UNION) {
		for (size_t i = 0; i < seg->n; i++)
			item(w, seg->v[i], seg->next, cur);
	} else {
		item(w, seg, seg->next, cur);
	}
}

size_t jp_match(const struct jpath *jp, const struct jval *doc,
		void (*cb)(const struct jval *v, void *ctx), void *ctx)
{
	struct walk w = { doc, cb, ctx, 0 };
	walk(&w, jp->path->a, doc);
	return w.count;
}
