/* util: small file and process helpers shared by preinit's steps. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "preinit.h"
#include "mkdirs.h"

char *preinit_path(const char *root, const char *path)
{
	char *out = NULL;
	bool slash = root[0] && root[strlen(root) - 1] == '/';
	while (slash && path[0] == '/')
		path++;
	if (asprintf(&out, "%s%s%s", root, slash || path[0] == '/' ? "" : "/", path) < 0)
		return NULL;
	return out;
}

int preinit_mkdirs(const char *path, mode_t mode)
{
	return mkdirs(path, mode);
}

int preinit_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	return close(fd);
}

char *preinit_read_file(const char *path, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1);
	while (buf) {
		if (len == cap) {
			char *nb = cap < ((size_t)-1) / 4 ? realloc(buf, cap * 2 + 1) : NULL;
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			buf = NULL;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	int e = errno;
	close(fd);
	if (!buf) {
		errno = e;
		return NULL;
	}
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

int preinit_run(const char *root, char *const argv[], int in_fd, int out_fd)
{
	/* SIGCHLD stays pending while blocked (it would be dropped under its
	 * default disposition otherwise), so the wait below wakes at the
	 * child's exit or when the watchdog is due, whichever is first. */
	sigset_t chld, old;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	pid_t pid = fork();
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (strcmp(root, "/") && (chroot(root) < 0 || chdir("/") < 0))
			_exit(126);
		if (in_fd >= 0 && dup2(in_fd, 0) < 0)
			_exit(126);
		if (out_fd >= 0 && dup2(out_fd, 1) < 0)
			_exit(126);
		setenv("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	long period = preinit_watchdog_period_ms();
	struct timespec feed = { .tv_sec = period / 1000, .tv_nsec = period % 1000 * 1000000L };
	int st = 0;
	pid_t r;
	while ((r = waitpid(pid, &st, WNOHANG)) == 0 || (r < 0 && errno == EINTR)) {
		preinit_watchdog_feed();
		if (r == 0)
			sigtimedwait(&chld, NULL, period >= 0 ? &feed : NULL);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
