/* svc: the in-memory form of one service description file, and its parser. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SVC_H
#define KEEL_SVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include "diag.h"

enum svc_type {
	SVC_TYPE_ONCE,    /* started once, dependents go on without waiting (default) */
	SVC_TYPE_WAIT,    /* dependents wait until it has exited */
	SVC_TYPE_RESPAWN, /* restarted whenever it exits */
};

enum svc_target {
	SVC_TARGET_BOOT,
	SVC_TARGET_REBOOT,
	SVC_TARGET_SHUTDOWN,
	SVC_TARGET_CTRLALTDEL,
	SVC_TARGET_COUNT
};

/* Where a service's stdout and stderr go (the `log` keyword). */
enum svc_log {
	SVC_LOG_DEFAULT, /* keel.log= decides (ring unless set) */
	SVC_LOG_RING,    /* keel's log */
	SVC_LOG_CONSOLE, /* the console, untagged */
	SVC_LOG_NULL,    /* /dev/null */
};

enum svc_ready {
	SVC_READY_NONE, /* counts as started once forked (model behaviour) */
	SVC_READY_FD,   /* ready when a newline is written to fd ready_fd */
	SVC_READY_FILE, /* ready when ready_file exists */
	SVC_READY_NOTIFY, /* ready at READY=1 on NOTIFY_SOCKET (sd_notify) */
};

/* A name list entry with the line that declared it (for file:line errors). */
struct svc_ref {
	char *name;
	unsigned line;
};

struct svc_refs {
	struct svc_ref *v;
	size_t n;
};

/* One command of an exec line or exec block. */
struct svc_cmd {
	char **argv; /* NULL-terminated, argv[0] non-empty */
	unsigned line;
};

struct svc_rlimit {
	int resource; /* RLIMIT_* */
	struct rlimit lim;
};

/* The settings most services leave alone. A definition that sets none of
 * them points at svc_opt_default instead of carrying its own copy: one
 * definition per service lives in PID 1, and this is half of it. */
struct svc_opt {
	char *arg;          /* text after '@' in the instance name, or NULL; parser only (packing drops it) */
	char *tty;          /* device for stdio, new session, controlling tty */
	char *user, *group; /* names or numeric ids, resolved at spawn time */
	char **env;         /* "KEY=VALUE" strings, NULL-terminated, may be NULL */
	size_t nenv;
	char *cwd;
	struct svc_rlimit *rlimits;
	size_t nrlimits;
	char *ready_file;   /* for SVC_READY_FILE, absolute */
	/* Conditions, triggers, timers, reload (cond.h); NULL if none. Its own
	 * allocations, owned by this svc_opt (packing moves the pointer). */
	struct svc_conds *cs;
	/* Watchdog, pidfile, crash hook, give-up policy (live.h); NULL if none. */
	struct svc_live *lv;

	unsigned long stop_grace_ms; /* before SIGKILL; default SVC_DEFAULT_STOP_GRACE_MS */
	/* respawn policy (type respawn only) */
	unsigned long respawn_limit;     /* give up after this many restarts within the window; 0 = never */
	unsigned long respawn_window_ms; /* 0 = count over the whole life of the service */
	unsigned long respawn_delay_ms;  /* first delay after a quick crash */
	unsigned long respawn_max_delay_ms; /* backoff doubles up to this */
	unsigned long ready_timeout_ms; /* 0 = wait forever */
	/* wait/once: stopped and marked failed if still running after this
	 * long; 0 = no limit. Ignored for respawn. */
	unsigned long timeout_ms;

	unsigned target_line; /* 0 if the file had no target line (boot assumed) */
	int log_rate;       /* `log ... rate N`: lines/s, 0 none, -1 = keel.log.rate */
	int umask;          /* -1 = inherit */
	int stop_signal;    /* default SIGTERM */
	bool tty_truncate;
	uint8_t log_mode;   /* enum svc_log */
};

extern const struct svc_opt svc_opt_default;

struct svc_def {
	char *name;     /* canonical name: link name up to '@' ("agetty") */
	char *instance; /* full link name ("agetty@ttyS0"); == name text if no '@' */
	char *file;     /* path used in diagnostics (the entry in the service dir) */
	char *description; /* NULL if none: the instance name is shown instead */

	struct svc_refs after, before, requires, provides;

	struct svc_cmd *exec; /* commands run in order; nexec may be 0 */
	size_t nexec;

	/* Never NULL; read-only (it may be svc_opt_default, shared). Only the
	 * parser and the packer, which own the block, write through SVC_OPT. */
	const struct svc_opt *o;

	enum svc_type type;
	enum svc_target target;
	enum svc_ready ready;
	int ready_fd;       /* for SVC_READY_FD, >= 3 */
	bool packed; /* one allocation (svc_def_pack); svc_def_free knows */
};

/* Write access for the code that owns an unshared svc_opt (parser, packer). */
#define SVC_OPT(def) ((struct svc_opt *)(def)->o)

#define SVC_DEFAULT_STOP_GRACE_MS 3000UL
#define SVC_DEFAULT_RESPAWN_DELAY_MS 100UL
#define SVC_DEFAULT_RESPAWN_MAX_DELAY_MS 60000UL
#define SVC_DEFAULT_READY_TIMEOUT_MS 60000UL

/*
 * Parse one service description.
 *   buf/len   file contents (need not be NUL-terminated; NUL bytes are errors)
 *   file      path for diagnostics
 *   linkname  name of the entry in the service dir ("agetty@ttyS0"); the
 *             part after the first '@' becomes %0
 * Every problem is added to diags with file:line. Returns the definition, or
 * NULL if there was any error (the service is then skipped; all of its errors
 * have been reported, not only the first).
 * Pure: no system calls besides memory allocation.
 */
struct svc_def *svc_parse(const char *buf, size_t len, const char *file,
			  const char *linkname, struct diags *diags);

void svc_def_free(struct svc_def *s);

/* Moves s into a single allocation (strings and arrays after the struct)
 * and frees the original; on allocation failure returns s as it was.
 * svc_parse returns packed definitions. */
struct svc_def *svc_def_pack(struct svc_def *s);

/* Stable words used in files, output and JSON. */
const char *svc_type_name(enum svc_type t);
const char *svc_target_name(enum svc_target t);
int svc_target_from_name(const char *s); /* -1 if unknown */

/* Signal names as written in files: "TERM", "SIGTERM", or a number. -1 if bad. */
int svc_signal_from_name(const char *s);
const char *svc_signal_name(int sig); /* "TERM"... or NULL */

/* Does `name` (as written in after/before/requires) refer to s? True for
 * the instance name, the canonical name (all instances: generic names) and
 * every `provides` name. */
bool svc_matches(const struct svc_def *s, const char *name);
/* Two NULL-terminated argument vectors (either may be NULL) hold the same words. */
bool svc_argv_equal(char *const *a, char *const *b);

#endif
