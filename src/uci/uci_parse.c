/* uci_parse: the config grammar (package/config/option/list) into packages, import and export. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "uci_internal.h"

/*
 * Recovery follows libuci: in strict mode the first error fails the import;
 * otherwise the rest of the erroneous line is dropped (printed first with
 * UCI_FLAG_PERROR) and parsing goes on with the next line. In non-strict
 * mode a line's surplus arguments are consumed and what follows them is
 * read as further commands.
 */

/* Hand the package being filled to ctx->root and start `name` (if any). */
static int switch_config(struct uci_context *ctx)
{
	struct uci_parse_context *pctx = ctx->pctx;
	if (pctx->package) {
		pctx->package->backend = ctx->backend;
		uci_list_add(&ctx->root, &pctx->package->e.list);
		pctx->package = NULL;
		pctx->section = NULL;
	}
	if (!pctx->name)
		return UCI_OK;
	if (uci_lookup_list(&ctx->root, pctx->name))
		return uci_fail(ctx, UCI_ERR_DUPLICATE);
	if (!(pctx->package = uci_alloc_package(ctx, pctx->name)))
		return uci_fail(ctx, UCI_ERR_MEM);
	return UCI_OK;
}

/* Step over the keyword (terminated by the word split) to its arguments. */
static int skip_keyword(struct uci_context *ctx, const char *reason)
{
	struct uci_parse_context *pctx = ctx->pctx;
	size_t add = strlen(pctx_str(pctx, pctx->pos)) + 1;
	if (pctx->pos + add > pctx->buf_filled)
		return uci_parse_error(ctx, reason);
	pctx->pos += add;
	return UCI_OK;
}

static int assert_eol(struct uci_context *ctx)
{
	size_t ofs;
	int err = uci_next_arg(ctx, false, false, false, &ofs);
	if (err)
		return err;
	if (*pctx_str(ctx->pctx, ofs) && (ctx->flags & UCI_FLAG_STRICT))
		return uci_parse_error(ctx, "too many arguments");
	return UCI_OK;
}

static int parse_package(struct uci_context *ctx, bool single)
{
	struct uci_parse_context *pctx = ctx->pctx;
	size_t ofs;
	int err;
	if ((err = skip_keyword(ctx, "package without name")) ||
	    (err = uci_next_arg(ctx, true, true, true, &ofs)) || (err = assert_eol(ctx)))
		return err;
	if (single)
		return UCI_OK;
	char *name = strdup(pctx_str(pctx, ofs));
	if (!name)
		return uci_fail(ctx, UCI_ERR_MEM);
	pctx->name = name;
	err = switch_config(ctx);
	pctx->name = NULL;
	free(name);
	return err;
}

static int parse_config(struct uci_context *ctx)
{
	struct uci_parse_context *pctx = ctx->pctx;
	size_t ofs_type, ofs_name;
	int err;
	if (!pctx->package) {
		if (!pctx->name)
			return uci_parse_error(ctx, "attempting to import a file without a package name");
		if ((err = switch_config(ctx)))
			return err;
	}
	if ((err = skip_keyword(ctx, "config without name")) ||
	    (err = uci_next_arg(ctx, true, false, false, &ofs_type)))
		return err;
	if (!uci_validate_type(pctx_str(pctx, ofs_type)))
		return uci_parse_error(ctx, "invalid character in type field");
	if ((err = uci_next_arg(ctx, false, true, false, &ofs_name)) || (err = assert_eol(ctx)))
		return err;
	const char *type = pctx_str(pctx, ofs_type), *name = pctx_str(pctx, ofs_name);
	if (!name[0])
		return uci_do_add_section(ctx, pctx->package, type, &pctx->section, pctx->merge);
	struct uci_ptr ptr;
	uci_fill_ptr(&ptr, &pctx->package->e);
	struct uci_element *e = uci_lookup_list(&pctx->package->sections, name);
	if (e) {
		ptr.s = uci_to_section(e);
		if ((ctx->flags & UCI_FLAG_STRICT) && strcmp(ptr.s->type, type))
			return uci_parse_error(ctx, "section of different type overwrites prior section with same name");
	}
	ptr.section = name;
	ptr.value = type;
	err = uci_do_set(ctx, &ptr, pctx->merge);
	pctx->section = ptr.s;
	return err;
}

