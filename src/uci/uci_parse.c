/* uci_parse: config file grammar (package/config/option/list) into packages, plus context and error text. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "uci_internal.h"

#ifndef UCI_CONFDIR
#define UCI_CONFDIR "/etc/config"
#endif
#ifndef UCI_SAVEDIR
#define UCI_SAVEDIR "/tmp/.uci"
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

struct uci_context *uci_context_new(void)
{
	struct uci_context *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	ctx->flags = UCI_FLAG_STRICT | UCI_FLAG_SAVED_DELTA;
	ctx->confdir = strdup(UCI_CONFDIR);
	ctx->savedir = strdup(UCI_SAVEDIR);
	if (!ctx->confdir || !ctx->savedir) {
		uci_context_free(ctx);
		return NULL;
	}
	return ctx;
}

void uci_context_free(struct uci_context *ctx)
{
	if (!ctx)
		return;
	free(ctx->confdir);
	free(ctx->savedir);
	for (size_t i = 0; i < ctx->n_delta_paths; i++)
		free(ctx->delta_paths[i]);
	free(ctx->delta_paths);
	free(ctx->perr.file);
	free(ctx);
}

static int replace_str(struct uci_context *ctx, char **dst, const char *src)
{
	char *s = strdup(src);
	if (!s)
		return uci_fail(ctx, UCI_ERR_MEM);
	free(*dst);
	*dst = s;
	return UCI_OK;
}

int uci_context_set_confdir(struct uci_context *ctx, const char *dir)
{
	return replace_str(ctx, &ctx->confdir, dir);
}

int uci_context_set_savedir(struct uci_context *ctx, const char *dir)
{
	return replace_str(ctx, &ctx->savedir, dir);
}

int uci_context_add_delta_path(struct uci_context *ctx, const char *dir)
{
	for (size_t i = 0; i < ctx->n_delta_paths; i++)
		if (!strcmp(ctx->delta_paths[i], dir))
			return uci_fail(ctx, UCI_ERR_DUPLICATE);
	char **v = realloc(ctx->delta_paths, (ctx->n_delta_paths + 1) * sizeof(*v));
	if (!v)
		return uci_fail(ctx, UCI_ERR_MEM);
	ctx->delta_paths = v;
	if (!(v[ctx->n_delta_paths] = strdup(dir)))
		return uci_fail(ctx, UCI_ERR_MEM);
	ctx->n_delta_paths++;
	return UCI_OK;
}

char *uci_error_string(const struct uci_context *ctx, const char *prefix)
{
	int err = ctx ? ctx->err : UCI_ERR_INVAL;
	if (err < 0 || err >= UCI_ERR_LAST)
		err = UCI_ERR_UNKNOWN;
	struct uci_buf b = { 0 };
	if (prefix) {
		uci_buf_puts(&b, prefix);
		uci_buf_puts(&b, ": ");
	}
	uci_buf_puts(&b, uci_errstr[err]);
	if (err == UCI_ERR_PARSE && ctx && ctx->has_perr) {
		char tail[96];
		snprintf(tail, sizeof(tail), " at line %d, byte %zu", ctx->perr.line, ctx->perr.byte);
		uci_buf_puts(&b, " (");
		uci_buf_puts(&b, ctx->perr.reason);
		uci_buf_puts(&b, ")");
		uci_buf_puts(&b, tail);
	}
	if (b.oom) {
		free(b.data);
		return NULL;
	}
	return b.data;
}

void uci_error_print(const struct uci_context *ctx, const char *prefix)
{
	char *s = uci_error_string(ctx, prefix);
	fprintf(stderr, "%s\n", s ? s : "Out of memory");
	free(s);
}

char *uci_error_location(const struct uci_context *ctx)
{
	if (!ctx->has_perr)
		return NULL;
	struct uci_buf b = { 0 };
	char num[32];
	snprintf(num, sizeof(num), ":%d: ", ctx->perr.line);
	uci_buf_puts(&b, ctx->perr.file ? ctx->perr.file : "-");
	uci_buf_puts(&b, num);
	uci_buf_puts(&b, ctx->perr.reason);
	if (b.oom) {
		free(b.data);
		return NULL;
	}
	return b.data;
}

/* ---- parser ---- */

struct parser {
	struct uci_context *ctx;
	struct uci_lexer lx;
	const char *name;  /* package name given by the caller, or NULL */
	bool single;       /* "package" lines are checked and ignored */
	bool merge;        /* changes are recorded as deltas */
	struct uci_package *pkg;
	struct uci_section *section;
	struct uci_package **done;
	size_t n_done;
	int hard_err;      /* non-parse error: stops even in non-strict mode */
	size_t kw_pos;     /* offset of the current command word */
};

static int syntax(struct parser *ps, const char *reason)
{
	uci_lex_error(&ps->lx, reason);
	return -1;
}

