/* svcdir: loads every service description of a service directory. */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rootpath.h"
#include "svcdir.h"
#include "buf.h"

#define SVCDIR_MAX_FILE (1024 * 1024)

/* A 32-bit libc without large-file support fails readdir with EOVERFLOW
 * on a file system with 64-bit inode numbers or directory offsets (ext4's
 * hashes): no service would load. The Makefile asks for them. */
_Static_assert(sizeof(off_t) == 8 && sizeof(ino_t) == 8,
	       "build with -D_FILE_OFFSET_BITS=64 (large-file support)");

/* OpenWrt init scripts share the directory; another module runs them. */
static const char svcdir_rc_common[] = "#!/bin/sh /etc/rc.common";

static int svcdir_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void svcdir_names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Sorted entry names of dir, hidden and backup files left out. 0, -1 on
 * allocation failure, -2 when the directory cannot be read (reported). */
static int svcdir_list(DIR *d, const char *dir, char ***out, size_t *nout, struct diags *diags)
{
	char **v = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			if (errno) {
				diag_add(diags, DIAG_ERROR, dir, 0,
					 "cannot read service directory: %s", strerror(errno));
				svcdir_names_free(v, n);
				return -2;
			}
			break;
		}
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || (len && de->d_name[len - 1] == '~'))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			char **nv = realloc(v, ncap * sizeof(*nv));
			if (!nv)
				goto oom;
			v = nv;
			cap = ncap;
		}
		v[n] = strdup(de->d_name);
		if (!v[n])
			goto oom;
		n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), svcdir_cmp_names);
	*out = v;
	*nout = n;
	return 0;
oom:
	svcdir_names_free(v, n);
	return -1;
}

/* Reports why path could not be opened, naming the link target when the
 * entry is a dangling symlink. */
static void svcdir_report_open(const char *path, int err, struct diags *diags)
{
	struct stat st;
	if (err == ENOENT && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		char *target = rootpath_readlink(path, SVCDIR_MAX_FILE);
		if (target) {
			diag_add(diags, DIAG_ERROR, path, 0,
				 "link target \"%s\" does not exist", target);
			free(target);
			return;
		}
		diag_add(diags, DIAG_ERROR, path, 0, "link target does not exist");
		return;
	}
	if (err == ELOOP) {
		diag_add(diags, DIAG_ERROR, path, 0, "too many levels of symbolic links");
		return;
	}
	diag_add(diags, DIAG_ERROR, path, 0, "cannot open: %s", strerror(err));
}

/* Reads the whole file name (relative to dirfd; path names it in
 * diagnostics) into *buf, which holds *cap bytes plus a NUL and grows as
 * needed: the caller keeps it for the next file, so loading a directory
 * allocates one buffer, not one per file.
 * 0: *len set, (*buf)[*len] == 0; -1: reported; -2: out of memory. */
