/* services: gathers every service keel runs — the service dir, the runtime dir, OpenWrt's rc.d links. */
/* SPDX-License-Identifier: MIT */
#include "services.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "rootpath.h"
#include "inittab.h"

/* How long one OpenWrt script may take at boot or shutdown. */
#define RCD_TIMEOUT "60s"

int services_add(struct svc_set *set, struct svc_def *def, struct diags *diags)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->v[i]->instance, def->instance)) {
			diag_add(diags, DIAG_ERROR, def->file, 0,
				 "service \"%s\" is already defined by %s: ignored", def->instance,
				 set->v[i]->file);
			svc_def_free(def);
			return 0;
		}
	struct svc_def **nv = realloc(set->v, (set->n + 1) * sizeof *nv);
	if (!nv) {
		svc_def_free(def);
		return -1;
	}
	set->v = nv;
	set->v[set->n++] = def;
	return 0;
}

static bool rcd_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of dir matching [SK][0-9]+NAME, sorted as a shell glob would. */
static char **rcd_list(const char *dir, size_t *n)
{
	*n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char **v = NULL;
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *s = de->d_name;
		if ((s[0] != 'S' && s[0] != 'K') || s[1] < '0' || s[1] > '9')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nv = realloc(v, cap * sizeof *nv);
			if (!nv)
				break;
			v = nv;
		}
		if (!(v[*n] = strdup(s)))
			break;
		(*n)++;
	}
	closedir(d);
	if (v)
		qsort(v, *n, sizeof *v, cmp_str);
	return v;
}

/* Where a path of the system runs is on this machine: itself (PID 1: no
 * copy), or inside `keel check --root`'s image (*own, to free). NULL with
 * errno set. */
static const char *host_path(const struct services_conf *c, const char *path, char **own)
{
	*own = NULL;
	if (!c->opts || !c->opts->root)
		return path;
	return *own = rootpath_resolve(c->opts->root, path);
}

static int rcd_load(const struct services_conf *c, struct svc_set *set, struct diags *diags)
{
	size_t n;
	char *rdir_own;
	const char *rdir = host_path(c, c->rcd_dir, &rdir_own);
	char **names = rdir ? rcd_list(rdir, &n) : NULL;
	if (!rdir)
		n = 0;
	char *prev_s = NULL, *prev_k = NULL; /* previous S and K link's service */
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const char *e = names[i];
		bool start = e[0] == 'S';
		char **prev = start ? &prev_s : &prev_k;
		const char *name = e + 1;
		while (*name >= '0' && *name <= '9')
			name++;
		char *path = NULL;
		struct buf b = { 0 };
		struct stat st;
		if (asprintf(&path, "%s/%s", c->rcd_dir, e) < 0) {
			rc = -1;
			break;
		}
		if (!rcd_name_ok(name)) {
			diag_add(diags, DIAG_ERROR, path, 0, "bad script name \"%s\"", name);
			free(path);
			continue;
		}
		char *hp_own;
		const char *hp = host_path(c, path, &hp_own);
		if (!hp || stat(hp, &st) < 0) {
			diag_add(diags, DIAG_ERROR, path, 0, "link target missing: %s", strerror(errno));
			free(hp_own);
			free(path);
			continue;
		}
		free(hp_own);
		buf_addf(&b, "description \"%s (rc.d %.*s)\"\ntype wait\ntarget %s\n", name,
			 (int)(name - e), e, start ? "boot" : "%0");
		if (*prev)
			buf_addf(&b, "after %s\n", *prev);
		/* Run through the link, as procd does: the process is then named
		 * K50dropbear, not dropbear, and the script's own "killall dropbear"
		 * spares it. rc.common finds the script's name with readlink. */
		buf_addf(&b, "timeout " RCD_TIMEOUT "\nexec %s %s\n", path, start ? "boot" : "shutdown");
		static const char *const finals[] = { "shutdown", "reboot" };
		for (int t = 0; t < (start ? 1 : 2) && !b.oom && rc == 0; t++) {
			char *link = NULL;
			if ((start ? asprintf(&link, "%s", name)
				   : asprintf(&link, "rc.%s@%s", e, finals[t])) < 0) {
				rc = -1;
				break;
			}
			struct svc_def *def = svc_parse(b.p, b.len, path, link, diags);
			free(link);
			if (def && services_add(set, def, diags) < 0)
				rc = -1;
		}
		if (b.oom)
			rc = -1;
		free(*prev);
		if ((start ? asprintf(prev, "%s", name) : asprintf(prev, "rc.%s", e)) < 0)
			*prev = NULL;
		free(path);
		buf_free(&b);
	}
	free(prev_s);
	free(prev_k);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(rdir_own);
	return rc;
}

static int cmp_instance(const void *a, const void *b)
{
	return strcmp((*(struct svc_def *const *)a)->instance, (*(struct svc_def *const *)b)->instance);
}

int services_load(const struct services_conf *c, struct svc_set *set, struct diags *diags)
{
	struct stat st;
	if (svcdir_load_opts(c->service_dir, c->opts, set, diags) < 0)
		return -1;
	if (c->runtime_dir && stat(c->runtime_dir, &st) == 0) {
		struct svc_set rt = { 0 };
		if (svcdir_load_opts(c->runtime_dir, c->opts, &rt, diags) < 0)
			return -1;
		for (size_t i = 0; i < rt.n; i++) {
			struct svc_def *d = rt.v[i];
			rt.v[i] = NULL;
			if (services_add(set, d, diags) < 0) {
				svc_set_free(&rt);
				return -1;
			}
		}
		svc_set_move_bad(set, &rt);
		svc_set_free(&rt);
	}
	if (c->rcd_dir) {
		char *hp_own;
		const char *hp = host_path(c, c->rcd_dir, &hp_own);
		bool there = hp && stat(hp, &st) == 0;
		free(hp_own);
		if (there && rcd_load(c, set, diags) < 0)
			return -1;
	}
	if (inittab_services(c, set, diags) < 0)
		return -1;
	if (set->n)
		qsort(set->v, set->n, sizeof *set->v, cmp_instance);
	return 0;
}
