/* uci_delta: staged changes in SAVEDIR/NAME (libuci's +-@^|~ line syntax): read, append, revert. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uci_internal.h"

/* indexed by enum uci_cmd; CHANGE has no prefix */
const char uci_delta_prefix[] = { '+', '-', 0, '@', '^', '|', '~' };

void uci_delta_write(struct uci_buf *b, const char *pkg, const struct uci_delta *d)
{
	if (uci_delta_prefix[d->cmd])
		uci_buf_putc(b, uci_delta_prefix[d->cmd]);
	uci_buf_puts(b, pkg);
	uci_buf_putc(b, '.');
	uci_buf_puts(b, d->section);
	if (d->option) {
		uci_buf_putc(b, '.');
		uci_buf_puts(b, d->option);
	}
	if (d->cmd != UCI_CMD_REMOVE || d->value) {
		uci_buf_putc(b, '=');
		uci_buf_quoted(b, d->value);
	}
	uci_buf_putc(b, '\n');
}

/* Parse one delta line: returns the command and fills ptr (pointing into
 * *word, which the caller frees), or -1 if the line is not a valid delta. */
static int delta_parse_line(struct uci_lexer *lx, struct uci_ptr *ptr, char **word)
{
	*word = NULL;
	if (uci_lex_next_arg(lx))
		return -1;
	bool more;
	if (!uci_lex_at_end(lx, &more) || more)
		return -1;
	if (!(*word = strdup(lx->tok)))
		return -1;
	char *s = *word;
	int cmd = UCI_CMD_CHANGE;
	for (int c = 0; c <= UCI_CMD_LIST_DEL; c++) {
		if (uci_delta_prefix[c] && uci_delta_prefix[c] == *s) {
			cmd = c;
			s++;
			break;
		}
	}
	if (uci_ptr_parse(NULL, ptr, s))
		return -1;
	if (!ptr->section || (ptr->flags & UCI_LOOKUP_EXTENDED))
		return -1;
	if (cmd != UCI_CMD_REMOVE && !ptr->value)
		return -1;
	if (cmd == UCI_CMD_REORDER && ptr->option)
		return -1;
	if (cmd == UCI_CMD_RENAME && !uci_validate_name(ptr->value))
		return -1;
	if ((cmd == UCI_CMD_LIST_ADD || cmd == UCI_CMD_LIST_DEL) && !ptr->option)
		return -1;
	return cmd;
}

static void delta_apply(struct uci_context *ctx, struct uci_package *p, int cmd, struct uci_ptr *ptr)
{
	ptr->p = p;
	ptr->s = uci_section_find(p, ptr->section);
	ptr->o = ptr->s && ptr->option ? uci_option_find(ptr->s, ptr->option) : NULL;
	ptr->flags |= UCI_LOOKUP_DONE;
	if (ptr->s && (!ptr->option || ptr->o))
		ptr->flags |= UCI_LOOKUP_COMPLETE;
	int saved = ctx->err;
	switch (cmd) {
	case UCI_CMD_REORDER:
		if (ptr->s)
			uci_op_reorder(ctx, ptr->s, (long)strtoul(ptr->value, NULL, 10), false);
		break;
	case UCI_CMD_RENAME:
		uci_op_rename(ctx, ptr, false);
		break;
	case UCI_CMD_REMOVE:
		uci_op_delete(ctx, ptr, false);
		break;
	case UCI_CMD_LIST_ADD:
		uci_op_list_add(ctx, ptr, false);
		break;
	case UCI_CMD_LIST_DEL:
		uci_op_list_del(ctx, ptr, false);
		break;
	default:
		if (uci_op_set(ctx, ptr, false) == UCI_OK && !ptr->option && ptr->s && cmd == UCI_CMD_ADD)
			ptr->s->anonymous = true;
		break;
	}
	ctx->err = saved; /* a line that does not apply is skipped, as libuci does */
}

