/* ab: preinit as the A/B chooser — reads the env partition, counts a trial boot, falls back, commits. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abenv.h"
#include "preinit.h"

int preinit_ab_read(const char *dev, struct abenv *e, int *which)
{
	uint8_t buf[ABENV_SIZE];
	int fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = pread(fd, buf, sizeof buf, 0);
	int e_ = errno;
	close(fd);
	if (n < 0) {
		errno = e_;
		return -1;
	}
	if (abenv_parse(buf, (size_t)n, e, which) < 0) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

int preinit_ab_write(const char *dev, struct abenv *e, int which)
{
	/* The copy not holding the newest record: a cut write leaves that one. */
	int target = which == 0 ? 1 : 0;
	e->seq++;
	uint8_t rec[ABENV_RECORD];
	abenv_format(e, rec);
	int fd = open(dev, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = pwrite(fd, rec, sizeof rec, (off_t)target * ABENV_RECORD);
	int r = n == (ssize_t)sizeof rec && fsync(fd) == 0 ? 0 : -1;
	int e_ = n >= 0 && n != (ssize_t)sizeof rec ? EIO : errno;
	close(fd);
	errno = e_;
	return r;
}

void preinit_ab_choose(struct preinit *p)
{
	struct preinit_conf *c = &p->conf;
	if (!c->root_b) {
		/* The bootloader chose: it says which (for the upgrade stage). */
		if (c->slot && (!strcmp(c->slot, "a") || !strcmp(c->slot, "b")))
			p->slot = c->slot[0];
		else if (c->slot)
			preinit_error("slot %s: expected a or b", c->slot);
		return;
	}
	if (!c->ab_env) {
		preinit_error("A/B: root_b without ab_env: booting slot a");
		p->slot = 'a';
		return;
	}
	struct preinit_probe pr;
	char *dev = preinit_block_find(c->ab_env, c->data_wait_ms, &pr);
	struct abenv e = { .slot = 'a' };
	int which = -1;
	if (!dev) {
		preinit_error("A/B: env %s: no such device; booting slot a", c->ab_env);
		p->slot = 'a';
		return;
	}
	if (preinit_ab_read(dev, &e, &which) < 0) {
		/* A new device: slot a, no trial. Written so that the stage finds it. */
		preinit_say("A/B: env %s: %s: starting with slot a", dev, strerror(errno));
		e = (struct abenv){ .slot = 'a' };
		which = -1;
		if (preinit_ab_write(dev, &e, which) < 0)
			preinit_error("A/B: writing env %s: %s", dev, strerror(errno));
		else
			which = 0;
	}
	bool back;
	char was = e.slot;
	if (abenv_boot(&e, c->ab_limit, &back)) {
		if (preinit_ab_write(dev, &e, which) < 0)
			preinit_error("A/B: writing env %s: %s", dev, strerror(errno));
	}
	if (back)
		preinit_say("A/B: slot %c did not become healthy in %lu boots: back to slot %c", was,
			    c->ab_limit, e.slot);
	else if (e.upgrade)
		preinit_say("A/B: slot %c on trial: boot %lu of %lu", e.slot, e.tries, c->ab_limit);
	else
		preinit_say("A/B: slot %c", e.slot);
	p->slot = e.slot;
	p->ab_dev = dev;
	if (e.slot == 'b') {
		char *a = c->root;
		c->root = c->root_b;
		c->root_b = a;
	}
}

/* `preinit ab-commit`: the health commit of a new slot (keel's `commit`
 * line): the trial ends, this slot is kept. */
int preinit_ab_commit_main(void)
{
	char *state = preinit_read_file(PREINIT_STATE_DIR "/state", NULL);
	char *dev = state ? preinit_uevent_get(state, "abenv") : NULL;
	free(state);
	if (!dev || !*dev) {
		fprintf(stderr, "preinit: ab-commit: no A/B env (abenv= in %s/state)\n", PREINIT_STATE_DIR);
		free(dev);
		return 111;
	}
	struct abenv e;
	int which;
	if (preinit_ab_read(dev, &e, &which) < 0) {
		fprintf(stderr, "preinit: ab-commit: %s: %s\n", dev, strerror(errno));
		free(dev);
		return 111;
	}
	if (!e.upgrade) {
		fprintf(stderr, "preinit: ab-commit: slot %c: nothing on trial\n", e.slot);
		free(dev);
		return 0;
	}
	e.upgrade = false;
	e.tries = 0;
	if (preinit_ab_write(dev, &e, which) < 0) {
		fprintf(stderr, "preinit: ab-commit: writing %s: %s\n", dev, strerror(errno));
		free(dev);
		return 111;
	}
	fprintf(stderr, "preinit: ab-commit: slot %c committed\n", e.slot);
	free(dev);
	return 0;
}
