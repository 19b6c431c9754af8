/* svcparse_int: the service file parser's state, shared with the files that add keywords to it. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SVCPARSE_INT_H
#define KEEL_SVCPARSE_INT_H

#include <stdbool.h>
#include "lex.h"
#include "svc.h"

#define SVC_QUOTE_RING 4

struct svc_parser {
	struct svc_def *s;
	const char *file;
	struct diags *diags;
	unsigned nerr;
	bool oom;
	unsigned first_line[48]; /* per keyword, for "duplicate" errors */
	unsigned block_line;   /* line of an open "exec {", 0 if none */
	bool block_used;       /* the open block had a line, even a bad one */
	unsigned respawn_line; /* last respawn line, for the final checks */
	char *quotes[SVC_QUOTE_RING];
	unsigned quote_next;
};

/* Names in one after/before/requires/provides list, at most. */
#define SVC_REFS_MAX 1024

void svc_err(struct svc_parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Offending text in double quotes, escaped and cut; lives for a few more calls. */
const char *svc_quote(struct svc_parser *p, const char *s);
char *svc_strdup(struct svc_parser *p, const char *s);
/* v grown so that index n fits, or NULL with p->oom set (v untouched). */
void *svc_grow(struct svc_parser *p, void *v, size_t n, size_t size);

/* The keywords of svcparse_cond.c. */
void svc_kw_condition(struct svc_parser *p, struct lex_line *l);
void svc_kw_condition_lost(struct svc_parser *p, struct lex_line *l);
void svc_kw_condition_timeout(struct svc_parser *p, struct lex_line *l);
void svc_kw_trigger(struct svc_parser *p, struct lex_line *l);
void svc_kw_timer(struct svc_parser *p, struct lex_line *l);
void svc_kw_reload(struct svc_parser *p, struct lex_line *l);
/* svcparse_live.c */
struct svc_live *svc_live_of(struct svc_parser *p); /* made at first use; NULL: no memory */
void svc_kw_pidfile(struct svc_parser *p, struct lex_line *l);
void svc_kw_watchdog(struct svc_parser *p, struct lex_line *l);
void svc_kw_on_crash(struct svc_parser *p, struct lex_line *l);
void svc_kw_give_up(struct svc_parser *p, struct lex_line *l);
void svc_kw_critical(struct svc_parser *p, struct lex_line *l);

/* svcparse_binds.c */
void svc_kw_bind(struct svc_parser *p, struct lex_line *l);
void svc_kw_hook(struct svc_parser *p, struct lex_line *l);
void svc_kw_module(struct svc_parser *p, struct lex_line *l);

/* svcparse_log.c */
void svc_kw_log(struct svc_parser *p, struct lex_line *l);

/* Checks across lines, once the whole file was read. */
void svc_cond_finish(struct svc_parser *p);

#endif
