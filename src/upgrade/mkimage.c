/* keel-mkimage: builds a keel firmware image from its parts (run on the build host). */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwimage.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: keel-mkimage -b BOARD -V VERSION -o OUT NAME=FILE...\n"
		   "       keel-mkimage -i IMAGE      show an image's header and check it\n"
		   "NAME is the part's name in upgrade.conf (rootfs, kernel...), at most 8 parts.\n");
}

static int copy_into(int out, const char *path, struct sha256 *s, uint64_t *len)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	char b[65536];
	ssize_t n;
	*len = 0;
	while ((n = read(in, b, sizeof b)) > 0) {
		sha256_update(s, b, (size_t)n);
		for (ssize_t w = 0; w < n;) {
			ssize_t k = write(out, b + w, (size_t)(n - w));
			if (k < 0) {
				close(in);
				return -1;
			}
			w += k;
		}
		*len += (uint64_t)n;
	}
	close(in);
	return n < 0 ? -1 : 0;
}

static int info(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "keel-mkimage: %s: %s\n", path, strerror(errno));
		return 1;
	}
	struct fwimage img;
	char err[512];
	int r = fwimage_check_fd(fd, &img, NULL, NULL, NULL, err, sizeof err);
	close(fd);
	if (r < 0) {
		fprintf(stderr, "keel-mkimage: %s: %s\n", path, err);
		return 1;
	}
	char hex[65];
	sha256_hex(img.payload_sha, hex);
	printf("board %s\nversion %s\nsha256 %s\n", img.board, img.version, hex);
	for (unsigned i = 0; i < img.nparts; i++)
		printf("part %s %llu\n", img.part[i].name, (unsigned long long)img.part[i].length);
	return 0;
}

int main(int argc, char **argv)
{
	struct fwimage img = { 0 };
	const char *out = NULL;
	int c;
	while ((c = getopt(argc, argv, "b:V:o:i:h")) != -1) {
		switch (c) {
		case 'b': snprintf(img.board, sizeof img.board, "%s", optarg); break;
		case 'V': snprintf(img.version, sizeof img.version, "%s", optarg); break;
		case 'o': out = optarg; break;
		case 'i': return info(optarg);
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 100;
		}
	}
	if (!out || !img.board[0] || optind >= argc || argc - optind > FWIMAGE_MAX_PARTS) {
		usage(stderr);
		return 100;
	}
	char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp", out) < 0)
		return 111;
	int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || lseek(fd, FWIMAGE_HEADER_LEN, SEEK_SET) < 0) {
		fprintf(stderr, "keel-mkimage: %s: %s\n", tmp, strerror(errno));
		return 111;
	}
	struct sha256 s;
	sha256_init(&s);
	for (int i = optind; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		struct fwimage_part *p = &img.part[img.nparts++];
		if (!eq || (size_t)(eq - argv[i]) > FWIMAGE_NAME_LEN) {
			fprintf(stderr, "keel-mkimage: %s: expected NAME=FILE\n", argv[i]);
			unlink(tmp);
			return 100;
		}
		memcpy(p->name, argv[i], (size_t)(eq - argv[i]));
		if (copy_into(fd, eq + 1, &s, &p->length) < 0) {
			fprintf(stderr, "keel-mkimage: %s: %s\n", eq + 1, strerror(errno));
			unlink(tmp);
			return 111;
		}
	}
	sha256_final(&s, img.payload_sha);
	uint8_t hdr[FWIMAGE_HEADER_LEN];
	const char *err;
	if (fwimage_build(&img, hdr, &err) < 0) {
		fprintf(stderr, "keel-mkimage: %s\n", err);
		unlink(tmp);
		return 100;
	}
	if (pwrite(fd, hdr, sizeof hdr, 0) != (ssize_t)sizeof hdr || fsync(fd) < 0 || close(fd) < 0 ||
	    rename(tmp, out) < 0) {
		fprintf(stderr, "keel-mkimage: %s: %s\n", out, strerror(errno));
		unlink(tmp);
		return 111;
	}
	free(tmp);
	return 0;
}
