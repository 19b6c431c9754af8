/* main: keel as PID 1 — the boot sequence and the event loop, read top to bottom. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "badfiles.h"
#include "check.h"
#include "lex.h"
#include "cmdline.h"
#include "conditions.h"
#include "control.h"
#include "events.h"
#include "timeline.h"
#include "envfile.h"
#include "initenv.h"
#include "log.h"
#include "logd.h"
#include "notify.h"
#include "watchdog.h"
#include "loop.h"
#include "mount.h"
#include "spawn.h"
#include "health.h"
#include "inittab.h"
#include "guest.h"
#include "binds.h"
#include "skip.h"
#include "upgrade.h"
#include "supervisor.h"
#include "services.h"
#include "trim.h"
#include "sigstray.h"
#include "oomguard.h"

#ifndef KEEL_HEALTH_FILE
#define KEEL_HEALTH_FILE "/etc/keel/health"
#endif

enum { LG_MODE = 1, LG_SIZE = 2, LG_RATE = 4, LG_FILESIZE = 8, LG_FLUSH = 16, LG_KMSG = 32,
       LG_SYSLOG = 64 };

struct options {
	struct services_conf svc;
	struct logd_conf log;
	unsigned log_given; /* LG_*: set by keel's own options, the kernel's do not override */
	const char *watchdog;     /* device, "off", NULL: the build setting */
	int watchdog_timeout;     /* seconds, 0: the build setting */
	const char *notify;       /* NOTIFY_SOCKET path */
	const char *health_file;  /* boot health (docs/liveness.md); missing: off */
	const char *upgrade_conf; /* docs/upgrade.md */
	const char *share_dir;
	const char *socket;
	const char *cmdline; /* text to use instead of /proc/cmdline (tests) */
	const char *env_file;
	bool guest;               /* --guest: under another init (guest.c) */
	const char *skip_file;    /* services not to start (skip.c) */
	bool health_given;
	struct cmdline cl;
};

KEEL_BOOT static void usage(FILE *f)
{
	fprintf(f, "usage: keel [--service-dir DIR] [--runtime-dir DIR] [--rcd-dir DIR]\n"
		   "            [--share-dir DIR] [--socket PATH] [--socket-mode MODE]\n"
		   "            [--socket-group GID] [--env-file PATH]\n"
		   "            [--cmdline TEXT] [--debug] [--quiet] [--verbose] [--single]\n"
		   "            [--target NAME] [--log-mode ring|console|null] [--log-size SIZE]\n"
		   "            [--log-rate N] [--log-file PATH] [--log-filesize SIZE]\n"
		   "            [--log-flush DURATION] [--log-socket PATH] [--syslog-socket PATH]\n"
		   "            [--kmsg PATH] [--watchdog DEVICE|off] [--watchdog-timeout S]\n"
		   "            [--notify-socket PATH] [--health-file PATH] [--inittab PATH|none]\n"
		   "            [--guest] [--skip-file PATH] [--upgrade-conf PATH]\n"
		   "       keel check [-q] [--strict] [--root SYSROOT] [DIR]\n"
		   "keel runs as PID 1, or under another init with --guest; `keel check` checks\n"
		   "a service directory.\n");
}

/* The kernel may start init with fds 0-2 closed (no console): services
 * and our own writes must never land on an unrelated fd. */
KEEL_BOOT static void stdio_ensure(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int n = open("/dev/console", O_RDWR | O_NOCTTY);
		if (n < 0)
			n = open("/dev/null", O_RDWR);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
}

/* Last resort: a bug made PID 1 fault. Dying would panic the kernel, so
 * say so and keep reaping: the services already running go on. The same
 * signal sent by a process (kill -SEGV 1) is no fault and is ignored. */
static pid_t keel_pid = 1; /* PID 1, or a guest's own pid */

static void crash_handler(int sig, siginfo_t *si, void *ctx)
{
	static const char msg[] = "keel: fatal: PID 1 crashed; services keep running, "
				  "no more supervision\n";
	(void)ctx;
	/* Not PID 1: a service's process before its exec, or the runner of
	 * a multi-command service. Take the default action, as if no handler
	 * were installed (children do not reset these, to start faster). */
	if (sig != 0 && getpid() != keel_pid) {
		/* kill, not raise: after clone() the C library's idea of the
		 * current thread is still PID 1's. */
		signal(sig, SIG_DFL);
		kill(getpid(), sig);
		_exit(128 + sig);
	}
	if (si && si->si_code <= 0 && sig != 0)
		return;
	if (write(2, msg, sizeof msg - 1) < 0) {
	}
	for (;;) {
		if (waitpid(-1, NULL, 0) < 0)
			pause();
	}
}

