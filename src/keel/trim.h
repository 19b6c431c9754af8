/* trim: once the boot target is reached (and after each reload), PID 1 lets go of the pages of code only loading runs. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_TRIM_H
#define KEEL_TRIM_H

#include <stdbool.h>

/* A function only loading runs (boot, reload, shutdown): the compiler
 * puts it with the other cold code at the start of the program's text,
 * which the Makefile links next to the boot-only objects, so its page is
 * let go of with theirs. Calls to it are treated as unlikely. */
#define KEEL_BOOT __attribute__((cold))

/* Unmaps the boot-only code's pages; they fault back in when run again.
 * Never from boot-only code: it would come back on the return. */
void trim_boot_code(void);
/* For boot-only code (a reload): the trim happens at the next step of the
 * supervisor, from code that stays. */
void trim_later(void);
void trim_if_asked(void);

#endif
