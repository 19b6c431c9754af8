/* uci_delta: staged changes in SAVEDIR/NAME (libuci's +-@^|~ line syntax): save, replay, revert. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uci_internal.h"

/*
 * A package's deltas are replayed from every directory of ctx->delta_path
 * in order; the save dir is always the last entry (uci_set_savedir moves it
 * there, the default /tmp/.uci stays before it). A line that does not parse
 * or does not apply is skipped, as libuci does, and still shows in
 * `uci changes` when its package name is right.
 */

char const uci_command_char[] = {
	[UCI_CMD_ADD] = '+',
	[UCI_CMD_REMOVE] = '-',
	[UCI_CMD_CHANGE] = 0,
	[UCI_CMD_RENAME] = '@',
	[UCI_CMD_REORDER] = '^',
	[UCI_CMD_LIST_ADD] = '|',
	[UCI_CMD_LIST_DEL] = '~',
};

static void delta_write(FILE *f, const char *name, const struct uci_delta *d)
{
	if (d->cmd <= __UCI_CMD_LAST && uci_command_char[d->cmd])
		putc(uci_command_char[d->cmd], f);
	fprintf(f, "%s.%s", name, d->section);
	if (d->e.name)
		fprintf(f, ".%s", d->e.name);
	if (d->cmd == UCI_CMD_REMOVE && !d->value) {
		putc('\n', f);
		return;
	}
	fputs("='", f);
	for (const char *v = d->value; *v; v++) {
		if (*v == '\'')
			fputs("'\\''", f);
		else
			putc(*v, f);
	}
	fputs("'\n", f);
}

/* The current line as one delta: its command, ptr filled. */
static int parse_tuple(struct uci_context *ctx, struct uci_ptr *ptr, int *cmd)
{
	struct uci_parse_context *pctx = ctx->pctx;
	char *str = pctx_str(pctx, pctx->pos), *arg;
	int err = uci_parse_argument(ctx, pctx->file, &str, &arg);
	if (err)
		return err;
	if (str && *str)
		return uci_fail(ctx, UCI_ERR_INVAL);
	int c;
	for (c = 0; c <= __UCI_CMD_LAST; c++)
		if (uci_command_char[c] == *arg)
			break;
	if (c > __UCI_CMD_LAST)
		c = UCI_CMD_CHANGE;
	if (c != UCI_CMD_CHANGE)
		arg++;
	if ((err = uci_parse_ptr(ctx, ptr, arg)))
		return err;
	if (!ptr->section || (ptr->flags & UCI_LOOKUP_EXTENDED) || (c != UCI_CMD_REMOVE && !ptr->value) ||
	    (c == UCI_CMD_REORDER && ptr->option) ||
	    (c == UCI_CMD_RENAME && !uci_validate_name(ptr->value)) ||
	    ((c == UCI_CMD_LIST_ADD || c == UCI_CMD_LIST_DEL) && !ptr->option))
		return uci_fail(ctx, UCI_ERR_INVAL);
	*cmd = c;
	return UCI_OK;
}

static int apply_line(struct uci_context *ctx, struct uci_package *p)
{
	struct uci_ptr ptr;
	int cmd, err;
	if ((err = parse_tuple(ctx, &ptr, &cmd)))
		return err;
	if (strcmp(ptr.package, p->e.name))
		return uci_fail(ctx, UCI_ERR_PARSE);
	if ((ctx->flags & UCI_FLAG_SAVED_DELTA) &&
	    (err = uci_add_delta(ctx, &p->saved_delta, cmd, ptr.section, ptr.option, ptr.value)))
		return err;
	ptr.p = p;
	switch (cmd) {
	case UCI_CMD_REORDER:
		if ((err = uci_expand_ptr(ctx, &ptr, true, NULL)))
			return err;
		if (!ptr.s)
			return uci_fail(ctx, UCI_ERR_NOTFOUND);
		return uci_do_reorder(ctx, ptr.s, (int)strtoul(ptr.value, NULL, 10), false);
	case UCI_CMD_RENAME:
		return uci_do_rename(ctx, &ptr, false);
	case UCI_CMD_REMOVE:
		return uci_do_delete(ctx, &ptr, false);
	case UCI_CMD_LIST_ADD:
		return uci_do_add_list(ctx, &ptr, false);
	case UCI_CMD_LIST_DEL:
		return uci_do_del_list(ctx, &ptr, false);
	case UCI_CMD_ADD:
		if ((err = uci_do_set(ctx, &ptr, false)))
			return err;
		if (!ptr.option && ptr.s)
			ptr.s->anonymous = true;
		return UCI_OK;
	default:
		return uci_do_set(ctx, &ptr, false);
	}
}

