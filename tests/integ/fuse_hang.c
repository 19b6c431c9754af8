/* fuse_hang: a FUSE file system that answers INIT and then nothing, so any lookup under it hangs (a hung mount for the tests). */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* usage: fuse_hang DIR — mounts, prints "ready", then reads requests and
 * never answers them until killed (its death aborts the connection, and
 * every waiting lookup fails with ENOTCONN), or until SIGUSR1: then every
 * request held and to come is answered, every name being an empty
 * directory (a mount that was slow and recovers). */

#define HELD_MAX 256

static volatile sig_atomic_t release;
static void on_usr1(int sig) { (void)sig; release = 1; }

static int fuse_fd;

static void reply(uint64_t unique, int error, const void *body, size_t len)
{
	char out[sizeof(struct fuse_out_header) + 256];
	struct fuse_out_header h = { .len = (uint32_t)(sizeof h + len), .error = error, .unique = unique };
	memcpy(out, &h, sizeof h);
	memcpy(out + sizeof h, body, len);
	if (write(fuse_fd, out, sizeof h + len) < 0 && errno != ENOENT)
		perror("fuse_hang: reply");
}

static void dir_attr(struct fuse_attr *a, uint64_t ino)
{
	memset(a, 0, sizeof *a);
	a->ino = ino;
	a->mode = S_IFDIR | 0755;
	a->nlink = 2;
	a->blksize = 4096;
}

static uint64_t next_node = 2;

/* A request answered as the recovered mount: names are empty directories. */
static void answer(const struct fuse_in_header *in)
{
	switch (in->opcode) {
	case FUSE_LOOKUP: {
		struct fuse_entry_out e;
		memset(&e, 0, sizeof e);
		e.nodeid = next_node++;
		e.generation = 1;
		e.entry_valid = e.attr_valid = 3600;
		dir_attr(&e.attr, e.nodeid);
		reply(in->unique, 0, &e, sizeof e);
		break;
	}
	case FUSE_GETATTR: {
		struct fuse_attr_out a;
		memset(&a, 0, sizeof a);
		a.attr_valid = 3600;
		dir_attr(&a.attr, in->nodeid);
		reply(in->unique, 0, &a, sizeof a);
		break;
	}
	case FUSE_ACCESS:
		reply(in->unique, 0, NULL, 0);
		break;
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
		break; /* no answer expected */
	default:
		reply(in->unique, -ENOSYS, NULL, 0);
	}
}

int main(int argc, char **argv)
{
	static char buf[FUSE_MIN_READ_BUFFER + 65536];
	static struct fuse_in_header held[HELD_MAX];
	size_t nheld = 0;
	char opts[128];
	if (argc != 2)
		return 100;
	struct sigaction sa = { .sa_handler = on_usr1 }; /* no SA_RESTART: read returns */
	sigaction(SIGUSR1, &sa, NULL);
	int fd = fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
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
		if (release && nheld) {
			for (size_t i = 0; i < nheld; i++)
				answer(&held[i]);
			nheld = 0;
		}
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < (ssize_t)sizeof(struct fuse_in_header))
			continue;
		struct fuse_in_header *in = (struct fuse_in_header *)buf;
		if (in->opcode != FUSE_INIT) {
			if (release)
				answer(in);
			else if (nheld < HELD_MAX)
				held[nheld++] = *in; /* a lookup's name is not needed to answer it */
			continue;
		}
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
