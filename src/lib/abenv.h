/* abenv: the A/B boot environment preinit keeps on a small raw partition — which slot boots, and the trial of a new one (pure). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_ABENV_H
#define KEEL_ABENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The U-Boot model (bootcount, bootlimit, upgrade_available) for devices
 * whose bootloader has none: preinit is the one that chooses the slot
 * (docs/upgrade.md, "A/B"). Two copies of one 512-byte record, at offsets
 * 0 and 512; each is text lines
 *     KEELAB1 / seq=N / slot=a|b / upgrade=0|1 / tries=N
 * padded with NULs, its last 32 bytes the SHA-256 of the rest. A writer
 * writes the copy that does not hold the newest record, with seq + 1: a
 * power cut in the middle leaves the other copy intact.
 */
#define ABENV_RECORD 512
#define ABENV_SIZE (2 * ABENV_RECORD)

struct abenv {
	unsigned long seq;
	char slot;         /* 'a' or 'b' */
	bool upgrade;      /* a new slot is on trial */
	unsigned long tries; /* boots of the slot on trial so far */
};

/* The newest valid copy of len bytes (ABENV_SIZE normally). 0 and *which
 * (0 or 1) set; -1 if neither copy is valid. */
int abenv_parse(const uint8_t *buf, size_t len, struct abenv *e, int *which);
/* One record. */
void abenv_format(const struct abenv *e, uint8_t out[ABENV_RECORD]);

/* What the boot does with the env (limit: boots allowed on trial). Returns
 * true when e changed (write it back); *rolled_back when it switched back
 * to the other slot. */
bool abenv_boot(struct abenv *e, unsigned long limit, bool *rolled_back);

#endif
