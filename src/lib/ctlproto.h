/* ctlproto: the control socket's request syntax, shared by keel and its fuzz target. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CTLPROTO_H
#define KEEL_CTLPROTO_H

#include <stddef.h>

#define CTLPROTO_MAX_ARGS 8

/*
 * Splits one request line (without its '\n'; len bytes, may contain
 * anything) in place into at most CTLPROTO_MAX_ARGS words separated by
 * blanks. Returns the word count (>= 1), or -1 with *err set to the text of
 * the ERR answer: empty request, NUL byte, control character, too many
 * words. The line must have room for a terminating NUL at line[len].
 * Pure.
 */
int ctlproto_split(char *line, size_t len, char **argv, const char **err);

#endif
