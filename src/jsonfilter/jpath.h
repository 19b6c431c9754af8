/* jpath.h: the JsonPath subset of OpenWrt's jsonfilter: $ @ .key [..] * unions, index and filter expressions. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_JPATH_H
#define KEEL_JPATH_H

#include "json.h"

struct jp_node;

struct jpath {
	char *label;          /* VAR of "VAR=path", else NULL */
	struct jp_node *path; /* the path */
};

/* Parses EXPR; NULL on error with *err (static text) and *pos (offset in EXPR). */
struct jpath *jp_parse(const char *expr, const char **err, size_t *pos);
void jp_free(struct jpath *jp);
/* Calls cb for every value of doc the path selects, in document order; returns how many. */
size_t jp_match(const struct jpath *jp, const struct jval *doc,
		void (*cb)(const struct jval *v, void *ctx), void *ctx);

#endif
