/* fdlist: a service that reports which fds it was started with, then says its name on both streams (test_spawnfds). */
/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* usage: fdlist NAME [FILE]: "NAME fds: N..." (each open fd above 2) goes
 * to stdout, or to FILE if given; then "NAME out" and "NAME err". With
 * READY set, a newline on fd 3 after the listing. */
int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	char list[8192];
	size_t o = (size_t)snprintf(list, sizeof list, "%s fds:", argv[1]);
	/* By number, not from /proc/self/fd: reading that directory would
	 * open an fd of its own. */
	for (int fd = 3; fd < 4096 && o < sizeof list - 16; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			o += (size_t)snprintf(list + o, sizeof list - o, " %d", fd);
	list[o++] = '\n';
	if (argc > 2) {
		int f = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (f < 0 || write(f, list, o) != (ssize_t)o)
			return 1;
		close(f);
	} else if (write(1, list, o) != (ssize_t)o) {
		return 1;
	}
	if (getenv("READY") && write(3, "\n", 1) != 1)
		return 1;
	dprintf(1, "%s out\n", argv[1]);
	dprintf(2, "%s err\n", argv[1]);
	return 0;
}
