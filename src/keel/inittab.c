/* inittab: busybox's /etc/inittab steps as keel services, run with busybox's order. */
/* SPDX-License-Identifier: MIT */
#include "inittab.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/inittab.h"
#include "buf.h"
#include "log.h"

/* A service-file argument: quoted, with the lexer's escapes, and '%'
 * doubled (it would name an instance argument). */
static void add_arg(struct buf *b, const char *s)
{
	buf_adds(b, " \"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			buf_addf(b, "\\%c", c);
		else if (c == '%')
			buf_adds(b, "%%");
		else if (c < 0x20 || c == 0x7f)
			buf_addf(b, "\\x%02x", c);
		else
			buf_add(b, s, 1);
	}
	buf_adds(b, "\"");
}

/* inittab-NAME for the program's base name, if it makes a good name. */
static void add_provides_name(struct buf *b, char *const *argv)
{
	/* The shell wrapper runs "exec PROCESS": name the process's program. */
	const char *prog = argv[1] && !strcmp(argv[1], "-c") ? argv[2] + 5 : argv[0];
	size_t n = strcspn(prog, " \t");
	const char *base = prog;
	for (size_t i = 0; i < n; i++)
		if (prog[i] == '/')
			base = prog + i + 1;
	n -= (size_t)(base - prog);
	if (!n || n > 64)
		return;
	for (size_t i = 0; i < n; i++) {
		char c = base[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return;
	}
	buf_addf(b, " inittab-%.*s", (int)n, base);
}

/* The process of the inittab's `restart` line, from the last load. */
static char *restart_process;

bool inittab_has_restart(void)
{
	return restart_process != NULL;
}

void inittab_restart_exec(void)
{
	bool login;
	char **argv = restart_process ? inittab_argv(restart_process, &login) : NULL;
	if (!argv) {
		log_msg("error: restart: %s", restart_process ? strerror(errno) : "no restart line");
		return;
	}
	log_msg("restart: PID 1 becomes %s", restart_process);
	log_drain(2000);
	/* What keel set up for itself is not the next init's: every signal
	 * back to its default, none blocked (keel reads them from a
	 * signalfd). Its other files close on exec. */
	sigset_t none;
	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(argv[0], argv);
	int e = errno;
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	log_msg("error: restart: %s: %s; rebooting instead", argv[0], strerror(e));
	free(argv);
}

static const char ask[] = "printf '\\nPlease press Enter to activate this console. '; "
			  "read -r _; exec \"$0\" \"$@\"";

/* The service text of one step; prev: the name of the step it follows in
 * its chain (NULL: none). */
static void step_text(struct buf *b, const struct inittab_entry *e, char *const *argv,
		      const char *prev, const size_t *count)
{
	static const char *const types[IT_COUNT] = {
		[IT_SYSINIT] = "wait",     [IT_WAIT] = "wait",          [IT_ONCE] = "once",
		[IT_RESPAWN] = "respawn",  [IT_ASKFIRST] = "respawn",   [IT_CTRLALTDEL] = "wait",
		[IT_SHUTDOWN] = "wait",    [IT_RESTART] = "once",
	};
	const char *action = inittab_action_name(e->action);
	buf_adds(b, "description");
	struct buf d = { 0 };
	buf_addf(&d, "%s (inittab %s)", e->process, action);
	add_arg(b, d.oom ? action : d.p);
	buf_free(&d);
	/* busybox init sends TERM, and KILL one second later */
	buf_addf(b, "\ntype %s\nstop TERM 1s\ntarget %s\nprovides inittab-%s", types[e->action],
		 e->action == IT_CTRLALTDEL ? "ctrlaltdel" : e->action == IT_SHUTDOWN ? "%0" : "boot",
		 action);
	add_provides_name(b, argv);
	buf_adds(b, "\n");
	if (prev)
		buf_addf(b, "after %s\n", prev);
	/* Only names some step provides: no note for an action the table lacks. */
	bool later = e->action == IT_ONCE || e->action == IT_RESPAWN || e->action == IT_ASKFIRST;
	if ((e->action == IT_WAIT || later) && count[IT_SYSINIT])
		buf_adds(b, "after inittab-sysinit\n");
	if (later && count[IT_WAIT])
		buf_adds(b, "after inittab-wait\n");
	if (e->tty) {
		buf_adds(b, "tty");
		add_arg(b, e->tty);
		buf_adds(b, "\n");
	} else if (e->action == IT_ASKFIRST) {
		buf_adds(b, "tty /dev/console\n");
	} else {
		buf_adds(b, "log console\n");
	}
	buf_adds(b, "exec");
	if (e->action == IT_ASKFIRST) {
		add_arg(b, "/bin/sh");
		add_arg(b, "-c");
		add_arg(b, ask);
	}
	for (size_t i = 0; argv[i]; i++)
		add_arg(b, argv[i]);
	buf_adds(b, "\n");
}

static int read_table(const struct services_conf *c, struct inittab *t, struct diags *diags)
{
	char *text = NULL;
	size_t len = 0;
	if (access(c->inittab, F_OK) < 0 && errno == ENOENT) {
		if (!c->inittab_given)
			return 1;
		diag_add(diags, DIAG_NOTE, c->inittab, 0, "no such file: busybox's default steps apply");
		return inittab_default(t);
	}
	int r = svcdir_read(c->inittab, &text, &len, diags);
	if (r == -2)
		return -1;
	if (r < 0)
		return 1;
	if (inittab_is_procd(text, len)) {
		diag_add(diags, DIAG_NOTE, c->inittab, 0,
			 "procd's inittab (OpenWrt): left out, keel runs /etc/rc.d itself");
		free(text);
		return 1;
	}
	r = inittab_parse(text, len, c->inittab, t, diags);
	free(text);
	return r;
}

int inittab_services(const struct services_conf *c, struct svc_set *set, struct diags *diags)
{
	free(restart_process); /* a reload reads the table again */
	restart_process = NULL;
	if (!c->inittab)
		return 0;
	struct inittab t;
	int r = read_table(c, &t, diags);
	if (r != 0)
		return r < 0 ? -1 : 0;
	char *last[IT_COUNT] = { 0 };
	size_t count[IT_COUNT] = { 0 };
	for (size_t i = 0; i < t.n; i++)
		count[t.v[i].action]++;
	int rc = 0;
	for (size_t i = 0; i < t.n && rc == 0; i++) {
		const struct inittab_entry *e = &t.v[i];
		if (e->action == IT_RESTART) {
			/* busybox uses the first one */
			if (!restart_process) {
				restart_process = strdup(e->process);
				if (!restart_process)
					rc = -1;
			}
			continue;
		}
		bool login;
		char **argv = inittab_argv(e->process, &login);
		char *name = NULL, *file = NULL;
		struct buf b = { 0 };
		unsigned id = e->line ? e->line : (unsigned)i + 1;
		if (!argv || asprintf(&name, "inittab.%u", id) < 0 ||
		    asprintf(&file, "%s:%u", c->inittab, e->line) < 0) {
			free(argv);
			rc = -1;
			break;
		}
		enum inittab_action chain = e->action;
		step_text(&b, e, argv, chain == IT_SYSINIT || chain == IT_WAIT || chain == IT_CTRLALTDEL ||
						       chain == IT_SHUTDOWN
					       ? last[chain]
					       : NULL,
			  count);
		free(argv);
		for (int k = 0; k < (e->action == IT_SHUTDOWN ? 2 : 1) && !b.oom && rc == 0; k++) {
			char *link = NULL;
			if (e->action == IT_SHUTDOWN ? asprintf(&link, "%s@%s", name, k ? "reboot" : "shutdown") < 0
						     : !(link = strdup(name))) {
				rc = -1;
				break;
			}
			struct svc_def *def = svc_parse(b.p, b.len, file, link, diags);
			free(link);
			if (def && services_add(set, def, diags) < 0)
				rc = -1;
		}
		if (b.oom)
			rc = -1;
		buf_free(&b);
		free(file);
		free(last[chain]);
		last[chain] = name;
	}
	for (int k = 0; k < IT_COUNT; k++)
		free(last[k]);
	inittab_free(&t);
	return rc;
}
