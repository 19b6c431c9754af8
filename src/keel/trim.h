/* trim: once the boot target is reached (and after each reload), PID 1 lets go of the pages of code only loading runs. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_TRIM_H
#define KEEL_TRIM_H

#include <stdbool.h>

/* Unmaps the boot-only code's pages; they fault back in when run again. */
void trim_boot_code(void);

#endif
