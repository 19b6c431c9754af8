/* cond_watch: inotify for path conditions and path triggers — directories that do not exist yet included. */
/* SPDX-License-Identifier: MIT */
#include "cond_internal.h"

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "wildmatch.h"

/*
 * A watch point is a directory some users care about (the parent of a
 * path condition, the directory of a trigger). It is watched on that
 * directory or, while it does not exist, on its nearest existing ancestor;
 * any event there moves it down (or up, when directories go away). One
 * mask for every watch: inotify keeps one mask per inode, so two users of
 * one directory could not ask for different events anyway.
 */
#define WATCH_MASK                                                                            \
	(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | \
	 IN_CLOSE_WRITE | IN_ATTRIB | IN_ONLYDIR)
/* inotify events read per wake-up: a burst is finished on the next turns. */
#define WATCH_READS_PER_EVENT 16

struct wpoint {
	char *dir;   /* the directory wanted */
	char *where; /* file:line of its first user */
	int w;       /* index in watches, -1 none */
	bool at_target;
	bool refused; /* the kernel refused: re-checked every COND_RECHECK_MS */
	bool hit;     /* scratch: its watch saw an event */
	bool replace; /* scratch: it may have to move */
	/* Names a scan of a new watch fired as created: an entry made
	 * between adding the watch and the scan is also in the kernel's
	 * queue, and must not fire twice. Kept until the queue is drained. */
	char **scanned;
	size_t nscanned;
};

struct watch {
	char *dir; /* NULL: free slot */
	int wd;
};

static struct wpoint *wps;
static size_t nwps, capwps; /* doubled: outgrown blocks stay with PID 1's allocator */
static struct watch *ws;
static size_t nws;
static int ino = -1; /* -2: unavailable, said once */
static time_t last_recheck;

static void ino_open(void)
{
	ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ino >= 0 && loop_add(ino, EPOLLIN, LOOP_COND_INOTIFY) == 0)
		return;
	log_msg("warning: inotify unavailable (%s): path conditions and triggers are checked "
		"every %ds instead", strerror(errno), COND_RECHECK_MS / 1000);
	if (ino >= 0)
		close(ino);
	ino = -2;
}

int watch_point_add(const char *target_dir, const char *where)
{
	for (size_t i = 0; i < nwps; i++)
		if (!strcmp(wps[i].dir, target_dir))
			return (int)i;
	if (nwps == capwps) {
		size_t ncap = capwps ? capwps * 2 : 16;
		struct wpoint *nv = realloc(wps, ncap * sizeof *nv);
		if (!nv)
			return -1;
		wps = nv;
		capwps = ncap;
	}
	struct wpoint p = { .dir = strdup(target_dir), .where = strdup(where), .w = -1 };
	if (!p.dir || !p.where) {
		free(p.dir);
		free(p.where);
		return -1;
	}
	wps[nwps] = p;
	return (int)nwps++;
}

static void scanned_clear(struct wpoint *p)
{
	for (size_t i = 0; i < p->nscanned; i++)
		free(p->scanned[i]);
	free(p->scanned);
	p->scanned = NULL;
	p->nscanned = 0;
}

/* Takes name off the point's scanned list; true if it was there. */
static bool scanned_take(struct wpoint *p, const char *name)
{
	for (size_t i = 0; i < p->nscanned; i++)
		if (!strcmp(p->scanned[i], name)) {
			free(p->scanned[i]);
			p->scanned[i] = p->scanned[--p->nscanned];
			return true;
		}
	return false;
}

/* Points go (the rebuild makes them anew); the kernel's watches stay
 * until the next sync finds them unused, so no event falls in between. */
void watch_points_reset(void)
{
	for (size_t i = 0; i < nwps; i++) {
		free(wps[i].dir);
		free(wps[i].where);
		scanned_clear(&wps[i]);
	}
	free(wps);
	wps = NULL;
	nwps = capwps = 0;
}

bool watch_point_refused(int wp)
{
	return wp >= 0 && (size_t)wp < nwps && wps[wp].refused;
}

bool watch_any_refused(void)
{
	for (size_t i = 0; i < nwps; i++)
		if (wps[i].refused)
			return true;
	return false;
}

static int watch_by_wd(int wd)
{
	for (size_t i = 0; i < nws; i++)
		if (ws[i].dir && ws[i].wd == wd)
			return (int)i;
	return -1;
}

