/* cond_mount: the mount table behind `mounted` conditions, mount triggers and mount watchers — /proc/self/mountinfo, re-read when the kernel says it changed. */
/* SPDX-License-Identifier: MIT */
#include "cond_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mountinfo.h"

/*
 * The kernel reports a change of the mount namespace's table on an open
 * /proc/self/mountinfo as EPOLLPRI|EPOLLERR, once per change seen (the file
 * remembers the last change it reported; EPOLLIN is always set, so it is not
 * asked for). The fd is registered EPOLLONESHOT: after a change it stays
 * silent until keel has read the table, so a storm of mounts costs one
 * wake-up and one read per MOUNT_GAP_MS, never a wake-up per mount. Reading
 * the table takes the namespace's lock only, no file system's I/O: a hung
 * NFS or FUSE server cannot stall it.
 *
 * The whole table is kept (point and mount ID of each mount) so that the
 * next read tells exactly what was mounted and unmounted in between, also
 * across a rebuild of the conditions' table. Nothing is opened, read or kept
 * while no service has a `mounted` condition or a mount trigger and no other
 * module watches (cond_mount_watch).
 */

#define MOUNT_GAP_MS 100
/* A table this large (some 100,000 mounts) is not read: said once, and the
 * last one read stays the truth. */
#define MOUNT_TABLE_MAX (8u << 20)

static int mfd = -1;
static bool unavailable;     /* said once */
static bool said_big;
static bool have_table;      /* tab holds a table read since the fd opened */
static struct mnt_table tab;
static size_t read_hint = 8192;
static uint64_t last_read_ms, due_ms;
static struct mount_watcher *watchers;

bool mount_unavailable(void) { return unavailable; }

/* A service being removed (stopping after a reload) needs it no more. */
static bool mount_wanted(void)
{
	if (watchers)
		return true;
	for (size_t i = 0; i < cond.ncsvcs; i++) {
		const struct svc *s = cond.csvcs[i].s;
		const struct svc_conds *cs = s->def->o->cs;
		if (s->removed)
			continue;
		for (size_t k = 0; k < cs->n; k++)
			if (cs->v[k].kind == COND_MOUNTED)
				return true;
		for (size_t t = 0; t < cs->ntrig; t++)
			if (cs->trig[t].events & COND_EV_MOUNT)
				return true;
	}
	return false;
}

/* The whole file, in a buffer grown as needed (never cut off). NULL on
 * failure, said. */
static char *table_read(size_t *len)
{
	size_t cap = read_hint, total = 0;
	char *buf = malloc(cap);
	if (!buf) {
		log_msg("warning: mount table: out of memory");
		return NULL;
	}
	if (lseek(mfd, 0, SEEK_SET) < 0) {
		log_msg("warning: mount table: lseek: %m");
		free(buf);
		return NULL;
	}
	for (;;) {
		if (total == cap) {
			if (cap >= MOUNT_TABLE_MAX) {
				if (!said_big)
					log_msg("warning: the mount table is larger than %u MiB: mount "
						"conditions and triggers keep its last state read",
						MOUNT_TABLE_MAX >> 20);
				said_big = true;
				free(buf);
				return NULL;
			}
			size_t ncap = cap * 2 > MOUNT_TABLE_MAX ? MOUNT_TABLE_MAX : cap * 2;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				log_msg("warning: mount table: out of memory");
				free(buf);
				return NULL;
			}
			buf = nb;
			cap = ncap;
		}
		ssize_t r = read(mfd, buf + total, cap - total);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			log_msg("warning: mount table: read: %m");
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		total += (size_t)r;
	}
	/* Next time one buffer will do, with room for some more mounts. */
	read_hint = total + total / 4 + 4096;
	said_big = false;
	*len = total;
	return buf;
}

