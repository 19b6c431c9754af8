/* suggest: "did you mean" — the closest of a list of words by edit distance. */
/* SPDX-License-Identifier: MIT */
#include "suggest.h"

#include <string.h>

size_t suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return SUGGEST_MAX_LEN + 1;
	/* Three rows of the dynamic-programming table: the one before the
	 * previous is what a swap of two neighbours looks back to. */
	size_t r0[SUGGEST_MAX_LEN + 1], r1[SUGGEST_MAX_LEN + 1], r2[SUGGEST_MAX_LEN + 1];
	size_t *pp = r0, *prev = r1, *cur = r2;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (prev[j - 1] + cost < d)
				d = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < d)
				d = pp[j - 2] + 1;
			cur[j] = d;
		}
		size_t *t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

void suggest_init(struct suggest *s, const char *word)
{
	*s = (struct suggest){ .word = word, .best = NULL, .best_dist = SUGGEST_MAX_LEN + 1 };
}

void suggest_try(struct suggest *s, const char *candidate)
{
	/* No suggestion is over 3 edits away, and each edit changes the
	 * length by at most 1: most candidates cost a strlen. */
	size_t lw = strlen(s->word), lc = strlen(candidate);
	if ((lw > lc ? lw - lc : lc - lw) > 3)
		return;
	size_t d = suggest_distance(s->word, candidate);
	if (d < s->best_dist) {
		s->best_dist = d;
		s->best = candidate;
	}
}

const char *suggest_best(const struct suggest *s)
{
	size_t max = (strlen(s->word) + 2) / 4;
	if (max < 1)
		max = 1;
	if (max > 3)
		max = 3;
	if (!s->best || s->best_dist == 0 || s->best_dist > max)
		return NULL;
	return s->best;
}
