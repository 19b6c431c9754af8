/* check: `keel check [--root SYSROOT] [--strict] [DIR]` — validates service files for firmware build systems. */
/* SPDX-License-Identifier: MIT */
#include "check.h"
#include "cond.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checktrap.h"
#include "envfile.h"
#include "graph.h"
#include "live.h"
#include "rootpath.h"
#include "services.h"
#include "suggest.h"

/*
 * Everything here runs in `keel check` only, never in PID 1: PID 1 shares
 * the loader (services_load with no opts) and nothing else of this file.
 */

/* Lines of the keywords whose values the parser keeps without one, per
 * file, so that what --root finds wrong in them names file:line. */
enum { KW_USER, KW_GROUP, KW_ON_CRASH, KW_RELOAD, KW_COUNT };
static const char *const kw_names[KW_COUNT] = { "user", "group", "on-crash", "reload" };
struct kwlines {
	char *file;
	unsigned line[KW_COUNT];
};

struct check {
	const char *root; /* --root, or NULL */
	struct kwlines *kl;
	size_t nkl;
	struct diags *d;
	struct svc_set *set;
	char **users, **groups; /* the image's names, sorted; NULL: file missing */
	size_t nusers, ngroups;
	char *path;             /* PATH of /etc/initd.env in the image, or NULL */
};

static void on_file(void *ctx, const char *path, const char *name, const char *text, size_t len,
		    struct diags *d)
{
	struct check *ck = ctx;
	(void)name;
	checktrap_scan(path, text, len, d);
	if (!ck->root)
		return;
	struct kwlines k = { 0 };
	unsigned line = 0;
	for (const char *s = text, *e; s < text + len; s = e + 1) {
		e = memchr(s, '\n', (size_t)(text + len - s));
		if (!e)
			e = text + len;
		line++;
		s += strspn(s, " \t");
		for (int i = 0; i < KW_COUNT; i++) {
			size_t kl = strlen(kw_names[i]);
			if (!k.line[i] && (size_t)(e - s) > kl && !strncmp(s, kw_names[i], kl) &&
			    (s[kl] == ' ' || s[kl] == '\t'))
				k.line[i] = line;
		}
	}
	struct kwlines *nv = realloc(ck->kl, (ck->nkl + 1) * sizeof *nv);
	if (!nv || !(k.file = strdup(path))) {
		d->oom = 1;
		if (nv)
			ck->kl = nv;
		return;
	}
	ck->kl = nv;
	ck->kl[ck->nkl++] = k;
}

static int cmp_kwlines(const void *a, const void *b)
{
	return strcmp(((const struct kwlines *)a)->file, ((const struct kwlines *)b)->file);
}

/* Line of keyword kw in file, 0 if unknown. */
static unsigned kw_line(const struct check *ck, const char *file, int kw)
{
	struct kwlines key = { .file = (char *)file };
	const struct kwlines *k = file ? bsearch(&key, ck->kl, ck->nkl, sizeof key, cmp_kwlines) : NULL;
	return k ? k->line[kw] : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool in_sorted(char **v, size_t n, const char *s)
{
	return v && bsearch(&s, v, n, sizeof *v, cmp_str);
}

/* The image's file at path, whole; NULL (reported when `what`) if missing. */
static char *image_read(struct check *ck, const char *path, size_t *len, const char *what)
{
	char *hp = rootpath_resolve(ck->root, path), *buf = NULL;
	if (!hp) {
		if (what)
			diag_add(ck->d, DIAG_ERROR, path, 0, "%s: not in %s (%s)", what, ck->root,
				 strerror(errno));
		return NULL;
	}
	struct diags tmp = { 0 };
	if (svcdir_read(hp, &buf, len, &tmp) < 0)
		buf = NULL;
	if (what)
		diags_move(ck->d, &tmp);
	diags_free(&tmp);
	free(hp);
	return buf;
}

/* The first field of each line of a passwd or group file, sorted. */
static char **image_names(struct check *ck, const char *path, size_t *n)
{
	size_t len;
	*n = 0;
	char *buf = image_read(ck, path, &len, NULL);
	if (!buf)
		return NULL;
	char **v = calloc(1, sizeof *v);
	for (char *s = buf, *nl; v && s < buf + len; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(buf + len - s));
		if (!nl)
			nl = buf + len;
		char *colon = memchr(s, ':', (size_t)(nl - s));
		if (!colon || colon == s || s[0] == '#')
			continue;
		char **nv = realloc(v, (*n + 2) * sizeof *nv);
		if (!nv || !(nv[*n] = strndup(s, (size_t)(colon - s)))) {
			v = nv;
			break;
		}
		v = nv;
		(*n)++;
	}
	free(buf);
	if (v)
		qsort(v, *n, sizeof *v, cmp_str);
	return v;
}

