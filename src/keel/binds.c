/* binds: the steps a service file declares with bind, hook and module, run as `keel bind|hook|module` in the service's process. */
/* SPDX-License-Identifier: MIT */
#include "binds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "buf.h"
#include "svcdir.h"
#include "mkdirs.h"

#ifndef KEEL_HOOK_DIR
#define KEEL_HOOK_DIR "/run/keel/hooks"
#endif
#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

static int fail(const char *verb, const char *what, int err)
{
	fprintf(stderr, "keel %s: %s: %s\n", verb, what, strerror(err));
	return 1;
}

static bool same_file(const char *a, const char *b)
{
	struct stat x, y;
	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

static int do_bind(const char *src, const char *dst, bool ro)
{
	if (same_file(src, dst)) {
		printf("keel bind: %s is already %s\n", dst, src);
		return 0;
	}
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0) {
		char what[512];
		snprintf(what, sizeof what, "%s over %s", src, dst);
		return fail("bind", what, errno);
	}
	if (ro && mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		return fail("bind", dst, errno);
	printf("keel bind: %s over %s%s\n", src, dst, ro ? " (read-only)" : "");
	return 0;
}

/* The line [*start, *end) of text containing needle, first one; false if none. */
static bool find_line(const char *text, size_t len, const char *needle, size_t *start, size_t *end)
{
	size_t nl = strlen(needle);
	for (size_t i = 0; i < len;) {
		const char *e = memchr(text + i, '\n', len - i);
		size_t j = e ? (size_t)(e - text) : len;
		for (size_t k = i; k + nl <= j; k++)
			if (!memcmp(text + k, needle, nl)) {
				*start = i;
				*end = j;
				return true;
			}
		i = j + 1;
	}
	return false;
}

/* Is [s, e) of text exactly line? */
static bool line_is(const char *text, size_t s, size_t e, const char *line)
{
	return e - s == strlen(line) && !memcmp(text + s, line, e - s);
}

static int do_hook(const char *file, bool before, const char *needle, const char *line)
{
	char *text = NULL;
	size_t len = 0;
	struct diags d = { 0 };
	struct stat st;
	if (stat(file, &st) < 0)
		return fail("hook", file, errno);
	if (svcdir_read(file, &text, &len, &d) < 0) {
		fprintf(stderr, "keel hook: %s: %s\n", file, d.n ? d.v[0].msg : "cannot read");
		diags_free(&d);
		return 1;
	}
	diags_free(&d);
	size_t s, e;
	if (!find_line(text, len, needle, &s, &e)) {
		fprintf(stderr, "keel hook: %s: no line contains \"%s\"\n", file, needle);
		free(text);
		return 1;
	}
	/* Run again (a restart, a second boot of the guest): already there. */
	if (before && s > 0) {
		size_t ps = s - 1;
		while (ps > 0 && text[ps - 1] != '\n')
			ps--;
		if (line_is(text, ps, s - 1, line)) {
			printf("keel hook: %s already has the line before \"%s\"\n", file, needle);
			free(text);
			return 0;
		}
	}
	if (!before && e < len) {
		const char *n = memchr(text + e + 1, '\n', len - e - 1);
		size_t ne = n ? (size_t)(n - text) : len;
		if (line_is(text, e + 1, ne, line)) {
			printf("keel hook: %s already has the line after \"%s\"\n", file, needle);
			free(text);
			return 0;
		}
	}
	const char *dir = getenv("KEEL_HOOK_DIR");
	if (!dir || !*dir)
		dir = KEEL_HOOK_DIR;
	struct buf name = { 0 }, out = { 0 };
	/* One copy per hook, never rewritten: a bind already in place keeps
	 * showing the file it was made with. */
	for (unsigned n = 0; !name.oom; n++) {
		name.len = 0;
		buf_addf(&name, "%s/", dir);
		for (const char *c = file + 1; *c; c++)
			buf_add(&name, *c == '/' ? "_" : c, 1);
		buf_addf(&name, ".%u", n);
		if (name.oom || access(name.p, F_OK) < 0)
			break;
	}
	size_t at = before ? s : (e < len ? e + 1 : len);
	buf_add(&out, text, at);
	if (!before && e == len)
		buf_adds(&out, "\n");
	buf_adds(&out, line);
	buf_adds(&out, "\n");
	buf_add(&out, text + at, len - at);
	free(text);
	int rc = 1;
	if (name.oom || out.oom) {
		fprintf(stderr, "keel hook: out of memory\n");
		goto done;
	}
	if (mkdirs(dir, 0755) < 0) {
		rc = fail("hook", dir, errno);
		goto done;
	}
	int fd = open(name.p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
	if (fd < 0) {
		rc = fail("hook", name.p, errno);
		goto done;
	}
	ssize_t w = write(fd, out.p, out.len);
	int err = errno;
	if (close(fd) < 0 || w != (ssize_t)out.len) {
		rc = fail("hook", name.p, w < 0 ? err : EIO);
		unlink(name.p);
		goto done;
	}
	if (mount(name.p, file, NULL, MS_BIND, NULL) < 0) {
		rc = fail("hook", file, errno);
		unlink(name.p);
		goto done;
	}
	printf("keel hook: %s: \"%s\" %s the line with \"%s\" (copy %s)\n", file, line,
	       before ? "before" : "after", needle, name.p);
	rc = 0;
done:
	buf_free(&name);
	buf_free(&out);
	return rc;
}

static int do_module(const char *path, char **params, int n)
{
	struct buf p = { 0 };
	for (int i = 0; i < n; i++)
		buf_addf(&p, "%s%s", i ? " " : "", params[i]);
	buf_add(&p, "", 1);
	if (p.oom) {
		fprintf(stderr, "keel module: out of memory\n");
		return 1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		buf_free(&p);
		return fail("module", path, errno);
	}
	size_t l = strlen(path);
	bool packed = (l > 3 && !strcmp(path + l - 3, ".gz")) || (l > 3 && !strcmp(path + l - 3, ".xz")) ||
		      (l > 4 && !strcmp(path + l - 4, ".zst"));
	long r = syscall(SYS_finit_module, fd, p.p, packed ? MODULE_INIT_COMPRESSED_FILE : 0);
	int err = errno;
	close(fd);
	if (r < 0 && err == EEXIST) {
		printf("keel module: %s is already loaded\n", path);
		r = 0;
	} else if (r < 0) {
		buf_free(&p);
		return fail("module", path, err);
	} else {
		printf("keel module: loaded %s%s%s\n", path, n ? " " : "", p.p);
	}
	buf_free(&p);
	return 0;
}

int binds_main(int argc, char **argv)
{
	if (argc < 2)
		return -1;
	const char *v = argv[1];
	if (!strcmp(v, "bind")) {
		if (argc == 4 || (argc == 5 && !strcmp(argv[4], "ro")))
			return do_bind(argv[2], argv[3], argc == 5);
		fprintf(stderr, "usage: keel bind SOURCE TARGET [ro]\n");
		return 2;
	}
	if (!strcmp(v, "hook")) {
		if (argc == 6 && (!strcmp(argv[3], "before") || !strcmp(argv[3], "after")) && argv[4][0])
			return do_hook(argv[2], argv[3][0] == 'b', argv[4], argv[5]);
		fprintf(stderr, "usage: keel hook FILE before|after TEXT LINE\n");
		return 2;
	}
	if (!strcmp(v, "module")) {
		if (argc >= 3)
			return do_module(argv[2], argv + 3, argc - 3);
		fprintf(stderr, "usage: keel module PATH [PARAM=VALUE...]\n");
		return 2;
	}
	return -1;
}
