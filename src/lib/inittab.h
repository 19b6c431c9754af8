/* inittab: busybox's /etc/inittab (id:runlevels:action:process) read into its steps. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_INITTAB_H
#define KEEL_INITTAB_H

#include <stdbool.h>
#include <stddef.h>
#include "diag.h"

enum inittab_action {
	IT_SYSINIT,    /* at boot, one after another, each waited for */
	IT_WAIT,       /* after every sysinit, one after another, each waited for */
	IT_ONCE,       /* after those, started and not waited for */
	IT_RESPAWN,    /* after those, restarted whenever it exits */
	IT_ASKFIRST,   /* like respawn, after Enter is pressed on its tty */
	IT_CTRLALTDEL, /* on Ctrl-Alt-Del (SIGINT) */
	IT_SHUTDOWN,   /* at halt, reboot and poweroff */
	IT_RESTART,    /* busybox: exec'd instead of init on SIGQUIT */
	IT_COUNT
};

struct inittab_entry {
	char *tty;     /* "/dev/ID", or NULL: the console init was given */
	char *process; /* as written, leading '-' included */
	unsigned line;
	enum inittab_action action;
};

struct inittab {
	struct inittab_entry *v;
	size_t n;
};

/*
 * busybox's rules: '#' ends a line wherever it is; a line has exactly four
 * fields split at ':', the last one (process) taking the rest of the line,
 * colons included; runlevels are ignored; an id "ttyS0" or "/dev/ttyS0"
 * names /dev/ttyS0. A line with fewer fields, an unknown action or an empty
 * process is a DIAG_ERROR (file:line) and is left out. An entry with the
 * same process and tty as an earlier one replaces it, moved to the end (as
 * busybox does). Returns 0, -1 on allocation failure. Pure.
 */
int inittab_parse(const char *buf, size_t len, const char *file, struct inittab *t,
		  struct diags *diags);

/* True for OpenWrt's procd inittab (an askconsole or respawnlate step):
 * not busybox's; keel runs OpenWrt's rc.d itself. */
bool inittab_is_procd(const char *buf, size_t len);

/* busybox's steps when there is no inittab: sysinit /etc/init.d/rcS,
 * askfirst -/bin/sh on the console and tty2-4, ctrlaltdel reboot, shutdown
 * "umount -a -r" and "swapoff -a", restart init. 0, -1 on allocation failure. */
int inittab_default(struct inittab *t);

void inittab_free(struct inittab *t);

const char *inittab_action_name(enum inittab_action a);

/* The command line of process as busybox runs it: split at blanks, or
 * "/bin/sh -c 'exec PROCESS'" when it holds a character the shell would
 * interpret (~`!$^&*()=|\{}[];"'<>?). A leading '-' (a login shell) is
 * dropped and *login set. NULL-terminated, one allocation (free()); NULL
 * on allocation failure or an empty process. */
char **inittab_argv(const char *process, bool *login);

#endif
