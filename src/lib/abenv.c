/* abenv: the A/B boot environment preinit keeps on a small raw partition — which slot boots, and the trial of a new one (pure). */
/* SPDX-License-Identifier: MIT */
#include "abenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

#define BODY (ABENV_RECORD - SHA256_LEN)

static bool field(const char *text, const char *key, unsigned long *v, char *c)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p;) {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			const char *s = p + kl + 1;
			if (c) {
				if ((*s != 'a' && *s != 'b') || (s[1] != '\n'))
					return false;
				*c = *s;
				return true;
			}
			char *end;
			if (*s < '0' || *s > '9')
				return false;
			*v = strtoul(s, &end, 10);
			return *end == '\n';
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

static int record_parse(const uint8_t *r, struct abenv *e)
{
	uint8_t sum[SHA256_LEN];
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, r, BODY);
	sha256_final(&s, sum);
	if (memcmp(sum, r + BODY, SHA256_LEN) || memcmp(r, "KEELAB1\n", 8) || !memchr(r, '\0', BODY))
		return -1;
	const char *text = (const char *)r;
	unsigned long up = 0;
	*e = (struct abenv){ 0 };
	if (!field(text, "seq", &e->seq, NULL) || !field(text, "slot", NULL, &e->slot) ||
	    !field(text, "upgrade", &up, NULL) || up > 1 || !field(text, "tries", &e->tries, NULL))
		return -1;
	e->upgrade = up;
	return 0;
}

int abenv_parse(const uint8_t *buf, size_t len, struct abenv *e, int *which)
{
	struct abenv c[2];
	bool ok[2] = { false, false };
	for (int i = 0; i < 2; i++)
		ok[i] = len >= (size_t)(i + 1) * ABENV_RECORD && record_parse(buf + i * ABENV_RECORD, &c[i]) == 0;
	if (!ok[0] && !ok[1])
		return -1;
	int w = !ok[0] ? 1 : !ok[1] ? 0 : c[1].seq > c[0].seq ? 1 : 0;
	*e = c[w];
	*which = w;
	return 0;
}

void abenv_format(const struct abenv *e, uint8_t out[ABENV_RECORD])
{
	memset(out, 0, ABENV_RECORD);
	snprintf((char *)out, BODY, "KEELAB1\nseq=%lu\nslot=%c\nupgrade=%d\ntries=%lu\n", e->seq,
		 e->slot == 'b' ? 'b' : 'a', e->upgrade ? 1 : 0, e->tries);
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, out, BODY);
	sha256_final(&s, out + BODY);
}

bool abenv_boot(struct abenv *e, unsigned long limit, bool *rolled_back)
{
	*rolled_back = false;
	if (!e->upgrade)
		return false;
	/* Like U-Boot's bootcount: this boot is one more try; past the limit
	 * the previous slot boots and the trial ends. */
	e->tries++;
	if (e->tries > limit) {
		e->slot = e->slot == 'a' ? 'b' : 'a';
		e->upgrade = false;
		e->tries = 0;
		*rolled_back = true;
	}
	return true;
}