/* The watch for wd, made if new; takes dir. -1 on no memory. */
static int watch_take(int wd, char *dir)
{
	int w = watch_by_wd(wd);
	if (w >= 0) {
		free(dir);
		return w;
	}
	size_t slot = nws;
	for (size_t i = 0; i < nws; i++)
		if (!ws[i].dir) {
			slot = i;
			break;
		}
	if (slot == nws) {
		struct watch *nv = realloc(ws, (nws + 1) * sizeof *nv);
		if (!nv) {
			free(dir);
			return -1;
		}
		ws = nv;
		nws++;
	}
	ws[slot] = (struct watch){ .dir = dir, .wd = wd };
	return (int)slot;
}

static void place(struct wpoint *p)
{
	if (ino == -1)
		ino_open();
	p->w = -1;
	p->at_target = false;
	if (ino < 0) {
		p->refused = true;
		return;
	}
	char *d = strdup(p->dir);
	while (d) {
		int wd = inotify_add_watch(ino, d, WATCH_MASK);
		if (wd >= 0) {
			p->at_target = !strcmp(d, p->dir);
			p->w = watch_take(wd, d);
			p->refused = false;
			return;
		}
		if ((errno == ENOENT || errno == ENOTDIR) && strcmp(d, "/")) {
			char *slash = strrchr(d, '/');
			if (slash == d)
				slash[1] = '\0';
			else
				*slash = '\0';
			continue;
		}
		if (!p->refused)
			log_msg("warning: %s: cannot watch %s (%s): checking every %ds instead", p->where,
				d, strerror(errno), COND_RECHECK_MS / 1000);
		p->refused = true;
		break;
	}
	free(d);
}

/* Kernel watches no point uses any more. */
static void watch_gc(void)
{
	for (size_t i = 0; i < nws; i++) {
		if (!ws[i].dir)
			continue;
		bool used = false;
		for (size_t k = 0; k < nwps && !used; k++)
			used = wps[k].w == (int)i;
		if (used)
			continue;
		if (ino >= 0 && ws[i].wd >= 0)
			inotify_rm_watch(ino, ws[i].wd);
		free(ws[i].dir);
		ws[i].dir = NULL;
	}
}

static bool path_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Re-stats the path facts of the points marked hit (all: every point).
 * True if a value changed. */
static bool facts_update(bool all)
{
	bool changed = false;
	for (size_t i = 0; i < cond.nfacts; i++) {
		struct fact *f = &cond.facts[i];
		if (f->kind != COND_PATH)
			continue;
		if (!all && !(f->wp >= 0 && (wps[f->wp].hit || wps[f->wp].refused)))
			continue;
		bool v = path_exists(f->arg);
		changed |= v != f->value;
		f->value = v;
	}
	return changed;
}

/* ---- triggers ---- */

static const char *trigger_pattern(const struct svc_trigger *t)
{
	return strrchr(t->path, '/') + 1;
}

static bool trigger_name_matches(const struct svc_trigger *t, const char *name)
{
	const char *pat = trigger_pattern(t);
	/* "/dir/" is every entry but hidden ones: editors' and uci's temporary
	 * files would fire it twice per change. */
	return wildmatch(*pat ? pat : "*", name, WILD_PERIOD);
}

bool trigger_path_matches(const struct svc_trigger *t, const char *path)
{
	const char *pat = trigger_pattern(t), *slash = strrchr(path, '/');
	if (!slash || !slash[1])
		return false;
	/* the trigger's directory ends at its last '/': "/" for "/x" */
	size_t tdir = (size_t)(pat - t->path), pdir = (size_t)(slash - path) + 1;
	return tdir == pdir && !strncmp(t->path, path, tdir) && trigger_name_matches(t, slash + 1);
}

/* True if a trigger fired. */
static bool trigger_fire_name(size_t wpi, const char *name, unsigned ev)
{
	bool fired = false;
	for (size_t i = 0; i < cond.ncsvcs; i++) {
		struct csvc *c = &cond.csvcs[i];
		const struct svc_conds *cs = c->s->def->o->cs;
		for (size_t t = 0; t < c->ntrig && cs && t < cs->ntrig; t++) {
			const struct svc_trigger *tr = &cs->trig[t];
			unsigned m = ev & tr->events;
			if (!c->wps || c->wps[t] != (int)wpi || !m || !trigger_name_matches(tr, name))
				continue;
			char *path = NULL;
			const char *dir = wps[wpi].dir;
			if (asprintf(&path, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name) < 0)
				continue;
			cond_trigger_fire(c, tr, path,
					  m & COND_EV_CREATED ? "created"
					  : m & COND_EV_CHANGED ? "changed" : "removed");
			free(path);
			fired = true;
		}
	}
	return fired;
}

/* The point's directory appeared (or events may have been lost): what is
 * in it counts as created. Only entries changed since `since`, if not 0. */
