/* uci_internal: helpers shared by the UCI library files (lexer, string buffer, unrecorded ops). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_UCI_INTERNAL_H
#define KEEL_UCI_INTERNAL_H

#include "uci.h"

/* Growable byte buffer; `oom` sticks so callers check once at the end. */
struct uci_buf {
	char *data;
	size_t len, cap;
	bool oom;
};
void uci_buf_add(struct uci_buf *b, const char *s, size_t n);
void uci_buf_puts(struct uci_buf *b, const char *s);
void uci_buf_putc(struct uci_buf *b, char c);
/* 'text' with every ' written as '\'' */
void uci_buf_quoted(struct uci_buf *b, const char *s);

/*
 * Lexer over a whole input buffer with libuci's quoting rules. One command
 * spans one line, except inside quotes and after backslash-newline.
 */
struct uci_lexer {
	const char *buf;
	size_t len, pos;
	size_t line_start; /* where the current command line began: "byte" base */
	const char *reason;
	size_t err_pos;
	char *tok;
	size_t tok_len, tok_cap;
	bool oom;
};
void uci_lex_init(struct uci_lexer *lx, const char *buf, size_t len);
void uci_lex_fini(struct uci_lexer *lx);
/* Next argument into lx->tok ("" when the command ends). 0 ok, -1 syntax
 * error (lx->reason), -2 out of memory. */
int uci_lex_next_arg(struct uci_lexer *lx);
/* Skip blanks; true if the command ended (';', '#', newline or EOF). A ';'
 * is consumed and *more set: another command follows on this line. */
bool uci_lex_at_end(struct uci_lexer *lx, bool *more);
/* Move to the start of the next line (after error or end of command). */
void uci_lex_next_line(struct uci_lexer *lx);
bool uci_lex_eof(const struct uci_lexer *lx);
void uci_lex_error(struct uci_lexer *lx, const char *reason);
/* Record lx's error in ctx->perr (OpenWrt line counting). */
int uci_lex_report(struct uci_context *ctx, const struct uci_lexer *lx, const char *label);

/* model internals */
int uci_fail(struct uci_context *ctx, int err);
struct uci_package *uci_package_new(const char *name);
struct uci_section *uci_section_new(struct uci_package *p, const char *type, const char *name);
/* The `record` flag: true = append a delta when p->has_delta. */
int uci_op_set(struct uci_context *ctx, struct uci_ptr *ptr, bool record);
int uci_op_delete(struct uci_context *ctx, struct uci_ptr *ptr, bool record);
int uci_op_rename(struct uci_context *ctx, struct uci_ptr *ptr, bool record);
int uci_op_reorder(struct uci_context *ctx, struct uci_section *s, long pos, bool record);
int uci_op_list_add(struct uci_context *ctx, struct uci_ptr *ptr, bool record);
int uci_op_list_del(struct uci_context *ctx, struct uci_ptr *ptr, bool record);
int uci_op_section_add(struct uci_context *ctx, struct uci_package *p, const char *type,
		       struct uci_section **out, bool record);
int uci_delta_append(struct uci_delta **v, size_t *n, enum uci_cmd cmd, const char *section,
		     const char *option, const char *value);
void uci_delta_free_all(struct uci_delta *v, size_t n);
/* Fill ptr from an existing element chain. */
void uci_ptr_from_section(struct uci_ptr *ptr, struct uci_section *s);

/* deltas and files */
int uci_delta_load(struct uci_context *ctx, struct uci_package *p);
/* save_fd >= 0: SAVEDIR/NAME already open and locked by the caller */
int uci_delta_load_fd(struct uci_context *ctx, struct uci_package *p, int save_fd);
int uci_savedir_prepare(struct uci_context *ctx);
void uci_delta_write(struct uci_buf *b, const char *pkg, const struct uci_delta *d);
extern const char uci_delta_prefix[];
int uci_file_read_all(int fd, char **buf, size_t *len);
int uci_file_write_all(int fd, const char *buf, size_t len);
char *uci_path_join(const char *dir, const char *name);

#endif
