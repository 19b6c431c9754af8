/* health: preinit's half of boot health: after too many unhealthy boots in a row, failsafe mode. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "preinit.h"

/* The way keel writes it (write, fsync, rename): a power cut leaves the
 * old number or the new one, never an empty file. */
static int counter_write_zero(const char *path)
{
	char *tmp = NULL, *dir = strdup(path);
	int r = -1;
	if (!dir || asprintf(&tmp, "%s.preinit", path) < 0)
		goto out;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		goto out;
	bool ok = write(fd, "0\n", 2) == 2 && fsync(fd) == 0;
	if (close(fd) < 0 || !ok || rename(tmp, path) < 0) {
		unlink(tmp);
		goto out;
	}
	int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	r = 0;
out:
	free(tmp);
	free(dir);
	return r;
}

bool preinit_health_failsafe(struct preinit *p)
{
	const struct preinit_conf *c = &p->conf;
	if (!c->health_counter || !c->health_fallback)
		return false;
	/* Only a layer that outlives the boot holds a count: on tmpfs the
	 * file is the image's, or nothing. */
	if (!strcmp(p->overlay_kind, "tmpfs"))
		return false;
	char *path = preinit_path(PREINIT_NEWROOT, c->health_counter);
	char *text = path ? preinit_read_file(path, NULL) : NULL;
	bool fallback = false;
	unsigned long n = 0;
	if (!text) {
		/* No file yet: keel has not counted a boot on this layer. */
		if (path && errno != ENOENT)
			preinit_error("health counter %s: %s; ignored", c->health_counter,
				      strerror(errno));
	} else if (preinit_health_parse(text, &n) < 0) {
		preinit_error("health counter %s: not a number; ignored", c->health_counter);
	} else if (n >= c->health_fallback) {
		fallback = true;
		preinit_say("%lu unhealthy boots: failsafe", n);
		/* Failsafe is for one boot: the reboot that leaves it tries
		 * the normal boot again, health_fallback more times. */
		if (counter_write_zero(path) < 0)
			preinit_error("health counter %s: resetting it: %s", c->health_counter,
				      strerror(errno));
	}
	free(text);
	free(path);
	return fallback;
}
