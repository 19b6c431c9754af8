/* forkexec: the floor — forks and execs N copies of a program as fast as a tight loop can, as PID 1 of a namespace. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* usage: forkexec N PROG [ARGS...]
 * No per-child set-up, no waiting between forks: what is left is the
 * kernel's price for N processes, the least any init can pay. Afterwards it
 * only reaps, like an init would; the script ends the namespace with
 * SIGKILL from the host. */
int main(int argc, char **argv)
{
	if (argc < 3)
		return 100;
	long n = strtol(argv[1], NULL, 10);
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			if (errno == EAGAIN) { /* transient: try this one again */
				i--;
				continue;
			}
			perror("forkexec: fork");
			break;
		}
		if (pid == 0) {
			execv(argv[2], argv + 2);
			_exit(127);
		}
	}
	for (;;)
		if (wait(NULL) < 0)
			pause();
}
