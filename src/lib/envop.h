/* envop: environment entries that set, append to or prepend to a base value (KEY=, KEY+=, KEY^=). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ENVOP_H
#define KEEL_ENVOP_H

#include <stdbool.h>
#include <stddef.h>

enum envop {
	ENVOP_SET = '=',     /* KEY=VALUE: replaces */
	ENVOP_APPEND = '+',  /* KEY+=VALUE: base, separator, VALUE */
	ENVOP_PREPEND = '^', /* KEY^=VALUE: VALUE, separator, base */
};

/* Splits "KEY=V", "KEY+=V" or "KEY^=V": the key's length, the operation and
 * the value. False when there is no '=' or the key is not a shell-style
 * name (letters, digits, '_', not starting with a digit). */
bool envop_split(const char *kv, size_t *keylen, enum envop *op, const char **value);

/* The list separator of a variable: ' ' for LD_PRELOAD (glibc, musl and
 * uClibc all accept blanks there), ':' for every other (PATH,
 * LD_LIBRARY_PATH...). */
char envop_sep(const char *key, size_t keylen);

/* Writes "KEY=RESULT" and a NUL to out (NULL: only measures) and returns
 * its length without the NUL. base is the current value (NULL or empty:
 * none, and no separator is added); an empty value leaves base as it is. */
size_t envop_compose(char *out, const char *key, size_t keylen, enum envop op, const char *base,
		     const char *value);

/* Applies one entry to the process environment (setenv): 0, -1 on
 * allocation failure or a bad entry. */
int envop_setenv(const char *kv);

#endif
