/* suggest: "did you mean" — the closest of a list of words by edit distance. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SUGGEST_H
#define KEEL_SUGGEST_H

#include <stddef.h>

/*
 * Offer one candidate per word: suggest_init, then suggest_try for every
 * candidate, then suggest_best. A candidate is close when it is at most
 * (length + 2) / 4 edits away (1 to 3; an edit is one byte inserted,
 * deleted or changed, or two neighbours swapped), and the first of the
 * closest wins. Words over SUGGEST_MAX_LEN bytes get no suggestion. Pure.
 */
#define SUGGEST_MAX_LEN 64

struct suggest {
	const char *word;
	const char *best;
	size_t best_dist;
};

void suggest_init(struct suggest *s, const char *word);
void suggest_try(struct suggest *s, const char *candidate);
/* The closest candidate, or NULL when none was close enough (or the word
 * itself was among them). */
const char *suggest_best(const struct suggest *s);

/* Edits from a to b (optimal string alignment distance), or
 * SUGGEST_MAX_LEN + 1 when either is longer than SUGGEST_MAX_LEN. */
size_t suggest_distance(const char *a, const char *b);

#endif