KEEL_BOOT static void crash_path_install(void)
{
	struct sigaction sa = { .sa_sigaction = crash_handler, .sa_flags = SA_SIGINFO | SA_NODEFER };
	int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

KEEL_BOOT static int signals_open(void)
{
	sigset_t set;
	sigfillset(&set);
	/* Faults stay deliverable to the crash path. */
	sigdelset(&set, SIGSEGV);
	sigdelset(&set, SIGBUS);
	sigdelset(&set, SIGILL);
	sigdelset(&set, SIGFPE);
	sigdelset(&set, SIGABRT);
	sigprocmask(SIG_SETMASK, &set, NULL);
	/* All of them read, used or not (sigstray.c). */
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static void signals_handle(int sfd)
{
	struct signalfd_siginfo si;
	while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			sup_reap();
			break;
		case SIGTERM: /* busybox reboot; to a guest: the host init ends */
			if (guest_mode())
				guest_host_stop();
			else
				sup_shutdown(SUP_ACTION_REBOOT);
			break;
		case SIGUSR1: /* busybox halt */
			sup_shutdown(SUP_ACTION_HALT);
			break;
		case SIGUSR2: /* busybox poweroff */
		case SIGPWR:
			sup_shutdown(SUP_ACTION_POWEROFF);
			break;
		case SIGINT: /* Ctrl-Alt-Del, with the kernel's handling off */
			if (guest_mode()) { /* Ctrl-C in a shell */
				guest_host_stop();
				break;
			}
			log_info("Ctrl-Alt-Del");
			if (sup_phase() == SUP_PHASE_RUN) {
				if (sup_target_empty(SVC_TARGET_CTRLALTDEL))
					sup_shutdown(SUP_ACTION_REBOOT);
				else {
					log_info("running target ctrlaltdel");
					sup_start_target(SVC_TARGET_CTRLALTDEL);
				}
			}
			break;
		case SIGQUIT: /* busybox: the inittab's restart line */
			if (!guest_mode() && inittab_has_restart()) {
				log_info("SIGQUIT: restarting through the inittab's restart line");
				sup_shutdown(SUP_ACTION_RESTART);
			}
			break;
		case SIGHUP: {
			char *summary = NULL;
			sup_reload(&summary);
			free(summary);
			break;
		}
		default:
			sig_stray(&si);
			break;
		}
	}
}

/* The deadline the timerfd is set for (0: disarmed or fired): most loop
 * turns ask for the same one again, and a syscall per turn adds up when
 * a thousand services report ready. */
static uint64_t timer_armed;
/* timerfd_settime failed: deadlines are kept by epoll_wait's timeout. */
static bool timer_by_epoll;

/* Arms the timerfd for deadline_ms (0: none); returns the timeout for
 * epoll_wait: -1, or with the fallback the milliseconds left. */
static int timer_arm(int tfd, uint64_t deadline_ms)
{
	if (!timer_by_epoll && deadline_ms == timer_armed)
		return -1;
	uint64_t now = deadline_ms ? sup_now_ms() : 0;
	uint64_t delta = deadline_ms > now ? deadline_ms - now : 1;
	if (timer_by_epoll)
		return !deadline_ms ? -1 : delta > INT_MAX ? INT_MAX : (int)delta;
	struct itimerspec its = { 0 };
	if (deadline_ms) {
		its.it_value.tv_sec = (time_t)(delta / 1000);
		its.it_value.tv_nsec = (long)(delta % 1000) * 1000000L;
	}
	if (timerfd_settime(tfd, 0, &its, NULL) < 0) {
		/* Not a transient failure (ENOSYS: a 32-bit libc's call that a
		 * kernel without CONFIG_COMPAT_32BIT_TIME lacks; EINVAL): said
		 * once, never again, and the loop's own timeout takes over. */
		log_msg("error: timerfd_settime: %m: timers fall back to the event loop's "
			"timeout (see \"Kernel features\" in keel(8))");
		timer_by_epoll = true;
		return timer_arm(tfd, deadline_ms);
	}
	timer_armed = deadline_ms;
	return -1;
}