static void trigger_scan(size_t wpi, time_t since)
{
	bool any = false;
	for (size_t i = 0; i < cond.ncsvcs && !any; i++)
		for (size_t t = 0; t < cond.csvcs[i].ntrig && !any; t++)
			any = cond.csvcs[i].wps && cond.csvcs[i].wps[t] == (int)wpi;
	if (!any)
		return;
	DIR *d = opendir(wps[wpi].dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (since) {
			struct stat st;
			if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_ctime < since)
				continue;
		}
		if (!trigger_fire_name(wpi, e->d_name, COND_EV_CREATED) || since)
			continue;
		/* Out of memory: a second start at worst. */
		struct wpoint *p = &wps[wpi];
		char **n = realloc(p->scanned, (p->nscanned + 1) * sizeof *n);
		if (n) {
			p->scanned = n;
			if ((n[p->nscanned] = strdup(e->d_name)))
				p->nscanned++;
		}
	}
	closedir(d);
}

static unsigned event_bits(uint32_t mask)
{
	unsigned ev = 0;
	if (mask & IN_CREATE)
		ev |= COND_EV_CREATED;
	if (mask & IN_MOVED_TO) /* a rename over the file: uci commit */
		ev |= COND_EV_CREATED | COND_EV_CHANGED;
	if (mask & (IN_CLOSE_WRITE | IN_ATTRIB))
		ev |= COND_EV_CHANGED;
	if (mask & (IN_DELETE | IN_MOVED_FROM))
		ev |= COND_EV_REMOVED;
	return ev;
}

/* Moves the marked points, scans the directories that appeared, updates
 * the path facts, drops unused watches. */
static void points_settle(bool all)
{
	for (size_t i = 0; i < nwps; i++) {
		struct wpoint *p = &wps[i];
		if (!all && !p->replace && !p->refused)
			continue;
		/* A new watch on the target (it appeared, or was removed and made
		 * again between two reads) may have missed entries made before
		 * it: scan. The same watch still there missed nothing. */
		int old_wd = p->w >= 0 && ws[p->w].dir ? ws[p->w].wd : -1;
		bool was = p->at_target;
		place(p);
		int new_wd = p->w >= 0 ? ws[p->w].wd : -1;
		if (p->at_target && (!was || old_wd != new_wd || all))
			trigger_scan(i, 0);
	}
	bool changed = facts_update(all);
	for (size_t i = 0; i < nwps; i++)
		wps[i].hit = wps[i].replace = false;
	watch_gc();
	if (changed)
		cond_fact_changed();
}

void watch_sync_all(void)
{
	for (size_t i = 0; i < nwps; i++)
		place(&wps[i]);
	facts_update(true);
	watch_gc();
}

void watch_event(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool overflow = false;
	bool drained = false;
	for (int round = 0; round < WATCH_READS_PER_EVENT; round++) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r <= 0) {
			drained = true;
			break;
		}
		for (char *p = buf; p + sizeof(struct inotify_event) <= buf + r;) {
			struct inotify_event *ev = (struct inotify_event *)(void *)p;
			p += sizeof *ev + ev->len;
			if (ev->mask & IN_Q_OVERFLOW) {
				overflow = true;
				continue;
			}
			int w = watch_by_wd(ev->wd);
			if (w < 0)
				continue;
			bool self = ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED);
			if (ev->mask & IN_IGNORED) { /* the kernel dropped it */
				free(ws[w].dir);
				ws[w].dir = NULL;
			}
			for (size_t i = 0; i < nwps; i++) {
				struct wpoint *pt = &wps[i];
				if (pt->w != w)
					continue;
				pt->hit = true;
				pt->replace |= self || !pt->at_target;
				unsigned bits = event_bits(ev->mask);
				/* The scan of this new watch fired it already. */
				if ((bits & COND_EV_CREATED) && pt->nscanned && ev->len &&
				    scanned_take(pt, ev->name))
					continue;
				if (pt->at_target && ev->len && !self)
					trigger_fire_name(i, ev->name, bits);
			}
		}
	}
	if (overflow)
		log_msg("warning: inotify queue overflow: path conditions re-read, triggers' "
			"directories scanned");
	/* What the kernel had queued before the scans is read: a name left
	 * on a list was there before its watch. (New scans come next.) */
	if (drained || overflow)
		for (size_t i = 0; i < nwps; i++)
			scanned_clear(&wps[i]);
	points_settle(overflow);
}

void watch_recheck(void)
{
	time_t now = time(NULL);
	for (size_t i = 0; i < nwps; i++) {
		if (!wps[i].refused)
			continue;
		/* Still refused: what changed since the last look counts. */
		if (!access(wps[i].dir, F_OK))
			trigger_scan(i, last_recheck ? last_recheck : now);
	}
	last_recheck = now;
	points_settle(false);
}