static void names_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static bool numeric(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static void check_account(struct check *ck, const struct svc_def *s, int kw, const char *name,
			  char **v, size_t n, const char *file)
{
	if (!name || numeric(name))
		return;
	unsigned line = kw_line(ck, s->file, kw);
	if (!v)
		diag_add(ck->d, DIAG_ERROR, s->file, line, "%s \"%s\": the image has no %s",
			 kw_names[kw], name, file);
	else if (!in_sorted(v, n, name))
		diag_add(ck->d, DIAG_ERROR, s->file, line, "%s \"%s\": not in the image's %s",
			 kw_names[kw], name, file);
}

/* 0: an executable regular file; else why not (static text). */
static const char *exec_problem(const char *hostpath)
{
	struct stat st;
	if (stat(hostpath, &st) < 0)
		return errno == ENOENT ? "not found" : strerror(errno);
	if (!S_ISREG(st.st_mode))
		return "not a regular file";
	if (!(st.st_mode & 0111))
		return "not executable";
	return NULL;
}

/* A script's "#!" interpreter must be in the image too: a busybox image
 * has no /bin/bash, and exec fails with the script's name, not bash's. */
static void check_interpreter(struct check *ck, const struct svc_def *s, const char *what,
			      const char *cmd, const char *hostpath, unsigned line)
{
	char head[256];
	int fd = open(hostpath, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return;
	ssize_t n = read(fd, head, sizeof head - 1);
	close(fd);
	if (n < 3 || head[0] != '#' || head[1] != '!')
		return;
	head[n] = '\0';
	char *interp = head + 2 + strspn(head + 2, " \t");
	interp[strcspn(interp, " \t\r\n")] = '\0';
	if (interp[0] != '/')
		return; /* the kernel wants a path; an odd line is the script's business */
	char *hp = rootpath_resolve(ck->root, interp);
	const char *why = hp ? exec_problem(hp) : errno == ENOENT ? "not found" : strerror(errno);
	if (why)
		diag_add(ck->d, DIAG_ERROR, s->file, line, "%s: \"%s\" is a script for \"%s\", %s in %s",
			 what, cmd, interp, why, ck->root);
	free(hp);
}

static const char *service_path(const struct check *ck, const struct svc_def *s)
{
	for (size_t i = 0; i < s->o->nenv; i++)
		if (!strncmp(s->o->env[i], "PATH=", 5))
			return s->o->env[i] + 5;
	return ck->path ? ck->path : KEEL_DEFAULT_PATH;
}

/* The command as the service will run it: a path (from its cwd), or a
 * name searched in its PATH, inside the image. */
static void check_command(struct check *ck, const struct svc_def *s, const char *what,
			  const char *cmd, unsigned line)
{
	char *img = NULL, *hp = NULL;
	if (strchr(cmd, '/')) {
		if (cmd[0] == '/')
			img = strdup(cmd);
		else if (asprintf(&img, "%s/%s", s->o->cwd ? s->o->cwd : "", cmd) < 0)
			img = NULL;
		if (!img)
			return;
		hp = rootpath_resolve(ck->root, img);
		const char *why = hp ? exec_problem(hp) : errno == ENOENT ? "not found" : strerror(errno);
		if (why)
			diag_add(ck->d, DIAG_ERROR, s->file, line, "%s: \"%s\": %s in %s", what, cmd, why,
				 ck->root);
		else
			check_interpreter(ck, s, what, cmd, hp, line);
		free(img);
		free(hp);
		return;
	}
	const char *path = service_path(ck, s), *why = NULL;
	for (const char *dir = path; *dir;) {
		size_t dl = strcspn(dir, ":");
		if (asprintf(&img, "%.*s/%s", (int)dl, dl ? dir : ".", cmd) >= 0) {
			hp = rootpath_resolve(ck->root, img);
			const char *w = hp ? exec_problem(hp) : "not found";
			free(img);
			if (!w)
				check_interpreter(ck, s, what, cmd, hp, line);
			free(hp);
			if (!w)
				return;
			if (strcmp(w, "not found"))
				why = w; /* there, but not runnable: say so */
		}
		dir += dl;
		if (*dir == ':')
			dir++;
	}
	diag_add(ck->d, DIAG_ERROR, s->file, line, "%s: \"%s\": %s in %s (PATH %s)", what, cmd,
		 why ? why : "not found", ck->root, path);
}

static void check_image(struct check *ck)
{
	size_t len;
	char *env = image_read(ck, KEEL_ENV_FILE, &len, NULL);
	if (env) {
		size_t n;
		struct diags tmp = { 0 };
		char **kv = envfile_parse(env, len, KEEL_ENV_FILE, &n, &tmp);
		diags_free(&tmp);
		for (size_t i = 0; kv && i < n; i++)
			if (!strncmp(kv[i], "PATH=", 5))
				ck->path = strdup(kv[i] + 5);
		envfile_free(kv);
		free(env);
	}
	if (ck->nkl)
		qsort(ck->kl, ck->nkl, sizeof *ck->kl, cmp_kwlines);
	ck->users = image_names(ck, "/etc/passwd", &ck->nusers);
	ck->groups = image_names(ck, "/etc/group", &ck->ngroups);
	for (size_t i = 0; i < ck->set->n; i++) {
		const struct svc_def *s = ck->set->v[i];
		for (size_t k = 0; k < s->nexec; k++)
			check_command(ck, s, "exec", s->exec[k].argv[0], s->exec[k].line);
		if (s->o->lv && s->o->lv->on_crash)
			check_command(ck, s, "on-crash", s->o->lv->on_crash[0],
				      kw_line(ck, s->file, KW_ON_CRASH));
		if (s->o->cs && s->o->cs->reload_argv)
			check_command(ck, s, "reload exec", s->o->cs->reload_argv[0],
				      kw_line(ck, s->file, KW_RELOAD));
		check_account(ck, s, KW_USER, s->o->user, ck->users, ck->nusers, "/etc/passwd");
		check_account(ck, s, KW_GROUP, s->o->group, ck->groups, ck->ngroups, "/etc/group");
	}
	names_free(ck->users, ck->nusers);
	names_free(ck->groups, ck->ngroups);
	free(ck->path);
	for (size_t i = 0; i < ck->nkl; i++)
		free(ck->kl[i].file);
	free(ck->kl);
}

/* Every name a service of target t answers to, sorted, for the lookups
 * below (the graph reports what matches nothing; this says what was meant). */
static char **target_names(const struct svc_set *set, enum svc_target t, size_t *n)
{
	size_t cap = 0;
	for (size_t i = 0; i < set->n; i++)
		cap += 2 + set->v[i]->provides.n;
	char **v = malloc((cap ? cap : 1) * sizeof *v);
	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < set->n; i++) {
		const struct svc_def *s = set->v[i];
		if (s->target != t)
			continue;
		v[(*n)++] = s->instance;
		if (strcmp(s->name, s->instance))
			v[(*n)++] = s->name;
		for (size_t k = 0; k < s->provides.n; k++)
			v[(*n)++] = s->provides.v[k].name;
	}
	qsort(v, *n, sizeof *v, cmp_str);
	return v;
}

/* Appends "did you mean" to the graph's note (or error) about ref. */
static void suggest_ref(struct diags *d, const struct svc_def *s, const char *kw,
			const struct svc_ref *ref, char **names, size_t n)
{
	struct suggest sg;
	suggest_init(&sg, ref->name);
	for (size_t i = 0; i < n; i++)
		suggest_try(&sg, names[i]);
	const char *best = suggest_best(&sg);
	if (!best)
		return;
	char *want = NULL;
	if (asprintf(&want, "%s \"%s\": no such service", kw, ref->name) < 0)
		return;
	for (size_t i = 0; i < d->n; i++) {
		struct diag *dg = &d->v[i];
		char *m = NULL;
		if (dg->line != ref->line || !dg->file || strcmp(dg->file, s->file) ||
		    strncmp(dg->msg, want, strlen(want)))
			continue;
		if (asprintf(&m, "%s; did you mean \"%s\"?", dg->msg, best) >= 0) {
			free(dg->msg);
			dg->msg = m;
		}
		free(want);
		return;
	}
	free(want);
	diag_add(d, DIAG_NOTE, s->file, ref->line, "%s \"%s\": did you mean \"%s\"?", kw, ref->name,
		 best);
}

/* Each suggestion costs a pass over the names and one over the
 * diagnostics: past this many, a directory of thousands of dangling
 * `after` lines would take minutes, and nobody reads that far. */
#define CHECK_MAX_SUGGESTIONS 100

static void suggest_names(const struct svc_set *set, struct diags *d)
{
	size_t tried = 0;
	for (int t = 0; t < SVC_TARGET_COUNT; t++) {
		size_t n;
		char **names = target_names(set, (enum svc_target)t, &n);
		if (!names)
			return;
		for (size_t i = 0; i < set->n; i++) {
			const struct svc_def *s = set->v[i];
			if (s->target != (enum svc_target)t)
				continue;
			const struct svc_refs *lists[] = { &s->after, &s->before, &s->requires };
			static const char *const kws[] = { "after", "before", "requires" };
			for (int k = 0; k < 3; k++)
				for (size_t r = 0; r < lists[k]->n; r++) {
					const char *nm = lists[k]->v[r].name;
					if (!in_sorted(names, n, nm) && tried++ < CHECK_MAX_SUGGESTIONS)
						suggest_ref(d, s, kws[k], &lists[k]->v[r], names, n);
				}
		}
		free(names);
	}
}

static void print_diags(const struct diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		char *s = diag_format(&d->v[i]);
		printf("keel: %s\n", s ? s : "(out of memory)");
		free(s);
	}
	if (d->oom)
		printf("keel: error: out of memory: some diagnostics were lost\n");
}