/* Every module's deadlines that may be due (each checks its own). */
static void timers_due(void)
{
	sup_timer_event();
	cond_timer_event();
	logd_timer_event();
	notify_timer_event();
	live_timer_event();
	wdog_timer_event();
	health_timer_event();
	upgrade_timer_event();
	timeline_timer_event();
	sig_timer_event();
}

KEEL_BOOT static void cmdline_read(struct options *o, struct diags *d)
{
	char *text = NULL;
	if (o->cmdline) {
		text = strdup(o->cmdline);
	} else {
		/* Without /proc (never mounted) there is simply nothing to read. */
		struct diags quiet = { 0 };
		size_t len;
		if (svcdir_read("/proc/cmdline", &text, &len, &quiet) < 0)
			text = NULL;
		diags_free(&quiet);
	}
	struct cmdline cl;
	cmdline_parse(text ? text : "", &cl, d);
	cond_set_cmdline(text);
	skip_init(text, o->skip_file, d);
	free(text);
	/* The log's options: the kernel's words win over keel's defaults, the
	 * command line given to keel (tests) over both. */
	if (cl.log_mode >= 0 && !(o->log_given & LG_MODE))
		o->log.mode = SVC_LOG_RING + cl.log_mode;
	if (cl.log_size > 0 && !(o->log_given & LG_SIZE))
		o->log.ring_size = (size_t)cl.log_size;
	if (cl.log_rate >= 0 && !(o->log_given & LG_RATE))
		o->log.rate = cl.log_rate > INT32_MAX ? INT32_MAX : (int)cl.log_rate;
	if (cl.log_filesize > 0 && !(o->log_given & LG_FILESIZE))
		o->log.filesize = cl.log_filesize;
	if (cl.log_flush_ms > 0 && !(o->log_given & LG_FLUSH))
		o->log.flush_ms = cl.log_flush_ms;
	if (cl.log_file && !o->log.file) {
		static char *file;
		file = cl.log_file;
		cl.log_file = NULL;
		o->log.file = file;
	}
	if (cl.watchdog && !o->watchdog) {
		static char *w;
		w = cl.watchdog;
		cl.watchdog = NULL;
		o->watchdog = w;
	}
	if (cl.watchdog_timeout > 0 && !o->watchdog_timeout)
		o->watchdog_timeout = (int)cl.watchdog_timeout;
	cmdline_free(&cl);
	o->cl.debug |= cl.debug;
	o->cl.single |= cl.single;
	o->cl.quiet |= cl.quiet;
	o->cl.verbose |= cl.verbose;
	if (cl.target != SVC_TARGET_BOOT)
		o->cl.target = cl.target;
}

/* --log-mode/size/rate/filesize/flush: the values of the boot options. */
KEEL_BOOT static int log_option(struct options *o, int c, const char *arg)
{
	long v = -1;
	unsigned long ms;
	if (c == 'L') {
		static const char *const modes[] = { "ring", "console", "null" };
		for (int m = 0; m < 3; m++)
			if (!strcmp(arg, modes[m]))
				v = SVC_LOG_RING + m;
		if (v >= 0)
			o->log.mode = (int)v;
		o->log_given |= LG_MODE;
	} else if (c == 'f') {
		if (lex_duration_ms(arg, &ms) == 0 && ms >= 100 && ms <= LONG_MAX)
			v = o->log.flush_ms = (long)ms;
		o->log_given |= LG_FLUSH;
	} else {
		v = cmdline_size(arg, strlen(arg));
		if (c == 'Z' && v >= 4096) {
			o->log.ring_size = (size_t)v;
			o->log_given |= LG_SIZE;
		} else if (c == 'z' && v >= 4096) {
			o->log.filesize = v;
			o->log_given |= LG_FILESIZE;
		} else if (c == 'A' && v >= 0 && v <= INT32_MAX) {
			o->log.rate = (int)v;
			o->log_given |= LG_RATE;
		} else {
			v = -1;
		}
	}
	if (v < 0)
		fprintf(stderr, "keel: bad value \"%s\" for a --log option\n", arg);
	return v < 0 ? -1 : 0;
}

/* --socket-mode, --socket-group: for control_set_access. */
static mode_t socket_mode = 0600;
static gid_t socket_gid = (gid_t)-1;