static void delta_apply_buffer(struct uci_context *ctx, struct uci_package *p,
			       const char *buf, size_t len)
{
	struct uci_lexer lx;
	uci_lex_init(&lx, buf, len);
	while (!uci_lex_eof(&lx)) {
		lx.line_start = lx.pos;
		struct uci_ptr ptr;
		char *word;
		int cmd = delta_parse_line(&lx, &ptr, &word);
		if (cmd >= 0 && !strcmp(ptr.package, p->name)) {
			if (ctx->flags & UCI_FLAG_SAVED_DELTA)
				uci_delta_append(&p->saved_delta, &p->n_saved_delta, (enum uci_cmd)cmd,
						 ptr.section, ptr.option, ptr.value);
			delta_apply(ctx, p, cmd, &ptr);
		}
		free(word);
		if (lx.reason)
			lx.pos = lx.err_pos;
		lx.reason = NULL;
		uci_lex_next_line(&lx);
	}
	uci_lex_fini(&lx);
}

/* Read one delta file under a shared lock; a missing file is no change. */
static int delta_read_file(const char *path, char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? UCI_OK : UCI_ERR_IO;
	if (flock(fd, LOCK_SH) < 0 && errno != ENOSYS) {
		close(fd);
		return UCI_ERR_IO;
	}
	int err = uci_file_read_all(fd, buf, len);
	close(fd);
	return err;
}

int uci_delta_load_fd(struct uci_context *ctx, struct uci_package *p, int save_fd)
{
	if (!p->has_delta)
		return UCI_OK;
	for (size_t i = 0; i <= ctx->n_delta_paths; i++) {
		const char *dir = i < ctx->n_delta_paths ? ctx->delta_paths[i] : ctx->savedir;
		bool is_save = i == ctx->n_delta_paths;
		if (!is_save && !strcmp(dir, ctx->savedir))
			continue; /* savedir is read last, once */
		char *buf = NULL;
		size_t len = 0;
		int err;
		if (is_save && save_fd >= 0) {
			/* the caller holds this file's lock: read it through its fd */
			err = lseek(save_fd, 0, SEEK_SET) < 0 ? UCI_ERR_IO
							       : uci_file_read_all(save_fd, &buf, &len);
		} else {
			char *path = uci_path_join(dir, p->name);
			if (!path)
				return uci_fail(ctx, UCI_ERR_MEM);
			err = delta_read_file(path, &buf, &len);
			free(path);
		}
		if (err == UCI_ERR_MEM)
			return uci_fail(ctx, err);
		if (!err && buf)
			delta_apply_buffer(ctx, p, buf, len);
		free(buf);
	}
	return UCI_OK;
}

int uci_delta_load(struct uci_context *ctx, struct uci_package *p)
{
	return uci_delta_load_fd(ctx, p, -1);
}

int uci_savedir_prepare(struct uci_context *ctx)
{
	struct stat st;
	if (stat(ctx->savedir, &st) == 0)
		return S_ISDIR(st.st_mode) ? UCI_OK : uci_fail(ctx, UCI_ERR_IO);
	if (mkdir(ctx->savedir, 0700) < 0 && errno != EEXIST)
		return uci_fail(ctx, UCI_ERR_IO);
	return UCI_OK;
}