static int usage(FILE *f, int rc)
{
	fprintf(f, "usage: keel check [-q] [--strict] [--root SYSROOT] [DIR]\n"
		   "  DIR            service directory (default %s; with --root, inside SYSROOT)\n"
		   "  --root SYSROOT read DIR inside a system image: links resolved in it, every\n"
		   "                 command, user and group checked against it\n"
		   "  --strict       warnings and notes are errors too\n"
		   "  -q, --quiet    no start order, only the problems and the count\n"
		   "exit status: 0 no errors, 1 errors, 2 usage, 111 out of memory\n",
		   KEEL_SERVICE_DIR);
	return rc;
}

int check_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "strict", no_argument, NULL, 's' },
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool quiet = false, strict = false;
	struct check ck = { 0 };
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qsr:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'q': quiet = true; break;
		case 's': strict = true; break;
		case 'r': ck.root = optarg; break;
		case 'h': return usage(stdout, 0);
		default:
			fprintf(stderr, "keel check: %s %s\n",
				c == ':' ? "missing value for" : "unknown option", argv[optind - 1]);
			return usage(stderr, 2);
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "keel check: one DIR at most\n");
		return usage(stderr, 2);
	}
	const char *dir = optind < argc ? argv[optind] : KEEL_SERVICE_DIR;
	struct stat st;
	if (ck.root && (stat(ck.root, &st) < 0 || !S_ISDIR(st.st_mode))) {
		fprintf(stderr, "keel check: --root %s: %s\n", ck.root,
			errno && stat(ck.root, &st) < 0 ? strerror(errno) : "not a directory");
		return 2;
	}

	struct svc_set set = { 0 };
	struct diags d = { 0 };
	ck.d = &d;
	ck.set = &set;
	/* The rc.d dir sits beside the service dir in a rootfs tree
	 * (etc/init.d and etc/rc.d). */
	char *rcd = NULL;
	if (asprintf(&rcd, "%s/../rc.d", dir) < 0)
		rcd = NULL;
	struct svcdir_opts opts = { .root = ck.root, .on_file = on_file, .ctx = &ck };
	struct services_conf conf = { .service_dir = dir, .rcd_dir = rcd, .opts = &opts };
	int lr = services_load(&conf, &set, &d);
	free(rcd);
	if (lr < 0) {
		fprintf(stderr, "keel check: out of memory\n");
		return 111;
	}
	struct graph g[SVC_TARGET_COUNT];
	struct svc_def **defs[SVC_TARGET_COUNT];
	size_t nt[SVC_TARGET_COUNT] = { 0 };
	for (int t = 0; t < SVC_TARGET_COUNT; t++) {
		defs[t] = calloc(set.n ? set.n : 1, sizeof *defs[t]);
		if (!defs[t]) {
			fprintf(stderr, "keel check: out of memory\n");
			return 111;
		}
		for (size_t i = 0; i < set.n; i++)
			if (set.v[i]->target == (enum svc_target)t)
				defs[t][nt[t]++] = set.v[i];
		if (graph_build(defs[t], nt[t], &g[t], &d) < 0) {
			fprintf(stderr, "keel check: out of memory\n");
			return 111;
		}
	}
	bool *skip = calloc(set.n ? set.n : 1, sizeof *skip);
	if (!skip || cond_find_cycles(set.v, set.n, skip, &d) < 0) {
		fprintf(stderr, "keel check: out of memory\n");
		return 111;
	}
	free(skip);
	suggest_names(&set, &d);
	if (ck.root)
		check_image(&ck);
	size_t nabs = 0;
	for (size_t i = 0; !ck.root && i < d.n; i++)
		nabs += !strncmp(d.v[i].msg, "link target \"/", 14);
	if (nabs)
		diag_add(&d, DIAG_NOTE, dir, 0,
			 "%zu links point to absolute paths missing on this machine: for a system "
			 "image (a staging tree), give its top with --root and DIR inside it", nabs);
	size_t nwarn = 0, nerr = d.nerrors;
	for (size_t i = 0; i < d.n; i++) {
		if (d.v[i].level == DIAG_ERROR)
			continue;
		nwarn++;
		if (strict) {
			d.v[i].level = DIAG_ERROR;
			d.nerrors++;
		}
	}
	print_diags(&d);
	if (!quiet) {
		for (int t = 0; t < SVC_TARGET_COUNT; t++) {
			if (!nt[t])
				continue;
			printf("target %s (%zu services, start order):\n",
			       svc_target_name((enum svc_target)t), g[t].norder);
			for (size_t k = 0; k < g[t].norder; k++) {
				const struct svc_def *s = defs[t][g[t].order[k]];
				printf("  %zu. %s (%s%s)\n", k + 1, s->instance, svc_type_name(s->type),
				       cond_event_started(s->o->cs) ? ", started by its triggers or timers" : "");
			}
		}
	}
	int rc = d.nerrors || d.oom ? 1 : 0;
	printf("%zu services, %zu errors, %zu warnings and notes%s\n", set.n, nerr, nwarn,
	       strict && nwarn ? " (counted as errors: --strict)" : "");
	for (int t = 0; t < SVC_TARGET_COUNT; t++) {
		graph_free(&g[t]);
		free(defs[t]);
	}
	svc_set_free(&set);
	diags_free(&d);
	return rc;
}