KEEL_BOOT static int options_parse(int argc, char **argv, struct options *o)
{
	static const struct option lo[] = {
		{ "service-dir", required_argument, NULL, 'd' },
		{ "runtime-dir", required_argument, NULL, 'r' },
		{ "rcd-dir", required_argument, NULL, 'R' },
		{ "share-dir", required_argument, NULL, 'D' },
		{ "socket", required_argument, NULL, 's' },
		{ "socket-mode", required_argument, NULL, 'm' },
		{ "socket-group", required_argument, NULL, 'g' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "env-file", required_argument, NULL, 'e' },
		{ "debug", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'b' },
		{ "single", no_argument, NULL, '1' },
		{ "target", required_argument, NULL, 't' },
		{ "log-mode", required_argument, NULL, 'L' },
		{ "log-size", required_argument, NULL, 'Z' },
		{ "log-rate", required_argument, NULL, 'A' },
		{ "log-file", required_argument, NULL, 'F' },
		{ "log-filesize", required_argument, NULL, 'z' },
		{ "log-flush", required_argument, NULL, 'f' },
		{ "log-socket", required_argument, NULL, 'S' },
		{ "syslog-socket", required_argument, NULL, 'y' },
		{ "kmsg", required_argument, NULL, 'k' },
		{ "watchdog", required_argument, NULL, 'W' },
		{ "watchdog-timeout", required_argument, NULL, 'T' },
		{ "notify-socket", required_argument, NULL, 'N' },
		{ "health-file", required_argument, NULL, 'H' },
		{ "inittab", required_argument, NULL, 'I' },
		{ "guest", no_argument, NULL, 'G' },
		{ "skip-file", required_argument, NULL, 'K' },
		{ "upgrade-conf", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	*o = (struct options){ .svc = { .service_dir = KEEL_SERVICE_DIR,
					.runtime_dir = KEEL_RUNTIME_DIR,
					.rcd_dir = KEEL_RCD_DIR },
			       .share_dir = KEEL_SHARE_DIR,
			       .notify = KEEL_NOTIFY_SOCKET,
			       .health_file = KEEL_HEALTH_FILE,
			       .env_file = KEEL_ENV_FILE,
			       .socket = KEEL_SOCKET_PATH };
	o->svc.inittab = KEEL_INITTAB;
	o->skip_file = KEEL_SKIP_FILE;
	o->cl.target = SVC_TARGET_BOOT;
	o->log = (struct logd_conf){ .mode = SVC_LOG_RING, .ring_size = KEEL_LOG_RING_SIZE,
				     .rate = LOGD_DEFAULT_RATE, .file = KEEL_LOG_FILE[0] ? KEEL_LOG_FILE : NULL,
				     .filesize = LOGD_DEFAULT_FILESIZE, .flush_ms = LOGD_DEFAULT_FLUSH_MS,
				     .socket = KEEL_LOG_SOCKET, .syslog = "/dev/log", .kmsg = "/dev/kmsg" };
	int c;
	bool dir_given = false, rcd_given = false, runtime_given = false, env_given = false;
	bool inittab_given = false;
	/* The kernel hands init the command line words it does not know: as
	 * PID 1, never let them be fatal. */
	opterr = getpid() != 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'd': o->svc.service_dir = optarg; dir_given = true; break;
		case 'r': o->svc.runtime_dir = optarg; runtime_given = true; break;
		case 'R': o->svc.rcd_dir = optarg; rcd_given = true; break;
		case 'D': o->share_dir = optarg; break;
		case 's': o->socket = optarg; break;
		case 'm': socket_mode = (mode_t)strtoul(optarg, NULL, 8); break;
		case 'g': socket_gid = (gid_t)strtoul(optarg, NULL, 10); break;
		case 'c': o->cmdline = optarg; break;
		case 'e': o->env_file = optarg; env_given = true; break;
		case 'v': o->cl.debug = true; break;
		case 'q': o->cl.quiet = true; break;
		case 'b': o->cl.verbose = true; break;
		case '1': o->cl.single = true; break;
		case 't': {
			int t = svc_target_from_name(optarg);
			if (t < 0) {
				fprintf(stderr, "keel: unknown target \"%s\"\n", optarg);
				return -1;
			}
			o->cl.target = (enum svc_target)t;
			break;
		}
		case 'L':
		case 'Z':
		case 'A':
		case 'z':
		case 'f':
			if (log_option(o, c, optarg) < 0)
				return -1;
			break;
		case 'F': o->log.file = *optarg ? optarg : NULL; break;
		case 'S': o->log.socket = *optarg ? optarg : NULL; break;
		case 'y': o->log.syslog = *optarg ? optarg : NULL; o->log_given |= LG_SYSLOG; break;
		case 'k': o->log.kmsg = *optarg ? optarg : NULL; o->log_given |= LG_KMSG; break;
		case 'W': o->watchdog = optarg; break;
		case 'T': o->watchdog_timeout = atoi(optarg); break;
		case 'N': o->notify = optarg; break;
		case 'H': o->health_file = optarg; o->health_given = true; break;
		case 'I': o->svc.inittab = strcmp(optarg, "none") ? optarg : NULL; inittab_given = true; break;
		case 'G': o->guest = true; break;
		case 'K': o->skip_file = optarg; break;
		case 'U': o->upgrade_conf = optarg; break;
		case 'h': usage(stdout); exit(0);
		case 'V': puts("keel " KEEL_VERSION); exit(0);
		default:
			if (getpid() != 1) {
				usage(stderr);
				return -1;
			}
		}
	}
	/* A service dir given by hand (tests, a rootfs tree) brings its own
	 * rc.d beside it, and no runtime dir unless named too. */
	static char *rcd;
	if (dir_given && !rcd_given) {
		if (asprintf(&rcd, "%s/../rc.d", o->svc.service_dir) < 0)
			rcd = NULL;
		o->svc.rcd_dir = rcd;
		if (!runtime_given)
			o->svc.runtime_dir = NULL;
		static char *envf;
		if (!env_given && asprintf(&envf, "%s/../initd.env", o->svc.service_dir) >= 0)
			o->env_file = envf;
		static char *itab;
		if (!inittab_given && asprintf(&itab, "%s/../inittab", o->svc.service_dir) >= 0)
			o->svc.inittab = itab;
	}
	o->svc.inittab_given = inittab_given;
	/* The host init owns the inittab, the watchdog and the boot's health. */
	if (o->guest) {
		if (!inittab_given)
			o->svc.inittab = NULL;
		if (!o->watchdog)
			o->watchdog = "off";
		if (!o->health_given)
			o->health_file = NULL;
	}
	/* "single" or "S" as a plain word from the kernel. */
	for (int i = optind; i < argc; i++)
		if (!strcmp(argv[i], "single") || !strcmp(argv[i], "S"))
			o->cl.single = true;
	return 0;
}

