/* uci_file: load packages from the config dir, export them, and commit atomically (temp, fsync, rename, fsync dir). */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uci_internal.h"

/*
 * Commit invariant: the config file is only ever replaced by rename() of a
 * complete, fsync'ed temp file in the same directory, and the directory is
 * fsync'ed after. A power cut leaves the old file or the new one. The delta
 * file is emptied only after that, under its own exclusive lock held since
 * it was read, so no concurrent `uci set` is lost. A cut between the rename
 * and the truncation leaves deltas that are already in the file; they are
 * re-applied on the next load (harmless for set/delete/rename, duplicates
 * list additions): the one window we accept.
 */

char *uci_path_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + b + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

int uci_file_read_all(int fd, char **buf, size_t *len)
{
	struct uci_buf b = { 0 };
	char chunk[4096];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(b.data);
			return UCI_ERR_IO;
		}
		if (n == 0)
			break;
		uci_buf_add(&b, chunk, (size_t)n);
	}
	if (b.oom) {
		free(b.data);
		return UCI_ERR_MEM;
	}
	*buf = b.data;
	*len = b.len;
	return UCI_OK;
}

int uci_file_write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read and parse one config file (no deltas). A missing file gives
 * UCI_ERR_NOTFOUND unless missing_ok, then an empty package. */
static int load_file(struct uci_context *ctx, const char *path, const char *name,
		     bool missing_ok, struct uci_package **out)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && missing_ok)
			return uci_package_parse(ctx, "", 0, path, name, out);
		return uci_fail(ctx, errno == ENOENT || errno == ENOTDIR ? UCI_ERR_NOTFOUND : UCI_ERR_IO);
	}
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int err = UCI_ERR_IO;
	if (fstat(fd, &st) < 0)
		goto done;
	err = UCI_ERR_NOTFOUND;
	if (!S_ISREG(st.st_mode))
		goto done;
	err = UCI_ERR_IO;
	if (flock(fd, LOCK_SH) < 0 && errno != ENOSYS)
		goto done;
	if ((err = uci_file_read_all(fd, &buf, &len)))
		goto done;
	err = uci_package_parse(ctx, buf ? buf : "", len, path, name, out);
done:
	close(fd);
	free(buf);
	return err ? uci_fail(ctx, err) : UCI_OK;
}

int uci_package_load(struct uci_context *ctx, const char *name, struct uci_package **out)
{
	char *path;
	bool confdir = true;
	*out = NULL;
	if (name[0] == '/' || (name[0] == '.' && name[1] == '/')) {
		/* a file outside the config dir: changes go straight to it */
		path = strdup(name);
		name = strrchr(name, '/') + 1;
		confdir = false;
		if (!uci_validate_package(name)) {
			free(path);
			return uci_fail(ctx, UCI_ERR_INVAL);
		}
	} else {
		if (!uci_validate_package(name))
			return uci_fail(ctx, UCI_ERR_INVAL);
		path = uci_path_join(ctx->confdir, name);
	}
	if (!path)
		return uci_fail(ctx, UCI_ERR_MEM);
	struct uci_package *p;
	int err = load_file(ctx, path, name, false, &p);
	if (err) {
		free(path);
		return err;
	}
	p->path = path;
	p->has_delta = confdir;
	if ((err = uci_delta_load(ctx, p))) {
		uci_package_free(p);
		return err;
	}
	*out = p;
	return UCI_OK;
}

/* libuci's escape: ' becomes '\'' (the caller writes the outer quotes) */
static void buf_escaped(struct uci_buf *b, const char *s)
{
	for (const char *q; (q = strchr(s, '\'')); s = q + 1) {
		uci_buf_add(b, s, (size_t)(q - s));
		uci_buf_puts(b, "'\\''");
	}
	uci_buf_puts(b, s);
}

static void export_package(struct uci_context *ctx, struct uci_buf *b,
			   const struct uci_package *p, bool header)
{
	if (header) {
		uci_buf_puts(b, "package ");
		buf_escaped(b, p->name);
		uci_buf_putc(b, '\n');
	}
	for (size_t i = 0; i < p->n_sections; i++) {
		const struct uci_section *s = p->sections[i];
		uci_buf_puts(b, "\nconfig ");
		buf_escaped(b, s->type);
		if (!s->anonymous || (ctx->flags & UCI_FLAG_EXPORT_NAME)) {
			uci_buf_puts(b, " '");
			buf_escaped(b, s->name);
			uci_buf_putc(b, '\'');
		}
		uci_buf_putc(b, '\n');
		for (size_t j = 0; j < s->n_options; j++) {
			const struct uci_option *o = s->options[j];
			size_t n = o->type == UCI_OPTION_STRING ? 1 : o->n_items;
			for (size_t k = 0; k < n; k++) {
				uci_buf_puts(b, o->type == UCI_OPTION_STRING ? "\toption " : "\tlist ");
				buf_escaped(b, o->name);
				uci_buf_puts(b, " '");
				buf_escaped(b, o->type == UCI_OPTION_STRING ? o->string : o->items[k]);
				uci_buf_puts(b, "'\n");
			}
		}
	}
	uci_buf_putc(b, '\n');
}

char *uci_package_export_string(struct uci_context *ctx, const struct uci_package *p,
				bool header, size_t *len)
{
	struct uci_buf b = { 0 };
	export_package(ctx, &b, p, header);
	if (b.oom) {
		free(b.data);
		uci_fail(ctx, UCI_ERR_MEM);
		return NULL;
	}
	if (len)
		*len = b.len;
	return b.data;
}

