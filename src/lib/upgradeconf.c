/* upgradeconf: /etc/keel/upgrade.conf (where an image's parts go, hooks, A/B) and the keep-list files (pure). */
/* SPDX-License-Identifier: MIT */
#include "upgradeconf.h"

#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "lex.h"

void upgrade_conf_defaults(struct upgrade_conf *c)
{
	*c = (struct upgrade_conf){ .reserve = 4ULL << 20, .net = true, .port = 4919 };
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static char **strv_dup(char *const *a, size_t n)
{
	char **v = calloc(n + 1, sizeof *v);
	for (size_t i = 0; v && i < n; i++)
		if (!(v[i] = strdup(a[i]))) {
			strv_free(v);
			return NULL;
		}
	return v;
}

void upgrade_conf_free(struct upgrade_conf *c)
{
	free(c->board);
	for (size_t i = 0; i < c->nparts; i++) {
		free(c->part[i].name);
		free(c->part[i].dev[0]);
		free(c->part[i].dev[1]);
	}
	free(c->data);
	strv_free(c->check);
	strv_free(c->slot_switch);
	strv_free(c->copy);
	free(c->stage);
	free(c->iface);
	free(c->ipaddr);
	free(c->led);
	free(c->led_mode);
	upgrade_conf_defaults(c);
}

static bool abs_path(const char *s)
{
	return s[0] == '/';
}

static int set_str(char **dst, const char *v)
{
	char *n = strdup(v);
	if (!n)
		return -1;
	free(*dst);
	*dst = n;
	return 0;
}

static int apply(struct upgrade_conf *c, char *const *argv, size_t argc, const char *file,
		 unsigned line, struct diags *d)
{
	const char *kw = argv[0];
	char *const *a = argv + 1;
	size_t n = argc - 1;
	const char *bad = NULL;
	if (!strcmp(kw, "part")) {
		if (n < 2 || n > 3)
			bad = "part NAME DEVICE [DEVICE]";
		else if (c->nparts == UPGRADE_MAX_PARTS)
			bad = "at most 8 parts";
		else if (upgrade_conf_part(c, a[0]))
			bad = "this part is given twice";
		else if (!abs_path(a[1]) || (n == 3 && !abs_path(a[2])))
			bad = "part: devices are absolute paths (/dev/...)";
		if (bad)
			goto err;
		struct upgrade_part *p = &c->part[c->nparts];
		p->name = strdup(a[0]);
		p->dev[0] = strdup(a[1]);
		p->dev[1] = n == 3 ? strdup(a[2]) : NULL;
		c->nparts++;
		if (!p->name || !p->dev[0] || (n == 3 && !p->dev[1]))
			goto oom;
		return 0;
	}
	if (!strcmp(kw, "check") || !strcmp(kw, "slot-switch")) {
		char ***dst = kw[0] == 'c' ? &c->check : &c->slot_switch;
		if (!n || !abs_path(a[0])) {
			bad = "expected an absolute command path and its arguments";
			goto err;
		}
		strv_free(*dst);
		if (!(*dst = strv_dup(a, n)))
			goto oom;
		return 0;
	}
	if (!strcmp(kw, "copy")) {
		if (!n) {
			bad = "copy PATH...";
			goto err;
		}
		for (size_t i = 0; i < n; i++) {
			if (!abs_path(a[i])) {
				bad = "copy: paths are absolute";
				goto err;
			}
			char **v = realloc(c->copy, (c->ncopy + 2) * sizeof *v);
			if (!v)
				goto oom;
			c->copy = v;
			if (!(v[c->ncopy] = strdup(a[i])))
				goto oom;
			v[++c->ncopy] = NULL;
		}
		return 0;
	}
	if (!strcmp(kw, "led")) {
		if (n != 2) {
			bad = "led LED MODE";
			goto err;
		}
		if (set_str(&c->led, a[0]) < 0 || set_str(&c->led_mode, a[1]) < 0)
			goto oom;
		return 0;
	}
	if (n != 1) {
		if (strcmp(kw, "board") && strcmp(kw, "data") && strcmp(kw, "stage") &&
		    strcmp(kw, "reserve") && strcmp(kw, "iface") && strcmp(kw, "port") &&
		    strcmp(kw, "ipaddr") && strcmp(kw, "net"))
			goto unknown;
		bad = "expected one argument";
		goto err;
	}
	if (!strcmp(kw, "board")) {
		if (strlen(a[0]) > 32) {
			bad = "board: at most 32 characters";
			goto err;
		}
		if (set_str(&c->board, a[0]) < 0)
			goto oom;
	} else if (!strcmp(kw, "data")) {
		if (strcmp(a[0], "auto") && strcmp(a[0], "none") && !abs_path(a[0])) {
			bad = "data: a device path, auto or none";
			goto err;
		}
		if (!strcmp(a[0], "auto")) {
			free(c->data);
			c->data = NULL;
		} else if (set_str(&c->data, a[0]) < 0) {
			goto oom;
		}
	} else if (!strcmp(kw, "stage")) {
		if (!abs_path(a[0])) {
			bad = "stage: an absolute path";
			goto err;
		}
		if (set_str(&c->stage, a[0]) < 0)
			goto oom;
	} else if (!strcmp(kw, "reserve")) {
		long long v = cmdline_size(a[0], strlen(a[0]));
		if (v < 0) {
			bad = "reserve: a size (512k, 4M)";
			goto err;
		}
		c->reserve = (unsigned long long)v;
	} else if (!strcmp(kw, "iface")) {
		if (set_str(&c->iface, a[0]) < 0)
			goto oom;
	} else if (!strcmp(kw, "ipaddr")) {
		if (set_str(&c->ipaddr, a[0]) < 0)
			goto oom;
	} else if (!strcmp(kw, "port")) {
		unsigned long v;
		if (lex_uint(a[0], 65535, &v) < 0 || !v) {
			bad = "port: 1-65535";
			goto err;
		}
		c->port = v;
	} else if (!strcmp(kw, "net")) {
		if (strcmp(a[0], "yes") && strcmp(a[0], "no")) {
			bad = "net: yes or no";
			goto err;
		}
		c->net = a[0][0] == 'y';
	} else {
		goto unknown;
	}
	return 0;
unknown:
	diag_add(d, DIAG_ERROR, file, line,
		 "unknown keyword \"%s\" (board, part, data, check, slot-switch, copy, stage, reserve, "
		 "iface, port, ipaddr, net, led)",
		 kw);
	return -1;
err:
	diag_add(d, DIAG_ERROR, file, line, "%s: %s", kw, bad);
	return -1;
oom:
	diag_add(d, DIAG_ERROR, file, line, "out of memory");
	return -1;
}

static int apply_line(void *c, char *const *argv, size_t argc, const char *file, unsigned line,
		      struct diags *d)
{
	return apply((struct upgrade_conf *)c, argv, argc, file, line, d);
}

size_t upgrade_conf_parse(struct upgrade_conf *c, const char *buf, size_t len, const char *file,
			  struct diags *d)
{
	size_t errors = lex_each(buf, len, file, d, apply_line, c);
	if (!c->nparts && !errors) {
		diag_add(d, DIAG_ERROR, file, 0, "no part line: nothing says where an image goes");
		errors++;
	}
	return errors;
}

bool upgrade_conf_ab(const struct upgrade_conf *c)
{
	for (size_t i = 0; i < c->nparts; i++)
		if (c->part[i].dev[1])
			return true;
	return false;
}

const struct upgrade_part *upgrade_conf_part(const struct upgrade_conf *c, const char *name)
{
	for (size_t i = 0; i < c->nparts; i++)
		if (!strcmp(c->part[i].name, name))
			return &c->part[i];
	return NULL;
}

int keeplist_parse(const char *buf, size_t len, char ***list, size_t *n)
{
	int added = 0;
	const char *end = buf + len;
	for (const char *p = buf; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		const char *s = p;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		const char *t = e;
		while (t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r'))
			t--;
		p = nl ? nl + 1 : end;
		if (s == t || *s == '#' || memchr(s, '\0', (size_t)(t - s)))
			continue;
		char **v = realloc(*list, (*n + 2) * sizeof *v);
		if (!v)
			return -1;
		*list = v;
		if (!(v[*n] = strndup(s, (size_t)(t - s))))
			return -1;
		v[++*n] = NULL;
		added++;
	}
	return added;
}
