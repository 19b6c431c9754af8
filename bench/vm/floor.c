/* SPDX-License-Identifier: MIT */
// floor: the benchmark's minimal PID 1: starts each service of /etc/floor.conf as soon as its dependencies are ready, and on SIGUSR2 kills everything and powers off.
// /etc/floor.conf: one service a line, "NAME DEP...". A service runs /bin/bd -n 3 NAME with
// fd 3 the write end of a pipe; a newline on it means ready (keel's `ready fd 3`).
// It does nothing else on purpose (no mounts, no logging, no respawn): the distance from
// any real init to this one is what that init adds on top of fork, exec and readiness.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXSVC 2048
#define MAXDEP 8

enum { WAITING, STARTED, READY };

struct svc {
	char name[24];
	int ndep, dep[MAXDEP];
	int state;
	int fd; // read end of the readiness pipe while STARTED
};

static struct svc svc[MAXSVC];
static int nsvc;
static sigset_t sigs;

static int find(const char *name)
{
	for (int i = 0; i < nsvc; i++)
		if (strcmp(svc[i].name, name) == 0)
			return i;
	return -1;
}

static void load(void)
{
	static char deps[MAXSVC][MAXDEP][24];
	char line[512];
	FILE *f = fopen("/etc/floor.conf", "r");
	while (f && nsvc < MAXSVC && fgets(line, sizeof line, f)) {
		char *w = strtok(line, " \n");
		if (!w)
			continue;
		struct svc *s = &svc[nsvc];
		snprintf(s->name, sizeof s->name, "%s", w);
		while ((w = strtok(NULL, " \n")) && s->ndep < MAXDEP)
			snprintf(deps[nsvc][s->ndep++], 24, "%s", w);
		nsvc++;
	}
	if (f)
		fclose(f);
	// Names resolved once all are read: a dependency may come later in the file.
	for (int i = 0; i < nsvc; i++)
		for (int d = 0; d < svc[i].ndep; d++)
			svc[i].dep[d] = find(deps[i][d]);
}

static void spawn(int ep, int i)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 3); // dup2 clears close-on-exec on the copy
		sigprocmask(SIG_UNBLOCK, &sigs, NULL);
		execl("/bin/bd", "bd", "-n", "3", svc[i].name, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return;
	}
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned)i};
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	svc[i].fd = p[0];
	svc[i].state = STARTED;
}

static void start_ready(int ep)
{
	for (int i = 0; i < nsvc; i++) {
		if (svc[i].state != WAITING)
			continue;
		int ok = 1;
		for (int d = 0; d < svc[i].ndep && ok; d++)
			ok = svc[i].dep[d] < 0 || svc[svc[i].dep[d]].state == READY;
		if (ok)
			spawn(ep, i);
	}
}

int main(void)
{
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGCHLD);
	sigaddset(&sigs, SIGUSR2);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	int sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = MAXSVC};
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	load();
	start_ready(ep);
	int stopping = 0;
	for (;;) {
		struct epoll_event evs[64];
		int n = epoll_wait(ep, evs, 64, -1);
		for (int e = 0; e < n; e++) {
			unsigned u = evs[e].data.u32;
			if (u < MAXSVC) {
				char c;
				int fd = svc[u].fd;
				if (read(fd, &c, 1) == 1 && c == '\n')
					svc[u].state = READY;
				epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
				if (svc[u].state == READY)
					start_ready(ep);
				continue;
			}
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) == sizeof si)
				if (si.ssi_signo == SIGUSR2 && !stopping) {
					stopping = 1;
					kill(-1, SIGTERM);
				}
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
			if (stopping && waitpid(-1, NULL, WNOHANG) < 0) {
				sync();
				reboot(RB_POWER_OFF);
			}
		}
	}
}
