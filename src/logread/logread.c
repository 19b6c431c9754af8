/* logread: prints, follows, files or forwards keel's log (the ring over its log socket, or the previous boot's file). */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "logfmt.h"
#include "logrec.h"

#ifndef KEEL_LOG_SOCKET
#define KEEL_LOG_SOCKET "/run/keel-log.sock"
#endif
/* The build setting LOG_FILE; empty when none was given. */
#ifndef KEEL_LOG_FILE
#define KEEL_LOG_FILE ""
#endif
static const char default_file[] = KEEL_LOG_FILE;

enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1, /* keel refused, or a file or remote error */
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 111,
};

#define DUMP_TIMEOUT_MS 10000
/* A record line is at most ~4.2 KB; far longer is not keel talking. */
#define LINE_MAX_BYTES 65536

static void usage(FILE *f)
{
	fprintf(f,
		"usage: logread [-f] [-l N] [-e REGEX] [-s SERVICE] [--json] [-P [--file PATH]]\n"
		"               [-F FILE [-S SIZE]] [-r HOST PORT [-u]] [-p PIDFILE] [--socket PATH]\n"
		"  -f            follow: print new records as they come\n"
		"  -l N          only the last N records\n"
		"  -e REGEX      only records whose tag or message matches (extended regex)\n"
		"  -s SERVICE    only records of that service (tag)\n"
		"  --json        one JSON object per record\n"
		"  -P            the previous boot's log file (PATH.prev.1, PATH.prev)\n"
		"  --file PATH   the log file for -P%s%s%s\n"
		"  -F FILE       write to FILE instead of stdout, rotated to FILE.1 past SIZE\n"
		"  -S SIZE       (default 64K; K and M suffixes)\n"
		"  -r HOST PORT  send each record as RFC 3164 syslog over TCP (-u: UDP)\n"
		"  -p PIDFILE    write logread's pid to PIDFILE (removed at exit)\n"
		"  --socket PATH keel's log socket (default " KEEL_LOG_SOCKET ")\n"
		"exit: 0 ok, 1 refused or file/remote error, 2 usage, 111 keel not reachable\n",
		default_file[0] ? " (default " : "", default_file, default_file[0] ? ")" : "");
}

static struct {
	bool follow, json, prev, udp;
	unsigned long lines; /* 0: all */
	bool has_re;
	regex_t re;
	const char *service;
	const char *file;     /* -P's PATH */
	const char *out_file; /* -F */
	unsigned long long out_size;
	const char *rhost, *rport;
	const char *pidfile;
	const char *sock;
} opt = { .out_size = 64 * 1024, .sock = KEEL_LOG_SOCKET };

/* Where the records go: stdout, a rotated file, or a syslog server. */
static struct {
	int fd; /* -F's file or -r's socket; -1 for stdout */
	unsigned long long size; /* -F: bytes in the file */
	char host[256];
} out = { .fd = -1 };

static volatile sig_atomic_t stop_signal;
static bool pidfile_written;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void remove_pidfile(void)
{
	if (pidfile_written)
		unlink(opt.pidfile);
}

static int parse_count(const char *s, unsigned long *out_n)
{
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end)
		return -1;
	*out_n = v;
	return 0;
}

static int parse_size(const char *s, unsigned long long *out_n)
{
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	unsigned long long v = strtoull(s, &end, 10), mul = 1;
	if (*end == 'k' || *end == 'K')
		mul = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		mul = 1024 * 1024, end++;
	if (errno || *end || !v || v > ~0ULL / mul)
		return -1;
	*out_n = v * mul;
	return 0;
}

/* Whether argv[*i] is option name, with its value in the same argument
 * ("-l5", "--file=PATH") or the next one; 1 yes (*val set), 0 no, -1 yes
 * but the value is missing (said). */
static int opt_value(const char *name, int argc, char **argv, int *i, const char **val)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	bool is_long = name[1] == '-';
	if (strncmp(a, name, n))
		return 0;
	if (a[n] && is_long && a[n] != '=')
		return 0;
	if (a[n]) {
		*val = a + n + is_long;
		return 1;
	}
	if (*i + 1 >= argc) {
		fprintf(stderr, "logread: %s needs a value\n", name);
		return -1;
	}
	*val = argv[++*i];
	return 1;
}

