/* lex: splits keel's line-based configuration syntax into keyword + arguments. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_LEX_H
#define KEEL_LEX_H

#include <stddef.h>
#include "diag.h"

/*
 * The syntax shared by service description files and preinit's
 * configuration (one lexer, one set of quoting rules):
 *
 *   - one logical line = a keyword followed by arguments, separated by
 *     blanks (space, tab); blank lines and lines whose first non-blank
 *     character is '#' are skipped; '#' outside quotes starts a comment;
 *   - "double quotes" group an argument; inside them C escapes work:
 *     \n \t \r \\ \" \' \% \a \b \f \v \e \0 \xHH and \NNN (octal);
 *     "\%" is a literal '%' (as in Pygos), never a parameter;
 *   - %0 .. %9 are replaced by the parameters (from the link name after
 *     '@'), both inside and outside quotes; %% is a literal '%'; a %N with
 *     no such parameter, or '%' followed by anything else, is an error;
 *   - a NUL byte, an unterminated quote or a bad escape makes the line an
 *     error (reported with file and line); lexing goes on with the next line.
 *
 * Braces are not special to the lexer: "exec {" is returned as the two
 * arguments "exec" and "{", and a line "}" as the single argument "}".
 * The caller gives them meaning.
 */
struct lex_line {
	unsigned lineno; /* 1-based line number of the line's start */
	size_t argc;     /* >= 1 */
	char **argv;     /* argc strings, then NULL; owned */
};

struct lexer {
	const char *p, *end;
	const char *file; /* for diagnostics, not owned */
	unsigned lineno;
	const char *const *params; /* %0.. values, not owned */
	size_t nparams;
	struct diags *diags;
	/* Added for svcparse: how to finish "%N used but ..." when parameter N
	 * does not exist (e.g. "the link name has no @argument"). lex_init sets
	 * it to NULL, which gives a generic wording; set it after lex_init. */
	const char *noparam_why;
};

void lex_init(struct lexer *lx, const char *buf, size_t len, const char *file,
	      const char *const *params, size_t nparams, struct diags *diags);

/* 1: *out holds the next line (free with lex_line_free);
 * 0: end of input;
 * -1: this line had an error (already reported in diags); call again for
 *     the next one. */
int lex_next(struct lexer *lx, struct lex_line *out);

void lex_line_free(struct lex_line *l);

/* A keyword file, line by line: apply(ctx, argv, argc, file, line, d) for
 * each line that lexes. Returns how many lines failed, to lex or to apply
 * (apply < 0); both have said why in d. */
typedef int lex_apply_fn(void *ctx, char *const *argv, size_t argc, const char *file, unsigned line,
			 struct diags *d);
size_t lex_each(const char *buf, size_t len, const char *file, struct diags *d, lex_apply_fn *apply,
		void *ctx);

/* Parse a duration: "250ms", "3s", "2m", "1h" or a bare number of seconds
 * ("1.5" allowed). Returns 0 and stores milliseconds, or -1. */
int lex_duration_ms(const char *s, unsigned long *ms);

/* Parse an unsigned decimal integer no larger than max. 0 ok, -1 bad. */
int lex_uint(const char *s, unsigned long max, unsigned long *out);

#endif
