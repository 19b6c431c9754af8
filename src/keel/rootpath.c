/* rootpath: resolves a path inside a system image the way that system will, absolute links included (keel check --root). */
/* SPDX-License-Identifier: MIT */
#include "rootpath.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROOTPATH_MAX_LINKS 40

char *rootpath_readlink(const char *path, size_t max)
{
	for (size_t size = 256;; size *= 2) {
		char *buf = malloc(size);
		if (!buf)
			return NULL;
		ssize_t r = readlink(path, buf, size);
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if ((size_t)r < size) {
			buf[r] = '\0';
			return buf;
		}
		free(buf);
		if (size > max) {
			errno = ENAMETOOLONG;
			return NULL;
		}
	}
}

char *rootpath_resolve(const char *root, const char *path)
{
	if (!root)
		return strdup(path);
	size_t rlen = strlen(root);
	while (rlen > 0 && root[rlen - 1] == '/')
		rlen--; /* "/" and "img/" work like "" and "img" */
	/* host = root + the resolved part ("/a/b", "" for the image's "/");
	 * rest = what is left to walk. Both grow as links are expanded. */
	char *host = malloc(rlen + 1), *rest = strdup(path);
	int links = 0, err = 0;
	if (!host || !rest) {
		err = ENOMEM;
		goto out;
	}
	memcpy(host, root, rlen);
	host[rlen] = '\0';
	size_t hlen = rlen;
	char *p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t clen = strcspn(p, "/");
		if (clen == 1 && p[0] == '.') {
			p += clen;
			continue;
		}
		if (clen == 2 && p[0] == '.' && p[1] == '.') {
			while (hlen > rlen && host[hlen - 1] != '/')
				hlen--;
			if (hlen > rlen)
				hlen--;
			host[hlen] = '\0';
			p += clen;
			continue;
		}
		char *nh = realloc(host, hlen + 1 + clen + 1);
		if (!nh) {
			err = ENOMEM;
			goto out;
		}
		host = nh;
		host[hlen] = '/';
		memcpy(host + hlen + 1, p, clen);
		host[hlen + 1 + clen] = '\0';
		p += clen;
		struct stat st;
		if (lstat(host, &st) < 0) {
			err = errno;
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			if (++links > ROOTPATH_MAX_LINKS) {
				err = ELOOP;
				goto out;
			}
			char *target = rootpath_readlink(host, 65536);
			if (!target) {
				err = errno ? errno : ENOMEM;
				goto out;
			}
			host[hlen] = '\0'; /* the link's directory */
			if (target[0] == '/')
				hlen = rlen, host[hlen] = '\0';
			char *nr = NULL;
			if (asprintf(&nr, "%s%s%s", target, *p ? "/" : "", p) < 0)
				nr = NULL;
			free(target);
			if (!nr) {
				err = ENOMEM;
				goto out;
			}
			free(rest);
			rest = p = nr;
			continue;
		}
		hlen += 1 + clen;
		if (*p && !S_ISDIR(st.st_mode)) { /* "file/..." or "file/" */
			err = ENOTDIR;
			goto out;
		}
	}
	if (hlen == rlen) { /* the image's "/" itself */
		char *nh = realloc(host, rlen + 2);
		if (!nh) {
			err = ENOMEM;
			goto out;
		}
		host = nh;
		host[rlen] = '/';
		host[rlen + 1] = '\0';
	}
out:
	free(rest);
	if (err) {
		free(host);
		errno = err;
		return NULL;
	}
	return host;
}