static int parse_option(struct uci_context *ctx, bool list)
{
	struct uci_parse_context *pctx = ctx->pctx;
	size_t ofs_name, ofs_value;
	int err;
	if (!pctx->section)
		return uci_parse_error(ctx, "option/list command found before the first section");
	if ((err = skip_keyword(ctx, "option without name")) ||
	    (err = uci_next_arg(ctx, true, true, false, &ofs_name)) ||
	    (err = uci_next_arg(ctx, false, false, false, &ofs_value)) || (err = assert_eol(ctx)))
		return err;
	struct uci_ptr ptr;
	uci_fill_ptr(&ptr, &pctx->section->e);
	struct uci_element *e = uci_lookup_list(&pctx->section->options, pctx_str(pctx, ofs_name));
	if (e)
		ptr.o = uci_to_option(e);
	ptr.option = pctx_str(pctx, ofs_name);
	ptr.value = pctx_str(pctx, ofs_value);
	return list ? uci_do_add_list(ctx, &ptr, pctx->merge) : uci_do_set(ctx, &ptr, pctx->merge);
}

static bool keyword(const char *w, const char *full)
{
	return w[0] == full[0] && (w[1] == 0 || !strcmp(w + 1, full + 1));
}

/* The first word of each command is split at a blank or tab like strtok
 * does (a keyword at the very end of a line keeps its newline and is not
 * recognised); commands on one line are separated by ';'. */
static int parse_line(struct uci_context *ctx, bool single)
{
	struct uci_parse_context *pctx = ctx->pctx;
	while (pctx_cur(pctx) && strchr(" \t\n\r\v\f", pctx_cur(pctx)))
		pctx->pos++;
	for (;;) {
		char *w = pctx_str(pctx, pctx->pos);
		w += strspn(w, " \t");
		if (!*w)
			return UCI_OK;
		w[strcspn(w, " \t")] = 0;
		if (*w == '#')
			return UCI_OK;
		int err;
		if (keyword(w, "package"))
			err = parse_package(ctx, single);
		else if (keyword(w, "config"))
			err = parse_config(ctx);
		else if (keyword(w, "option"))
			err = parse_option(ctx, false);
		else if (keyword(w, "list"))
			err = parse_option(ctx, true);
		else
			err = uci_parse_error(ctx, "invalid command");
		if (err)
			return err;
	}
}

int uci_do_import(struct uci_context *ctx, FILE *stream, const char *name,
		  struct uci_package **package, bool single)
{
	int err;
	uci_cleanup(ctx);
	if ((err = uci_alloc_parse_context(ctx)))
		return err;
	struct uci_parse_context *pctx = ctx->pctx;
	pctx->file = stream;
	if (package && *package && single) {
		pctx->package = *package;
		pctx->merge = true;
	}
	if (name) {
		if (!uci_validate_package(name))
			return uci_fail(ctx, UCI_ERR_INVAL);
		pctx->name = name;
	}
	while (!feof(stream) && !ferror(stream)) {
		pctx->pos = 0;
		if ((err = uci_getln(ctx, 0)))
			return err;
		if (!pctx->buf[0] || !(err = parse_line(ctx, single)))
			continue;
		if (ctx->flags & UCI_FLAG_PERROR)
			uci_perror(ctx, NULL);
		if (err != UCI_ERR_PARSE || (ctx->flags & UCI_FLAG_STRICT)) {
			if (pctx->merge)
				pctx->package = NULL; /* the caller's, not ours to free */
			return uci_fail(ctx, err);
		}
	}
	/* libuci leaves a skipped error in ctx->err: loaders clear it */
	int skipped = ctx->err;
	if (!pctx->package && name && (err = switch_config(ctx)))
		return err;
	if (package)
		*package = pctx->package;
	if (pctx->merge)
		pctx->package = NULL;
	pctx->name = NULL;
	if ((err = switch_config(ctx)))
		return err;
	uci_cleanup(ctx);
	ctx->err = skipped;
	return UCI_OK;
}

