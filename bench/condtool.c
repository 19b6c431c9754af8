/* condtool: the probes of bench/cond.sh — a run-and-exit stamp service, an idle detector for PID 1, an rtnetlink address storm, a path-trigger stopwatch. */
/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Times cross process and namespace boundaries (host, PID 1, services), so
 * every one is CLOCK_MONOTONIC (not namespaced here) unless said otherwise. */

static long long ns_of(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
static long long now_ns(void) { return ns_of(CLOCK_MONOTONIC); }

static void nap_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

static ssize_t slurp(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t len = 0, r;
	while ((size_t)len < cap - 1 && (r = read(fd, buf + len, cap - 1 - (size_t)len)) > 0)
		len += r;
	close(fd);
	buf[len] = '\0';
	return len;
}

/* ---- stampx FILE: the trigger service ------------------------------------- */

/* The clock is read before anything else, so the figure ends where the
 * service's own code begins. CLOCK_REALTIME, as the creator's stamp. The
 * line also says which event started the run. */
static int cmd_stampx(int argc, char **argv)
{
	long long t = ns_of(CLOCK_REALTIME);
	if (argc < 2)
		return 100;
	const char *ev = getenv("KEEL_TRIGGER_EVENT"), *path = getenv("KEEL_TRIGGER_PATH");
	char line[4200];
	int n = snprintf(line, sizeof line, "%lld %d %s %s\n", t, (int)getpid(), ev ? ev : "-",
			 path ? path : "-");
	if (n < 0 || n >= (int)sizeof line)
		return 111;
	int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, (size_t)n) != n)
		return 111;
	return 0;
}

/* ---- idle PID QUIET_MS TIMEOUT_MS ------------------------------------------- */

/* CPU time of a task in ns (first field of /proc/PID/schedstat). */
static long long cpu_ns(int pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/schedstat", pid);
	if (slurp(path, buf, sizeof buf) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

/* Until PID has used no CPU for QUIET_MS: "settled", without asking it
 * anything (a request would itself cost PID 1 time). Prints the ms waited. */
static int cmd_idle(int argc, char **argv)
{
	if (argc < 4)
		return 100;
	int pid = atoi(argv[1]);
	long long quiet = atoll(argv[2]) * 1000000LL, t0 = now_ns();
	long long deadline = t0 + atoll(argv[3]) * 1000000LL;
	long long last = cpu_ns(pid), since = now_ns();
	for (;;) {
		nap_us(2000);
		long long c = cpu_ns(pid), t = now_ns();
		if (c < 0) {
			fprintf(stderr, "condtool: pid %d is gone\n", pid);
			return 1;
		}
		if (c != last) {
			last = c;
			since = t;
		} else if (t - since >= quiet) {
			printf("%.3f\n", (since - t0) / 1e6);
			return 0;
		}
		if (t > deadline) {
			fprintf(stderr, "condtool: pid %d still busy after %s ms\n", pid, argv[3]);
			return 1;
		}
	}
}

/* ---- control socket ---------------------------------------------------------- */

/* One request on keel's socket, the answer into buf. Returns its length or -1. */
static ssize_t ctl_req(const char *sock, const char *req, char *buf, size_t cap)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	size_t rl = strlen(req);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || write(fd, req, rl) != (ssize_t)rl) {
		close(fd);
		return -1;
	}
	ssize_t len = 0, r;
	while ((size_t)len < cap - 1 && (r = read(fd, buf + len, cap - 1 - (size_t)len)) > 0)
		len += r;
	close(fd);
	buf[len < 0 ? 0 : len] = '\0';
	return len;
}

/* The value keel gives the condition COND in a `cond` answer: 1 true,
 * 0 false, -1 not listed. */
static int cond_value(const char *ans, const char *cond)
{
	size_t cl = strlen(cond);
	for (const char *p = ans; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, "cond\t", 5) || strncmp(p + 5, cond, cl) || p[5 + cl] != '\t')
			continue;
		const char *v = p + 5 + cl + 1;
		return !strncmp(v, "true\t", 5) || !strncmp(v, "true\n", 5) ? 1 : 0;
	}
	return -1;
}

