/* block: finds block devices by path, kernel name, label, UUID or partition name, and probes them. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "preinit.h"

int preinit_block_probe(const char *dev, struct preinit_probe *probe)
{
	int fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	unsigned char *buf = malloc(PREINIT_PROBE_LEN);
	size_t len = 0;
	while (buf && len < PREINIT_PROBE_LEN) {
		ssize_t n = pread(fd, buf + len, PREINIT_PROBE_LEN - len, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (!buf)
		return -1;
	preinit_probe(buf, len, probe);
	free(buf);
	return 0;
}

/* One pass over /sys/class/block; the matching device's /dev path or NULL. */
static char *block_scan(const struct preinit_spec *spec, struct preinit_probe *probe)
{
	DIR *d = opendir("/sys/class/block");
	if (!d)
		return NULL;
	char *found = NULL;
	struct dirent *e;
	bool want_probe = spec->kind == PREINIT_SPEC_LABEL || spec->kind == PREINIT_SPEC_UUID;
	while (!found && (e = readdir(d))) {
		const char *n = e->d_name;
		if (n[0] == '.' || !strncmp(n, "loop", 4) || !strncmp(n, "ram", 3) ||
		    !strncmp(n, "zram", 4))
			continue;
		char *uev_path = NULL, *dev = NULL;
		if (asprintf(&uev_path, "/sys/class/block/%s/uevent", n) < 0)
			uev_path = NULL;
		char *uev = uev_path ? preinit_read_file(uev_path, NULL) : NULL;
		char *partname = uev ? preinit_uevent_get(uev, "PARTNAME") : NULL;
		if (asprintf(&dev, "/dev/%s", n) < 0)
			dev = NULL;
		struct preinit_probe pr = { 0 };
		bool probed = dev && (want_probe || probe) && preinit_block_probe(dev, &pr) == 0;
		struct preinit_blkinfo bi = { .name = n, .partname = partname,
					      .probe = probed ? &pr : NULL };
		if (dev && preinit_spec_match(spec, &bi)) {
			found = dev;
			dev = NULL;
			if (probe)
				*probe = pr;
		}
		free(dev);
		free(partname);
		free(uev);
		free(uev_path);
	}
	closedir(d);
	return found;
}

char *preinit_block_find(const char *text, unsigned long wait_ms, struct preinit_probe *probe)
{
	struct preinit_spec spec;
	if (!text || preinit_spec_parse(text, &spec) < 0)
		return NULL;
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		/* A path that is not a block device of ours (an image file, a
		 * /dev/mtdblock node) is used as it is. */
		if (spec.kind == PREINIT_SPEC_PATH && strncmp(spec.value, "/dev/", 5) &&
		    access(spec.value, F_OK) == 0) {
			if (probe && preinit_block_probe(spec.value, probe) < 0)
				*probe = (struct preinit_probe){ 0 };
			return strdup(spec.value);
		}
		char *dev = block_scan(&spec, probe);
		if (dev)
			return dev;
		clock_gettime(CLOCK_MONOTONIC, &t);
		long long ms = (long long)(t.tv_sec - t0.tv_sec) * 1000 +
			       (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms >= (long long)wait_ms)
			return NULL;
		/* Disk drivers probe asynchronously after their module is
		 * loaded: look again shortly. */
		preinit_watchdog_feed();
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000000L }, NULL);
	}
}
