/* sysupgrade: OpenWrt's sysupgrade command for keel — checks an image, saves the kept files, asks PID 1 to upgrade. */
/* SPDX-License-Identifier: MIT */
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fwimage.h"
#include "upgradeconf.h"

#define KEEP_ARCHIVE "/tmp/sysupgrade.tgz"
#define IMAGE_COPY "/tmp/sysupgrade.img"
#define TMPFS_MAGIC_ 0x01021994
#define RAMFS_MAGIC_ 0x858458f6

static struct {
	bool keep, changed, force, test, quiet;
	int verbose;
	const char *conf, *socket, *root;
} o = { .keep = true, .conf = UPGRADE_CONF_FILE, .root = "/" };

static void usage(FILE *f)
{
	fprintf(f, "usage: sysupgrade [-n|-c] [-F] [-T] [-v|-q] IMAGE\n"
		   "       sysupgrade -b FILE     save the kept files (.tar.gz) and exit\n"
		   "       sysupgrade -r FILE     restore saved files and exit\n"
		   "       sysupgrade -l          list the files that are kept\n"
		   "  -n  do not keep the configuration   -c  keep every changed file in /etc too\n"
		   "  -F  go on when the board or the vendor check refuses (never a corrupt image)\n"
		   "  -T  check the image only            -v/-q  more/less output\n"
		   "  --conf FILE (default %s), --socket PATH (keel's control socket)\n",
		UPGRADE_CONF_FILE);
}

#define say(...) do { if (!o.quiet) fprintf(stderr, "sysupgrade: " __VA_ARGS__); } while (0)
#define info(...) do { if (o.verbose) fprintf(stderr, "sysupgrade: " __VA_ARGS__); } while (0)

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	char *b = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&b, &n);
	char tmp[4096];
	size_t k;
	while (m && (k = fread(tmp, 1, sizeof tmp, f)) > 0)
		fwrite(tmp, 1, k, m);
	fclose(f);
	if (!m || fclose(m)) {
		free(b);
		return NULL;
	}
	if (len)
		*len = n;
	return b;
}

