/* inittab: busybox's /etc/inittab (id:runlevels:action:process) read into its steps. */
/* SPDX-License-Identifier: MIT */
#include "inittab.h"

#include <stdlib.h>
#include <string.h>

static const char *const names[IT_COUNT] = {
	[IT_SYSINIT] = "sysinit",       [IT_WAIT] = "wait",         [IT_ONCE] = "once",
	[IT_RESPAWN] = "respawn",       [IT_ASKFIRST] = "askfirst", [IT_CTRLALTDEL] = "ctrlaltdel",
	[IT_SHUTDOWN] = "shutdown",     [IT_RESTART] = "restart",
};

const char *inittab_action_name(enum inittab_action a)
{
	return a < IT_COUNT ? names[a] : "?";
}

void inittab_free(struct inittab *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].tty);
		free(t->v[i].process);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Takes tty and process (freed on failure). */
static int add(struct inittab *t, enum inittab_action a, char *tty, char *process, unsigned line)
{
	if (!process) {
		free(tty);
		return -1;
	}
	for (size_t i = 0; i < t->n; i++) {
		if (!same(t->v[i].tty, tty) || strcmp(t->v[i].process, process))
			continue;
		free(t->v[i].tty);
		free(t->v[i].process);
		memmove(&t->v[i], &t->v[i + 1], (t->n - i - 1) * sizeof *t->v);
		t->n--;
		break;
	}
	struct inittab_entry *nv = realloc(t->v, (t->n + 1) * sizeof *nv);
	if (!nv) {
		free(tty);
		free(process);
		return -1;
	}
	t->v = nv;
	t->v[t->n++] = (struct inittab_entry){ .tty = tty, .process = process, .line = line, .action = a };
	return 0;
}

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static int parse_line(const char *s, size_t n, const char *file, unsigned line,
		      struct inittab *t, struct diags *diags)
{
	/* '#' ends the line anywhere (busybox's parser does the same). */
	const char *hash = memchr(s, '#', n);
	if (hash)
		n = (size_t)(hash - s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	size_t lead = 0;
	while (lead < n && (s[lead] == ' ' || s[lead] == '\t'))
		lead++;
	if (lead == n)
		return 0;
	const char *f[4];
	size_t fl[4];
	const char *p = s, *end = s + n;
	int k = 0;
	for (; k < 3; k++) {
		const char *c = memchr(p, ':', (size_t)(end - p));
		if (!c)
			break;
		f[k] = p;
		fl[k] = (size_t)(c - p);
		p = c + 1;
	}
	if (k < 3) {
		diag_add(diags, DIAG_ERROR, file, line,
			 "bad inittab entry: expected id:runlevels:action:process");
		return 0;
	}
	f[3] = p;
	fl[3] = (size_t)(end - p);
	while (fl[3] && (*f[3] == ' ' || *f[3] == '\t')) {
		f[3]++;
		fl[3]--;
	}
	int a = -1;
	for (int i = 0; i < IT_COUNT; i++)
		if (strlen(names[i]) == fl[2] && !memcmp(names[i], f[2], fl[2]))
			a = i;
	if (a < 0) {
		diag_add(diags, DIAG_ERROR, file, line,
			 "bad inittab entry: unknown action \"%.*s\" (sysinit, wait, once, respawn, "
			 "askfirst, ctrlaltdel, shutdown, restart)",
			 (int)(fl[2] > 40 ? 40 : fl[2]), f[2]);
		return 0;
	}
	if (!fl[3]) {
		diag_add(diags, DIAG_ERROR, file, line, "bad inittab entry: no process");
		return 0;
	}
	for (size_t i = 0; i < fl[3]; i++)
		if (f[3][i] == '\0') {
			diag_add(diags, DIAG_ERROR, file, line, "bad inittab entry: NUL byte");
			return 0;
		}
	char *tty = NULL;
	const char *id = f[0];
	size_t il = fl[0];
	if (il >= 5 && !memcmp(id, "/dev/", 5)) {
		id += 5;
		il -= 5;
	}
	if (il) {
		if (!(tty = malloc(il + 6)))
			return -1;
		memcpy(tty, "/dev/", 5);
		memcpy(tty + 5, id, il);
		tty[il + 5] = '\0';
	}
	return add(t, (enum inittab_action)a, tty, dup_n(f[3], fl[3]), line);
}

int inittab_parse(const char *buf, size_t len, const char *file, struct inittab *t,
		  struct diags *diags)
{
	t->v = NULL;
	t->n = 0;
	unsigned line = 0;
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (buf + i)) : len - i;
		line++;
		if (parse_line(buf + i, n, file, line, t, diags) < 0) {
			inittab_free(t);
			return -1;
		}
		i += n + 1;
	}
	return 0;
}

