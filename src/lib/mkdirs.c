/* mkdirs: mkdir -p — a folder and any parents it lacks. */
/* SPDX-License-Identifier: MIT */
#include "mkdirs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int mkdirs(const char *path, mode_t mode)
{
	char *p = strdup(path);
	if (!p)
		return -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int r = mkdir(p, mode) < 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return r;
}