KEEL_BOOT static void final_reboot(enum sup_action a, bool in_container)
{
	static const char *const words[] = { [SUP_ACTION_NONE] = "powering off",
					     [SUP_ACTION_REBOOT] = "rebooting",
					     [SUP_ACTION_POWEROFF] = "powering off",
					     [SUP_ACTION_HALT] = "halting",
					     [SUP_ACTION_RESTART] = "rebooting" };
	control_close();
	notify_close();
	logd_final();
	logd_close();
	if (guest_mode())
		guest_final(a); /* no unmounting, no reboot(2): the host init's */
	if (a == SUP_ACTION_RESTART) {
		/* Nothing unmounted: the next init finds the system as it is.
		 * Its watchdog, if any, is its own business. */
		wdog_disarm();
		inittab_restart_exec();
		a = SUP_ACTION_REBOOT;
	}
	log_info("unmounting file systems");
	wdog_feed_now(); /* the whole timeout for the last sync and unmounts */
	mount_final(!in_container);
	wdog_disarm();
	log_msg("%s", words[a]);
	log_drain(2000);
	int cmd = a == SUP_ACTION_REBOOT ? RB_AUTOBOOT
		  : a == SUP_ACTION_HALT ? RB_HALT_SYSTEM
					 : RB_POWER_OFF;
	reboot(cmd);
	/* Only reached if the kernel refused (or in a container whose kernel
	 * treats halt as power-off already): PID 1 must not exit on real
	 * hardware, so idle. In a PID namespace, exiting ends it cleanly. */
	if (in_container)
		exit(0);
	log_msg("reboot(2) failed: %m; halting here");
	log_drain(1000);
	for (;;)
		pause();
}

