/* futex: a bounded wait on a futex word, right on every ABI's time layout. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_FUTEX_H
#define KEEL_FUTEX_H

/* Sleeps while *addr == val, for at most ns nanoseconds (< 1 s).
 * 0: woken or the word had changed; 1: the time ran out; -1: errno. */
int futex_wait(volatile int *addr, int val, long ns);

#endif
