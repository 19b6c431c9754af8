/* uci_file: the file backend: open with locks, load, list configs, and commit atomically (temp, fsync, rename). */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uci_internal.h"

/*
 * Commit, as libuci: lock the config file (created if missing, with the
 * mode rule below), flush our own changes to the delta file, re-read the
 * file and replay every delta (other processes may have changed either),
 * empty the save dir's delta file, and rewrite the config only if some
 * delta applied. The new text goes to a temp file in the target's
 * directory, which is fsync'ed, given the old file's mode and renamed over
 * the target (through a symlink to what it points to); keel also fsyncs the
 * directory. A cut at any instant leaves the old or the new complete file.
 *
 * Modes, as OpenWrt: a file the library creates (a delta file, a config
 * written by `import`) gets the mode of CONFDIR/NAME if that exists, else
 * 0600; the save dir gets the config dir's mode; the umask applies to both.
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

int uci_open_stream(struct uci_context *ctx, const char *filename, int whence, bool write,
		    bool create, FILE **out)
{
	struct stat st;
	mode_t mode = UCI_FILEMODE;
	*out = NULL;
	if (create) {
		const char *base = strrchr(filename, '/');
		char *model = uci_path_join(ctx->confdir, base ? base + 1 : filename);
		if (!model)
			return uci_fail(ctx, UCI_ERR_MEM);
		if (stat(model, &st) == 0)
			mode = st.st_mode & 07777;
		free(model);
	}
	if (!write && (stat(filename, &st) < 0 || !S_ISREG(st.st_mode)))
		return uci_fail(ctx, UCI_ERR_NOTFOUND);
	int fd = open(filename, (write ? O_RDWR : O_RDONLY) | (create ? O_CREAT : 0) | O_CLOEXEC, mode);
	if (fd < 0)
		return uci_fail(ctx, UCI_ERR_IO);
	if ((flock(fd, write ? LOCK_EX : LOCK_SH) < 0 && errno != ENOSYS) || lseek(fd, 0, whence) < 0 ||
	    !(*out = fdopen(fd, write ? "r+" : "r"))) {
		close(fd);
		return uci_fail(ctx, UCI_ERR_IO);
	}
	return UCI_OK;
}

void uci_close_stream(FILE *f)
{
	if (!f)
		return;
	fflush(f);
	flock(fileno(f), LOCK_UN);
	fclose(f);
}

int uci_do_load(struct uci_context *ctx, const char *name, struct uci_package **out)
{
	char *filename;
	bool confdir = true, conf2 = false;
	FILE *f;
	int err;
	*out = NULL;
	if (name[0] == '.' && name[1] != '/')
		return uci_fail(ctx, UCI_ERR_NOTFOUND);
	if (name[0] == '.' || name[0] == '/') {
		/* a file outside the config dir: changes go straight to it */
		filename = strdup(name);
		name = strrchr(name, '/') + 1;
		confdir = false;
	} else {
		if (!uci_validate_package(name))
			return uci_fail(ctx, UCI_ERR_INVAL);
		/* an entry of that name in the override dir wins */
		struct stat st;
		filename = ctx->conf2dir ? uci_path_join(ctx->conf2dir, name) : NULL;
		conf2 = filename && stat(filename, &st) == 0;
		if (!conf2) {
			free(filename);
			filename = uci_path_join(ctx->confdir, name);
		}
	}
	if (!filename)
		return uci_fail(ctx, UCI_ERR_MEM);
	if ((err = uci_open_stream(ctx, filename, SEEK_SET, false, false, &f))) {
		free(filename);
		return err;
	}
	ctx->err = 0;
	struct uci_package *p = NULL;
	err = uci_do_import(ctx, f, name, &p, true);
	uci_close_stream(f);
	if (err) {
		free(filename);
		return err;
	}
	if (p) {
		p->path = filename;
		p->has_delta = confdir;
		p->uses_conf2 = conf2;
		int changes;
		if ((err = uci_load_delta(ctx, p, false, &changes))) {
			uci_free_package(&p);
			return err;
		}
	} else {
		free(filename);
	}
	/* non-strict errors skipped in a file outside the config dir fail
	 * the load (libuci: and double-frees its path; keel unloads) */
	if (ctx->err) {
		err = ctx->err;
		uci_free_package(&p);
		return err;
	}
	*out = p;
	return UCI_OK;
}

static int write_temp(struct uci_context *ctx, struct uci_package *p, const char *target,
		      char **tmp_out)
{
	const char *slash = strrchr(target, '/');
	size_t dlen = slash ? (size_t)(slash - target) : 1;
	size_t n = dlen + strlen(p->e.name) + 16;
	char *tmp = malloc(n);
	if (!tmp)
		return uci_fail(ctx, UCI_ERR_MEM);
	snprintf(tmp, n, "%.*s/.%s.uci-XXXXXX", (int)dlen, slash ? target : ".", p->e.name);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		free(tmp);
		return uci_fail(ctx, UCI_ERR_IO);
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		free(tmp);
		return uci_fail(ctx, UCI_ERR_IO);
	}
	uci_do_export(ctx, f, p, false);
	bool ok = fflush(f) == 0 && !ferror(f) && fsync(fd) == 0;
	if (fclose(f) != 0)
		ok = false;
	if (!ok) {
		unlink(tmp);
		free(tmp);
		return uci_fail(ctx, UCI_ERR_IO);
	}
	*tmp_out = tmp;
	return UCI_OK;
}