/* Replay one stream; the number of lines that applied. */
int uci_parse_delta(struct uci_context *ctx, FILE *stream, struct uci_package *p, int *changes)
{
	int err;
	uci_cleanup(ctx);
	if ((err = uci_alloc_parse_context(ctx)))
		return err;
	ctx->pctx->file = stream;
	while (!feof(stream) && !ferror(stream)) {
		ctx->pctx->pos = 0;
		if ((err = uci_getln(ctx, 0)))
			return err;
		if (!ctx->pctx->buf[0])
			continue;
		err = apply_line(ctx, p);
		if (err == UCI_ERR_MEM)
			return err;
		if (!err)
			(*changes)++;
	}
	uci_cleanup(ctx);
	return UCI_OK;
}

int uci_load_delta(struct uci_context *ctx, struct uci_package *p, bool flush, int *changes)
{
	struct uci_element *e;
	FILE *f = NULL;
	int err;
	*changes = 0;
	if (!p->has_delta)
		return UCI_OK;
	uci_foreach_element(&ctx->delta_path, e) {
		char *path = uci_path_join(e->name, p->e.name);
		if (!path)
			return uci_fail(ctx, UCI_ERR_MEM);
		err = uci_open_stream(ctx, path, SEEK_SET, false, false, &f);
		free(path);
		if (err)
			continue; /* no delta there */
		err = uci_parse_delta(ctx, f, p, changes);
		uci_close_stream(f);
		if (err)
			return err;
	}
	char *path = uci_path_join(ctx->savedir, p->e.name);
	if (!path)
		return uci_fail(ctx, UCI_ERR_MEM);
	err = uci_open_stream(ctx, path, SEEK_SET, flush, false, &f);
	free(path);
	if (!err) {
		if (flush && *changes > 0 && ftruncate(fileno(f), 0) < 0) {
			uci_close_stream(f);
			return uci_fail(ctx, UCI_ERR_IO);
		}
		uci_close_stream(f);
	}
	ctx->err = 0;
	return UCI_OK;
}

/* Keep the lines of SAVEDIR/NAME that do not touch section[.option]. An
 * unreadable line ends the filtering with the file as it was (libuci). */
