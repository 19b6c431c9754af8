/* flash: raw flash (MTD) data partitions: erased, or a jffs2 whose first erase block is still empty; which file systems the kernel has. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "preinit.h"

/* linux/major.h: mtdblockN and the character devices mtdN (minor 2N; 2N+1
 * is the read-only node). */
#define MTD_BLOCK_MAJOR_ 31
#define MTD_CHAR_MAJOR_ 90

/* A number from /sys/class/mtd/mtdN/ATTR, 0 if it cannot be read. */
static unsigned long long mtd_attr(unsigned idx, const char *attr)
{
	char *path = NULL;
	if (asprintf(&path, "/sys/class/mtd/mtd%u/%s", idx, attr) < 0)
		return 0;
	char *text = preinit_read_file(path, NULL);
	free(path);
	if (!text)
		return 0;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 0);
	if (errno || end == text)
		v = 0;
	free(text);
	return v;
}

/* 0 with len bytes at off; -1 on an error or a short device. */
static int read_at(int fd, unsigned char *buf, size_t len, off_t off)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, off + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int preinit_flash_scan(const char *dev, enum preinit_fs *fs)
{
	struct stat st;
	if (stat(dev, &st) < 0)
		return -1;
	unsigned idx;
	if (S_ISBLK(st.st_mode) && major(st.st_rdev) == MTD_BLOCK_MAJOR_)
		idx = minor(st.st_rdev);
	else if (S_ISCHR(st.st_mode) && major(st.st_rdev) == MTD_CHAR_MAJOR_)
		idx = minor(st.st_rdev) / 2;
	else
		return -1;
	unsigned long long ebs = mtd_attr(idx, "erasesize"), size = mtd_attr(idx, "size");
	if (!ebs || size < ebs)
		return -1;
	int fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* A few bytes per erase block: readahead would read the whole
	 * flash instead. Only advice: refused, it costs time, not results. */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	*fs = PREINIT_FS_BLANK;
	unsigned char head[PREINIT_ERASEBLOCK_HEAD];
	for (unsigned long long off = 0; off + ebs <= size; off += ebs) {
		/* A block that cannot be read (a bad NAND block) is
		 * jffs2's to skip, not a sign of other content. */
		if (read_at(fd, head, sizeof head, (off_t)off) < 0)
			continue;
		enum preinit_fs b = preinit_probe_eraseblock(head, sizeof head);
		if (b == PREINIT_FS_UNKNOWN) {
			*fs = PREINIT_FS_UNKNOWN;
			break;
		}
		if (b == PREINIT_FS_JFFS2)
			*fs = PREINIT_FS_JFFS2;
	}
	close(fd);
	return 0;
}

bool preinit_fs_supported(const char *type)
{
	/* Lines are "nodev\tNAME" or "\tNAME". */
	char *text = preinit_read_file("/proc/filesystems", NULL);
	bool found = false;
	size_t n = strlen(type);
	for (char *p = text; p && *p && !found;) {
		char *tab = strchr(p, '\t');
		if (!tab)
			break;
		found = !strncmp(tab + 1, type, n) && (tab[1 + n] == '\n' || !tab[1 + n]);
		p = strchr(tab, '\n');
		if (p)
			p++;
	}
	free(text);
	return found;
}
