/* preinit_conf: parses preinit's configuration file and preinit.* kernel options into one struct. */
/* SPDX-License-Identifier: MIT */
#include "preinit_conf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "lex.h"

#define CMDLINE_WHERE "kernel command line"

int preinit_strv_add(struct preinit_strv *l, const char *s)
{
	char *copy = strdup(s);
	char **v = copy ? realloc(l->v, (l->n + 2) * sizeof *v) : NULL;
	if (!v) {
		free(copy);
		return -1;
	}
	v[l->n++] = copy;
	v[l->n] = NULL;
	l->v = v;
	return 0;
}

void preinit_strv_free(struct preinit_strv *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	*l = (struct preinit_strv){ 0 };
}

static int str_set(char **dst, const char *s)
{
	char *copy = s ? strdup(s) : NULL;
	if (s && !copy)
		return -1;
	free(*dst);
	*dst = copy;
	return 0;
}

void preinit_conf_defaults(struct preinit_conf *c)
{
	*c = (struct preinit_conf){
		.failsafe_wait_ms = 2000,
		.net = true,
		.port = 4919,
		.data_wait_ms = 3000,
		.health_fallback = 3,
		.ab_limit = 3,
	};
	/* Allocation failures here leave a NULL, which every user treats as
	 * "not set": the boot goes on with less. */
	str_set(&c->iface, "eth0");
	str_set(&c->init, "/sbin/keel");
	str_set(&c->path, "/usr/sbin:/usr/bin:/sbin:/bin");
	preinit_strv_add(&c->failsafe_keys, "408"); /* KEY_RESTART */
}

void preinit_conf_free(struct preinit_conf *c)
{
	char **strs[] = { &c->iface, &c->ipaddr, &c->root, &c->root_fstype, &c->data,
			  &c->data_fstype, &c->extroot, &c->extroot_fstype, &c->zram_comp, &c->init, &c->path,
			  &c->kexec_kernel, &c->kexec_initrd, &c->kexec_cmdline, &c->watchdog,
			  &c->health_counter, &c->root_b, &c->ab_env, &c->ubi_mtd, &c->slot };
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		free(*strs[i]);
	struct preinit_strv *lists[] = { &c->failsafe_keys, &c->modules, &c->swaps,
					 &c->swap_archive, &c->binds, &c->init_args, &c->env };
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
		preinit_strv_free(lists[i]);
	for (int p = 0; p < PREINIT_PHASE_N; p++) {
		free(c->led[p].name);
		free(c->led[p].mode);
	}
	*c = (struct preinit_conf){ 0 };
}

enum kw_kind {
	KW_STR,      /* one argument, replaces */
	KW_LIST,     /* one or more arguments, each appended */
	KW_PAIRS,    /* exactly two arguments, appended as a pair */
	KW_MS,       /* a duration */
	KW_UINT,     /* a number */
	KW_FLAG,     /* no argument, or yes/no */
	KW_SPECIAL,  /* handled by name below */
};

struct kw {
	const char *name;
	enum kw_kind kind;
	size_t off;
	unsigned long max; /* KW_UINT */
};

