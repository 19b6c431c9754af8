/* json.h: a JSON document as a tree, its parser and json-c's spaced printing (for jsonfilter and jshn). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_JSON_H
#define KEEL_JSON_H

#include <stddef.h>
#include <stdio.h>

/* The order is jsonfilter's: -t prints these names by index. */
enum jtype { J_NULL, J_BOOL, J_DOUBLE, J_INT, J_OBJECT, J_ARRAY, J_STRING };

struct jval {
	enum jtype t;
	int b;            /* J_BOOL */
	long long i;      /* J_INT */
	double d;         /* J_DOUBLE */
	char *s;          /* J_STRING (may hold NUL bytes), J_DOUBLE: the text as written */
	size_t slen;
	struct jval **kids; /* J_OBJECT, J_ARRAY */
	char **keys;        /* J_OBJECT: NUL-terminated keys, kids[i]'s */
	size_t n, cap;
};

extern const char *const json_type_names[];

/* Parses one value from buf[0..len). On success returns it and sets *used to
 * the bytes consumed (trailing blanks included); on failure returns NULL with
 * *err set to a static message. Nesting deeper than 1000 levels is an error. */
struct jval *json_parse(const char *buf, size_t len, size_t *used, const char **err);
void json_free(struct jval *v);
/* An empty array, and appending to it (returns -1 when out of memory). */
struct jval *json_new_array(void);
int json_array_add(struct jval *a, struct jval *v);
/* The value of KEY in object o (the last one when repeated), or NULL. */
struct jval *json_get(const struct jval *o, const char *key);
/* json-c's default text: { "a": 1, "b": [ 1, 2 ] }, strings escaped with \/. */
void json_print(FILE *f, const struct jval *v);
void json_print_string(FILE *f, const char *s, size_t len);

#endif
