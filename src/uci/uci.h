/* uci: public API of keel's UCI library (OpenWrt-compatible config files, staged deltas, atomic commit). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_UCI_H
#define KEEL_UCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Model: a package (/etc/config/NAME) holds an ordered list of sections;
 * a section has a type, a name (generated "cfgNNHHHH" when anonymous) and an
 * ordered list of options; an option is a string or a list of strings.
 *
 * Changes made through the API are recorded as deltas in the package and
 * written by uci_package_save() to SAVEDIR/NAME (the same line syntax libuci
 * uses); uci_package_commit() folds them into the config file atomically.
 * The library never prints except where a function says so; every function
 * returns UCI_OK or a UCI_ERR_* code and leaves it in ctx->err too.
 * Packages belong to the caller: free them with uci_package_free().
 */

enum uci_err {
	UCI_OK = 0,
	UCI_ERR_MEM,
	UCI_ERR_INVAL,
	UCI_ERR_NOTFOUND,
	UCI_ERR_IO,
	UCI_ERR_PARSE,
	UCI_ERR_DUPLICATE,
	UCI_ERR_UNKNOWN,
	UCI_ERR_LAST,
};

enum uci_flag {
	UCI_FLAG_STRICT = 1 << 0,      /* a parse error fails the load */
	UCI_FLAG_PERROR = 1 << 1,      /* print parse errors skipped in non-strict mode */
	UCI_FLAG_EXPORT_NAME = 1 << 2, /* export names of anonymous sections */
	UCI_FLAG_SAVED_DELTA = 1 << 3, /* keep loaded deltas in package->saved_delta */
};

/* Delta commands; the characters are the line prefixes of delta files. */
enum uci_cmd {
	UCI_CMD_ADD,      /* '+' */
	UCI_CMD_REMOVE,   /* '-' */
	UCI_CMD_CHANGE,   /* no prefix */
	UCI_CMD_RENAME,   /* '@' */
	UCI_CMD_REORDER,  /* '^' */
	UCI_CMD_LIST_ADD, /* '|' */
	UCI_CMD_LIST_DEL, /* '~' */
};

enum uci_type { UCI_TYPE_NONE, UCI_TYPE_PACKAGE, UCI_TYPE_SECTION, UCI_TYPE_OPTION };
enum uci_option_type { UCI_OPTION_STRING, UCI_OPTION_LIST };

struct uci_delta {
	enum uci_cmd cmd;
	char *section;
	char *option; /* NULL for section-level changes */
	char *value;  /* NULL only for a plain remove */
};

struct uci_section;
struct uci_package;

struct uci_option {
	char *name;
	enum uci_option_type type;
	char *string;  /* UCI_OPTION_STRING */
	char **items;  /* UCI_OPTION_LIST */
	size_t n_items;
	struct uci_section *section;
};

struct uci_section {
	char *name;
	char *type;
	bool anonymous;
	struct uci_option **options;
	size_t n_options;
	struct uci_package *package;
};

struct uci_package {
	char *name;
	char *path;     /* file it was loaded from, NULL if never on disk */
	bool has_delta; /* lives in confdir: changes go to the save dir */
	unsigned n_section; /* sections ever created: feeds anonymous names */
	struct uci_section **sections;
	size_t n_sections;
	struct uci_delta *delta;       /* changes not yet saved */
	size_t n_delta;
	struct uci_delta *saved_delta; /* changes read from delta files */
	size_t n_saved_delta;
};

/* Where the last parse error was: the library keeps file and line even
 * though the CLI prints OpenWrt's "at line N, byte M" form. */
struct uci_parse_error {
	char *file;         /* owned, may be NULL */
	const char *reason; /* static text */
	int line;           /* lines read when the error was found (OpenWrt's count) */
	size_t byte;        /* offset in the command's line buffer (0-based) */
};

struct uci_context {
	char *confdir;
	char *savedir;
	char **delta_paths; /* read before savedir, in order */
	size_t n_delta_paths;
	unsigned flags;
	int err;
	bool has_perr;
	struct uci_parse_error perr;
};

