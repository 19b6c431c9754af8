/* spawn: forks a service's process and sets up its environment before exec. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char **base_env;
static struct rlimit nofile_orig = { RLIM_INFINITY, RLIM_INFINITY };
static bool nofile_set;
/* The child's end of the exec pipe: where child_fail reports. */
static int report_fd = -1;

void spawn_set_base_env(char **env) { base_env = env; }

void spawn_set_nofile(const struct rlimit *orig)
{
	nofile_orig = *orig;
	nofile_set = true;
}

/* Everything below runs in the child only: it may allocate and block
 * freely, and a failure ends the child, never PID 1. */
static void __attribute__((noreturn)) child_fail(const struct svc_def *def, int code,
						  const char *what, const char *arg)
{
	int e = errno;
	/* To PID 1, which prints it with the service's name; to the console
	 * directly only when there is no pipe (grandchildren of multi-exec). */
	int fd = report_fd >= 0 ? report_fd : 2;
	if (fd == 2)
		dprintf(2, "keel: %s: ", def->instance);
	dprintf(fd, "%s%s%s%s: %s\n", what, arg ? " \"" : "", arg ? arg : "", arg ? "\"" : "",
		strerror(e));
	_exit(code);
}

static size_t env_key_len(const char *kv)
{
	const char *eq = strchr(kv, '=');
	return eq ? (size_t)(eq - kv) : strlen(kv);
}

/* Base environment overridden key by key by the service's `env` lines. */
static char **child_build_env(const struct svc_def *def)
{
	size_t nbase = 0;
	while (base_env && base_env[nbase])
		nbase++;
	char **env = calloc(nbase + def->nenv + 1, sizeof *env);
	if (!env)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < nbase; i++) {
		size_t kl = env_key_len(base_env[i]);
		bool overridden = false;
		for (size_t j = 0; j < def->nenv; j++)
			if (env_key_len(def->env[j]) == kl && !strncmp(def->env[j], base_env[i], kl))
				overridden = true;
		if (!overridden)
			env[n++] = base_env[i];
	}
	for (size_t j = 0; j < def->nenv; j++)
		env[n++] = def->env[j];
	env[n] = NULL;
	return env;
}

static int parse_id(const char *s, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || end == s)
		return -1;
	*out = v;
	return 0;
}

static void child_drop_privileges(const struct svc_def *def)
{
	uid_t uid = 0;
	gid_t gid = 0;
	bool have_gid = false;
	const char *uname = NULL;
	unsigned long v;

	if (def->user) {
		struct passwd *pw = NULL;
		if (parse_id(def->user, &v) == 0) {
			uid = (uid_t)v;
			pw = getpwuid(uid);
		} else {
			errno = 0;
			pw = getpwnam(def->user);
			if (!pw) {
				if (!errno)
					errno = ENOENT;
				child_fail(def, 126, "unknown user", def->user);
			}
			uid = pw->pw_uid;
		}
		if (pw) {
			gid = pw->pw_gid;
			have_gid = true;
			uname = pw->pw_name;
		}
	}
	if (def->group) {
		if (parse_id(def->group, &v) == 0) {
			gid = (gid_t)v;
		} else {
			errno = 0;
			struct group *gr = getgrnam(def->group);
			if (!gr) {
				if (!errno)
					errno = ENOENT;
				child_fail(def, 126, "unknown group", def->group);
			}
			gid = gr->gr_gid;
		}
		have_gid = true;
	}
	if (have_gid) {
		/* Supplementary groups of the user, or none: never keep root's. */
		if (uname && def->user ? initgroups(uname, gid) : setgroups(0, NULL))
			child_fail(def, 126, "cannot set supplementary groups", NULL);
		if (setgid(gid))
			child_fail(def, 126, "setgid", def->group ? def->group : def->user);
	}
	if (def->user && setuid(uid))
		child_fail(def, 126, "setuid", def->user);
}

static void child_setup_stdio(const struct svc_def *def)
{
	if (def->tty) {
		/* O_NONBLOCK so a serial line without carrier cannot hang the open. */
		int flags = O_RDWR | O_NOCTTY | O_NONBLOCK | (def->tty_truncate ? O_TRUNC : 0);
		int fd = open(def->tty, flags);
		if (fd < 0)
			child_fail(def, 126, "cannot open tty", def->tty);
		int fl = fcntl(fd, F_GETFL);
		if (fl >= 0)
			fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
		if (isatty(fd))
			ioctl(fd, TIOCSCTTY, 0); /* best effort: a plain file works too */
		for (int i = 0; i < 3; i++)
			if (dup2(fd, i) < 0)
				child_fail(def, 126, "dup2", def->tty);
		if (fd > 2)
			close(fd);
		return;
	}
	int fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
}