/* Parses argv into opt; returns -1 after saying what is wrong. */
static int parse_args(int argc, char **argv)
{
	const char *re_src = NULL;
	bool size_given = false;
	if (default_file[0])
		opt.file = default_file;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		int v;
#define HAS_VALUE(name) ((v = opt_value(name, argc, argv, &i, &val)) != 0)
		if (!strcmp(a, "-f")) {
			opt.follow = true;
		} else if (!strcmp(a, "-u")) {
			opt.udp = true;
		} else if (!strcmp(a, "-P")) {
			opt.prev = true;
		} else if (!strcmp(a, "--json")) {
			opt.json = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(EXIT_OK);
		} else if (HAS_VALUE("-l")) {
			if (v < 0)
				return -1;
			if (parse_count(val, &opt.lines) < 0) {
				fprintf(stderr, "logread: -l: not a count: %s\n", val);
				return -1;
			}
		} else if (HAS_VALUE("-e")) {
			if (v < 0)
				return -1;
			re_src = val;
		} else if (HAS_VALUE("-s")) {
			if (v < 0)
				return -1;
			opt.service = val;
		} else if (HAS_VALUE("-F")) {
			if (v < 0)
				return -1;
			opt.out_file = val;
		} else if (HAS_VALUE("-S")) {
			if (v < 0)
				return -1;
			size_given = true;
			if (parse_size(val, &opt.out_size) < 0) {
				fprintf(stderr, "logread: -S: not a size: %s\n", val);
				return -1;
			}
		} else if (HAS_VALUE("-p")) {
			if (v < 0)
				return -1;
			opt.pidfile = val;
		} else if (HAS_VALUE("--socket")) {
			if (v < 0)
				return -1;
			opt.sock = val;
		} else if (HAS_VALUE("--file")) {
			if (v < 0)
				return -1;
			opt.file = val;
		} else if (!strcmp(a, "-r")) {
			if (i + 2 >= argc) {
				fprintf(stderr, "logread: -r needs HOST and PORT\n");
				return -1;
			}
			opt.rhost = argv[++i];
			opt.rport = argv[++i];
		} else {
			fprintf(stderr, "logread: unknown option or argument: %s\n", a);
			return -1;
		}
#undef HAS_VALUE
	}
	if (size_given && !opt.out_file) {
		fprintf(stderr, "logread: -S goes with -F FILE\n");
		return -1;
	}
	if (opt.udp && !opt.rhost) {
		fprintf(stderr, "logread: -u goes with -r HOST PORT\n");
		return -1;
	}
	if (opt.out_file && opt.rhost) {
		fprintf(stderr, "logread: -F and -r cannot be used together\n");
		return -1;
	}
	if (opt.json && opt.rhost) {
		fprintf(stderr, "logread: -r sends syslog messages, not --json\n");
		return -1;
	}
	if (opt.prev && opt.follow) {
		fprintf(stderr, "logread: -P reads a finished boot: it cannot follow (-f)\n");
		return -1;
	}
	if (opt.prev && !opt.file) {
		fprintf(stderr, "logread: -P needs --file PATH (this logread was built without "
				"a LOG_FILE setting)\n");
		return -1;
	}
	if (re_src) {
		int rc = regcomp(&opt.re, re_src, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char msg[256];
			regerror(rc, &opt.re, msg, sizeof msg);
			fprintf(stderr, "logread: -e %s: %s\n", re_src, msg);
			return -1;
		}
		opt.has_re = true;
	}
	return 0;
}

static bool wanted(const struct log_rec *r)
{
	if (opt.service && (r->tag_len != strlen(opt.service) ||
			    memcmp(r->tag, opt.service, r->tag_len)))
		return false;
	if (opt.has_re && regexec(&opt.re, r->tag, 0, NULL, 0) &&
	    regexec(&opt.re, r->msg, 0, NULL, 0))
		return false;
	return true;
}

