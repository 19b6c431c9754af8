/* envfile: the model's /etc/initd.env — KEY=VALUE lines giving every service its base environment. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ENVFILE_H
#define KEEL_ENVFILE_H

#include <stddef.h>
#include "diag.h"

/*
 * Syntax: the service files' lexer (comments, blank lines, double quotes
 * with C escapes), one KEY=VALUE per line, KEY a shell-style name. A bad
 * line is a DIAG_ERROR with file:line and is skipped; the others apply.
 * Returns a NULL-terminated array of "KEY=VALUE" strings (a later KEY
 * replaces an earlier one), *n its length; NULL only on allocation failure
 * (then nothing applies). Free with envfile_free. Pure.
 */
char **envfile_parse(const char *buf, size_t len, const char *file, size_t *n,
		     struct diags *diags);
void envfile_free(char **env);

#endif