/* Runs argv, waits; its exit code, 127 if it could not run. */
static int run(char *const argv[])
{
	pid_t pid = fork();
	if (pid == 0) {
		execvp(argv[0], argv);
		fprintf(stderr, "sysupgrade: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int st;
	while (pid > 0 && waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 127;
	return pid < 0 ? 127 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- what is kept ---- */

struct list {
	char **v;
	size_t n;
};

static void list_file(struct list *l, const char *path)
{
	size_t len;
	char *t = read_file(path, &len);
	if (t && keeplist_parse(t, len, &l->v, &l->n) < 0) {
		fprintf(stderr, "sysupgrade: out of memory\n");
		exit(111);
	}
	free(t);
}

/* Directories become the files under them: -l shows what is kept, file by file. */
static struct list *walk_out;

static int walk_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_F || flag == FTW_SL) {
		char line[4096];
		snprintf(line, sizeof line, "%s\n", path);
		keeplist_parse(line, strlen(line), &walk_out->v, &walk_out->n);
	}
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files changed in /etc: the overlay's upper layer shows exactly those. */
static void changed_etc(struct list *out)
{
	glob_t g;
	const char *pat = "/overlay/upper/etc/*";
	if (glob(pat, GLOB_NOSORT, NULL, &g) != 0) {
		/* No overlay: every file of /etc. */
		keeplist_parse("/etc\n", 5, &out->v, &out->n);
		return;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char line[4096];
		snprintf(line, sizeof line, "%s\n", g.gl_pathv[i] + strlen("/overlay/upper"));
		keeplist_parse(line, strlen(line), &out->v, &out->n);
	}
	globfree(&g);
}

/* The keep list with globs expanded, missing paths dropped, sorted,
 * without duplicates. */
static struct list keep_list(void)
{
	struct list raw = { 0 }, l = { 0 };
	keeplist_parse("/etc/config\n", 12, &raw.v, &raw.n);
	list_file(&raw, "/etc/sysupgrade.conf");
	struct dirent **de;
	int n = scandir("/lib/upgrade/keep.d", &de, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		if (de[i]->d_name[0] != '.') {
			char path[512];
			snprintf(path, sizeof path, "/lib/upgrade/keep.d/%s", de[i]->d_name);
			list_file(&raw, path);
		}
		free(de[i]);
	}
	if (n > 0)
		free(de);
	if (o.changed)
		changed_etc(&raw);
	for (size_t i = 0; i < raw.n; i++) {
		glob_t g;
		if (raw.v[i][0] == '/' && glob(raw.v[i], 0, NULL, &g) == 0) {
			walk_out = &l;
			for (size_t k = 0; k < g.gl_pathc; k++)
				nftw(g.gl_pathv[k], walk_one, 16, FTW_PHYS);
			globfree(&g);
		} else if (raw.v[i][0] != '/') {
			say("keep list: %s is not an absolute path: skipped\n", raw.v[i]);
		}
		free(raw.v[i]);
	}
	free(raw.v);
	if (l.n)
		qsort(l.v, l.n, sizeof *l.v, cmp);
	size_t w = 0;
	for (size_t i = 0; i < l.n; i++) {
		if (w && !strcmp(l.v[w - 1], l.v[i])) {
			free(l.v[i]);
			continue;
		}
		l.v[w++] = l.v[i];
	}
	l.n = w;
	return l;
}

/* tar (the device's own, busybox or GNU) writes it: PID 1 never runs it. */
static int backup(const char *file)
{
	struct list l = keep_list();
	if (!l.n) {
		say("nothing to keep\n");
	}
	char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp", file) < 0)
		return 111;
	char **argv = calloc(l.n + 8, sizeof *argv);
	if (!argv)
		return 111;
	size_t a = 0;
	argv[a++] = "tar";
	argv[a++] = "-c";
	argv[a++] = "-z";
	argv[a++] = "-f";
	argv[a++] = tmp;
	argv[a++] = "-C";
	argv[a++] = "/";
	for (size_t i = 0; i < l.n; i++) {
		info("keeping %s\n", l.v[i]);
		argv[a++] = l.v[i] + 1; /* relative to / */
	}
	if (!l.n)
		argv[a++] = "etc/.";
	int rc = run(argv);
	if (rc || rename(tmp, file) < 0) {
		fprintf(stderr, "sysupgrade: saving the kept files to %s failed (tar exit %d)\n", file, rc);
		unlink(tmp);
		return 1;
	}
	say("kept files saved in %s (%zu entries)\n", file, l.n);
	return 0;
}

/* ---- the image ---- */

static struct upgrade_conf conf;

static int conf_load(void)
{
	upgrade_conf_defaults(&conf);
	size_t len;
	char *t = read_file(o.conf, &len);
	if (!t) {
		fprintf(stderr, "sysupgrade: %s: %s (it says where an image goes)\n", o.conf,
			strerror(errno));
		return -1;
	}
	struct diags d = { 0 };
	size_t errors = upgrade_conf_parse(&conf, t, len, o.conf, &d);
	for (size_t i = 0; i < d.n; i++) {
		char *m = diag_format(&d.v[i]);
		fprintf(stderr, "sysupgrade: %s\n", m ? m : "?");
		free(m);
	}
	diags_free(&d);
	free(t);
	return errors ? -1 : 0;
}

static long long dev_size(const char *dev)
{
	char path[256];
	struct stat st;
	if (stat(dev, &st) < 0)
		return -1;
	if (S_ISBLK(st.st_mode)) {
		int fd = open(dev, O_RDONLY | O_CLOEXEC);
		unsigned long long n = 0;
		int r = fd < 0 ? -1 : ioctl(fd, BLKGETSIZE64, &n);
		if (fd >= 0)
			close(fd);
		return r < 0 ? -1 : (long long)n;
	}
	const char *base = strrchr(dev, '/');
	snprintf(path, sizeof path, "/sys/class/mtd/%s/size", base ? base + 1 : dev);
	char *t = read_file(path, NULL);
	long long v = t ? strtoll(t, NULL, 0) : -1;
	free(t);
	return v;
}

static int image_check(const char *image)
{
	int fd = open(image, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "sysupgrade: %s: %s\n", image, strerror(errno));
		return 1;
	}
	struct fwimage img;
	char err[512];
	int r = fwimage_check_fd(fd, &img, conf.board, NULL, NULL, err, sizeof err);
	if (r < 0 && errno == EXDEV && o.force) {
		say("%s: %s: going on (-F)\n", image, err);
		r = fwimage_check_fd(fd, &img, NULL, NULL, NULL, err, sizeof err);
	}
	close(fd);
	if (r < 0) {
		fprintf(stderr, "sysupgrade: %s: %s\n", image, err);
		return 1;
	}
	for (unsigned i = 0; i < img.nparts; i++) {
		const struct upgrade_part *p = upgrade_conf_part(&conf, img.part[i].name);
		if (!p) {
			fprintf(stderr, "sysupgrade: %s: part \"%s\" has no part line in %s\n", image,
				img.part[i].name, o.conf);
			return 1;
		}
		for (int k = 0; k < 2 && p->dev[k]; k++) {
			long long sz = dev_size(p->dev[k]);
			if (sz < 0) {
				fprintf(stderr, "sysupgrade: part %s: %s: %s\n", p->name, p->dev[k],
					strerror(errno));
				return 1;
			}
			if ((unsigned long long)sz < img.part[i].length) {
				fprintf(stderr, "sysupgrade: %s: part %s (%llu bytes) does not fit %s (%lld bytes)\n",
					image, p->name, (unsigned long long)img.part[i].length, p->dev[k], sz);
				return 1;
			}
		}
		info("part %s: %llu bytes -> %s%s%s\n", p->name, (unsigned long long)img.part[i].length,
		     p->dev[0], p->dev[1] ? " | " : "", p->dev[1] ? p->dev[1] : "");
	}
	if (conf.check) {
		size_t n = 0;
		while (conf.check[n])
			n++;
		char **argv = calloc(n + 2, sizeof *argv);
		if (!argv)
			return 111;
		memcpy(argv, conf.check, n * sizeof *argv);
		argv[n] = (char *)image;
		int rc = run(argv);
		free(argv);
		if (rc && !o.force) {
			fprintf(stderr, "sysupgrade: %s: vendor check %s refused the image (exit %d)\n", image,
				conf.check[0], rc);
			return 1;
		}
		if (rc)
			say("vendor check %s refused the image (exit %d): going on (-F)\n", conf.check[0], rc);
	}
	say("%s: board %s, version %s: image OK\n", image, img.board, img.version);
	return 0;
}

static bool on_tmpfs(const char *path)
{
	struct statfs s;
	return (!strncmp(path, "/tmp/", 5) || !strncmp(path, "/dev/shm/", 9)) && statfs(path, &s) == 0 &&
	       ((uint32_t)s.f_type == TMPFS_MAGIC_ || (uint32_t)s.f_type == RAMFS_MAGIC_);
}

static int copy_file(const char *from, const char *to)
{
	char *const argv[] = { "cp", (char *)from, (char *)to, NULL };
	return run(argv);
}

static char *ctl_upgrade_state(void)
{
	int p[2];
	if (pipe(p) < 0)
		return NULL;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		if (o.socket)
			execlp("keelctl", "keelctl", "--socket", o.socket, "upgrade", (char *)NULL);
		else
			execlp("keelctl", "keelctl", "upgrade", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char b[1024];
	ssize_t n = read(p[0], b, sizeof b - 1);
	close(p[0]);
	int st = 1;
	waitpid(pid, &st, 0);
	if (n <= 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		return NULL;
	b[n] = '\0';
	b[strcspn(b, "\n")] = '\0';
	return strdup(b);
}

static int upgrade(const char *image)
{
	if (conf_load() < 0)
		return 1;
	int r = image_check(image);
	if (r || o.test)
		return r;
	const char *img = image;
	if (!on_tmpfs(image)) {
		info("copying %s to %s (the upgrade reads it from RAM)\n", image, IMAGE_COPY);
		if (copy_file(image, IMAGE_COPY)) {
			fprintf(stderr, "sysupgrade: copying %s to %s failed\n", image, IMAGE_COPY);
			return 1;
		}
		img = IMAGE_COPY;
	}
	const char *keep = "-";
	if (o.keep) {
		if (backup(KEEP_ARCHIVE))
			return 1;
		keep = KEEP_ARCHIVE;
	} else {
		say("the configuration is not kept (-n)\n");
	}
	char *argv[8];
	int a = 0;
	argv[a++] = "keelctl";
	if (o.socket) {
		argv[a++] = "--socket";
		argv[a++] = (char *)o.socket;
	}
	argv[a++] = "sysupgrade";
	argv[a++] = (char *)img;
	argv[a++] = (char *)keep;
	if (o.force)
		argv[a++] = "force";
	argv[a] = NULL;
	if (run(argv))
		return 1;
	/* keel checks the image again in a child, then stops everything. Follow
	 * it until the socket goes (the stage has taken over). */
	char *last = NULL;
	for (int i = 0; i < 6000; i++) {
		char *s = ctl_upgrade_state();
		if (!s) {
			say("keel has handed over to the upgrade stage: the device reboots when it is done\n");
			free(last);
			return 0;
		}
		if (!last || strcmp(s, last))
			say("%s\n", s);
		bool refused = !strncmp(s, "OK idle", 7);
		free(last);
		last = s;
		if (refused) {
			free(last);
			return 1;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 200 * 1000000L }, NULL);
	}
	free(last);
	return 1;
}

int main(int argc, char **argv)
{
	const char *backup_file = NULL, *restore_file = NULL;
	bool list = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--conf") && i + 1 < argc)
			o.conf = argv[++i];
		else if (!strcmp(a, "--socket") && i + 1 < argc)
			o.socket = argv[++i];
		else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if ((!strcmp(a, "-b") || !strcmp(a, "-r")) && i + 1 < argc)
			*(a[1] == 'b' ? &backup_file : &restore_file) = argv[++i];
		else {
			for (const char *f = a + 1; *f; f++) {
				switch (*f) {
				case 'n': o.keep = false; break;
				case 'c': o.changed = true; break;
				case 'F': o.force = true; break;
				case 'T': o.test = true; break;
				case 'v': o.verbose++; break;
				case 'q': o.quiet = true; break;
				case 'l': list = true; break;
				/* OpenWrt options without a meaning here: accepted. */
				case 'i': case 'd': case 'p': case 'k': case 'u': case 'o': break;
				default:
					usage(stderr);
					return 100;
				}
			}
		}
	}
	if (list) {
		struct list l = keep_list();
		for (size_t k = 0; k < l.n; k++)
			puts(l.v[k]);
		return 0;
	}
	if (backup_file)
		return backup(backup_file);
	if (restore_file) {
		char *const targv[] = { "tar", "-x", "-z", "-f", (char *)restore_file, "-C", "/", NULL };
		int rc = run(targv);
		if (rc)
			fprintf(stderr, "sysupgrade: restoring %s failed (tar exit %d)\n", restore_file, rc);
		else
			say("restored %s\n", restore_file);
		return rc ? 1 : 0;
	}
	if (i != argc - 1) {
		usage(stderr);
		return 100;
	}
	return upgrade(argv[i]);
}