/* Steps 1 to 6, once: everything before the loop. Not inlined: the
 * Makefile's linker script puts it with the boot-only code that trim.c
 * lets go of. Returns an exit
 * status, or -1 to go on to the loop. */
struct boot {
	int tfd;
	bool in_container;
};

static KEEL_BOOT __attribute__((noinline)) int main_boot(int argc, char **argv, struct boot *b)
{
	if (argc > 1 && !strcmp(argv[1], "check"))
		return check_main(argc - 1, argv + 1);
	int step = getpid() != 1 ? binds_main(argc, argv) : -1; /* a service's bind/hook/module */
	if (step >= 0)
		return step;

	/* Static: the supervisor, the log and the control socket keep
	 * pointers into it for the life of PID 1. */
	static struct options o;
	if (options_parse(argc, argv, &o) < 0)
		return 100;
	if (getpid() != 1 && !o.guest) {
		fprintf(stderr, "keel: must run as PID 1, or with --guest under another init (try "
				"`keel check DIR` to check service files)\n");
		return 100;
	}
	keel_pid = getpid();

	/* 1. A sane process: fds, umask, the crash path. */
	stdio_ensure();
	umask(022);
	if (chdir("/") < 0) {
	}
	sig_defaults();
	crash_path_install();

	/* 2. Pseudo file systems, then the console log (needs /proc). A guest
	 * mounts nothing: the host init owns the file systems. */
	if (!o.guest)
		mount_early();
	log_init();
	struct diags boot_diags = { 0 };
	cmdline_read(&o, &boot_diags);
	log_set_debug(o.cl.debug);
	log_set_quiet(o.cl.quiet && !o.cl.verbose);

	/* 3. Ctrl-Alt-Del becomes SIGINT. In a PID namespace the kernel
	 * refuses with EINVAL: that is how we know we are in a container. */
	b->in_container = o.guest || (reboot(RB_DISABLE_CAD) < 0 && errno == EINVAL);

	/* The log, before anything worth keeping is said. In a container the
	 * host's kernel log and /dev/log are not ours unless given. */
	if (b->in_container && !(o.log_given & LG_KMSG))
		o.log.kmsg = NULL;
	if (b->in_container && !(o.log_given & LG_SYSLOG))
		o.log.syslog = NULL;
	if (loop_init() < 0)
		log_msg("fatal: epoll_create1: %m: no event loop (see \"Kernel features\" in keel(8))");
	else
		logd_init(&o.log);
	log_info("keel " KEEL_VERSION " starting%s", o.guest ? " as a guest" : "");
	if (o.guest)
		guest_init();
	/* The watchdog as early as the loop can feed it: preinit's fd, or the device. */
	wdog_init(o.watchdog ? o.watchdog : KEEL_WATCHDOG_DEV,
		  o.watchdog_timeout ? o.watchdog_timeout : KEEL_WATCHDOG_TIMEOUT, o.watchdog_timeout > 0);
	for (size_t i = 0; i < boot_diags.n; i++)
		log_diag(&boot_diags.v[i]);
	diags_free(&boot_diags);
	if (b->in_container)
		log_debug("running in a PID namespace: file systems stay writable at the end");
	oomguard_init(b->in_container);

	/* 4. The services' environment: defaults, then the model's initd.env. */
	static const char *const env_defaults[] = { "PATH=" KEEL_DEFAULT_PATH, "HOME=/",
						    "TERM=linux", NULL };
	initenv_apply(o.env_file, env_defaults);

	/* 5. Event sources. */
	int sfd = signals_open();
	int tfd = b->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (sfd < 0) {
		/* Without it there is no event loop: the crash path still
		 * keeps the system up. */
		log_msg("fatal: signalfd: %m: no event loop (see \"Kernel features\" in keel(8))");
		log_set_deferred(false);
		crash_handler(0, NULL, NULL);
	}
	loop_add(sfd, EPOLLIN, LOOP_SIGNAL);
	if (tfd < 0) {
		log_msg("error: timerfd_create: %m: timers fall back to the event loop's "
			"timeout (see \"Kernel features\" in keel(8))");
		timer_by_epoll = true;
	} else
		loop_add(tfd, EPOLLIN, LOOP_TIMER);

	/* 6. Services. */
	struct svc_set set = { 0 };
	struct diags diags = { 0 };
	services_load(&o.svc, &set, &diags);
	badfiles_take(&set);
	if (sup_init(&set, &diags, &o.svc) < 0)
		log_msg("error: out of memory loading services: some are missing");
	control_set_access(socket_mode, socket_gid);
	control_open(o.socket, o.share_dir);
	notify_open(o.notify);
	health_init(o.health_file);
	upgrade_init(o.upgrade_conf);

	if (o.cl.single && sup_start_rescue() == 0)
		; /* the boot target follows when the shell exits */
	else
		sup_start_target(o.cl.target);
	return -1;
}

