/* jsonfilter: prints the parts of a JSON document a JsonPath selects (OpenWrt's jsonfilter); as jshn -r/-R, the document as jshn.sh calls. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jpath.h"
#include "json.h"

static void usage(const char *app)
{
	printf("Usage: %s [-a] [-q] [-i FILE | -s JSON] [-l LIMIT] [-F SEP] {-e PATH | -e VAR=PATH | -t PATH}...\n"
	       "  -a       the input is a sequence of JSON values, taken as one array\n"
	       "  -i FILE  read FILE (default standard input); -s JSON: this text\n"
	       "  -e PATH  print what PATH selects; VAR=PATH: an \"export VAR=...; \" for eval\n"
	       "  -t PATH  print the types of what PATH selects\n"
	       "  -l N     at most N results per PATH; -F SEP: separator of VAR= values\n"
	       "  -q       no error messages\n"
	       "PATH: $ or @ (the document), then .key, [\"key\"], [N], [*], .*, unions [a,b],\n"
	       "filters [@.key='value'] with = != < <= > >= && || ! and parentheses.\n",
	       app);
}

/* The whole of f, NUL-terminated; NULL when out of memory or unreadable. */
static char *slurp(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	while (b) {
		if (n + 1 >= cap) {
			char *nb = realloc(b, cap *= 2);
			if (!nb) {
				free(b);
				return NULL;
			}
			b = nb;
		}
		size_t r = fread(b + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0) {
			if (ferror(f)) {
				free(b);
				return NULL;
			}
			break;
		}
	}
	if (b) {
		b[n] = 0;
		*len = n;
	}
	return b;
}

static struct jval *parse_doc(const char *buf, size_t len, bool array_mode, const char **err)
{
	size_t used;
	if (!array_mode) {
		struct jval *v = json_parse(buf, len, &used, err);
		if (v && used != len) {
			/* json-c's tokener stops after one value: trailing text is ignored */
			(void)used;
		}
		return v;
	}
	struct jval *a = json_new_array();
	if (!a) {
		*err = "out of memory";
		return NULL;
	}
	size_t off = 0;
	while (off < len) {
		while (off < len && strchr(" \t\r\n", buf[off]))
			off++;
		if (off == len)
			break;
		struct jval *v = json_parse(buf + off, len - off, &used, err);
		if (!v || json_array_add(a, v) < 0) {
			json_free(v);
			json_free(a);
			return NULL;
		}
		off += used;
	}
	return a;
}

static void shell_quote(const char *s)
{
	putchar('\'');
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\"'\"'", stdout);
		else
			putchar(*s);
	putchar('\'');
}

struct matches {
	const struct jval **v;
	size_t n, cap;
};

static void collect(const struct jval *v, void *ctx)
{
	struct matches *m = ctx;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		const struct jval **nv = realloc(m->v, cap * sizeof *nv);
		if (!nv)
			return;
		m->v = nv;
		m->cap = cap;
	}
	m->v[m->n++] = v;
}

static void separator(const char *sep, size_t *sc)
{
	size_t sl = strlen(sep);
	if (*sc > 0) {
		char c = sep[(*sc - 1) % sl];
		if (c == '"')
			fputs("'\"'", stdout);
		else if (c == '\'')
			fputs("\"'\"", stdout);
		else if (c == ' ')
			fputs("\\ ", stdout);
		else
			putchar(c);
	}
	(*sc)++;
}

static void print_values(const struct matches *m, const char *label, const char *sep, long limit)
{
	if (!m->n)
		return;
	if (!label) {
		for (size_t i = 0; i < m->n && (long)i < limit; i++) {
			const struct jval *v = m->v[i];
			if (v->t == J_NULL)
				continue;
			if (v->t == J_STRING)
				fwrite(v->s, 1, v->slen, stdout);
			else
				json_print(stdout, v);
			putchar('\n');
		}
		return;
	}
	size_t sc = 0;
	printf("export %s=", label);
	for (size_t i = 0; i < m->n && (long)i < limit; i++) {
		const struct jval *v = m->v[i];
		switch (v->t) {
		case J_OBJECT:
			for (size_t k = 0; k < v->n; k++) {
				separator(sep, &sc);
				shell_quote(v->keys[k]);
			}
			break;
		case J_ARRAY:
			for (size_t k = 0; k < v->n; k++) {
				separator(sep, &sc);
				printf("%zu", k);
			}
			break;
		case J_BOOL: separator(sep, &sc); printf("%d", v->b); break;
		case J_INT: separator(sep, &sc); printf("%lld", v->i); break;
		case J_DOUBLE: separator(sep, &sc); printf("%f", v->d); break;
		case J_STRING: separator(sep, &sc); shell_quote(v->s); break;
		case J_NULL: break;
		}
	}
	fputs("; ", stdout);
}

static void print_types(const struct matches *m, const char *label, long limit)
{
	if (!m->n)
		return;
	if (label)
		printf("export %s=", label);
	for (size_t i = 0; i < m->n && (long)i < limit; i++)
		printf("%s%s", i ? "\\ " : "", json_type_names[m->v[i]->t]);
	fputs(label ? "; " : "\n", stdout);
}