bool inittab_is_procd(const char *buf, size_t len)
{
	static const char *const procd[] = { ":askconsole:", ":respawnlate:" };
	for (size_t k = 0; k < 2; k++) {
		size_t n = strlen(procd[k]);
		for (size_t i = 0; i + n <= len; i++)
			if (!memcmp(buf + i, procd[k], n))
				return true;
	}
	return false;
}

int inittab_default(struct inittab *t)
{
	static const struct {
		enum inittab_action a;
		const char *tty, *process;
	} d[] = {
		{ IT_SYSINIT, NULL, "/etc/init.d/rcS" },
		{ IT_ASKFIRST, NULL, "-/bin/sh" },
		{ IT_ASKFIRST, "/dev/tty2", "-/bin/sh" },
		{ IT_ASKFIRST, "/dev/tty3", "-/bin/sh" },
		{ IT_ASKFIRST, "/dev/tty4", "-/bin/sh" },
		{ IT_CTRLALTDEL, NULL, "reboot" },
		{ IT_SHUTDOWN, NULL, "umount -a -r" },
		{ IT_SHUTDOWN, NULL, "swapoff -a" },
		{ IT_RESTART, NULL, "init" },
	};
	t->v = NULL;
	t->n = 0;
	for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
		char *tty = d[i].tty ? strdup(d[i].tty) : NULL;
		if ((d[i].tty && !tty) || add(t, d[i].a, tty, strdup(d[i].process), 0) < 0) {
			inittab_free(t);
			return -1;
		}
	}
	return 0;
}

char **inittab_argv(const char *process, bool *login)
{
	*login = process[0] == '-';
	if (*login)
		process++;
	size_t n = strlen(process);
	if (!n)
		return NULL;
	if (strpbrk(process, "~`!$^&*()=|\\{}[];\"'<>?")) {
		char **v = malloc(4 * sizeof *v + 3 + 8 + n + 6);
		if (!v)
			return NULL;
		char *w = (char *)(v + 4);
		memcpy(w, "/bin/sh", 8);
		memcpy(w + 8, "-c", 3);
		memcpy(w + 11, "exec ", 5);
		memcpy(w + 16, process, n + 1);
		v[0] = w;
		v[1] = w + 8;
		v[2] = w + 11;
		v[3] = NULL;
		return v;
	}
	size_t words = 0;
	for (size_t i = 0; i < n; i++)
		if (process[i] != ' ' && process[i] != '\t' &&
		    (i == 0 || process[i - 1] == ' ' || process[i - 1] == '\t'))
			words++;
	if (!words)
		return NULL;
	char **v = malloc((words + 1) * sizeof *v + n + 1);
	if (!v)
		return NULL;
	char *w = (char *)(v + words + 1);
	memcpy(w, process, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (w[i] == ' ' || w[i] == '\t')
			w[i] = '\0';
		else if (i == 0 || w[i - 1] == '\0')
			v[k++] = w + i;
	}
	v[k] = NULL;
	return v;
}