static bool filtered(void)
{
	return opt.service || opt.has_re;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int open_out_file(void)
{
	out.fd = open(opt.out_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	struct stat st;
	if (out.fd < 0 || fstat(out.fd, &st) < 0) {
		fprintf(stderr, "logread: %s: %s\n", opt.out_file, strerror(errno));
		return -1;
	}
	out.size = (unsigned long long)st.st_size;
	return 0;
}

/* FILE becomes FILE.1 (replacing it) and a new FILE starts. */
static int rotate_out_file(void)
{
	size_t n = strlen(opt.out_file);
	char *old = malloc(n + 3);
	if (!old) {
		fprintf(stderr, "logread: out of memory\n");
		return -1;
	}
	memcpy(old, opt.out_file, n);
	memcpy(old + n, ".1", 3);
	int rc = rename(opt.out_file, old);
	if (rc < 0)
		fprintf(stderr, "logread: rename %s to %s: %s\n", opt.out_file, old, strerror(errno));
	free(old);
	close(out.fd);
	return rc < 0 ? -1 : open_out_file();
}

static int open_remote(void)
{
	struct addrinfo hints = { .ai_socktype = opt.udp ? SOCK_DGRAM : SOCK_STREAM }, *res;
	int rc = getaddrinfo(opt.rhost, opt.rport, &hints, &res);
	if (rc) {
		fprintf(stderr, "logread: %s port %s: %s\n", opt.rhost, opt.rport,
			gai_strerror(rc));
		return -1;
	}
	int err = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			out.fd = fd;
			break;
		}
		err = errno;
		close(fd);
	}
	freeaddrinfo(res);
	if (out.fd < 0) {
		fprintf(stderr, "logread: %s port %s: %s\n", opt.rhost, opt.rport, strerror(err));
		return -1;
	}
	if (gethostname(out.host, sizeof out.host - 1) < 0)
		out.host[0] = '\0';
	return 0;
}

/* Writes one record where it goes; -1 (said) on a write error. Records for
 * stdout stay in stdio's buffer until flush_out(). */
