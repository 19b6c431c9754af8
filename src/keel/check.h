/* check: `keel check [DIR]` — validates a service directory for firmware build systems. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CHECK_H
#define KEEL_CHECK_H

/* Prints every diagnostic and the resolved start order of each target.
 * Exit status: 0 clean (notes and warnings allowed), 1 errors found,
 * 100 usage. */
int check_main(int argc, char **argv);

#endif
