/* uci: keel's libuci-compatible API (OpenWrt config files, staged deltas, commit), for the CLI and for C programs. */
/* SPDX-License-Identifier: MIT */
#ifndef __LIBUCI_H
#define __LIBUCI_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Source-compatible with OpenWrt's <uci.h>: the same structures, field names,
 * list macros and functions, so programs written for libuci (rpcd, netifd,
 * procd's helpers...) build against keel's library unchanged. The data model:
 * a context holds loaded packages (ctx->root); a package holds sections, a
 * section options, an option a string or a list of items; every node starts
 * with a struct uci_element linked into its parent's struct uci_list.
 * Functions return UCI_OK or a UCI_ERR_* code, also left in ctx->err.
 * Behaviour follows current libuci, its oddities included (docs/uci.md).
 */

#define UCI_CONFDIR "/etc/config"
#define UCI_SAVEDIR "/tmp/.uci"
#define UCI_CONF2DIR "/var/run/uci"
#define UCI_DIRMODE 0700
#define UCI_FILEMODE 0600

enum {
	UCI_OK = 0,
	UCI_ERR_MEM,
	UCI_ERR_INVAL,
	UCI_ERR_NOTFOUND,
	UCI_ERR_IO,
	UCI_ERR_PARSE,
	UCI_ERR_DUPLICATE,
	UCI_ERR_UNKNOWN,
	UCI_ERR_LAST
};

struct uci_list {
	struct uci_list *next;
	struct uci_list *prev;
};

struct uci_ptr;
struct uci_element;
struct uci_package;
struct uci_section;
struct uci_option;
struct uci_delta;
struct uci_context;
struct uci_backend;
struct uci_parse_option;
struct uci_parse_context;

enum uci_type {
	UCI_TYPE_UNSPEC = 0,
	UCI_TYPE_DELTA = 1,
	UCI_TYPE_PACKAGE = 2,
	UCI_TYPE_SECTION = 3,
	UCI_TYPE_OPTION = 4,
	UCI_TYPE_PATH = 5,
	UCI_TYPE_BACKEND = 6,
	UCI_TYPE_ITEM = 7,
	UCI_TYPE_HOOK = 8,
};

enum uci_option_type {
	UCI_TYPE_STRING = 0,
	UCI_TYPE_LIST = 1,
};

enum uci_flags {
	UCI_FLAG_STRICT = (1 << 0),      /* a parse error fails the load */
	UCI_FLAG_PERROR = (1 << 1),      /* print parse errors skipped in non-strict mode */
	UCI_FLAG_EXPORT_NAME = (1 << 2), /* export names of anonymous sections */
	UCI_FLAG_SAVED_DELTA = (1 << 3), /* keep loaded deltas in package->saved_delta */
};

struct uci_element {
	struct uci_list list;
	enum uci_type type;
	char *name;
};

struct uci_backend {
	struct uci_element e;
	char **(*list_configs)(struct uci_context *ctx);
	struct uci_package *(*load)(struct uci_context *ctx, const char *name);
	void (*commit)(struct uci_context *ctx, struct uci_package **p, bool overwrite);
	/* private: */
	const void *ptr;
	void *priv;
};

struct uci_context {
	struct uci_list root;             /* loaded packages */
	struct uci_parse_context *pctx;   /* parser state, kept for error reports */
	struct uci_backend *backend;
	struct uci_list backends;
	enum uci_flags flags;
	char *confdir;
	char *savedir;
	char *conf2dir;                   /* overrides: CONF2DIR/NAME wins over CONFDIR/NAME */
	struct uci_list delta_path;       /* delta dirs read in order; savedir last */
	/* private: */
	int err;
	const char *func;
	bool internal, nested;
	char *buf;
	int bufsz;
};

struct uci_package {
	struct uci_element e;
	struct uci_list sections;
	struct uci_context *ctx;
	bool has_delta;   /* lives in confdir: changes go to the save dir */
	bool uses_conf2;  /* loaded from (and committed to) the override dir */
	char *path;
	/* private: */
	struct uci_backend *backend;
	void *priv;
	int n_section;    /* sections ever created: feeds anonymous names */
	struct uci_list delta;       /* changes not yet saved */
	struct uci_list saved_delta; /* changes read from delta files */
};

struct uci_section {
	struct uci_element e;
	struct uci_list options;
	struct uci_package *package;
	bool anonymous;
	char *type;
};

struct uci_option {
	struct uci_element e;
	struct uci_section *section;
	enum uci_option_type type;
	union {
		struct uci_list list;
		char *string;
	} v;
};

/* UCI_CMD_ADD is used for anonymous sections */
enum uci_command {
	UCI_CMD_ADD,
	UCI_CMD_REMOVE,
	UCI_CMD_CHANGE,
	UCI_CMD_RENAME,
	UCI_CMD_REORDER,
	UCI_CMD_LIST_ADD,
	UCI_CMD_LIST_DEL,
	__UCI_CMD_MAX,
	__UCI_CMD_LAST = __UCI_CMD_MAX - 1
};
extern char const uci_command_char[];

/* e.name is the option (NULL for section-level changes) */
struct uci_delta {
	struct uci_element e;
	enum uci_command cmd;
	char *section;
	char *value;
};

struct uci_ptr {
	enum uci_type target;
	enum {
		UCI_LOOKUP_DONE = (1 << 0),
		UCI_LOOKUP_COMPLETE = (1 << 1),   /* everything named was found */
		UCI_LOOKUP_EXTENDED = (1 << 2),   /* section is "@type[index]" */
	} flags;
	struct uci_package *p;
	struct uci_section *s;
	struct uci_option *o;
	struct uci_element *last;
	const char *package;
	const char *section;
	const char *option;
	const char *value;
};

struct uci_parse_option {
	const char *name;
	enum uci_option_type type;
};

/* context */
struct uci_context *uci_alloc_context(void);
void uci_free_context(struct uci_context *ctx);
int uci_set_confdir(struct uci_context *ctx, const char *dir);
/* the override dir (default /var/run/uci); NULL turns overrides off */
int uci_set_conf2dir(struct uci_context *ctx, const char *dir);
/* also moves (or adds) dir to the end of the delta path */
int uci_set_savedir(struct uci_context *ctx, const char *dir);
/* a delta dir read before the save dir; UCI_ERR_DUPLICATE if listed */
int uci_add_delta_path(struct uci_context *ctx, const char *dir);
int uci_set_backend(struct uci_context *ctx, const char *name);

/* errors: "PREFIX: Parse error (reason) at line N, byte M" */
void uci_perror(struct uci_context *ctx, const char *str);
void uci_get_errorstr(struct uci_context *ctx, char **dest, const char *str);

/* loading and writing */
int uci_load(struct uci_context *ctx, const char *name, struct uci_package **package);
int uci_unload(struct uci_context *ctx, struct uci_package *p);
int uci_import(struct uci_context *ctx, FILE *stream, const char *name,
	       struct uci_package **package, bool single);
int uci_export(struct uci_context *ctx, FILE *stream, struct uci_package *package, bool header);
int uci_save(struct uci_context *ctx, struct uci_package *p);
int uci_commit(struct uci_context *ctx, struct uci_package **p, bool overwrite);
int uci_revert(struct uci_context *ctx, struct uci_ptr *ptr);
/* NULL-terminated array in one allocation: free(list) */
int uci_list_configs(struct uci_context *ctx, char ***list);

/* lookups */
int uci_lookup_ptr(struct uci_context *ctx, struct uci_ptr *ptr, char *str, bool extended);
int uci_parse_ptr(struct uci_context *ctx, struct uci_ptr *ptr, char *str);
int uci_lookup_next(struct uci_context *ctx, struct uci_element **e, struct uci_list *list,
		    const char *name);
int uci_parse_argument(struct uci_context *ctx, FILE *stream, char **str, char **result);
void uci_parse_section(struct uci_section *s, const struct uci_parse_option *opts,
		       int n_opts, struct uci_option **tb);
uint32_t uci_hash_options(struct uci_option **tb, int n_opts);
bool uci_validate_text(const char *str);

/* changes (recorded as deltas when the package has_delta) */
int uci_add_section(struct uci_context *ctx, struct uci_package *p, const char *type,
		    struct uci_section **res);
int uci_set(struct uci_context *ctx, struct uci_ptr *ptr);
int uci_add_list(struct uci_context *ctx, struct uci_ptr *ptr);
int uci_del_list(struct uci_context *ctx, struct uci_ptr *ptr);
int uci_reorder_section(struct uci_context *ctx, struct uci_section *s, int pos);
int uci_rename(struct uci_context *ctx, struct uci_ptr *ptr);
int uci_delete(struct uci_context *ctx, struct uci_ptr *ptr);

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#endif

#define list_to_element(ptr) container_of(ptr, struct uci_element, list)

#define uci_foreach_element(_list, _ptr) \
	for (_ptr = list_to_element((_list)->next); \
	     &_ptr->list != (_list); \
	     _ptr = list_to_element(_ptr->list.next))

/* safe against removing _ptr */
#define uci_foreach_element_safe(_list, _tmp, _ptr) \
	for (_ptr = list_to_element((_list)->next), \
	     _tmp = list_to_element(_ptr->list.next); \
	     &_ptr->list != (_list); \
	     _ptr = _tmp, _tmp = list_to_element(_ptr->list.next))

#define uci_list_empty(list) ((list)->next == (list))

#define uci_type_backend UCI_TYPE_BACKEND
#define uci_type_delta UCI_TYPE_DELTA
#define uci_type_package UCI_TYPE_PACKAGE
#define uci_type_section UCI_TYPE_SECTION
#define uci_type_option UCI_TYPE_OPTION

#define uci_to_backend(ptr) container_of(ptr, struct uci_backend, e)
#define uci_to_delta(ptr) container_of(ptr, struct uci_delta, e)
#define uci_to_package(ptr) container_of(ptr, struct uci_package, e)
#define uci_to_section(ptr) container_of(ptr, struct uci_section, e)
#define uci_to_option(ptr) container_of(ptr, struct uci_option, e)

#define uci_dataptr(ptr) (((char *)(ptr)) + sizeof(*(ptr)))

static inline struct uci_package *uci_lookup_package(struct uci_context *ctx, const char *name)
{
	struct uci_element *e = NULL;
	return uci_lookup_next(ctx, &e, &ctx->root, name) == 0 ? uci_to_package(e) : NULL;
}

static inline struct uci_section *uci_lookup_section(struct uci_context *ctx,
						      struct uci_package *p, const char *name)
{
	struct uci_element *e = NULL;
	return uci_lookup_next(ctx, &e, &p->sections, name) == 0 ? uci_to_section(e) : NULL;
}

static inline struct uci_option *uci_lookup_option(struct uci_context *ctx,
						    struct uci_section *s, const char *name)
{
	struct uci_element *e = NULL;
	return uci_lookup_next(ctx, &e, &s->options, name) == 0 ? uci_to_option(e) : NULL;
}

static inline const char *uci_lookup_option_string(struct uci_context *ctx,
						    struct uci_section *s, const char *name)
{
	struct uci_option *o = uci_lookup_option(ctx, s, name);
	if (!o || o->type != UCI_TYPE_STRING)
		return NULL;
	return o->v.string;
}

#ifndef BITS_PER_LONG
#define BITS_PER_LONG (8 * sizeof(unsigned long))
#endif

static inline void uci_bitfield_set(unsigned long *bits, int bit)
{
	bits[bit / BITS_PER_LONG] |= (1UL << (bit % BITS_PER_LONG));
}

#ifdef __cplusplus
}
#endif

#endif
