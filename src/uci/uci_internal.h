/* uci_internal: what the UCI library files share: list primitives, parser state, unrecorded changes. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_UCI_INTERNAL_H
#define KEEL_UCI_INTERNAL_H

#include "uci.h"

/*
 * The parser reads libuci's way on purpose: one line at a time into a
 * buffer that starts at 32 bytes and doubles (a backslash-newline or an
 * open quote reads the next line onto the end), words are decoded in place,
 * and a parse error reports the cursor's offset in that buffer. Reading the
 * same way is what makes "at line N, byte M" and the recovery after an
 * error match OpenWrt's.
 */
struct uci_parse_context {
	const char *reason;
	int line;
	int byte;
	FILE *file;
	const char *name;             /* package name given by the caller */
	struct uci_package *package;  /* being filled */
	struct uci_section *section;  /* last section opened */
	bool merge;                   /* record deltas while parsing */
	char *buf;
	size_t bufsz;
	size_t buf_filled;
	size_t pos;
};

/* list primitives */
void uci_list_init(struct uci_list *l);
void uci_list_insert(struct uci_list *after, struct uci_list *e);
void uci_list_add(struct uci_list *head, struct uci_list *e); /* at the end */
void uci_list_del(struct uci_list *e);

int uci_fail(struct uci_context *ctx, int err);
struct uci_element *uci_lookup_list(struct uci_list *list, const char *name);
struct uci_package *uci_alloc_package(struct uci_context *ctx, const char *name);
void uci_free_package(struct uci_package **p);
int uci_add_delta(struct uci_context *ctx, struct uci_list *list, int cmd, const char *section,
		  const char *option, const char *value);
void uci_free_delta(struct uci_delta *d);
bool uci_validate_str(const char *s, bool name, bool package);
#define uci_validate_name(s) uci_validate_str(s, true, false)
#define uci_validate_package(s) uci_validate_str(s, true, true)
#define uci_validate_type(s) uci_validate_str(s, false, false)

/* The changes without a delta record (record == false): the parser in plain
 * mode, delta replay. Public functions call these with record == true. */
int uci_do_set(struct uci_context *ctx, struct uci_ptr *ptr, bool record);
int uci_do_delete(struct uci_context *ctx, struct uci_ptr *ptr, bool record);
int uci_do_rename(struct uci_context *ctx, struct uci_ptr *ptr, bool record);
int uci_do_reorder(struct uci_context *ctx, struct uci_section *s, int pos, bool record);
int uci_do_add_list(struct uci_context *ctx, struct uci_ptr *ptr, bool record);
int uci_do_del_list(struct uci_context *ctx, struct uci_ptr *ptr, bool record);
int uci_do_add_section(struct uci_context *ctx, struct uci_package *p, const char *type,
		       struct uci_section **res, bool record);
int uci_do_lookup_ptr(struct uci_context *ctx, struct uci_ptr *ptr, char *str, bool extended);
int uci_expand_ptr(struct uci_context *ctx, struct uci_ptr *ptr, bool complete,
		   struct uci_element **last);
void uci_fill_ptr(struct uci_ptr *ptr, struct uci_element *e);

/* parser (uci_parse.c) */
void uci_cleanup(struct uci_context *ctx);
int uci_alloc_parse_context(struct uci_context *ctx);
/* next line into pctx->buf at offset; -1 out of memory */
int uci_getln(struct uci_context *ctx, size_t offset);
int uci_parse_error(struct uci_context *ctx, const char *reason);
/* next word from pctx (decoded in place); its offset in *val */
int uci_next_arg(struct uci_context *ctx, bool required, bool name, bool package, size_t *val);
int uci_do_import(struct uci_context *ctx, FILE *stream, const char *name,
		  struct uci_package **package, bool single);
#define pctx_str(pctx, ofs) (&(pctx)->buf[ofs])
#define pctx_cur(pctx) ((pctx)->buf[(pctx)->pos])

/* deltas and files (uci_delta.c, uci_file.c) */
/* replay delta lines from stream into p; *changes counts those that applied */
int uci_parse_delta(struct uci_context *ctx, FILE *stream, struct uci_package *p, int *changes);
int uci_load_delta(struct uci_context *ctx, struct uci_package *p, bool flush, int *changes);
int uci_do_save(struct uci_context *ctx, struct uci_package *p);
int uci_do_load(struct uci_context *ctx, const char *name, struct uci_package **out);
int uci_do_commit(struct uci_context *ctx, struct uci_package **p, bool overwrite);
/* open, lock (shared for read, exclusive for write); create with the mode
 * of CONFDIR/basename(file), else 0600, as libuci does */
int uci_open_stream(struct uci_context *ctx, const char *filename, int whence, bool write,
		    bool create, FILE **out);
void uci_close_stream(FILE *f);
int uci_do_export(struct uci_context *ctx, FILE *stream, struct uci_package *p, bool header);
/* export through a writer: pieces as libuci's fprintf calls make them */
struct uci_writer {
	void (*put)(void *arg, const char *s, size_t n);
	void *arg;
};
int uci_export_to(struct uci_context *ctx, const struct uci_writer *w, struct uci_package *p, bool header);
char *uci_path_join(const char *dir, const char *name);

extern struct uci_backend uci_file_backend;

/* the `uci` command (uci_cli.c); main.c only calls this */
int uci_cli_main(int argc, char **argv);

#endif
