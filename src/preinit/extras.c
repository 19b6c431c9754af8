/* extras: swap (devices, files, files unpacked from an archive, zram) and bind-replaced files. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <unistd.h>

#include "preinit.h"

/* Writes a version-1 swap header (what mkswap writes, minus label/UUID),
 * so that no mkswap program is needed. */
static int swap_header_write(int fd, unsigned long long size)
{
	long ps = sysconf(_SC_PAGESIZE);
	if (ps < 4096)
		ps = 4096;
	unsigned long long pages = size / (unsigned long long)ps;
	if (pages < 10) {
		errno = ENOSPC;
		return -1;
	}
	unsigned char *page = calloc(1, (size_t)ps);
	if (!page)
		return -1;
	uint32_t version = 1, last = (uint32_t)(pages - 1 > 0xffffffffULL ? 0xffffffffULL : pages - 1);
	memcpy(page + 1024, &version, 4);
	memcpy(page + 1028, &last, 4);
	memcpy(page + ps - 10, "SWAPSPACE2", 10);
	ssize_t n = pwrite(fd, page, (size_t)ps, 0);
	free(page);
	if (n != ps)
		return -1;
	return fdatasync(fd);
}

/* path: what to swapon; name: how the configuration calls it. */
static void swap_on(const char *path, const char *name, int flags)
{
	preinit_watchdog_feed();
	if (swapon(path, flags) < 0)
		preinit_error("swapon %s: %s", name, strerror(errno));
	else
		preinit_say("swap: %s", name);
}

/* swap_archive ARCHIVE FILE: unpack ARCHIVE (gzip, xz or zstd, chosen by
 * its name) into FILE once; the file is kept for later boots. */
static void swap_from_archive(const char *archive, const char *file)
{
	char *a = preinit_path(PREINIT_NEWROOT, archive), *f = preinit_path(PREINIT_NEWROOT, file);
	if (!a || !f)
		goto out;
	struct stat st;
	if (stat(f, &st) == 0 && st.st_size > 0) {
		swap_on(f, file, 0);
		goto out;
	}
	int in = open(a, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		preinit_error("swap archive %s: %s", archive, strerror(errno));
		goto out;
	}
	char *tmp = NULL;
	if (asprintf(&tmp, "%s.new", f) < 0) {
		close(in);
		goto out;
	}
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	const char *tool = strstr(archive, ".xz") ? "xz" : strstr(archive, ".zst") ? "zstd" : "gzip";
	char *const argv[] = { (char *)tool, "-dc", NULL };
	/* The unpacker comes from the new root: the initramfs may have none. */
	int r = out < 0 ? -1 : preinit_run(PREINIT_NEWROOT, argv, in, out);
	close(in);
	off_t size = out >= 0 ? lseek(out, 0, SEEK_END) : -1;
	if (r != 0 || size <= 0 || swap_header_write(out, (unsigned long long)size) < 0 ||
	    rename(tmp, f) < 0) {
		preinit_error("unpacking swap %s into %s: %s", archive, file,
			      r ? "unpacker failed" : strerror(errno));
		unlink(tmp);
	} else {
		preinit_say("swap: %s unpacked from %s (%lld MiB)", file, archive,
			    (long long)size >> 20);
		swap_on(f, file, 0);
	}
	if (out >= 0)
		close(out);
	free(tmp);
out:
	free(a);
	free(f);
}

static void swap_zram(unsigned long mb, const char *comp)
{
	/* The kernel would ask /sbin/modprobe for the compressor, and there
	 * is none yet: load it (and zram) here. */
	struct preinit_strv m = { 0 };
	if (access("/sys/block/zram0", F_OK) < 0)
		preinit_strv_add(&m, "zram");
	preinit_strv_add(&m, comp);
	preinit_modules_load(&m);
	preinit_strv_free(&m);
	char size[32];
	snprintf(size, sizeof size, "%luM", mb);
	for (int i = 0; i < 40 && access("/sys/block/zram0/disksize", W_OK) < 0; i++) {
		preinit_watchdog_feed();
		usleep(50000);
	}
	if (preinit_write_file("/sys/block/zram0/comp_algorithm", comp) < 0)
		preinit_error("zram0 comp_algorithm %s: %s", comp, strerror(errno));
	if (preinit_write_file("/sys/block/zram0/disksize", size) < 0) {
		preinit_error("zram0 disksize %s: %s", size, strerror(errno));
		return;
	}
	int fd = open("/dev/zram0", O_RDWR | O_CLOEXEC);
	if (fd < 0 || swap_header_write(fd, (unsigned long long)mb << 20) < 0) {
		preinit_error("zram0 swap header: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	/* RAM-backed swap first, storage swap after it. */
	swap_on("/dev/zram0", "/dev/zram0", SWAP_FLAG_PREFER | (100 << SWAP_FLAG_PRIO_SHIFT));
}

void preinit_swap_setup(struct preinit *p)
{
	const struct preinit_conf *c = &p->conf;
	bool any = c->zram_mb || c->swaps.n || c->swap_archive.n;
	if (c->zram_mb)
		swap_zram(c->zram_mb, c->zram_comp ? c->zram_comp : "lzo-rle");
	for (size_t i = 0; i < c->swaps.n; i++) {
		const char *s = c->swaps.v[i];
		bool device = !strncmp(s, "/dev/", 5) || s[0] != '/';
		char *path = device ? preinit_block_find(s, c->data_wait_ms, NULL) :
				      preinit_path(PREINIT_NEWROOT, s);
		if (!path) {
			preinit_error("swap %s: not found", s);
			continue;
		}
		swap_on(path, s, 0);
		free(path);
	}
	for (size_t i = 0; i + 1 < c->swap_archive.n; i += 2)
		swap_from_archive(c->swap_archive.v[i], c->swap_archive.v[i + 1]);
	/* Unpacking went through the page cache: give that memory back. */
	if (any && preinit_write_file("/proc/sys/vm/drop_caches", "3") < 0)
		preinit_error("drop_caches: %s", strerror(errno));
}

void preinit_binds_apply(struct preinit *p)
{
	const struct preinit_strv *b = &p->conf.binds;
	for (size_t i = 0; i + 1 < b->n; i += 2) {
		char *src = preinit_path(PREINIT_NEWROOT, b->v[i]);
		char *dst = preinit_path(PREINIT_NEWROOT, b->v[i + 1]);
		if (!src || !dst) {
			free(src);
			free(dst);
			continue;
		}
		if (access(src, F_OK) < 0)
			preinit_error("bind %s: %s; skipped", b->v[i], strerror(errno));
		else if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
			preinit_error("bind %s over %s: %s; skipped", b->v[i], b->v[i + 1],
				      strerror(errno));
		else
			preinit_say("bind: %s over %s", b->v[i], b->v[i + 1]);
		free(src);
		free(dst);
	}
}