static int child_run_cmd(const struct svc_def *def, const struct svc_cmd *cmd, char **env)
{
	environ = env;
	execvp(cmd->argv[0], cmd->argv);
	int code = (errno == ENOENT || errno == ENOTDIR) ? 127 : 126;
	child_fail(def, code, "cannot run", cmd->argv[0]);
}

static void __attribute__((noreturn)) child_main(const struct svc_def *def, int ready_wfd,
						  int exec_wfd)
{
	report_fd = exec_wfd;
	sigset_t none;
	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (setsid() < 0)
		child_fail(def, 126, "setsid", NULL);
	child_setup_stdio(def);

	if (ready_wfd >= 0 && exec_wfd == def->ready_fd) {
		/* Keep the exec pipe out of the way of the ready fd number. */
		int n = fcntl(exec_wfd, F_DUPFD_CLOEXEC, def->ready_fd + 1);
		close(exec_wfd);
		exec_wfd = report_fd = n;
	}
	if (ready_wfd >= 0) {
		if (ready_wfd == def->ready_fd) {
			int fl = fcntl(ready_wfd, F_GETFD);
			fcntl(ready_wfd, F_SETFD, fl & ~FD_CLOEXEC);
		} else if (dup2(ready_wfd, def->ready_fd) < 0) {
			child_fail(def, 126, "cannot set up ready fd", NULL);
		}
	}
	if (def->umask >= 0)
		umask((mode_t)def->umask);
	if (nofile_set)
		setrlimit(RLIMIT_NOFILE, &nofile_orig);
	for (size_t i = 0; i < def->nrlimits; i++)
		if (setrlimit(def->rlimits[i].resource, &def->rlimits[i].lim))
			child_fail(def, 126, "setrlimit", NULL);
	const char *dir = def->cwd ? def->cwd : "/";
	if (chdir(dir))
		child_fail(def, 126, "cannot change directory to", dir);
	child_drop_privileges(def);

	char **env = child_build_env(def);
	if (!env) {
		errno = ENOMEM;
		child_fail(def, 126, "environment", NULL);
	}
	if (def->nexec == 0)
		_exit(0);
	if (def->nexec == 1)
		child_run_cmd(def, &def->exec[0], env);
	/* Setup done: the commands' own failures go to the console. */
	close(exec_wfd);
	report_fd = -1;

	/* Several commands: run them in order from this child, as the model's
	 * runsvc does; the first failure's status is the service's. */
	for (size_t i = 0; i < def->nexec; i++) {
		pid_t pid = fork();
		if (pid < 0)
			child_fail(def, 126, "fork", NULL);
		if (pid == 0)
			child_run_cmd(def, &def->exec[i], env);
		int st;
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				child_fail(def, 126, "waitpid", NULL);
		if (WIFSIGNALED(st)) {
			signal(WTERMSIG(st), SIG_DFL);
			raise(WTERMSIG(st));
			_exit(128 + WTERMSIG(st));
		}
		if (WEXITSTATUS(st) != 0)
			_exit(WEXITSTATUS(st));
	}
	_exit(0);
}

pid_t spawn_service(const struct svc_def *def, int *ready_rfd, int *exec_rfd)
{
	int rp[2] = { -1, -1 }, ep[2] = { -1, -1 };
	*ready_rfd = -1;
	*exec_rfd = -1;
	if (pipe2(ep, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	if (def->ready == SVC_READY_FD && pipe2(rp, O_CLOEXEC | O_NONBLOCK) < 0)
		goto fail;
	pid_t pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		close(ep[0]);
		int fl = fcntl(ep[1], F_GETFL);
		fcntl(ep[1], F_SETFL, fl & ~O_NONBLOCK);
		if (rp[0] >= 0) {
			close(rp[0]);
			fl = fcntl(rp[1], F_GETFL);
			fcntl(rp[1], F_SETFL, fl & ~O_NONBLOCK);
		}
		child_main(def, rp[1], ep[1]);
	}
	close(ep[1]);
	*exec_rfd = ep[0];
	if (rp[0] >= 0) {
		close(rp[1]);
		*ready_rfd = rp[0];
	}
	return pid;
fail:;
	int e = errno;
	for (int i = 0; i < 2; i++) {
		if (ep[i] >= 0)
			close(ep[i]);
		if (rp[i] >= 0)
			close(rp[i]);
	}
	errno = e;
	return -1;
}