static int filter_delta(struct uci_context *ctx, const char *name, const char *section,
			const char *option)
{
	struct uci_list keep;
	struct uci_element *e, *tmp;
	FILE *f = NULL;
	uci_list_init(&keep);
	uci_cleanup(ctx);
	int err = uci_alloc_parse_context(ctx);
	if (err)
		return err;
	char *path = uci_path_join(ctx->savedir, name);
	if (!path)
		return uci_fail(ctx, UCI_ERR_MEM);
	err = uci_open_stream(ctx, path, SEEK_SET, true, true, &f);
	free(path);
	if (err)
		goto done;
	ctx->pctx->file = f;
	while (!feof(f) && !ferror(f)) {
		struct uci_ptr ptr;
		int c;
		ctx->pctx->pos = 0;
		if ((err = uci_getln(ctx, 0)))
			goto done;
		if (!ctx->pctx->buf[0])
			continue;
		if ((err = parse_tuple(ctx, &ptr, &c)))
			goto done;
		bool match = !section || (ptr.section && !strcmp(section, ptr.section));
		if (match && option)
			match = ptr.option && !strcmp(option, ptr.option);
		if (!match && ptr.section &&
		    (err = uci_add_delta(ctx, &keep, c, ptr.section, ptr.option, ptr.value)))
			goto done;
	}
	rewind(f);
	if (ftruncate(fileno(f), 0) < 0) {
		err = uci_fail(ctx, UCI_ERR_IO);
		goto done;
	}
	uci_foreach_element(&keep, e)
		delta_write(f, name, uci_to_delta(e));
done:
	if (f)
		uci_close_stream(f);
	uci_foreach_element_safe(&keep, tmp, e)
		uci_free_delta(uci_to_delta(e));
	uci_cleanup(ctx);
	return err;
}

int uci_revert(struct uci_context *ctx, struct uci_ptr *ptr)
{
	int err;
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	if ((err = uci_expand_ptr(ctx, ptr, false, NULL)))
		return err;
	if (!ptr->p->has_delta)
		return uci_fail(ctx, UCI_ERR_INVAL);
	if ((err = uci_do_save(ctx, ptr->p)))
		return err;
	char *package = strdup(ptr->p->e.name);
	char *section = ptr->section ? strdup(ptr->section) : NULL;
	char *option = ptr->option ? strdup(ptr->option) : NULL;
	if (!package || (ptr->section && !section) || (ptr->option && !option)) {
		err = uci_fail(ctx, UCI_ERR_MEM);
		goto out;
	}
	uci_free_package(&ptr->p);
	ptr->s = NULL;
	ptr->o = NULL;
	ptr->last = NULL;
	ptr->section = NULL;
	ptr->option = NULL;
	/* a failed filter leaves the deltas as they were; libuci reloads anyway */
	filter_delta(ctx, package, section, option);
	err = uci_do_load(ctx, package, &ptr->p);
	if (!err) {
		ptr->package = ptr->p->e.name;
		ctx->err = 0;
	}
out:
	free(package);
	free(section);
	free(option);
	return err;
}

int uci_do_save(struct uci_context *ctx, struct uci_package *p)
{
	struct uci_element *e, *tmp;
	struct stat st;
	FILE *f;
	int err;
	if (!p)
		return uci_fail(ctx, UCI_ERR_INVAL);
	if (!p->has_delta)
		return uci_do_commit(ctx, &p, false);
	if (uci_list_empty(&p->delta))
		return UCI_OK;
	/* the save dir gets the config dir's mode (OpenWrt's rule) */
	if (stat(ctx->savedir, &st) < 0) {
		mode_t mode = UCI_DIRMODE;
		if (stat(ctx->confdir, &st) == 0)
			mode = st.st_mode & 07777;
		if (mkdir(ctx->savedir, mode) < 0 && errno != EEXIST) {
			/* libuci ignores this; the open below fails */
		}
	} else if (!S_ISDIR(st.st_mode)) {
		return uci_fail(ctx, UCI_ERR_IO);
	}
	char *path = uci_path_join(ctx->savedir, p->e.name);
	if (!path)
		return uci_fail(ctx, UCI_ERR_MEM);
	err = uci_open_stream(ctx, path, SEEK_END, true, true, &f);
	free(path);
	if (err)
		return err;
	uci_foreach_element_safe(&p->delta, tmp, e) {
		delta_write(f, p->e.name, uci_to_delta(e));
		uci_free_delta(uci_to_delta(e));
	}
	if (fflush(f) != 0)
		err = uci_fail(ctx, UCI_ERR_IO);
	uci_close_stream(f);
	return err;
}

int uci_save(struct uci_context *ctx, struct uci_package *p)
{
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	return uci_do_save(ctx, p);
}