static void fsync_dir_of(const char *path)
{
	char *dir = strdup(path);
	if (!dir)
		return;
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = 0;
	int fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int uci_do_commit(struct uci_context *ctx, struct uci_package **package, bool overwrite)
{
	struct uci_package *p = *package;
	FILE *f1 = NULL;
	char *name = NULL, *path = NULL, *tmp = NULL, *real = NULL;
	int err;
	if (!p->path) {
		if (!overwrite)
			return uci_fail(ctx, UCI_ERR_INVAL);
		if (!uci_validate_package(p->e.name))
			return uci_fail(ctx, UCI_ERR_INVAL);
		const char *dir = p->uses_conf2 && ctx->conf2dir ? ctx->conf2dir : ctx->confdir;
		if (!(p->path = uci_path_join(dir, p->e.name)))
			return uci_fail(ctx, UCI_ERR_MEM);
	}
	/* open (and lock) the config now: this also creates a missing one */
	if ((err = uci_open_stream(ctx, p->path, SEEK_SET, true, true, &f1)))
		return err;
	if (p->has_delta) {
		if (!overwrite) {
			bool uses_conf2 = p->uses_conf2;
			name = strdup(p->e.name);
			path = strdup(p->path);
			err = UCI_ERR_MEM;
			if (!name || !path)
				goto fail;
			if (!uci_list_empty(&p->delta) && (err = uci_do_save(ctx, p)))
				goto fail;
			/* others may have changed file or deltas: re-read both */
			uci_free_package(&p);
			*package = NULL;
			if ((err = uci_do_import(ctx, f1, name, &p, true)))
				goto fail;
			ctx->err = 0;
			p->path = path;
			path = NULL;
			p->has_delta = true;
			p->uses_conf2 = uses_conf2;
			*package = p;
		}
		int changes;
		if ((err = uci_load_delta(ctx, p, true, &changes)))
			goto fail;
		if (!changes)
			goto done; /* nothing staged: the file stays as it is */
	}
	if (!(real = realpath(p->path, NULL))) {
		err = uci_fail(ctx, UCI_ERR_IO);
		goto fail;
	}
	if ((err = write_temp(ctx, p, real, &tmp)))
		goto fail;
	struct stat st;
	if (stat(real, &st) < 0 || chmod(tmp, st.st_mode & 07777) < 0 || rename(tmp, real) < 0) {
		unlink(tmp);
		err = uci_fail(ctx, UCI_ERR_IO);
		goto fail;
	}
	fsync_dir_of(real);
done:
	err = UCI_OK;
fail:
	uci_close_stream(f1);
	free(name);
	free(path);
	free(tmp);
	free(real);
	return err ? uci_fail(ctx, err) : UCI_OK;
}

/* Every CONFDIR entry as glob sorts it; directories, names with a dot and invalid
 * package names are left out. An empty or missing dir is an error
 * (UCI_ERR_NOTFOUND), as libuci's glob failure is. */
static char **list_config_files(struct uci_context *ctx)
{
	glob_t g;
	char *pattern = uci_path_join(ctx->confdir, "*");
	if (!pattern) {
		uci_fail(ctx, UCI_ERR_MEM);
		return NULL;
	}
	int r = glob(pattern, GLOB_MARK, NULL, &g);
	free(pattern);
	if (r != 0) {
		if (r != GLOB_NOMATCH)
			globfree(&g);
		uci_fail(ctx, UCI_ERR_NOTFOUND);
		return NULL;
	}
	size_t size = sizeof(char *) * (g.gl_pathc + 1);
	for (size_t i = 0; i < g.gl_pathc; i++)
		size += strlen(g.gl_pathv[i]) + 1;
	char **list = calloc(1, size);
	if (!list) {
		globfree(&g);
		uci_fail(ctx, UCI_ERR_MEM);
		return NULL;
	}
	char *buf = (char *)&list[g.gl_pathc + 1];
	size_t j = 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *base = strrchr(g.gl_pathv[i], '/');
		base = base ? base + 1 : g.gl_pathv[i];
		if (!*base || strchr(base, '.') || !uci_validate_package(base))
			continue;
		list[j++] = strcpy(buf, base);
		buf += strlen(base) + 1;
	}
	globfree(&g);
	return list;
}

static struct uci_package *file_load(struct uci_context *ctx, const char *name)
{
	struct uci_package *p = NULL;
	uci_do_load(ctx, name, &p);
	return p;
}

static void file_commit(struct uci_context *ctx, struct uci_package **p, bool overwrite)
{
	uci_do_commit(ctx, p, overwrite);
}

struct uci_backend uci_file_backend = {
	.e = { .list = { &uci_file_backend.e.list, &uci_file_backend.e.list },
	       .type = UCI_TYPE_BACKEND, .name = (char *)"file" },
	.list_configs = list_config_files,
	.load = file_load,
	.commit = file_commit,
};
