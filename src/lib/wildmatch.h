/* wildmatch: shell wildcards (* ? [...]) against a name, as fnmatch(3) with FNM_PERIOD or no flags does, in bytes. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_WILDMATCH_H
#define KEEL_WILDMATCH_H

#include <stdbool.h>

/* A leading '.' of the name is matched only by a '.' in the pattern. */
#define WILD_PERIOD 1

/* True if name matches pat: '*' any run of bytes, '?' one byte, '[...]'
 * one byte of a set ('!' or '^' first negates; ranges a-z; ']' first is
 * itself; the ASCII classes [:alpha:] [:digit:] [:alnum:] [:upper:]
 * [:lower:] [:space:] [:xdigit:] [:punct:]), '\' makes the next byte
 * itself. A '[' without its ']' is itself. */
bool wildmatch(const char *pat, const char *name, int flags);

#endif