int uci_package_export(struct uci_context *ctx, FILE *f, const struct uci_package *p, bool header)
{
	size_t len;
	char *s = uci_package_export_string(ctx, p, header, &len);
	if (!s)
		return ctx->err;
	int err = fwrite(s, 1, len, f) == len ? UCI_OK : UCI_ERR_IO;
	free(s);
	return err ? uci_fail(ctx, err) : UCI_OK;
}

/* Write data to a temp file next to target, fsync it, rename it over
 * target, fsync the directory. */
static int replace_file(const char *target, const char *dir, int dirfd,
			const char *name, const char *data, size_t len)
{
	char *tmpl = malloc(strlen(dir) + strlen(name) + 16);
	if (!tmpl)
		return UCI_ERR_MEM;
	sprintf(tmpl, "%s/.%s.uci-XXXXXX", dir, name);
	int fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0) {
		free(tmpl);
		return UCI_ERR_IO;
	}
	struct stat st;
	mode_t mode = stat(target, &st) == 0 ? (st.st_mode & 07777) : 0600;
	int err = UCI_ERR_IO;
	if (uci_file_write_all(fd, data, len) == 0 && fchmod(fd, mode) == 0 && fsync(fd) == 0)
		err = UCI_OK;
	if (close(fd) < 0)
		err = UCI_ERR_IO;
	if (!err && rename(tmpl, target) < 0)
		err = UCI_ERR_IO;
	if (err)
		unlink(tmpl);
	else if (fsync(dirfd) < 0 && errno != EINVAL)
		err = UCI_ERR_IO;
	free(tmpl);
	return err;
}

int uci_package_commit(struct uci_context *ctx, struct uci_package **pp, bool overwrite)
{
	struct uci_package *p = pp ? *pp : NULL;
	if (!p)
		return uci_fail(ctx, UCI_ERR_INVAL);
	char *path = p->path ? strdup(p->path)
			     : overwrite ? uci_path_join(ctx->confdir, p->name) : NULL;
	if (!path)
		return uci_fail(ctx, p->path || overwrite ? UCI_ERR_MEM : UCI_ERR_INVAL);
	int err = UCI_ERR_MEM;
	int dirfd = -1, save_fd = -1;
	char *target = NULL, *dir = NULL, *data = NULL, *save_path = NULL;
	/* follow a symlinked config file: replace what it points to */
	char *real = realpath(path, NULL);
	target = real ? real : strdup(path);
	if (!target)
		goto out;
	if (!(dir = strdup(target)))
		goto out;
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = 0;
	else if (slash)
		*slash = 0;
	else
		strcpy(dir, ".");
	err = UCI_ERR_IO;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		goto out;
	/* one committer at a time per directory */
	if (flock(dirfd, LOCK_EX) < 0 && errno != ENOSYS)
		goto out;
	if (p->has_delta && !overwrite) {
		if ((err = uci_package_save(ctx, p)))
			goto out;
		if ((err = uci_savedir_prepare(ctx)))
			goto out;
		err = UCI_ERR_MEM;
		if (!(save_path = uci_path_join(ctx->savedir, p->name)))
			goto out;
		err = UCI_ERR_IO;
		save_fd = open(save_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (save_fd < 0 || (flock(save_fd, LOCK_EX) < 0 && errno != ENOSYS))
			goto out;
		/* others may have changed file or deltas: reload both */
		struct uci_package *fresh;
		unsigned saved_flags = ctx->flags;
		ctx->flags &= ~(unsigned)UCI_FLAG_SAVED_DELTA;
		err = load_file(ctx, path, p->name, true, &fresh);
		if (!err) {
			fresh->has_delta = true;
			err = uci_delta_load_fd(ctx, fresh, save_fd);
			if (err)
				uci_package_free(fresh);
		}
		ctx->flags = saved_flags;
		if (err)
			goto out;
		fresh->path = p->path;
		p->path = NULL;
		uci_package_free(p);
		*pp = p = fresh;
	}
	size_t len;
	err = UCI_ERR_MEM;
	if (!(data = uci_package_export_string(ctx, p, false, &len)))
		goto out;
	if ((err = replace_file(target, dir, dirfd, p->name, data, len)))
		goto out;
	if (!p->path && !(p->path = strdup(path))) {
		err = UCI_ERR_MEM;
		goto out;
	}
	if (save_fd >= 0 && ftruncate(save_fd, 0) < 0)
		err = UCI_ERR_IO;
out:
	if (save_fd >= 0)
		close(save_fd);
	if (dirfd >= 0)
		close(dirfd);
	free(save_path);
	free(data);
	free(dir);
	free(target);
	free(path);
	return err ? uci_fail(ctx, err) : UCI_OK;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int uci_list_configs(struct uci_context *ctx, char ***names, size_t *n)
{
	*names = NULL;
	*n = 0;
	DIR *d = opendir(ctx->confdir);
	if (!d)
		return uci_fail(ctx, UCI_ERR_NOTFOUND);
	int dfd = dirfd(d);
	char **v = NULL;
	size_t cnt = 0;
	struct dirent *de;
	int err = UCI_OK;
	while ((de = readdir(d))) {
		struct stat st;
		if (!uci_validate_package(de->d_name))
			continue;
		if (fstatat(dfd, de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
			continue;
		char **nv = realloc(v, (cnt + 1) * sizeof(*v));
		if (!nv || !(nv[cnt] = strdup(de->d_name))) {
			v = nv ? nv : v;
			err = UCI_ERR_MEM;
			break;
		}
		v = nv;
		cnt++;
	}
	closedir(d);
	if (err) {
		uci_list_configs_free(v, cnt);
		return uci_fail(ctx, err);
	}
	qsort(v, cnt, sizeof(*v), cmp_names);
	*names = v;
	*n = cnt;
	return UCI_OK;
}

void uci_list_configs_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