static int svcdir_read_at(int dirfd, const char *name, const char *path, char **buf,
			  size_t *cap, size_t *len, struct diags *diags)
{
	/* O_NONBLOCK: a FIFO placed here must not hang boot in open().
	 * openat, not open: musl's open adds an fcntl for O_CLOEXEC, a
	 * syscall per file that costs on an emulated or slow CPU. */
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		svcdir_report_open(path, errno, diags);
		return -1;
	}
	int ret = -1;
	size_t n = 0;
	bool checked = false;
	if (!*buf) {
		/* Room for a typical service file or /proc file in one read,
		 * under the allocator's small-block limit. */
		if (!(*buf = malloc(1000 + 1))) {
			ret = -2;
			goto out;
		}
		*cap = 1000;
	}
	for (;;) {
		if (n == *cap) {
			if (*cap > SVCDIR_MAX_FILE) {
				diag_add(diags, DIAG_ERROR, path, 0,
					 "file too large (over %d bytes)", SVCDIR_MAX_FILE);
				goto out;
			}
			size_t ncap = *cap * 2 > SVCDIR_MAX_FILE + 1 ? SVCDIR_MAX_FILE + 1 : *cap * 2;
			char *nb = realloc(*buf, ncap + 1);
			if (!nb) {
				ret = -2;
				goto out;
			}
			*buf = nb;
			*cap = ncap;
		}
		ssize_t r = read(fd, *buf + n, *cap - n);
		/* A first read that comes back short with data is a small file,
		 * whole: no fstat for it. Anything else (empty, full, an error)
		 * may be a directory, a device or a FIFO: fstat says which, once
		 * (a FIFO with data waiting would pass as a file; harmless). */
		if (!checked && !(n == 0 && r > 0 && (size_t)r < *cap)) {
			struct stat st;
			checked = true;
			if (fstat(fd, &st) < 0) {
				diag_add(diags, DIAG_ERROR, path, 0, "cannot stat: %s",
					 strerror(errno));
				goto out;
			}
			if (!S_ISREG(st.st_mode)) {
				diag_add(diags, DIAG_ERROR, path, 0, "not a regular file");
				goto out;
			}
			if (st.st_size > SVCDIR_MAX_FILE) {
				diag_add(diags, DIAG_ERROR, path, 0,
					 "file too large (%lld bytes, limit %d)",
					 (long long)st.st_size, SVCDIR_MAX_FILE);
				goto out;
			}
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			diag_add(diags, DIAG_ERROR, path, 0, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		/* A short read of a regular file is its end: no second read
		 * just to see 0 (a file growing meanwhile fills the buffer,
		 * and the loop goes on). */
		if (n < *cap)
			break;
	}
	(*buf)[n] = '\0';
	*len = n;
	ret = 0;
out:
	/* read-only descriptor: a close error loses no data */
	if (close(fd) < 0 && errno != EINTR)
		diag_add(diags, DIAG_WARNING, path, 0, "close: %s", strerror(errno));
	return ret;
}

int svcdir_read(const char *path, char **buf, size_t *len, struct diags *diags)
{
	size_t cap = 0;
	*buf = NULL;
	int r = svcdir_read_at(AT_FDCWD, path, path, buf, &cap, len, diags);
	if (r < 0) {
		free(*buf);
		*buf = NULL;
	}
	return r;
}

static int svcdir_is_rc_common(const char *buf, size_t len)
{
	size_t plen = sizeof(svcdir_rc_common) - 1;
	if (len < plen || memcmp(buf, svcdir_rc_common, plen) != 0)
		return 0;
	return len == plen || buf[plen] == '\n' || buf[plen] == '\r' ||
	       buf[plen] == ' ' || buf[plen] == '\t';
}

static void svc_bad_free(struct svc_set *set)
{
	for (size_t i = 0; i < set->nbad; i++) {
		free(set->bad[i].instance);
		free(set->bad[i].reason);
	}
	free(set->bad);
	set->bad = NULL;
	set->nbad = set->nbad_more = 0;
}

void svc_set_free(struct svc_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		svc_def_free(set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = 0;
	svc_bad_free(set);
}

static int svc_set_push_bad(struct svc_set *set, char *instance, char *reason)
{
	if (set->nbad >= SVC_BAD_MAX) {
		set->nbad_more++;
		return -1;
	}
	/* Grown by doubling: PID 1's allocator keeps every outgrown block. */
	if (!(set->nbad & (set->nbad - 1))) {
		struct svc_bad *nb = realloc(set->bad, (set->nbad ? set->nbad * 2 : 1) * sizeof *nb);
		if (!nb)
			return -1;
		set->bad = nb;
	}
	set->bad[set->nbad++] = (struct svc_bad){ instance, reason };
	return 0;
}

void svc_set_add_bad(struct svc_set *set, const char *instance, const struct diags *diags,
		     size_t from)
{
	if (set->nbad >= SVC_BAD_MAX) {
		set->nbad_more++;
		return;
	}
	const struct diag *first = NULL;
	for (size_t i = from; i < diags->n && !first; i++)
		if (diags->v[i].level == DIAG_ERROR)
			first = &diags->v[i];
	char *reason = first ? diag_format(first) : strdup("could not be loaded (see the log)");
	char *inst = strdup(instance);
	if (reason && first) {
		/* "error: FILE:LINE: msg" -> "FILE:LINE: msg", cut to the bound */
		size_t skip = strlen(diag_level_name(first->level)) + 2;
		size_t len = strlen(reason + skip);
		memmove(reason, reason + skip, len + 1);
		if (len > SVC_BAD_REASON_MAX) {
			size_t cut = SVC_BAD_REASON_MAX - 3;
			while (cut && ((unsigned char)reason[cut] & 0xc0) == 0x80)
				cut--; /* not inside a UTF-8 sequence */
			memcpy(reason + cut, "...", 4);
		}
	}
	if (!reason || !inst || svc_set_push_bad(set, inst, reason) < 0) {
		free(reason);
		free(inst);
	}
}

void svc_set_move_bad(struct svc_set *dst, struct svc_set *src)
{
	for (size_t i = 0; i < src->nbad; i++)
		if (svc_set_push_bad(dst, src->bad[i].instance, src->bad[i].reason) < 0) {
			free(src->bad[i].instance);
			free(src->bad[i].reason);
		}
	dst->nbad_more += src->nbad_more;
	free(src->bad);
	src->bad = NULL;
	src->nbad = src->nbad_more = 0;
}

int svcdir_load(const char *dir, struct svc_set *set, struct diags *diags)
{
	return svcdir_load_opts(dir, NULL, set, diags);
}

int svcdir_load_opts(const char *dir, const struct svcdir_opts *opts, struct svc_set *set,
		     struct diags *diags)
{
	char **names = NULL;
	size_t nnames = 0;
	char *path = NULL, *buf = NULL, *inroot = NULL, *hostdir = NULL;
	size_t cap = 0;
	const char *root = opts ? opts->root : NULL;
	struct buf scripts = { 0 }; /* shell scripts met, named in one note */
	size_t nscripts = 0;

	*set = (struct svc_set){ 0 };
	if (root) {
		hostdir = rootpath_resolve(root, dir);
		if (!hostdir) {
			diag_add(diags, DIAG_ERROR, dir, 0, "cannot open service directory in %s: %s",
				 root, strerror(errno));
			return errno == ENOMEM ? -1 : 0;
		}
	}
	/* Kept open while the files are read: each is opened relative to
	 * it, so the directory's own path is not walked again per file. */
	DIR *d = opendir(hostdir ? hostdir : dir);
	if (!d) {
		diag_add(diags, DIAG_ERROR, hostdir ? hostdir : dir, 0,
			 "cannot open service directory: %s", strerror(errno));
		free(hostdir);
		return 0;
	}
	int r = svcdir_list(d, dir, &names, &nnames, diags);
	if (r == -2)
		goto done;
	if (r < 0)
		goto oom;
	if (nnames) {
		set->v = calloc(nnames, sizeof(*set->v));
		if (!set->v)
			goto oom;
	}
	/* Out of memory half-way (a memory cap): what was loaded stays, the
	 * rest is named, and boot goes on with what fits. */
	size_t left = 0, first_left = 0;
	for (size_t i = 0; i < nnames; i++) {
		size_t len = 0;
		free(path);
		if (asprintf(&path, "%s/%s", hostdir ? hostdir : dir, names[i]) < 0) {
			path = NULL;
			first_left = left++ ? first_left : i;
			continue;
		}
		size_t first_diag = diags->n;
		if (root) {
			/* the entry as the image will see it: absolute links
			 * point into the image, not into this machine */
			char *in = NULL;
			free(inroot);
			inroot = NULL;
			int e = ENOMEM;
			if (asprintf(&in, "%s/%s", dir, names[i]) >= 0) {
				inroot = rootpath_resolve(root, in);
				e = errno;
				free(in);
			}
			if (!inroot && e == ENOMEM) {
				first_left = left++ ? first_left : i;
				continue;
			}
			if (!inroot) {
				svcdir_report_open(path, e, diags);
				svc_set_add_bad(set, names[i], diags, first_diag);
				continue;
			}
		}
		r = inroot ? svcdir_read_at(AT_FDCWD, inroot, path, &buf, &cap, &len, diags)
			   : svcdir_read_at(dirfd(d), names[i], path, &buf, &cap, &len, diags);
		if (r == -2) {
			first_left = left++ ? first_left : i;
			continue;
		}
		if (r < 0) {
			svc_set_add_bad(set, names[i], diags, first_diag);
			continue;
		}
		if (opts && opts->on_file)
			opts->on_file(opts->ctx, path, names[i], buf, len, diags);
		if (svcdir_is_rc_common(buf, len))
			continue;
		/* A busybox/Buildroot S??name script (any other "#!"): the
		 * inittab's rcS runs those; named once below. */
		if (len >= 2 && buf[0] == '#' && buf[1] == '!') {
			if (!scripts.oom)
				buf_addf(&scripts, "%s%s", scripts.len ? ", " : "", names[i]);
			nscripts++;
			continue;
		}
		int oom_before = diags->oom;
		size_t err_before = diags->nerrors;
		struct svc_def *s = svc_parse(buf, len, path, names[i], diags);
		/* Refused without an error recorded: its memory ran out. */
		if (!s && (diags->oom != oom_before || diags->nerrors == err_before))
			first_left = left++ ? first_left : i;
		else if (s)
			set->v[set->n++] = s; /* names are sorted, so instances are too */
		else
			svc_set_add_bad(set, names[i], diags, first_diag);
	}
	if (nscripts)
		diag_add(diags, DIAG_NOTE, dir, 0,
			 "%zu shell script%s, not service file%s, left out (an inittab's rcS runs "
			 "them): %s", nscripts, nscripts > 1 ? "s" : "", nscripts > 1 ? "s" : "",
			 scripts.oom ? "..." : scripts.p);
	buf_free(&scripts);
	if (left)
		diag_add(diags, DIAG_ERROR, dir, 0, "out of memory: %zu service files not loaded "
			 "(the first: %s)", left, names[first_left]);
done:
	free(buf);
	free(path);
	free(inroot);
	free(hostdir);
	svcdir_names_free(names, nnames);
	if (closedir(d) < 0)
		diag_add(diags, DIAG_WARNING, dir, 0, "closing service directory: %s",
			 strerror(errno));
	return 0;
oom:
	buf_free(&scripts);
	diag_add(diags, DIAG_ERROR, dir, 0, "out of memory while loading services");
	free(buf);
	free(path);
	free(inroot);
	free(hostdir);
	svcdir_names_free(names, nnames);
	svc_set_free(set);
	closedir(d);
	return -1;
}