#define F(m) offsetof(struct preinit_conf, m)
static const struct kw kw_table[] = {
	{ "failsafe_wait", KW_MS, F(failsafe_wait_ms), 0 },
	{ "failsafe", KW_FLAG, F(failsafe), 0 },
	{ "failsafe_key", KW_SPECIAL, 0, 0 },
	{ "net", KW_FLAG, F(net), 0 },
	{ "port", KW_UINT, F(port), 65535 },
	{ "iface", KW_STR, F(iface), 0 },
	{ "ipaddr", KW_STR, F(ipaddr), 0 },
	{ "led", KW_SPECIAL, 0, 0 },
	{ "module", KW_LIST, F(modules), 0 },
	{ "root", KW_STR, F(root), 0 },
	{ "root_fstype", KW_STR, F(root_fstype), 0 },
	{ "data", KW_STR, F(data), 0 },
	{ "data_fstype", KW_STR, F(data_fstype), 0 },
	{ "data_wait", KW_MS, F(data_wait_ms), 0 },
	{ "extroot", KW_STR, F(extroot), 0 },
	{ "extroot_mode", KW_SPECIAL, 0, 0 },
	{ "extroot_fstype", KW_STR, F(extroot_fstype), 0 },
	{ "swap", KW_LIST, F(swaps), 0 },
	{ "swap_archive", KW_PAIRS, F(swap_archive), 0 },
	{ "zram", KW_UINT, F(zram_mb), 1UL << 20 },
	{ "zram_comp", KW_STR, F(zram_comp), 0 },
	{ "bind", KW_PAIRS, F(binds), 0 },
	{ "init", KW_STR, F(init), 0 },
	{ "init_arg", KW_LIST, F(init_args), 0 },
	{ "path", KW_STR, F(path), 0 },
	{ "env", KW_LIST, F(env), 0 },
	{ "kexec", KW_SPECIAL, 0, 0 },
	{ "watchdog", KW_SPECIAL, 0, 0 },
	{ "health_counter", KW_STR, F(health_counter), 0 },
	{ "health_fallback", KW_UINT, F(health_fallback), 1000000 },
	{ "debug", KW_FLAG, F(debug), 0 },
	{ "root_b", KW_STR, F(root_b), 0 },
	{ "ab_env", KW_STR, F(ab_env), 0 },
	{ "ab_limit", KW_UINT, F(ab_limit), 1000 },
	{ "ubi_mtd", KW_STR, F(ubi_mtd), 0 },
	{ "slot", KW_STR, F(slot), 0 },
};
#undef F

static const char *const phase_names[PREINIT_PHASE_N] = { "boot", "failsafe", "done" };

/* watchdog DEVICE [TIMEOUT], or watchdog off: the kernel option
 * preinit.watchdog=off takes back a device the file names. */
static int kw_watchdog(struct preinit_conf *c, char *const *a, size_t n, const char *file,
		       unsigned line, struct diags *d)
{
	if (n < 1 || n > 2) {
		diag_add(d, DIAG_ERROR, file, line, "watchdog: expected DEVICE [TIMEOUT] or off");
		return -1;
	}
	if (!strcmp(a[0], "off") || !strcmp(a[0], "none")) {
		if (n != 1) {
			diag_add(d, DIAG_ERROR, file, line, "watchdog: off takes no timeout");
			return -1;
		}
		str_set(&c->watchdog, NULL);
		c->watchdog_timeout_s = 0;
		return 0;
	}
	if (a[0][0] != '/') {
		diag_add(d, DIAG_ERROR, file, line,
			 "watchdog: \"%s\" is not a device path (/dev/watchdog)", a[0]);
		return -1;
	}
	unsigned long ms = 0;
	/* WDIOC_SETTIMEOUT takes whole seconds in an int; drivers cap far
	 * lower (often minutes), and say so when they refuse. */
	if (n == 2 && (lex_duration_ms(a[1], &ms) < 0 || ms < 1000 || ms % 1000 ||
		       ms > 65535UL * 1000)) {
		diag_add(d, DIAG_ERROR, file, line,
			 "watchdog: bad timeout \"%s\" (whole seconds, 1-65535)", a[1]);
		return -1;
	}
	if (str_set(&c->watchdog, a[0]) < 0) {
		diag_add(d, DIAG_ERROR, file, line, "watchdog: out of memory");
		return -1;
	}
	c->watchdog_timeout_s = ms / 1000;
	return 0;
}