static bool filter(int opt, const struct jval *doc, const char *expr, const char *sep, long limit)
{
	const char *err;
	size_t pos;
	struct jpath *jp = jp_parse(expr, &err, &pos);
	if (!jp) {
		fprintf(stderr, "Syntax error: %s\nIn expression %s\nNear here ----", err, expr);
		for (size_t i = 0; i < pos; i++)
			fputc('-', stderr);
		fputs("^\n", stderr);
		return false;
	}
	struct matches m = { 0 };
	jp_match(jp, doc, collect, &m);
	if (opt == 't')
		print_types(&m, jp->label, limit);
	else
		print_values(&m, jp->label, sep, limit);
	bool found = m.n > 0;
	free(m.v);
	jp_free(jp);
	return found;
}

/* jshn -r: the object as the jshn.sh calls that build it again. */
static void jshn_emit(const struct jval *v, const char *key)
{
	switch (v->t) {
	case J_OBJECT:
	case J_ARRAY:
		if (key) {
			fputs(v->t == J_OBJECT ? "json_add_object " : "json_add_array ", stdout);
			shell_quote(key);
			fputs(";\n", stdout);
		}
		for (size_t i = 0; i < v->n; i++)
			jshn_emit(v->kids[i], v->t == J_OBJECT ? v->keys[i] : "");
		if (key)
			fputs(v->t == J_OBJECT ? "json_close_object;\n" : "json_close_array;\n", stdout);
		return;
	case J_STRING: fputs("json_add_string ", stdout); break;
	case J_INT: fputs("json_add_int ", stdout); break;
	case J_DOUBLE: fputs("json_add_double ", stdout); break;
	case J_BOOL: fputs("json_add_boolean ", stdout); break;
	case J_NULL: fputs("json_add_null ", stdout); break;
	}
	shell_quote(key);
	switch (v->t) {
	case J_STRING: putchar(' '); shell_quote(v->s); break;
	case J_INT: printf(" %lld", v->i); break;
	case J_DOUBLE: putchar(' '); fputs(v->s, stdout); break;
	case J_BOOL: printf(" %d", v->b); break;
	default: break;
	}
	fputs(";\n", stdout);
}

static int jshn_main(int argc, char **argv)
{
	const char *text = NULL, *err;
	char *buf = NULL;
	size_t len = 0;
	int opt;
	while ((opt = getopt(argc, argv, "+r:R:")) != -1) {
		if (opt == 'r') {
			text = optarg;
			len = strlen(text);
		} else if (opt == 'R') {
			FILE *f = fopen(optarg, "re");
			if (!f || !(buf = slurp(f, &len))) {
				fprintf(stderr, "jshn: %s: %s\n", optarg, strerror(errno));
				if (f)
					fclose(f);
				return 3;
			}
			fclose(f);
			text = buf;
		} else {
			fprintf(stderr, "Usage: %s -r JSON | -R FILE\n", argv[0]);
			return 2;
		}
	}
	if (!text) {
		fprintf(stderr, "Usage: %s -r JSON | -R FILE\n", argv[0]);
		return 2;
	}
	size_t used;
	struct jval *v = json_parse(text, len, &used, &err);
	int rc = 0;
	if (!v || v->t != J_OBJECT) {
		fprintf(stderr, "Failed to parse message data\n");
		rc = 1;
	} else {
		fputs("json_init;\n", stdout);
		jshn_emit(v, NULL);
	}
	json_free(v);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	const char *app = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	if (strcmp(app, "jshn") == 0)
		return jshn_main(argc, argv);
	bool array_mode = false;
	int opt, rv = 0;
	long limit = 0x7fffffff;
	FILE *input = stdin;
	char *buf = NULL;
	struct jval *doc = NULL;
	const char *source = NULL, *sep = " ", *err = NULL;
	if (argc == 1) {
		usage(app);
		return 0;
	}
	while ((opt = getopt(argc, argv, "+ahi:s:e:t:F:l:q")) != -1) {
		switch (opt) {
		case 'a': array_mode = true; break;
		case 'h': usage(app); goto out;
		case 'i':
			if (input != stdin)
				fclose(input);
			if (!(input = fopen(optarg, "re"))) {
				fprintf(stderr, "Failed to open %s: %s\n", optarg, strerror(errno));
				rv = 125;
				goto out;
			}
			break;
		case 's': source = optarg; break;
		case 'F':
			if (*optarg)
				sep = optarg;
			break;
		case 'l': limit = atol(optarg); break;
		case 'e':
		case 't':
			if (!doc) {
				size_t len;
				const char *text = source;
				if (text)
					len = strlen(text);
				else if ((text = buf = slurp(input, &len)) == NULL) {
					fprintf(stderr, "Failed to read input: %s\n", strerror(errno));
					rv = 126;
					goto out;
				}
				if (!(doc = parse_doc(text, len, array_mode, &err))) {
					fprintf(stderr, "Failed to parse json data: %s\n", err);
					rv = 126;
					goto out;
				}
			}
			if (!filter(opt, doc, optarg, sep, limit))
				rv = 1;
			break;
		case 'q':
			if (!freopen("/dev/null", "w", stderr))
				fclose(stderr);
			break;
		default:
			rv = 1;
			goto out;
		}
	}
out:
	fflush(stdout);
	json_free(doc);
	free(buf);
	if (input != stdin)
		fclose(input);
	return rv;
}
