/* diag: the one error voice of keel — diagnostics collected with file and line. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_DIAG_H
#define KEEL_DIAG_H

#include <stddef.h>

/*
 * Every problem keel finds in its input becomes one struct diag. They are
 * collected (never printed from inside the pure modules) so that the same
 * words reach the console, `keelctl status` and `keel check`.
 *
 * Rendered form:  "keel: error: /etc/init.d/foo:12: unknown keyword \"bar\""
 * With line 0 the ":LINE" part is left out; with file NULL the "FILE:" part.
 */
enum diag_level {
	DIAG_NOTE,    /* harmless, shown by `keel check` and with keel.debug */
	DIAG_WARNING, /* something was ignored or repaired; boot goes on as written otherwise */
	DIAG_ERROR,   /* the service (or edge) concerned is skipped */
};

struct diag {
	enum diag_level level;
	char *file;    /* owned copy, may be NULL */
	unsigned line; /* 1-based, 0 = no line */
	char *msg;     /* owned, no trailing newline, no "keel: error:" prefix */
};

struct diags {
	struct diag *v;
	size_t n, cap;
	size_t nerrors; /* how many have level DIAG_ERROR */
	int oom;        /* an allocation failed: at least one diagnostic was lost */
	size_t nlost;   /* counted but not kept (the limits below) */
	unsigned run;   /* kept in a row for the last entry's file */
	int full;       /* DIAG_MAX reached and said */
};

/* What PID 1 keeps of a bad input is bounded: one file with 100,000 bad
 * lines must not cost megabytes of messages. Past DIAG_FILE_MAX entries in
 * a row for one file, or DIAG_MAX in all, diagnostics are counted (errors
 * still count in nerrors) and one entry says so. */
#define DIAG_FILE_MAX 20
#define DIAG_MAX 500

/* Append one diagnostic. Never fails from the caller's view: on allocation
 * failure it sets d->oom so the loss itself is reported. */
void diag_add(struct diags *d, enum diag_level level, const char *file,
	      unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Move all diagnostics of src to the end of dst (src is left empty). */
void diags_move(struct diags *dst, struct diags *src);

void diags_free(struct diags *d);

/* "error", "warning" or "note". */
const char *diag_level_name(enum diag_level level);

/* Render without the "keel: " prefix: "error: FILE:LINE: msg". Returns a
 * malloc'd string or NULL on allocation failure. */
char *diag_format(const struct diag *dg);

#endif