/* ---- storm IFACE MODE N SOCK COND WANT KEELCTL ----------------------------- */

static int nl_fd = -1;
static unsigned nl_seq;

/* One RTM_NEWADDR / RTM_DELADDR of the /32 `addr` on ifindex, waiting for
 * the kernel's acknowledgement (the change is done, and announced to the
 * multicast groups, when it comes). */
static int addr_change(int type, int ifindex, uint32_t addr)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
		char attrs[64];
	} req;
	memset(&req, 0, sizeof req);
	req.nh.nlmsg_type = (unsigned short)type;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (type == RTM_NEWADDR)
		req.nh.nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	req.nh.nlmsg_seq = ++nl_seq;
	req.ifa.ifa_family = AF_INET;
	req.ifa.ifa_prefixlen = 32;
	req.ifa.ifa_index = (unsigned)ifindex;
	size_t len = NLMSG_LENGTH(sizeof req.ifa);
	uint32_t be = htonl(addr);
	for (int a = 0; a < 2; a++) {
		struct rtattr *rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(len));
		rta->rta_type = a ? IFA_ADDRESS : IFA_LOCAL;
		rta->rta_len = RTA_LENGTH(4);
		memcpy(RTA_DATA(rta), &be, 4);
		len = NLMSG_ALIGN(len) + RTA_ALIGN(rta->rta_len);
	}
	req.nh.nlmsg_len = (unsigned)len;
	if (send(nl_fd, &req, len, 0) != (ssize_t)len)
		return -1;
	char buf[4096];
	for (;;) {
		ssize_t r = recv(nl_fd, buf, sizeof buf, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < (ssize_t)sizeof(struct nlmsghdr))
			return -1;
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;
		if (nh->nlmsg_seq != nl_seq || nh->nlmsg_type != NLMSG_ERROR)
			continue;
		int err = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
		if (err) {
			errno = -err;
			return -1;
		}
		return 0;
	}
}

/* Runs PROG ARGS with output to /dev/null in a child of its own, so the
 * storm goes on meanwhile; the child writes "LATENCY_MS END_NS" to out_fd. */
static pid_t timed_bg(char **argv, int out_fd)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	long long t0 = now_ns();
	pid_t c = fork();
	if (c == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	int st = 0;
	while (c > 0 && waitpid(c, &st, 0) < 0 && errno == EINTR)
		;
	long long t1 = now_ns();
	char line[80];
	int n = snprintf(line, sizeof line, "%.3f %lld %d\n", (t1 - t0) / 1e6, t1,
			 WIFEXITED(st) ? WEXITSTATUS(st) : 128);
	if (write(out_fd, line, (size_t)n) != n)
		_exit(1);
	_exit(0);
}

/*
 * storm IFACE MODE N SOCK COND WANT KEELCTL: N address changes on IFACE.
 *   churn: add a1; then add a(i), del a(i-1); finally del the last. The
 *          interface has an IPv4 address from the first change to the
 *          last, and none after it: a reader that shows "false" has seen
 *          the last change, whatever it missed in between.
 *   flap:  add a(i), del a(i) for distinct a(i): the value flips on every
 *          change (the worst case for services waiting on it).
 * Halfway, `KEELCTL --socket SOCK list` runs beside the storm. After the
 * last change, `cond` is asked on SOCK (every 2 ms, after 1 s every 50 ms) until COND has the value
 * WANT (true|false), for at most 20 s. Prints key=value lines for the script.
 */
