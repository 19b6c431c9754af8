/* checktrap: the traps a newcomer falls into in a service file, found in its raw text (keel check). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CHECKTRAP_H
#define KEEL_CHECKTRAP_H

#include <stddef.h>
#include "diag.h"

/*
 * Adds a DIAG_WARNING (file:line) for each trap in text, the file's
 * contents as read (not yet lexed: the lexer would already have removed
 * what gives these away):
 *   - a shell script ("#!" on line 1) where service files live, OpenWrt's
 *     "#!/bin/sh /etc/rc.common" scripts excepted (nothing else is checked
 *     in a script: its lines are errors anyway);
 *   - a word starting or ending with a single quote outside double quotes:
 *     only double quotes group words, a ' stays in the argument (one
 *     warning per line).
 * The other traps are the parser's: '%' not doubled (an error that says how
 * to write a literal '%'), timeout on a respawn service (a warning).
 * Pure.
 */
void checktrap_scan(const char *file, const char *text, size_t len, struct diags *d);

#endif
