/* check: `keel check [--root SYSROOT] [--strict] [DIR]` — validates service files for firmware build systems. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CHECK_H
#define KEEL_CHECK_H

/* Prints every diagnostic and the resolved start order of each target.
 * Exit status: 0 clean (notes and warnings allowed unless --strict), 1
 * errors found, 2 usage, 111 out of memory. */
int check_main(int argc, char **argv);

#endif