int uci_import(struct uci_context *ctx, FILE *stream, const char *name,
	       struct uci_package **package, bool single)
{
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	if (!stream)
		return uci_fail(ctx, UCI_ERR_INVAL);
	int err = uci_do_import(ctx, stream, name, package, single);
	return err ? err : UCI_OK;
}

/* Export goes out in the pieces libuci's fprintf calls produce (each literal
 * run and each %s apart), so that a writer that buffers like musl's stdio
 * (the CLI's) flushes at the same points. */
static void put(const struct uci_writer *w, const char *s)
{
	w->put(w->arg, s, strlen(s));
}

/* libuci's escape: ' becomes '\'' (the caller writes the outer quotes) */
static void put_escaped(struct uci_context *ctx, const struct uci_writer *w, const char *s)
{
	size_t n = strlen(s) + 1;
	for (const char *q = s; (q = strchr(q, '\'')); q++)
		n += 3;
	if ((size_t)ctx->bufsz < n) {
		char *b = realloc(ctx->buf, n);
		if (!b) {
			/* libuci would print the text unescaped here */
			for (; *s; s++)
				w->put(w->arg, *s == '\'' ? "'\\''" : s, *s == '\'' ? 4 : 1);
			return;
		}
		ctx->buf = b;
		ctx->bufsz = (int)n;
	}
	char *d = ctx->buf;
	for (; *s; s++) {
		if (*s == '\'') {
			memcpy(d, "'\\''", 4);
			d += 4;
		} else {
			*d++ = *s;
		}
	}
	w->put(w->arg, ctx->buf, (size_t)(d - ctx->buf));
}

static void export_package(struct uci_context *ctx, struct uci_package *p,
			   const struct uci_writer *w, bool header)
{
	struct uci_element *se, *oe, *ie;
	if (header) {
		put(w, "package ");
		put_escaped(ctx, w, p->e.name);
		put(w, "\n");
	}
	uci_foreach_element(&p->sections, se) {
		struct uci_section *s = uci_to_section(se);
		put(w, "\nconfig ");
		put_escaped(ctx, w, s->type);
		if (!s->anonymous || (ctx->flags & UCI_FLAG_EXPORT_NAME)) {
			put(w, " '");
			put_escaped(ctx, w, se->name);
			put(w, "'");
		}
		put(w, "\n");
		uci_foreach_element(&s->options, oe) {
			struct uci_option *o = uci_to_option(oe);
			if (o->type == UCI_TYPE_STRING) {
				put(w, "\toption ");
				put_escaped(ctx, w, oe->name);
				put(w, " '");
				put_escaped(ctx, w, o->v.string);
				put(w, "'\n");
				continue;
			}
			uci_foreach_element(&o->v.list, ie) {
				put(w, "\tlist ");
				put_escaped(ctx, w, oe->name);
				put(w, " '");
				put_escaped(ctx, w, ie->name);
				put(w, "'\n");
			}
		}
	}
	put(w, "\n");
}

int uci_export_to(struct uci_context *ctx, const struct uci_writer *w, struct uci_package *p, bool header)
{
	struct uci_element *e;
	if (p) {
		export_package(ctx, p, w, header);
	} else {
		uci_foreach_element(&ctx->root, e)
			export_package(ctx, uci_to_package(e), w, header);
	}
	return UCI_OK;
}

static void put_file(void *arg, const char *s, size_t n)
{
	fwrite(s, 1, n, arg);
}

int uci_do_export(struct uci_context *ctx, FILE *stream, struct uci_package *p, bool header)
{
	struct uci_writer w = { put_file, stream };
	return uci_export_to(ctx, &w, p, header);
}

int uci_export(struct uci_context *ctx, FILE *stream, struct uci_package *package, bool header)
{
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	if (!stream)
		return uci_fail(ctx, UCI_ERR_INVAL);
	return uci_do_export(ctx, stream, package, header);
}
