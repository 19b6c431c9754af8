/* kmod: loads kernel modules with finit_module, dependencies first, compressed ones too. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "preinit.h"
#include "preinit_moddep.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

static int finit(int fd, const char *params, int flags)
{
	return (int)syscall(SYS_finit_module, fd, params, flags);
}

/* A compressed module the kernel cannot unpack itself (no
 * CONFIG_MODULE_DECOMPRESS, as in Debian 12's 6.1 kernels): unpack it with
 * the tool of the image into a memfd and load that. */
static int load_unpacked(int fd, const char *path, const char *params)
{
	const char *tool = strstr(path, ".ko.xz") ? "xz" : strstr(path, ".ko.zst") ? "zstd" :
			   strstr(path, ".ko.gz") ? "gzip" : NULL;
	if (!tool) {
		errno = ENOEXEC;
		return -1;
	}
	int mfd = (int)syscall(SYS_memfd_create, "module", MFD_CLOEXEC);
	if (mfd < 0)
		return -1;
	char *const argv[] = { (char *)tool, "-dc", NULL };
	if (lseek(fd, 0, SEEK_SET) < 0 || preinit_run("/", argv, fd, mfd) != 0) {
		close(mfd);
		errno = ENOEXEC;
		return -1;
	}
	int r = finit(mfd, params, 0);
	int e = errno;
	if (r == 0 || e == EEXIST)
		preinit_say("module %s: unpacked with %s", path, tool);
	close(mfd);
	errno = e;
	return r;
}

/* cmdline: the kernel command line, for NAME.PARAM=VALUE options (NULL: none). */
static int load_one(const char *dir, const char *rel, const char *cmdline)
{
	char *path = preinit_path(dir, rel);
	char *name = preinit_modname(rel);
	char *params = name && cmdline ? preinit_modparams(cmdline, name) : strdup("");
	free(name);
	if (!path || !params) {
		free(path);
		free(params);
		return -1;
	}
	if (*params)
		preinit_say("module %s: %s", rel, params);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		preinit_error("module %s: %s", path, strerror(errno));
		free(path);
		free(params);
		return -1;
	}
	bool packed = !(strlen(rel) > 3 && !strcmp(rel + strlen(rel) - 3, ".ko"));
	int r = finit(fd, params, packed ? MODULE_INIT_COMPRESSED_FILE : 0);
	if (r < 0 && packed && (errno == EOPNOTSUPP || errno == EINVAL))
		r = load_unpacked(fd, rel, params);
	if (r < 0 && errno == EEXIST)
		r = 0; /* already loaded */
	if (r < 0)
		preinit_error("module %s: %s", rel, strerror(errno));
	close(fd);
	free(path);
	free(params);
	return r;
}

int preinit_modules_load(const struct preinit_strv *names)
{
	if (!names->n)
		return 0;
	struct utsname u;
	if (uname(&u) < 0)
		return (int)names->n;
	char *dir = NULL;
	if (asprintf(&dir, "/lib/modules/%s", u.release) < 0)
		return (int)names->n;
	char *depf = preinit_path(dir, "modules.dep"), *bif = preinit_path(dir, "modules.builtin");
	char *dep = depf ? preinit_read_file(depf, NULL) : NULL;
	char *builtin = bif ? preinit_read_file(bif, NULL) : NULL;
	char *cmdline = preinit_read_file("/proc/cmdline", NULL);
	int failed = 0;
	if (!dep)
		preinit_error("%s/modules.dep: %s", dir, strerror(errno));
	struct preinit_strv order = { 0 };
	for (size_t i = 0; i < names->n; i++) {
		int r = dep ? preinit_moddep_resolve(dep, names->v[i], &order) : 0;
		if (r == 0 && !(builtin && preinit_modbuiltin(builtin, names->v[i]))) {
			preinit_error("module %s: not found in %s", names->v[i], dir);
			failed++;
		} else if (r < 0) {
			failed++;
		}
	}
	size_t loaded = 0;
	for (size_t i = 0; i < order.n; i++) {
		preinit_watchdog_feed();
		if (load_one(dir, order.v[i], cmdline) < 0)
			failed++;
		else
			loaded++;
	}
	preinit_say("modules: %zu loaded%s", loaded, failed ? ", some failed" : "");
	preinit_strv_free(&order);
	free(cmdline);
	free(dep);
	free(builtin);
	free(depf);
	free(bif);
	free(dir);
	return failed;
}