static int cmd_storm(int argc, char **argv)
{
	if (argc < 8)
		return 100;
	const char *ifname = argv[1], *mode = argv[2], *sock = argv[4], *cond = argv[5];
	int n = atoi(argv[3]), want = !strcmp(argv[6], "true");
	int flap = !strcmp(mode, "flap");
	int ifindex = (int)if_nametoindex(ifname);
	if (!ifindex) {
		perror(ifname);
		return 1;
	}
	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl_fd < 0) {
		perror("condtool: netlink");
		return 1;
	}
	int pfd[2];
	if (pipe(pfd) < 0)
		return 1;
	char *ctl_argv[] = { argv[7], "--socket", (char *)sock, "list", NULL };
	pid_t lister = -1;
	/* 10.64.0.1 upwards: distinct addresses, out of the way of anything. */
	uint32_t base = 0x0a400001u;
	long long t_first = now_ns(), t_last = 0;
	int done = 0;
	for (int i = 0; done < n; i++) {
		int ops[2], nops = 0;
		uint32_t a[2];
		if (flap) {
			ops[0] = RTM_NEWADDR, a[0] = base + (uint32_t)i;
			ops[1] = RTM_DELADDR, a[1] = base + (uint32_t)i;
			nops = 2;
		} else if (i == 0) {
			ops[0] = RTM_NEWADDR, a[0] = base;
			nops = 1;
		} else if (done == n - 1) {
			ops[0] = RTM_DELADDR, a[0] = base + (uint32_t)i - 1;
			nops = 1;
		} else {
			ops[0] = RTM_NEWADDR, a[0] = base + (uint32_t)i;
			ops[1] = RTM_DELADDR, a[1] = base + (uint32_t)i - 1;
			nops = 2;
		}
		for (int k = 0; k < nops && done < n; k++) {
			if (addr_change(ops[k], ifindex, a[k]) < 0) {
				fprintf(stderr, "condtool: change %d: %s\n", done, strerror(errno));
				return 1;
			}
			done++;
			if (done == n / 2)
				lister = timed_bg(ctl_argv, pfd[1]);
		}
	}
	t_last = now_ns();
	/* After the acknowledgement of the last change: poll keel's answer. */
	static char ans[1 << 20];
	long long t_seen = 0, deadline = t_last + 20000000000LL;
	int polls = 0, v = -1;
	for (;;) {
		polls++;
		if (ctl_req(sock, "cond\n", ans, sizeof ans) > 0 && (v = cond_value(ans, cond)) == want) {
			t_seen = now_ns();
			break;
		}
		if (now_ns() > deadline) {
			fprintf(stderr, "condtool: keel's `cond` never gave \"%s\" %s within 20 s (last: %d)\n",
				cond, argv[6], v);
			break;
		}
		/* Every 2 ms for the first second, then less often: a keel that
		 * never gets there should not be kept busy by the asking. */
		nap_us(now_ns() - t_last < 1000000000LL ? 2000 : 50000);
	}
	int st;
	waitpid(lister, &st, 0);
	close(pfd[1]);
	char line[128] = "";
	ssize_t r = read(pfd[0], line, sizeof line - 1);
	line[r > 0 ? r : 0] = '\0';
	double list_ms = -1;
	long long list_end = 0;
	int list_rc = -1;
	sscanf(line, "%lf %lld %d", &list_ms, &list_end, &list_rc);
	printf("changes=%d\nstorm_ms=%.3f\n", done, (t_last - t_first) / 1e6);
	printf("final_ms=%.3f\nfinal_polls=%d\nfinal_value=%d\n",
	       t_seen ? (t_seen - t_last) / 1e6 : -1.0, polls, v);
	printf("list_ms=%.3f\nlist_rc=%d\nlist_before_end_ms=%.3f\n", list_ms, list_rc,
	       (t_last - list_end) / 1e6);
	return t_seen ? 0 : 1;
}

/* ---- trig KPID DIR FILE STAMPS N [dir] ----------------------------------------- */

/* Host pids of KPID's children (zombies included until reaped). */
static int has_children(int kpid)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", kpid, kpid);
	ssize_t r = slurp(path, buf, sizeof buf);
	return r > 0 && buf[0] >= '0' && buf[0] <= '9';
}

/* Runs noted in STAMPS ("NS PID EVENT PATH"): how many were started by a
 * `created` event (*t: the time of the one numbered idx from 0, if there
 * is one) and how many by anything else (*other). */
