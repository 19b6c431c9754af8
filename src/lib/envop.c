/* envop: environment entries that set, append to or prepend to a base value (KEY=, KEY+=, KEY^=). */
/* SPDX-License-Identifier: MIT */
#include "envop.h"

#include <stdlib.h>
#include <string.h>

bool envop_split(const char *kv, size_t *keylen, enum envop *op, const char **value)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv)
		return false;
	size_t n = (size_t)(eq - kv);
	enum envop o = ENVOP_SET;
	if (kv[n - 1] == '+' || kv[n - 1] == '^') {
		o = kv[n - 1] == '+' ? ENVOP_APPEND : ENVOP_PREPEND;
		n--;
	}
	if (n == 0 || (kv[0] >= '0' && kv[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = kv[i];
		if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9')))
			return false;
	}
	*keylen = n;
	*op = o;
	*value = eq + 1;
	return true;
}

char envop_sep(const char *key, size_t keylen)
{
	return keylen == 10 && !memcmp(key, "LD_PRELOAD", 10) ? ' ' : ':';
}

static size_t put(char *out, size_t at, const char *s, size_t n)
{
	if (out)
		memcpy(out + at, s, n);
	return at + n;
}

size_t envop_compose(char *out, const char *key, size_t keylen, enum envop op, const char *base,
		     const char *value)
{
	size_t bl = base ? strlen(base) : 0, vl = strlen(value), at = 0;
	char sep = envop_sep(key, keylen);
	at = put(out, at, key, keylen);
	at = put(out, at, "=", 1);
	if (op == ENVOP_SET || !bl) {
		at = put(out, at, value, vl);
	} else if (!vl) {
		at = put(out, at, base, bl);
	} else {
		const char *first = op == ENVOP_APPEND ? base : value;
		const char *second = op == ENVOP_APPEND ? value : base;
		at = put(out, at, first, op == ENVOP_APPEND ? bl : vl);
		at = put(out, at, &sep, 1);
		at = put(out, at, second, op == ENVOP_APPEND ? vl : bl);
	}
	if (out)
		out[at] = '\0';
	return at;
}

int envop_setenv(const char *kv)
{
	size_t kl;
	enum envop op;
	const char *value;
	if (!envop_split(kv, &kl, &op, &value))
		return -1;
	char *key = strndup(kv, kl);
	if (!key)
		return -1;
	const char *base = getenv(key);
	size_t n = envop_compose(NULL, kv, kl, op, base, value);
	char *s = malloc(n + 1);
	int rc = -1;
	if (s) {
		envop_compose(s, kv, kl, op, base, value);
		rc = setenv(key, s + kl + 1, 1);
		free(s);
	}
	free(key);
	return rc;
}
