/* ifconf.c: the interfaces of UCI's network file, and an inotify watch saying when they may have changed. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "ifconf.h"

/* uci commit renames a new file in; editors write in place; rm deletes */
#define FILE_EVENTS (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE)
#define DIR_EVENTS (IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

int ifconf_open(struct ifconf *c, const char *dir)
{
	if (!dir || !*dir)
		dir = "/etc/config";
	c->fd = c->wd = -1;
	c->dir = strdup(dir);
	c->file = malloc(strlen(dir) + sizeof "/network");
	if (!c->dir || !c->file) {
		free(c->dir);
		free(c->file);
		return -1;
	}
	strcpy(c->file, dir);
	strcat(c->file, "/network");
	/* no inotify (old kernel, seccomp, out of watches): the caller reads on each lookup */
	c->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	return 0;
}

static void add_watch(struct ifconf *c)
{
	if (c->fd >= 0 && c->wd < 0)
		c->wd = inotify_add_watch(c->fd, c->dir, FILE_EVENTS | DIR_EVENTS);
}

bool ifconf_stale(struct ifconf *c)
{
	if (c->wd < 0) {
		/* a new watch has not seen what came before it; no watch sees nothing */
		add_watch(c);
		return true;
	}
	bool stale = false;
	union {
		struct inotify_event e;
		char b[4096];
	} u;
	for (;;) {
		ssize_t n = read(c->fd, u.b, sizeof u.b);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			stale = true; /* events lost: read the file rather than miss one */
		if (n <= 0)
			break;
		for (char *p = u.b; p < u.b + n;) {
			const struct inotify_event *e = (const struct inotify_event *)(void *)p;
			if (e->mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))
				stale = true;
			else if (e->len && strcmp(e->name, "network") == 0)
				stale = true;
			if (e->wd == c->wd && (e->mask & IN_MOVE_SELF)) {
				/* the watch would follow the folder elsewhere */
				inotify_rm_watch(c->fd, c->wd);
				c->wd = -1;
			} else if (e->wd == c->wd && (e->mask & IN_IGNORED)) {
				c->wd = -1;
			}
			p += sizeof *e + e->len;
		}
	}
	/* the folder went away: watch it again if it is back (else on the next call) */
	if (c->wd < 0)
		add_watch(c);
	return stale;
}

const char *ifconf_section(char *line)
{
	/* config interface NAME, each word bare or in ' or " quotes */
	char *w[3];
	int n = 0;
	for (char *p = line; n < 3 && *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '\n' || *p == '#')
			break;
		char q = (*p == '\'' || *p == '"') ? *p++ : 0;
		w[n++] = p;
		while (*p && *p != '\n' && (q ? *p != q : (*p != ' ' && *p != '\t')))
			p++;
		if (*p)
			*p++ = 0;
	}
	if (n == 3 && strcmp(w[0], "config") == 0 && strcmp(w[1], "interface") == 0 && *w[2])
		return w[2];
	return NULL;
}

int ifconf_read(const struct ifconf *c, void (*each)(const char *name, void *arg), void *arg)
{
	FILE *f = fopen(c->file, "re");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) >= 0) {
		const char *name = ifconf_section(line);
		if (name)
			each(name, arg);
	}
	int err = ferror(f) ? errno : 0;
	free(line);
	fclose(f);
	errno = err;
	return err ? -1 : 0;
}