int main(int argc, char **argv)
{
	struct boot b = { .tfd = -1 };
	int r = main_boot(argc, argv, &b);
	if (r >= 0)
		return r;
	int tfd = b.tfd;
	bool in_container = b.in_container;

	/* 7. The loop: decide, sleep until something happens, dispatch.
	 * Console lines wait until the step has started what it can. */
	bool log_watched = false;
	while (sup_step(), health_step(), sup_phase() != SUP_PHASE_DONE) {
		log_flush();
		uint64_t d1 = sup_next_deadline(), d2 = control_timer(), d3 = cond_next_deadline();
		uint64_t more[] = { d3, logd_next_deadline(), notify_next_deadline(),
				    live_next_deadline(), wdog_next_deadline(),
				    health_next_deadline(), upgrade_next_deadline(),
				    timeline_next_deadline(), spawn_next_deadline(),
				    sig_next_deadline() };
		for (size_t k = 0; k < sizeof more / sizeof more[0]; k++)
			if (more[k] && (!d1 || more[k] < d1))
				d1 = more[k];
		/* Already due: look at the other sources without sleeping, then
		 * do it, rather than a timer round trip (and never starving
		 * them, e.g. while a fork storm is reaped in batches). */
		bool due = d1 && d1 <= sup_now_ms();
		int wait_ms = due ? 0 : timer_arm(tfd, !d1 ? d2 : !d2 ? d1 : d1 < d2 ? d1 : d2);
		if (log_pending() != log_watched) {
			log_watched = log_pending();
			if (log_watched)
				loop_add(log_fd(), EPOLLOUT, LOOP_LOG);
			else
				loop_del(log_fd());
		}
		struct epoll_event ev[32];
		int n = loop_wait(ev, 32, wait_ms);
		if (due)
			timers_due();
		for (int i = 0; i < n; i++) {
			int fd = loop_ev_fd(&ev[i]);
			if (!loop_ev_current(&ev[i]))
				continue;
			switch (loop_ev_tag(&ev[i])) {
			case LOOP_SIGNAL: signals_handle(fd); break;
			case LOOP_TIMER: {
				uint64_t ticks;
				if (read(fd, &ticks, sizeof ticks) < 0) {
				}
				timer_armed = 0;
				timers_due();
				break;
			}
			case LOOP_LISTEN: control_accept(); break;
			case LOOP_CLIENT: control_client_event(fd, ev[i].events); break;
			case LOOP_READY: sup_ready_fd_event(fd); break;
			case LOOP_EXEC: sup_exec_fd_event(fd); break;
			case LOOP_INOTIFY: sup_inotify_event(); break;
			case LOOP_LOG: log_flush(); break;
			case LOOP_COND_INOTIFY:
			case LOOP_COND_NETLINK:
			case LOOP_COND_CLOCK:
			case LOOP_COND_MOUNT: cond_fd_event(fd, loop_ev_tag(&ev[i])); break;
			case LOOP_LOGD_PIPE:
			case LOOP_LOGD_KMSG:
			case LOOP_LOGD_SYSLOG:
			case LOOP_LOGD_LISTEN:
			case LOOP_LOGD_CLIENT: logd_fd_event(fd, loop_ev_tag(&ev[i]), ev[i].events); break;
			case LOOP_NOTIFY: notify_event(fd); break;
			case LOOP_WATCHDOG: wdog_event(fd); break;
			case LOOP_PIDFD: live_pidfd_event(fd); break;
			case LOOP_EVENTS: events_fd_event(fd, ev[i].events); break;
			}
		}
	}

	/* 8. Every process is gone: make the data safe and leave. */
	log_set_deferred(false);
	if (upgrade_armed())
		upgrade_handover(); /* returns only if nothing was written: reboot */
	final_reboot(sup_action(), in_container);
	return 0;
}
