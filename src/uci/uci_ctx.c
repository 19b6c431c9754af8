/* uci_ctx: the library context (directories, delta path, flags) and OpenWrt's error text. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "uci_internal.h"

#ifndef KEEL_UCI_CONFDIR
#define KEEL_UCI_CONFDIR UCI_CONFDIR
#endif
#ifndef KEEL_UCI_SAVEDIR
#define KEEL_UCI_SAVEDIR UCI_SAVEDIR
#endif
#ifndef KEEL_UCI_CONF2DIR
#define KEEL_UCI_CONF2DIR UCI_CONF2DIR
#endif

static const char *const uci_errstr[UCI_ERR_LAST] = {
	[UCI_OK] = "Success",
	[UCI_ERR_MEM] = "Out of memory",
	[UCI_ERR_INVAL] = "Invalid argument",
	[UCI_ERR_NOTFOUND] = "Entry not found",
	[UCI_ERR_IO] = "I/O error",
	[UCI_ERR_PARSE] = "Parse error",
	[UCI_ERR_DUPLICATE] = "Duplicate entry",
	[UCI_ERR_UNKNOWN] = "Unknown error",
};

static struct uci_element *alloc_path(const char *dir)
{
	struct uci_element *e = calloc(1, sizeof(*e));
	if (!e || !(e->name = strdup(dir))) {
		free(e);
		return NULL;
	}
	e->type = UCI_TYPE_PATH;
	uci_list_init(&e->list);
	return e;
}

struct uci_context *uci_alloc_context(void)
{
	struct uci_context *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	uci_list_init(&ctx->root);
	uci_list_init(&ctx->delta_path);
	uci_list_init(&ctx->backends);
	ctx->flags = UCI_FLAG_STRICT | UCI_FLAG_SAVED_DELTA;
	ctx->backend = &uci_file_backend;
	struct uci_element *save = alloc_path(KEEL_UCI_SAVEDIR);
	ctx->confdir = strdup(KEEL_UCI_CONFDIR);
	ctx->savedir = strdup(KEEL_UCI_SAVEDIR);
	ctx->conf2dir = strdup(KEEL_UCI_CONF2DIR);
	if (save)
		uci_list_add(&ctx->delta_path, &save->list);
	if (!save || !ctx->confdir || !ctx->savedir || !ctx->conf2dir) {
		uci_free_context(ctx);
		return NULL;
	}
	return ctx;
}

void uci_free_context(struct uci_context *ctx)
{
	struct uci_element *e, *tmp;
	if (!ctx)
		return;
	free(ctx->confdir);
	free(ctx->savedir);
	free(ctx->conf2dir);
	uci_cleanup(ctx);
	uci_foreach_element_safe(&ctx->root, tmp, e) {
		struct uci_package *p = uci_to_package(e);
		uci_free_package(&p);
	}
	uci_foreach_element_safe(&ctx->delta_path, tmp, e) {
		free(e->name);
		free(e);
	}
	free(ctx);
}

int uci_set_confdir(struct uci_context *ctx, const char *dir)
{
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	if (!dir)
		return uci_fail(ctx, UCI_ERR_INVAL);
	char *d = strdup(dir);
	if (!d)
		return uci_fail(ctx, UCI_ERR_MEM);
	free(ctx->confdir);
	ctx->confdir = d;
	return UCI_OK;
}

int uci_set_conf2dir(struct uci_context *ctx, const char *dir)
{
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	char *d = dir ? strdup(dir) : NULL;
	if (dir && !d)
		return uci_fail(ctx, UCI_ERR_MEM);
	free(ctx->conf2dir);
	ctx->conf2dir = d;
	return UCI_OK;
}

int uci_set_savedir(struct uci_context *ctx, const char *dir)
{
	struct uci_element *e, *tmp, *found = NULL;
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	if (!dir)
		return uci_fail(ctx, UCI_ERR_INVAL);
	char *d = strdup(dir);
	if (!d)
		return uci_fail(ctx, UCI_ERR_MEM);
	uci_foreach_element_safe(&ctx->delta_path, tmp, e) {
		if (!strcmp(e->name, dir)) {
			found = e;
			uci_list_del(&e->list);
			break;
		}
	}
	if (!found && !(found = alloc_path(dir))) {
		free(d);
		return uci_fail(ctx, UCI_ERR_MEM);
	}
	uci_list_add(&ctx->delta_path, &found->list);
	free(ctx->savedir);
	ctx->savedir = d;
	return UCI_OK;
}

int uci_add_delta_path(struct uci_context *ctx, const char *dir)
{
	struct uci_element *e;
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	if (!dir)
		return uci_fail(ctx, UCI_ERR_INVAL);
	uci_foreach_element(&ctx->delta_path, e)
		if (!strcmp(e->name, dir))
			return uci_fail(ctx, UCI_ERR_DUPLICATE);
	if (!(e = alloc_path(dir)))
		return uci_fail(ctx, UCI_ERR_MEM);
	/* the save dir stays last */
	uci_list_insert(ctx->delta_path.prev->prev, &e->list);
	return UCI_OK;
}

int uci_set_backend(struct uci_context *ctx, const char *name)
{
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	if (!name)
		return uci_fail(ctx, UCI_ERR_INVAL);
	return strcmp(name, uci_file_backend.e.name) ? uci_fail(ctx, UCI_ERR_NOTFOUND) : UCI_OK;
}

/* "PREFIX: ERROR" and for parse errors " (REASON) at line N, byte M". */
static char *error_text(struct uci_context *ctx, const char *prefix)
{
	int err = ctx ? ctx->err : UCI_ERR_INVAL;
	if (err < 0 || err >= UCI_ERR_LAST)
		err = UCI_ERR_UNKNOWN;
	char info[160] = "";
	if (err == UCI_ERR_PARSE && ctx->pctx)
		snprintf(info, sizeof(info), " (%s) at line %d, byte %d",
			 ctx->pctx->reason ? ctx->pctx->reason : "unknown", ctx->pctx->line, ctx->pctx->byte);
	const char *func = ctx && ctx->func ? ctx->func : "";
	size_t n = (prefix ? strlen(prefix) + 2 : 0) + strlen(func) + 2 + strlen(uci_errstr[err]) + strlen(info) + 1;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s%s%s%s%s%s", prefix ? prefix : "", prefix ? ": " : "",
			 func, *func ? ": " : "", uci_errstr[err], info);
	return s;
}

void uci_get_errorstr(struct uci_context *ctx, char **dest, const char *prefix)
{
	if (dest)
		*dest = error_text(ctx, prefix);
}

void uci_perror(struct uci_context *ctx, const char *str)
{
	char *s = error_text(ctx, str);
	fprintf(stderr, "%s\n", s ? s : "Out of memory");
	free(s);
}

int uci_list_configs(struct uci_context *ctx, char ***list)
{
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	if (!list)
		return uci_fail(ctx, UCI_ERR_INVAL);
	*list = uci_file_backend.list_configs(ctx);
	return *list ? UCI_OK : ctx->err ? ctx->err : uci_fail(ctx, UCI_ERR_NOTFOUND);
}

int uci_load(struct uci_context *ctx, const char *name, struct uci_package **package)
{
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	struct uci_package *p = NULL;
	int err = name ? uci_do_load(ctx, name, &p) : uci_fail(ctx, UCI_ERR_INVAL);
	if (package)
		*package = p;
	return err;
}

int uci_commit(struct uci_context *ctx, struct uci_package **package, bool overwrite)
{
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	if (!package || !*package)
		return uci_fail(ctx, UCI_ERR_INVAL);
	return uci_do_commit(ctx, package, overwrite);
}