static int kw_special(struct preinit_conf *c, const char *name, char *const *a, size_t n,
		      const char *file, unsigned line, struct diags *d)
{
	if (!strcmp(name, "failsafe_key")) {
		/* The built-in KEY_RESTART stays: a configured key is an addition. */
		for (size_t i = 0; i < n; i++) {
			unsigned long code;
			if (lex_uint(a[i], 767, &code) < 0) { /* KEY_MAX */
				diag_add(d, DIAG_ERROR, file, line,
					 "failsafe_key: \"%s\" is not a key code (0-767)", a[i]);
				return -1;
			}
			if (preinit_strv_add(&c->failsafe_keys, a[i]) < 0)
				goto oom;
		}
		return 0;
	}
	if (!strcmp(name, "led")) {
		if (n != 3) {
			diag_add(d, DIAG_ERROR, file, line, "led: expected PHASE NAME MODE");
			return -1;
		}
		for (int p = 0; p < PREINIT_PHASE_N; p++) {
			if (strcmp(a[0], phase_names[p]))
				continue;
			if (str_set(&c->led[p].name, a[1]) < 0 || str_set(&c->led[p].mode, a[2]) < 0)
				goto oom;
			return 0;
		}
		diag_add(d, DIAG_ERROR, file, line,
			 "led: unknown phase \"%s\" (boot, failsafe or done)", a[0]);
		return -1;
	}
	if (!strcmp(name, "extroot_mode")) {
		if (n == 1 && (!strcmp(a[0], "overlay") || !strcmp(a[0], "root"))) {
			c->extroot_whole = !strcmp(a[0], "root");
			return 0;
		}
		diag_add(d, DIAG_ERROR, file, line, "extroot_mode: expected overlay or root");
		return -1;
	}
	if (!strcmp(name, "watchdog"))
		return kw_watchdog(c, a, n, file, line, d);
	/* kexec KERNEL [INITRD [CMDLINE]]: "-" for no initrd. */
	if (n < 1 || n > 3) {
		diag_add(d, DIAG_ERROR, file, line, "kexec: expected KERNEL [INITRD [CMDLINE]]");
		return -1;
	}
	if (str_set(&c->kexec_kernel, a[0]) < 0 ||
	    str_set(&c->kexec_initrd, n > 1 && strcmp(a[1], "-") ? a[1] : NULL) < 0 ||
	    str_set(&c->kexec_cmdline, n > 2 ? a[2] : NULL) < 0)
		goto oom;
	return 0;
oom:
	diag_add(d, DIAG_ERROR, file, line, "%s: out of memory", name);
	return -1;
}

int preinit_conf_apply(struct preinit_conf *c, char *const *argv, size_t argc,
		       const char *file, unsigned line, struct diags *d)
{
	const char *name = argv[0];
	char *const *a = argv + 1;
	size_t n = argc - 1;
	const struct kw *k = NULL;
	for (size_t i = 0; i < sizeof kw_table / sizeof kw_table[0]; i++)
		if (!strcmp(kw_table[i].name, name))
			k = &kw_table[i];
	if (!k) {
		diag_add(d, DIAG_ERROR, file, line, "unknown keyword \"%s\"", name);
		return -1;
	}
	char *base = (char *)c;
	switch (k->kind) {
	case KW_STR:
		if (n != 1)
			break;
		if (str_set((char **)(void *)(base + k->off), a[0]) < 0)
			goto oom;
		return 0;
	case KW_LIST:
		if (n < 1)
			break;
		for (size_t i = 0; i < n; i++)
			if (preinit_strv_add((struct preinit_strv *)(void *)(base + k->off), a[i]) < 0)
				goto oom;
		return 0;
	case KW_PAIRS:
		if (n != 2)
			break;
		if (preinit_strv_add((struct preinit_strv *)(void *)(base + k->off), a[0]) < 0 ||
		    preinit_strv_add((struct preinit_strv *)(void *)(base + k->off), a[1]) < 0)
			goto oom;
		return 0;
	case KW_MS:
		if (n != 1)
			break;
		if (lex_duration_ms(a[0], (unsigned long *)(void *)(base + k->off)) < 0) {
			diag_add(d, DIAG_ERROR, file, line, "%s: bad duration \"%s\"", name, a[0]);
			return -1;
		}
		return 0;
	case KW_UINT:
		if (n != 1)
			break;
		if (lex_uint(a[0], k->max, (unsigned long *)(void *)(base + k->off)) < 0) {
			diag_add(d, DIAG_ERROR, file, line, "%s: bad number \"%s\" (0-%lu)", name,
				 a[0], k->max);
			return -1;
		}
		return 0;
	case KW_FLAG: {
		bool *b = (bool *)(void *)(base + k->off);
		if (n == 0 || (n == 1 && !strcmp(a[0], "yes"))) {
			*b = true;
			return 0;
		}
		if (n == 1 && !strcmp(a[0], "no")) {
			*b = false;
			return 0;
		}
		diag_add(d, DIAG_ERROR, file, line, "%s: expected yes, no or nothing", name);
		return -1;
	}
	case KW_SPECIAL:
		return kw_special(c, name, a, n, file, line, d);
	}
	diag_add(d, DIAG_ERROR, file, line, "%s: wrong number of arguments (%zu)", name, n);
	return -1;
oom:
	diag_add(d, DIAG_ERROR, file, line, "%s: out of memory", name);
	return -1;
}