static void fire(void *ctx, const char *point, bool added)
{
	(void)ctx;
	log_debug("mount table: %s %s", point, added ? "mounted" : "unmounted");
	unsigned ev = added ? COND_EV_MOUNTED : COND_EV_UNMOUNTED;
	for (size_t i = 0; i < cond.ncsvcs; i++) {
		struct csvc *c = &cond.csvcs[i];
		const struct svc_conds *cs = c->s->def->o->cs;
		for (size_t t = 0; t < cs->ntrig && !c->s->removed; t++)
			if ((cs->trig[t].events & ev) && trigger_path_matches(&cs->trig[t], point))
				cond_trigger_fire(c, &cs->trig[t], point, added ? "mounted" : "unmounted");
	}
}

/* Reads the table; with a previous one, what changed fires the triggers.
 * Then the facts. */
static void table_apply(void)
{
	last_read_ms = sup_now_ms();
	due_ms = 0;
	/* Armed before the read: a change during it is reported again. */
	if (loop_mod(mfd, EPOLLPRI | EPOLLONESHOT, LOOP_COND_MOUNT) < 0)
		log_msg("warning: mount table: epoll: %m");
	size_t len = 0, n = 0, bad = 0;
	char *text = table_read(&len);
	struct mnt_entry *v = NULL;
	if (!text)
		return;
	if (mountinfo_parse(text, len, NULL, NULL, &v, &n, &bad) < 0) {
		log_msg("warning: mount table: out of memory");
		free(text);
		return;
	}
	if (bad)
		log_debug("mount table: %zu lines not understood", bad);
	if (have_table)
		mountinfo_diff(tab.v, tab.n, v, n, fire, NULL);
	if (mnt_table_set(&tab, v, n) < 0)
		log_msg("warning: mount table: out of memory");
	else
		have_table = true;
	free(v);
	free(text);
	bool changed = false;
	for (size_t i = 0; i < cond.nfacts; i++) {
		struct fact *f = &cond.facts[i];
		if (f->kind != COND_MOUNTED)
			continue;
		bool val = mnt_table_has(&tab, f->arg);
		changed |= val != f->value;
		f->value = val;
	}
	if (changed)
		cond_fact_changed();
}

static void mount_close(void);

/* After each read (a failed one too: the kernel said something changed),
 * the watchers; those done leave, and the last user closes the file. */
static void table_update(void)
{
	table_apply();
	if (!watchers)
		return;
	for (struct mount_watcher **p = &watchers; *p;) {
		struct mount_watcher *w = *p;
		if (w->changed())
			p = &w->next;
		else
			*p = w->next;
	}
	if (!mount_wanted())
		mount_close();
}

static void mount_close(void)
{
	if (mfd >= 0) {
		loop_del(mfd);
		close(mfd);
	}
	mfd = -1;
	have_table = false;
	due_ms = 0;
	mnt_table_free(&tab);
}

void mount_sync(void)
{
	if (!mount_wanted()) {
		mount_close();
		return;
	}
	if (mfd < 0 && !unavailable) {
		mfd = open("/proc/self/mountinfo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (mfd < 0 || loop_add(mfd, EPOLLPRI | EPOLLONESHOT, LOOP_COND_MOUNT) < 0) {
			log_msg("warning: cannot watch /proc/self/mountinfo (%s): mounted conditions stay "
				"false, mount triggers do not fire", strerror(errno));
			if (mfd >= 0)
				close(mfd);
			mfd = -1;
			unavailable = true;
		}
	}
	if (mfd >= 0)
		table_update();
}

void mount_event(int fd)
{
	if (fd != mfd)
		return;
	uint64_t now = sup_now_ms();
	if (now >= last_read_ms + MOUNT_GAP_MS)
		table_update();
	else
		due_ms = last_read_ms + MOUNT_GAP_MS; /* the fd stays disarmed until then */
}

uint64_t mount_next_deadline(void)
{
	return due_ms;
}

void mount_due(void)
{
	if (due_ms && mfd >= 0 && sup_now_ms() >= due_ms)
		table_update();
}

int cond_mount_watch(struct mount_watcher *w)
{
	/* Twice in the list would make it a loop. */
	for (struct mount_watcher *o = watchers; o; o = o->next)
		if (o == w)
			return 0;
	w->next = watchers;
	watchers = w;
	mount_sync(); /* opened if needed, read: the first call of changed */
	if (!unavailable)
		return 0;
	watchers = w->next; /* never read, so still first */
	return -1;
}