/* A parsed "package.section.option=value" reference (libuci's uci_ptr). */
enum uci_ptr_flag {
	UCI_LOOKUP_DONE = 1 << 0,
	UCI_LOOKUP_COMPLETE = 1 << 1, /* everything named was found */
	UCI_LOOKUP_EXTENDED = 1 << 2, /* section is "@type[index]" */
};

struct uci_ptr {
	enum uci_type target;
	unsigned flags;
	struct uci_package *p;
	struct uci_section *s;
	struct uci_option *o;
	enum uci_type last; /* deepest element found */
	const char *package;
	const char *section;
	const char *option;
	const char *value;
};

/* context */
struct uci_context *uci_context_new(void);
void uci_context_free(struct uci_context *ctx);
int uci_context_set_confdir(struct uci_context *ctx, const char *dir);
int uci_context_set_savedir(struct uci_context *ctx, const char *dir);
int uci_context_add_delta_path(struct uci_context *ctx, const char *dir);

/* errors: "PREFIX: Parse error (reason) at line N, byte M" (OpenWrt form) */
char *uci_error_string(const struct uci_context *ctx, const char *prefix);
void uci_error_print(const struct uci_context *ctx, const char *prefix);
/* "FILE:LINE: reason" for the last parse error, or NULL */
char *uci_error_location(const struct uci_context *ctx);

/* loading, parsing, writing */
int uci_package_load(struct uci_context *ctx, const char *name, struct uci_package **out);
int uci_package_parse(struct uci_context *ctx, const char *buf, size_t len,
		      const char *label, const char *name, struct uci_package **out);
/* Import like `uci import`: without name, "package" lines start packages.
 * With merge (and a name) the text is merged into *merge, recording deltas. */
int uci_package_import(struct uci_context *ctx, const char *buf, size_t len,
		       const char *label, const char *name, struct uci_package *merge,
		       struct uci_package ***pkgs, size_t *n_pkgs);
void uci_package_free(struct uci_package *p);
int uci_package_export(struct uci_context *ctx, FILE *f, const struct uci_package *p, bool header);
char *uci_package_export_string(struct uci_context *ctx, const struct uci_package *p,
				bool header, size_t *len);
int uci_package_save(struct uci_context *ctx, struct uci_package *p);
int uci_package_commit(struct uci_context *ctx, struct uci_package **p, bool overwrite);
int uci_package_revert(struct uci_context *ctx, struct uci_ptr *ptr);
int uci_list_configs(struct uci_context *ctx, char ***names, size_t *n);
void uci_list_configs_free(char **names, size_t n);

/* lookup */
int uci_ptr_parse(struct uci_context *ctx, struct uci_ptr *ptr, char *str);
int uci_ptr_lookup(struct uci_context *ctx, struct uci_ptr *ptr, char *str, bool extended);
struct uci_section *uci_section_find(const struct uci_package *p, const char *name);
struct uci_section *uci_section_find_ext(const struct uci_package *p, const char *ref, int *err);
struct uci_option *uci_option_find(const struct uci_section *s, const char *name);
const char *uci_option_get_string(const struct uci_package *p, const char *section, const char *option);

/* changes (recorded as deltas when the package has_delta) */
int uci_set(struct uci_context *ctx, struct uci_ptr *ptr);
int uci_section_add(struct uci_context *ctx, struct uci_package *p, const char *type,
		    struct uci_section **out);
int uci_delete(struct uci_context *ctx, struct uci_ptr *ptr);
int uci_rename(struct uci_context *ctx, struct uci_ptr *ptr);
int uci_section_reorder(struct uci_context *ctx, struct uci_section *s, long pos);
int uci_list_add(struct uci_context *ctx, struct uci_ptr *ptr);
int uci_list_del(struct uci_context *ctx, struct uci_ptr *ptr);

/* validation (libuci's rules) */
bool uci_validate_name(const char *s);    /* [A-Za-z0-9_]+ */
bool uci_validate_package(const char *s); /* [A-Za-z0-9_-]+ */
bool uci_validate_type(const char *s);    /* printable, no space */
bool uci_validate_text(const char *s);    /* no control chars but \t \n \r */

/* CLI entry point (src/uci/uci_cli.c); main.c only calls this. */
int uci_cli_main(int argc, char **argv);

#endif