static int emit(const struct log_rec *r)
{
	static struct buf b;
	struct tm local;
	time_t t = logfmt_seconds(r->real_us);
	b.len = 0;
	if (opt.rhost) {
		if (!localtime_r(&t, &local))
			memset(&local, 0, sizeof local);
		logfmt_rfc3164(&b, r, &local, out.host);
		if (!opt.udp)
			buf_adds(&b, "\n");
	} else if (opt.json) {
		logfmt_json(&b, r);
	} else {
		if (!localtime_r(&t, &local))
			memset(&local, 0, sizeof local);
		logfmt_text(&b, r, &local);
	}
	if (b.oom) {
		fprintf(stderr, "logread: out of memory\n");
		return -1;
	}
	if (opt.rhost) {
		ssize_t w;
		if (opt.udp) {
			w = send(out.fd, b.p, b.len, MSG_NOSIGNAL);
			/* A refusal is the ICMP answer to an earlier datagram: the
			 * server is not there yet; syslog over UDP drops then. */
			if (w < 0 && (errno == ECONNREFUSED || errno == EINTR))
				w = 0;
		} else {
			w = write_all(out.fd, b.p, b.len);
		}
		if (w < 0) {
			fprintf(stderr, "logread: %s port %s: %s\n", opt.rhost, opt.rport,
				strerror(errno));
			return -1;
		}
		return 0;
	}
	if (opt.out_file) {
		if (out.size && out.size + b.len > opt.out_size && rotate_out_file() < 0)
			return -1;
		if (write_all(out.fd, b.p, b.len) < 0) {
			fprintf(stderr, "logread: %s: %s\n", opt.out_file, strerror(errno));
			return -1;
		}
		out.size += b.len;
		return 0;
	}
	if (fwrite(b.p, 1, b.len, stdout) != b.len) {
		if (errno != EPIPE)
			fprintf(stderr, "logread: stdout: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int flush_out(void)
{
	if (opt.out_file || opt.rhost)
		return 0;
	if (fflush(stdout) != 0) {
		if (errno != EPIPE)
			fprintf(stderr, "logread: stdout: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* Records of a dump (or of the previous boot's files), held until they
 * can be put in order. */
struct recs {
	struct log_rec *v;
	size_t n, cap;
	char **lines; /* what v points into */
	size_t nlines, lcap;
};

/* Keeps a copy of line and its parsed record; -1 when out of memory. 0
 * also for lines that are not records (*kind says what it was). */
static int recs_add(struct recs *rs, const char *line, size_t len, enum logfmt_line *kind,
		    uint64_t *lost)
{
	char *copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, line, len);
	copy[len] = '\0';
	struct log_rec r;
	*kind = logfmt_parse_line(copy, len, &r, lost);
	if (*kind != LOGFMT_RECORD) {
		free(copy);
		return 0;
	}
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 256;
		struct log_rec *v = realloc(rs->v, cap * sizeof *v);
		char **l = realloc(rs->lines, cap * sizeof *l);
		if (v)
			rs->v = v;
		if (l)
			rs->lines = l;
		if (!v || !l) {
			free(copy);
			return -1;
		}
		rs->cap = cap;
	}
	rs->v[rs->n++] = r;
	rs->lines[rs->nlines++] = copy;
	return 0;
}

static void recs_free(struct recs *rs)
{
	for (size_t i = 0; i < rs->nlines; i++)
		free(rs->lines[i]);
	free(rs->lines);
	free(rs->v);
	*rs = (struct recs){ 0 };
}

/* Sorted, filtered, the last -l of them, written out, and what could not
 * be shown said (lost: the "lost N" lines among them). */
static int recs_emit(struct recs *rs, uint64_t lost)
{
	/* SEQ starts at 1 each boot: what comes before the first record held
	 * was overwritten. */
	uint64_t first = 0;
	for (size_t i = 0; i < rs->n; i++)
		if (!first || rs->v[i].seq < first)
			first = rs->v[i].seq;
	logfmt_sort(rs->v, rs->n);
	size_t k = 0;
	for (size_t i = 0; i < rs->n; i++)
		if (wanted(&rs->v[i]))
			rs->v[k++] = rs->v[i];
	size_t from = opt.lines && k > opt.lines ? k - opt.lines : 0;
	for (size_t i = from; i < k; i++)
		if (emit(&rs->v[i]) < 0)
			return -1;
	/* It matters only when fewer came than were asked for (all, or -l N). */
	if (!opt.lines || k < opt.lines) {
		if (first > 1)
			fprintf(stderr, "logread: %llu older records %s\n",
				(unsigned long long)(first - 1),
				opt.prev ? "are not in the files (rotated away)"
					 : "were overwritten");
		if (lost)
			fprintf(stderr, "logread: %llu records were overwritten before %s\n",
				(unsigned long long)lost,
				opt.prev ? "keel wrote them to the file" : "logread read them");
	}
	return flush_out();
}

/* True if the file's first line names another boot than the running one:
 * keel has not written to it yet this boot, so it is still the previous
 * boot's (it becomes PATH.prev at this boot's first write). */
static bool file_of_other_boot(const char *path)
{
	char id[64] = "", head[128] = "";
	FILE *b = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (b) {
		if (!fgets(id, sizeof id, b))
			id[0] = '\0';
		fclose(b);
	}
	id[strcspn(id, "\n")] = '\0';
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(head, sizeof head, f))
		head[0] = '\0';
	fclose(f);
	head[strcspn(head, "\n")] = '\0';
	return id[0] && !strncmp(head, "#boot ", 6) && strcmp(head + 6, id) != 0;
}

/* -P: PATH.prev.1 then PATH.prev, one boot, in order; or PATH.1 then PATH
 * while those still hold the previous boot. */
static int read_previous(void)
{
	struct recs rs = { 0 };
	size_t n = strlen(opt.file);
	char *path = malloc(n + sizeof ".prev.1");
	if (!path)
		return EXIT_FAILED;
	int found = 0, rc = EXIT_OK;
	uint64_t lost = 0;
	bool unrotated = file_of_other_boot(opt.file);
	for (int k = 0; k < 2 && rc == EXIT_OK; k++) {
		memcpy(path, opt.file, n);
		strcpy(path + n, unrotated ? (k == 0 ? ".1" : "") : (k == 0 ? ".prev.1" : ".prev"));
		FILE *f = fopen(path, "re");
		if (!f) {
			if (errno != ENOENT) {
				fprintf(stderr, "logread: %s: %s\n", path, strerror(errno));
				rc = EXIT_FAILED;
			}
			continue;
		}
		found++;
		char *line = NULL;
		size_t cap = 0;
		ssize_t len;
		while ((len = getline(&line, &cap, f)) > 0) {
			if (line[len - 1] == '\n')
				len--;
			enum logfmt_line kind;
			uint64_t l = 0;
			if (recs_add(&rs, line, (size_t)len, &kind, &l) < 0) {
				fprintf(stderr, "logread: out of memory\n");
				rc = EXIT_FAILED;
				break;
			}
			if (kind == LOGFMT_LOST)
				lost += l;
		}
		if (ferror(f)) {
			fprintf(stderr, "logread: %s: %s\n", path, strerror(errno));
			rc = EXIT_FAILED;
		}
		free(line);
		fclose(f);
	}
	if (rc == EXIT_OK && !found) {
		fprintf(stderr, "logread: no log of the previous boot: %s.prev: %s\n", opt.file,
			strerror(ENOENT));
		rc = EXIT_FAILED;
	}
	free(path);
	if (rc == EXIT_OK && recs_emit(&rs, lost) < 0)
		rc = EXIT_FAILED;
	recs_free(&rs);
	return rc;
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

static int connect_keel(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(opt.sock) >= sizeof sa.sun_path) {
		fprintf(stderr, "logread: socket path too long: %s\n", opt.sock);
		return -1;
	}
	strcpy(sa.sun_path, opt.sock);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		fprintf(stderr, "logread: cannot reach keel at %s: %s\n", opt.sock,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* Filters are applied here, so -l counts matching records: ask for
	 * everything then. */
	char req[64];
	int n = snprintf(req, sizeof req, "%s %lu\n", opt.follow ? "follow" : "dump",
			 filtered() ? 0 : opt.lines);
	if (write_all(fd, req, (size_t)n) < 0) {
		fprintf(stderr, "logread: %s: %s\n", opt.sock, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The ring: the dump in order, then (-f) the new records as they come.
 * keel ends a dump with "end"; a follow's backlog may come without one, so
 * it is taken as complete when keel pauses (FOLLOW_IDLE_MS) after sending
 * something: keel writes the backlog as fast as the socket drains.
 */
#define FOLLOW_IDLE_MS 200

static int read_ring(const sigset_t *waitmask)
{
	int fd = connect_keel();
	if (fd < 0)
		return EXIT_UNREACHABLE;
	struct recs rs = { 0 };
	struct buf in = { 0 };
	bool live = false, got_some = false;
	uint64_t lost_backlog = 0;
	int rc = -1;
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += DUMP_TIMEOUT_MS / 1000;
	while (rc < 0) {
		if (stop_signal) {
			rc = EXIT_OK;
			break;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct timespec ts, *tsp = NULL;
		long left = -1;
		if (!live) {
			left = ms_left(&deadline);
			if (left < 0)
				left = 0;
			if (opt.follow && got_some && left > FOLLOW_IDLE_MS)
				left = FOLLOW_IDLE_MS;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (left % 1000) * 1000000;
			tsp = &ts;
		}
		int pr = ppoll(&p, 1, tsp, waitmask);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0) {
			fprintf(stderr, "logread: poll: %s\n", strerror(errno));
			rc = EXIT_FAILED;
			break;
		}
		if (pr == 0 && opt.follow && got_some) {
			/* The backlog is in (see above). */
			if (recs_emit(&rs, lost_backlog) < 0)
				rc = EXIT_FAILED;
			recs_free(&rs);
			live = true;
			continue;
		}
		if (pr == 0) {
			fprintf(stderr, "logread: no complete answer from keel within %d s\n",
				DUMP_TIMEOUT_MS / 1000);
			rc = EXIT_UNREACHABLE;
			break;
		}
		char tmp[16384];
		ssize_t r = read(fd, tmp, sizeof tmp);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r < 0)
				fprintf(stderr, "logread: %s: %s\n", opt.sock, strerror(errno));
			else if (!live && !opt.follow)
				fprintf(stderr, "logread: keel closed the connection before the "
						"end of the log\n");
			else
				fprintf(stderr, "logread: keel closed the log socket\n");
			/* What came is still worth showing. */
			if (!live)
				recs_emit(&rs, lost_backlog);
			rc = EXIT_FAILED;
			break;
		}
		got_some = true;
		buf_add(&in, tmp, (size_t)r);
		if (in.oom) {
			fprintf(stderr, "logread: out of memory\n");
			rc = EXIT_FAILED;
			break;
		}
		size_t off = 0;
		for (char *nl; rc < 0 && (nl = memchr(in.p + off, '\n', in.len - off));) {
			char *line = in.p + off;
			size_t len = (size_t)(nl - line);
			off += len + 1;
			enum logfmt_line kind;
			uint64_t lost = 0;
			struct log_rec rec;
			if (!live) {
				if (recs_add(&rs, line, len, &kind, &lost) < 0) {
					fprintf(stderr, "logread: out of memory\n");
					rc = EXIT_FAILED;
					break;
				}
			} else {
				/* The line's byte after it is the '\n': writable. */
				kind = logfmt_parse_line(line, len, &rec, &lost);
			}
			switch (kind) {
			case LOGFMT_RECORD:
				if (live && wanted(&rec) && emit(&rec) < 0)
					rc = EXIT_FAILED;
				break;
			case LOGFMT_LOST:
				if (live && lost)
					fprintf(stderr, "logread: %llu records were overwritten before "
							"logread read them\n", (unsigned long long)lost);
				else if (!live)
					lost_backlog += lost;
				break;
			case LOGFMT_END:
				if (live)
					break;
				if (recs_emit(&rs, lost_backlog) < 0) {
					rc = EXIT_FAILED;
					break;
				}
				recs_free(&rs);
				if (!opt.follow)
					rc = EXIT_OK;
				live = true;
				break;
			case LOGFMT_ERR:
				line[len] = '\0';
				fprintf(stderr, "logread: keel refused: %s\n",
					len > 4 ? line + 4 : "no reason given");
				rc = EXIT_FAILED;
				break;
			case LOGFMT_OTHER:
				break;
			}
		}
		buf_consume(&in, off);
		if (in.len > LINE_MAX_BYTES) {
			fprintf(stderr, "logread: a line of over %d bytes from keel: not the log "
					"protocol\n", LINE_MAX_BYTES);
			rc = EXIT_FAILED;
		}
		if (live && rc < 0 && flush_out() < 0)
			rc = EXIT_FAILED;
	}
	close(fd);
	buf_free(&in);
	recs_free(&rs);
	return rc;
}

int main(int argc, char **argv)
{
	if (parse_args(argc, argv) < 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	tzset();
	/* A closed stdout or a gone TCP server is an error to report, not a
	 * signal that skips removing the pid file. */
	signal(SIGPIPE, SIG_IGN);
	/* The stop signals are taken only while waiting in ppoll, so one that
	 * comes between a check and the wait is not lost. */
	sigset_t stops, waitmask;
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &stops, &waitmask);
	struct sigaction sa = { .sa_handler = on_stop };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	if (opt.pidfile) {
		FILE *f = fopen(opt.pidfile, "we");
		if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
			fprintf(stderr, "logread: %s: %s\n", opt.pidfile, strerror(errno));
			return EXIT_FAILED;
		}
		pidfile_written = true;
		atexit(remove_pidfile);
	}
	if (opt.out_file && open_out_file() < 0)
		return EXIT_FAILED;
	if (opt.rhost && open_remote() < 0)
		return EXIT_FAILED;
	int rc = opt.prev ? read_previous() : read_ring(&waitmask);
	if (flush_out() < 0 && rc == EXIT_OK)
		rc = EXIT_FAILED;
	return rc;
}