/* next argument; -1 on syntax error (reason set), -2 hard error */
static int arg(struct parser *ps, bool required, const char **out)
{
	int r = uci_lex_next_arg(&ps->lx);
	if (r == -2) {
		ps->hard_err = UCI_ERR_MEM;
		return -2;
	}
	if (r)
		return -1;
	*out = ps->lx.tok;
	if (required && !**out)
		return syntax(ps, "insufficient arguments");
	return 0;
}

/* Arguments share the lexer's token buffer, so keep copies. */
static int arg_dup(struct parser *ps, bool required, char **out)
{
	const char *t;
	int r = arg(ps, required, &t);
	if (r)
		return r;
	if (!(*out = strdup(t))) {
		ps->hard_err = UCI_ERR_MEM;
		return -2;
	}
	return 0;
}

static int end_of_command(struct parser *ps, bool *more)
{
	if (uci_lex_at_end(&ps->lx, more))
		return 0;
	const char *extra;
	int r = arg(ps, false, &extra);
	if (r)
		return r;
	if (ps->ctx->flags & UCI_FLAG_STRICT)
		return syntax(ps, "too many arguments");
	/* non-strict: the rest of the line is ignored */
	*more = false;
	return 0;
}

static int switch_package(struct parser *ps, const char *name)
{
	if (ps->pkg) {
		struct uci_package **v = realloc(ps->done, (ps->n_done + 1) * sizeof(*v));
		if (!v) {
			ps->hard_err = UCI_ERR_MEM;
			return -2;
		}
		ps->done = v;
		ps->done[ps->n_done++] = ps->pkg;
		ps->pkg = NULL;
		ps->section = NULL;
	}
	if (!name)
		return 0;
	for (size_t i = 0; i < ps->n_done; i++) {
		if (!strcmp(ps->done[i]->name, name)) {
			ps->hard_err = UCI_ERR_DUPLICATE;
			return -2;
		}
	}
	if (!(ps->pkg = uci_package_new(name))) {
		ps->hard_err = UCI_ERR_MEM;
		return -2;
	}
	return 0;
}

static int op_result(struct parser *ps, int err)
{
	if (err == UCI_OK)
		return 0;
	if (err == UCI_ERR_MEM) {
		ps->hard_err = err;
		return -2;
	}
	return syntax(ps, "invalid value");
}

static int cmd_package(struct parser *ps, bool *more)
{
	char *name = NULL;
	int r = arg_dup(ps, true, &name);
	if (!r && !uci_validate_package(name))
		r = syntax(ps, "invalid character in name field");
	if (!r)
		r = end_of_command(ps, more);
	if (!r && !ps->single)
		r = switch_package(ps, name);
	free(name);
	return r;
}

static int cmd_config(struct parser *ps, bool *more)
{
	char *type = NULL, *name = NULL;
	int r = 0;
	if (!ps->pkg) {
		if (!ps->name)
			return syntax(ps, "attempting to import a file without a package name");
		if ((r = switch_package(ps, ps->name)))
			return r;
	}
	if ((r = arg_dup(ps, true, &type)))
		goto out;
	if (!uci_validate_type(type)) {
		r = syntax(ps, "invalid character in type field");
		goto out;
	}
	if ((r = arg_dup(ps, false, &name)))
		goto out;
	if (*name && !uci_validate_name(name)) {
		r = syntax(ps, "invalid character in name field");
		goto out;
	}
	if ((r = end_of_command(ps, more)))
		goto out;
	if (!*name) {
		r = op_result(ps, uci_op_section_add(ps->ctx, ps->pkg, type, &ps->section, ps->merge));
		goto out;
	}
	struct uci_ptr ptr;
	memset(&ptr, 0, sizeof(ptr));
	ptr.p = ps->pkg;
	ptr.package = ps->pkg->name;
	ptr.section = name;
	ptr.value = type;
	ptr.s = uci_section_find(ps->pkg, name);
	if (ptr.s && (ps->ctx->flags & UCI_FLAG_STRICT) && strcmp(ptr.s->type, type)) {
		r = syntax(ps, "section of different type overwrites prior section with same name");
		goto out;
	}
	if (ptr.s)
		ptr.flags |= UCI_LOOKUP_COMPLETE;
	r = op_result(ps, uci_op_set(ps->ctx, &ptr, ps->merge));
	ps->section = ptr.s;
out:
	free(type);
	free(name);
	return r;
}