static int runs_in(const char *path, int idx, long long *t, int *other)
{
	static char buf[1 << 20];
	*other = 0;
	if (slurp(path, buf, sizeof buf) < 0)
		return 0;
	int n = 0;
	for (char *p = buf; *p;) {
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		char *e = p;
		long long ts = strtoll(p, &e, 10);
		strtol(e, &e, 10);
		if (!strncmp(e, " created ", 9)) {
			if (n == idx)
				*t = ts;
			n++;
		} else {
			(*other)++;
		}
		p = nl + 1;
	}
	return n;
}

/* Until KPID has no child and has used no CPU for 20 ms: a run kept for
 * later (an event that came during the previous run) has started by then. */
static int quiesce(int kpid)
{
	long long deadline = now_ns() + 10000000000LL;
	for (;;) {
		while (has_children(kpid)) {
			if (now_ns() > deadline)
				return -1;
			nap_us(200);
		}
		long long c = cpu_ns(kpid), since = now_ns();
		while (now_ns() - since < 20000000LL) {
			nap_us(1000);
			long long c2 = cpu_ns(kpid);
			if (c2 != c) {
				c = c2;
				since = now_ns();
			}
			if (now_ns() > deadline)
				return -1;
		}
		if (!has_children(kpid))
			return 0;
	}
}

/*
 * N times: wait until the previous run has ended and PID 1 is idle, remove
 * DIR/FILE (and DIR itself with `dir`), take CLOCK_REALTIME, create it
 * (mkdir DIR first with `dir`, or on the first round when DIR is missing),
 * and wait for the next run started by a `created` event. Prints one
 * latency in ms per round (the first as "# first MS": it may include the
 * directory's creation), then "# extra K" (runs by `created` beyond one per
 * creation) and "# other K" (runs by any other event).
 */
static int cmd_trig(int argc, char **argv)
{
	if (argc < 6)
		return 100;
	int kpid = atoi(argv[1]), n = atoi(argv[5]), other = 0, extra = 0;
	const char *dir = argv[2], *stamps = argv[4];
	int rmdirs = argc > 6 && !strcmp(argv[6], "dir");
	char file[4096];
	snprintf(file, sizeof file, "%s/%s", dir, argv[3]);
	long long t = 0;
	int have = runs_in(stamps, -1, &t, &other);
	for (int i = 0; i < n; i++) {
		if (quiesce(kpid) < 0) {
			fprintf(stderr, "condtool: the previous run did not end within 10 s\n");
			return 1;
		}
		int seen = runs_in(stamps, -1, &t, &other);
		extra += seen - have;
		have = seen;
		unlink(file);
		if (rmdirs)
			rmdir(dir);
		struct stat sb;
		int mk = stat(dir, &sb) < 0;
		long long t0 = ns_of(CLOCK_REALTIME);
		if (mk && mkdir(dir, 0755) < 0) {
			perror(dir);
			return 1;
		}
		int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0) {
			perror(file);
			return 1;
		}
		close(fd);
		long long deadline = now_ns() + 10000000000LL;
		while (runs_in(stamps, have, &t, &other) <= have) {
			if (now_ns() > deadline) {
				fprintf(stderr, "condtool: creation %d: no run within 10 s\n", i + 1);
				printf("# extra %d\n# other %d\n# lost round %d\n", extra, other, i + 1);
				return 1;
			}
			nap_us(100);
		}
		have++;
		printf("%s%.3f\n", i == 0 ? "# first " : "", (t - t0) / 1e6);
		fflush(stdout);
	}
	quiesce(kpid);
	extra += runs_in(stamps, -1, &t, &other) - have;
	printf("# extra %d\n# other %d\n", extra, other);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "stampx", cmd_stampx }, { "idle", cmd_idle }, { "storm", cmd_storm }, { "trig", cmd_trig },
	};
	for (size_t i = 0; argc > 1 && i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "usage: condtool stampx|idle|storm|trig ARGS...\n");
	return 100;
}