int uci_package_save(struct uci_context *ctx, struct uci_package *p)
{
	if (!p)
		return uci_fail(ctx, UCI_ERR_INVAL);
	if (!p->has_delta)
		return uci_package_commit(ctx, &p, false);
	if (!p->n_delta)
		return UCI_OK;
	int err = uci_savedir_prepare(ctx);
	if (err)
		return err;
	struct uci_buf b = { 0 };
	for (size_t i = 0; i < p->n_delta; i++)
		uci_delta_write(&b, p->name, &p->delta[i]);
	if (b.oom) {
		free(b.data);
		return uci_fail(ctx, UCI_ERR_MEM);
	}
	char *path = uci_path_join(ctx->savedir, p->name);
	if (!path) {
		free(b.data);
		return uci_fail(ctx, UCI_ERR_MEM);
	}
	/* O_APPEND under an exclusive lock: concurrent `uci set` calls each
	 * add whole lines */
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	free(path);
	err = UCI_ERR_IO;
	if (fd >= 0) {
		if ((flock(fd, LOCK_EX) == 0 || errno == ENOSYS) &&
		    uci_file_write_all(fd, b.data, b.len) == 0)
			err = UCI_OK;
		if (close(fd) < 0)
			err = UCI_ERR_IO;
	}
	free(b.data);
	if (err)
		return uci_fail(ctx, err);
	uci_delta_free_all(p->delta, p->n_delta);
	p->delta = NULL;
	p->n_delta = 0;
	return UCI_OK;
}

/* Drop the lines of SAVEDIR/NAME that touch section[.option]. */
static int delta_filter(struct uci_context *ctx, const char *name, const char *section, const char *option)
{
	char *path = uci_path_join(ctx->savedir, name);
	if (!path)
		return uci_fail(ctx, UCI_ERR_MEM);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return errno == ENOENT ? UCI_OK : uci_fail(ctx, UCI_ERR_IO);
	char *buf = NULL;
	size_t len = 0;
	struct uci_buf out = { 0 };
	int err = UCI_ERR_IO;
	if (flock(fd, LOCK_EX) < 0 && errno != ENOSYS)
		goto done;
	if ((err = uci_file_read_all(fd, &buf, &len)))
		goto done;
	struct uci_lexer lx;
	uci_lex_init(&lx, buf, len);
	while (!uci_lex_eof(&lx)) {
		lx.line_start = lx.pos;
		struct uci_ptr ptr;
		char *word;
		int cmd = delta_parse_line(&lx, &ptr, &word);
		if (cmd >= 0) {
			bool match = !section || !strcmp(section, ptr.section);
			if (match && option)
				match = ptr.option && !strcmp(option, ptr.option);
			if (!match) {
				struct uci_delta d = { (enum uci_cmd)cmd, (char *)ptr.section,
						       (char *)ptr.option, (char *)ptr.value };
				uci_delta_write(&out, name, &d);
			}
		}
		free(word);
		if (lx.reason)
			lx.pos = lx.err_pos;
		lx.reason = NULL;
		uci_lex_next_line(&lx);
	}
	uci_lex_fini(&lx);
	err = UCI_ERR_MEM;
	if (out.oom)
		goto done;
	err = UCI_ERR_IO;
	if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0 ||
	    uci_file_write_all(fd, out.data ? out.data : "", out.len))
		goto done;
	err = UCI_OK;
done:
	if (close(fd) < 0 && !err)
		err = UCI_ERR_IO;
	free(buf);
	free(out.data);
	return err ? uci_fail(ctx, err) : UCI_OK;
}

int uci_package_revert(struct uci_context *ctx, struct uci_ptr *ptr)
{
	if (!ptr->p || !ptr->p->has_delta)
		return uci_fail(ctx, UCI_ERR_INVAL);
	int err = uci_package_save(ctx, ptr->p);
	if (err)
		return err;
	char *name = strdup(ptr->p->name);
	char *section = ptr->section ? strdup(ptr->section) : NULL;
	char *option = ptr->option ? strdup(ptr->option) : NULL;
	if (!name || (ptr->section && !section) || (ptr->option && !option)) {
		err = uci_fail(ctx, UCI_ERR_MEM);
		goto out;
	}
	uci_package_free(ptr->p);
	ptr->p = NULL;
	ptr->s = NULL;
	ptr->o = NULL;
	if ((err = delta_filter(ctx, name, section, option)))
		goto out;
	err = uci_package_load(ctx, name, &ptr->p);
	ptr->section = NULL; /* may have pointed into the freed package */
	ptr->option = NULL;
out:
	free(name);
	free(section);
	free(option);
	return err;
}