static int apply_line(void *c, char *const *argv, size_t argc, const char *file, unsigned line,
		      struct diags *d)
{
	return preinit_conf_apply((struct preinit_conf *)c, argv, argc, file, line, d);
}

size_t preinit_conf_parse(struct preinit_conf *c, const char *buf, size_t len,
			  const char *file, struct diags *d)
{
	return lex_each(buf, len, file, d, apply_line, c);
}

/* One preinit.KEY[=V1,V2...] word: split into a keyword line and apply it.
 * The diagnostics of the shared apply path are errors; on the command line
 * they become warnings (one option is skipped, the boot goes on). */
static void cmdline_option(struct preinit_conf *c, const char *word, size_t n,
			   struct diags *d)
{
	char *w = strndup(word, n);
	if (!w)
		return;
	/* Quotes only group: "a b" keeps the blank, the quote chars go. */
	char *o = w;
	for (char *r = w; *r; r++)
		if (*r != '"')
			*o++ = *r;
	*o = '\0';
	/* One slot per comma-separated value, the keyword and the NULL. */
	size_t slots = 3;
	for (const char *r = w; *r; r++)
		slots += *r == ',';
	char **argv = calloc(slots, sizeof *argv);
	if (!argv) {
		free(w);
		return;
	}
	size_t argc = 0;
	char *eq = strchr(w, '=');
	if (eq)
		*eq = '\0';
	argv[argc++] = w;
	for (char *v = eq ? eq + 1 : NULL; v;) {
		char *comma = strchr(v, ',');
		if (comma)
			*comma = '\0';
		argv[argc++] = v;
		v = comma ? comma + 1 : NULL;
	}
	argv[argc] = NULL;
	struct diags local = { 0 };
	preinit_conf_apply(c, argv, argc, CMDLINE_WHERE, 0, &local);
	for (size_t i = 0; i < local.n; i++)
		local.v[i].level = DIAG_WARNING;
	diags_move(d, &local);
	diags_free(&local);
	free(argv);
	free(w);
}

/* The kernel's own root= and rootfstype= name the read-only root unless
 * the configuration or a preinit.root= option says otherwise. */
static void cmdline_kernel_root(struct preinit_conf *c, const char *word, size_t n,
				char **root, char **fstype)
{
	if (n > 5 && !strncmp(word, "root=", 5))
		free(*root), *root = strndup(word + 5, n - 5);
	else if (n > 11 && !strncmp(word, "rootfstype=", 11))
		free(*fstype), *fstype = strndup(word + 11, n - 11);
	(void)c;
}

void preinit_conf_cmdline(struct preinit_conf *c, const char *text, struct diags *d)
{
	char *root = NULL, *fstype = NULL;
	const char *p = text, *w;
	size_t n;
	while ((w = cmdline_next_word(&p, &n))) {
		if (n > 8 && !strncmp(w, "preinit.", 8))
			cmdline_option(c, w + 8, n - 8, d);
		else
			cmdline_kernel_root(c, w, n, &root, &fstype);
	}
	if (!c->root && root) {
		c->root = root;
		root = NULL;
		if (!c->root_fstype) {
			c->root_fstype = fstype;
			fstype = NULL;
		}
	}
	free(root);
	free(fstype);
}

int preinit_health_parse(const char *text, unsigned long *n)
{
	const char *s = text;
	while (*s == ' ' || *s == '\t')
		s++;
	const char *digits = s;
	while (isdigit((unsigned char)*s))
		s++;
	size_t len = (size_t)(s - digits);
	while (isspace((unsigned char)*s))
		s++;
	if (!len || len > 9 || *s)
		return -1;
	unsigned long v = 0;
	for (size_t i = 0; i < len; i++)
		v = v * 10 + (unsigned long)(digits[i] - '0');
	*n = v;
	return 0;
}
