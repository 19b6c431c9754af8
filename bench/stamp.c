/* stamp: the trivial service of the benchmarks — notes when it began to run, optionally tells keel it is ready, then idles. */
/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* usage: stamp FILE [READY_FD]
 * The clock is read first thing in main(), so the line says when this
 * process started running user code: the end point of every start-up
 * measurement. One O_APPEND write per process keeps lines whole even with a
 * thousand writers. */
int main(int argc, char **argv)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (argc < 2)
		return 100;
	if (argc > 2) {
		int rfd = atoi(argv[2]);
		if (write(rfd, "\n", 1) < 0)
			return 111;
		close(rfd);
	}
	char line[64];
	int n = snprintf(line, sizeof line, "%lld %d\n",
			 (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, (int)getpid());
	int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, (size_t)n) != n)
		return 111;
	close(fd);
	for (;;)
		pause();
}
