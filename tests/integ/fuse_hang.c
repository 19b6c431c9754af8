/* fuse_hang: a FUSE file system that answers INIT and then nothing, so any lookup under it hangs (a hung mount for the tests). */
/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

/* usage: fuse_hang DIR — mounts, prints "ready", then reads requests and
 * never answers them until killed (its death aborts the connection, and
 * every waiting lookup fails with ENOTCONN). */
int main(int argc, char **argv)
{
	static char buf[FUSE_MIN_READ_BUFFER + 65536];
	char opts[128];
	if (argc != 2)
		return 100;
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("fuse_hang: /dev/fuse");
		return 111;
	}
	snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", fd);
	if (mount("hang", argv[1], "fuse", MS_NOSUID | MS_NODEV, opts) < 0) {
		perror("fuse_hang: mount");
		return 111;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < (ssize_t)sizeof(struct fuse_in_header))
			continue;
		struct fuse_in_header *in = (struct fuse_in_header *)buf;
		if (in->opcode != FUSE_INIT)
			continue; /* never answered */
		struct {
			struct fuse_out_header h;
			struct fuse_init_out i;
		} out;
		memset(&out, 0, sizeof out);
		out.h.len = sizeof out;
		out.h.unique = in->unique;
		out.i.major = FUSE_KERNEL_VERSION;
		out.i.minor = FUSE_KERNEL_MINOR_VERSION;
		out.i.max_write = 4096;
		out.i.max_readahead = 4096;
		if (write(fd, &out, sizeof out) < 0)
			perror("fuse_hang: init");
	}
}
