/* led: LED modes written to the LED class's sysfs attributes, under a root given by the caller (so unit tests use a fake sysfs). */
/* SPDX-License-Identifier: MIT */
#include "led.h"
#include "wildmatch.h"

#include <dirent.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void preinit_led_choose(const struct preinit_conf *c, enum preinit_phase phase,
			const char **name, const char **mode)
{
	*name = c->led[phase].name;
	*mode = c->led[phase].mode;
	if (!*name && phase == PREINIT_PHASE_FAILSAFE) {
		*name = c->led[PREINIT_PHASE_BOOT].name;
		*mode = "fast";
	}
	if (!*name || !*mode)
		*name = *mode = NULL;
}

struct attr_value {
	const char *attr, *value;
};

static int attr_write(int dir, const char *attr, const char *value)
{
	int fd = openat(dir, attr, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	int e = errno;
	close(fd);
	if (n == (ssize_t)len)
		return 0;
	errno = n < 0 ? e : EIO;
	return -1;
}

/* max_brightness as text (an int: 11 characters at most), "1" if it cannot
 * be read; a longer content is not a number and is refused, not cut. */
static void max_read(int dir, char *out, size_t size)
{
	snprintf(out, size, "1");
	int fd = openat(dir, "max_brightness", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	char b[16];
	ssize_t n = read(fd, b, sizeof b);
	close(fd);
	if (n <= 0 || (size_t)n >= sizeof b || (size_t)n >= size)
		return;
	b[n] = '\0';
	b[strcspn(b, "\n")] = '\0';
	if (b[0] && strspn(b, "0123456789") == strlen(b))
		snprintf(out, size, "%s", b);
}

static char *led_match(const char *leds_dir, const char *pattern)
{
	DIR *d = opendir(leds_dir);
	char *best = NULL;
	if (!d)
		return NULL;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !wildmatch(pattern, de->d_name, WILD_PERIOD))
			continue;
		if (!best || strcmp(de->d_name, best) < 0) {
			char *n = strdup(de->d_name);
			if (!n)
				break;
			free(best);
			best = n;
		}
	}
	closedir(d);
	return best;
}

int preinit_led_show(const char *leds_dir, const char *name, const char *mode, const char **what)
{
	*what = NULL;
	/* A name with a slash would leave the LED class directory. */
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		*what = "name";
		errno = EINVAL;
		return -1;
	}
	/* A pattern ("*::capslock") names an LED whose prefix varies by
	 * board or by probe order: the first match in name order is used. */
	char *found = NULL;
	if (strpbrk(name, "*?[")) {
		found = led_match(leds_dir, name);
		if (!found) {
			errno = ENOENT;
			return 1;
		}
		name = found;
	}
	char *path = NULL;
	int pr = asprintf(&path, "%s/%s", leds_dir, name);
	free(found);
	if (pr < 0)
		return -1;
	int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int e = errno;
	free(path);
	if (dir < 0) {
		errno = e;
		return e == ENOENT ? 1 : -1;
	}
	struct attr_value w[3];
	size_t n = 0;
	char max[16];
	bool on = !strcmp(mode, "on"), blink = !strcmp(mode, "blink"), fast = !strcmp(mode, "fast");
	if (on || !strcmp(mode, "off")) {
		if (on)
			max_read(dir, max, sizeof max);
		w[n++] = (struct attr_value){ "trigger", "none" };
		w[n++] = (struct attr_value){ "brightness", on ? max : "0" };
	} else if (blink || fast) {
		/* delay_on/off exist only once the timer trigger is set. */
		w[n++] = (struct attr_value){ "trigger", "timer" };
		w[n++] = (struct attr_value){ "delay_on", fast ? "100" : "500" };
		w[n++] = (struct attr_value){ "delay_off", fast ? "100" : "500" };
	} else {
		w[n++] = (struct attr_value){ "trigger", mode };
	}
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		if (attr_write(dir, w[i].attr, w[i].value) < 0) {
			*what = w[i].attr;
			r = -1;
		}
	}
	e = errno;
	close(dir);
	errno = e;
	return r;
}