static int cmd_option(struct parser *ps, bool list, bool *more)
{
	char *name = NULL, *value = NULL;
	int r;
	if (!ps->section) {
		ps->lx.pos = ps->kw_pos;
		return syntax(ps, "option/list command found before the first section");
	}
	if ((r = arg_dup(ps, true, &name)))
		goto out;
	if (!uci_validate_name(name)) {
		r = syntax(ps, "invalid character in name field");
		goto out;
	}
	if ((r = arg_dup(ps, false, &value)) || (r = end_of_command(ps, more)))
		goto out;
	struct uci_ptr ptr;
	uci_ptr_from_section(&ptr, ps->section);
	ptr.option = name;
	ptr.value = value;
	ptr.o = uci_option_find(ps->section, name);
	ptr.flags &= ~(unsigned)UCI_LOOKUP_COMPLETE; /* libuci: an empty value never deletes here */
	r = op_result(ps, list ? uci_op_list_add(ps->ctx, &ptr, ps->merge)
			       : uci_op_set(ps->ctx, &ptr, ps->merge));
out:
	free(name);
	free(value);
	return r;
}

static bool keyword(const char *w, const char *full)
{
	return (w[0] == full[0] && w[1] == 0) || !strcmp(w, full);
}

/* One physical line (which may hold several ';'-separated commands). */
static int parse_line(struct parser *ps)
{
	bool more = true;
	while (more) {
		more = false;
		const char *w;
		size_t word_pos = ps->lx.pos;
		while (word_pos < ps->lx.len && (ps->lx.buf[word_pos] == ' ' || ps->lx.buf[word_pos] == '\t'))
			word_pos++;
		int r = arg(ps, false, &w);
		if (r)
			return r;
		if (!*w)
			return 0; /* blank, comment or lone ';' */
		ps->kw_pos = word_pos;
		if (keyword(w, "package"))
			r = cmd_package(ps, &more);
		else if (keyword(w, "config"))
			r = cmd_config(ps, &more);
		else if (keyword(w, "option"))
			r = cmd_option(ps, false, &more);
		else if (keyword(w, "list"))
			r = cmd_option(ps, true, &more);
		else {
			ps->lx.pos = word_pos; /* OpenWrt reports the command word's offset */
			r = syntax(ps, "invalid command");
		}
		if (r)
			return r;
	}
	return 0;
}

static void parser_cleanup(struct parser *ps, bool keep_pkg)
{
	for (size_t i = 0; i < ps->n_done; i++)
		uci_package_free(ps->done[i]);
	free(ps->done);
	if (!keep_pkg)
		uci_package_free(ps->pkg);
	uci_lex_fini(&ps->lx);
}

int uci_package_import(struct uci_context *ctx, const char *buf, size_t len,
		       const char *label, const char *name, struct uci_package *merge,
		       struct uci_package ***pkgs, size_t *n_pkgs)
{
	struct parser ps = { .ctx = ctx, .name = name, .single = name != NULL };
	ctx->has_perr = false;
	if (name && !uci_validate_package(name))
		return uci_fail(ctx, UCI_ERR_INVAL);
	if (merge) {
		if (!name)
			return uci_fail(ctx, UCI_ERR_INVAL);
		ps.pkg = merge;
		ps.merge = true;
	}
	uci_lex_init(&ps.lx, buf, len);
	while (!uci_lex_eof(&ps.lx)) {
		ps.lx.line_start = ps.lx.pos;
		int r = parse_line(&ps);
		if (r == -2)
			break;
		if (r == -1) {
			if (!(ctx->flags & UCI_FLAG_STRICT) && (ctx->flags & UCI_FLAG_PERROR)) {
				struct uci_context tmp = *ctx;
				tmp.perr.file = NULL;
				uci_lex_report(&tmp, &ps.lx, label);
				uci_error_print(&tmp, NULL);
				free(tmp.perr.file);
			}
			if (ctx->flags & UCI_FLAG_STRICT) {
				int err = uci_lex_report(ctx, &ps.lx, label);
				if (merge)
					ps.pkg = NULL;
				parser_cleanup(&ps, false);
				return err;
			}
			ps.lx.pos = ps.lx.err_pos;
		}
		uci_lex_next_line(&ps.lx);
	}
	if (!ps.hard_err && !ps.pkg && name && !merge)
		switch_package(&ps, name);
	if (merge)
		ps.pkg = NULL;
	if (!ps.hard_err)
		switch_package(&ps, NULL);
	if (ps.hard_err) {
		parser_cleanup(&ps, false);
		return uci_fail(ctx, ps.hard_err);
	}
	uci_lex_fini(&ps.lx);
	*pkgs = ps.done;
	*n_pkgs = ps.n_done;
	return UCI_OK;
}

int uci_package_parse(struct uci_context *ctx, const char *buf, size_t len,
		      const char *label, const char *name, struct uci_package **out)
{
	struct uci_package **v = NULL;
	size_t n = 0;
	int err = uci_package_import(ctx, buf, len, label, name, NULL, &v, &n);
	if (err)
		return err;
	*out = n ? v[0] : NULL;
	for (size_t i = 1; i < n; i++)
		uci_package_free(v[i]);
	free(v);
	return *out ? UCI_OK : uci_fail(ctx, UCI_ERR_NOTFOUND);
}
