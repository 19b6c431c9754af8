/* uci_lex: libuci's line reader and word syntax (quotes, escapes, continuation, comments), decoded in place. */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "uci_internal.h"

#define LINEBUF 32

int uci_alloc_parse_context(struct uci_context *ctx)
{
	ctx->pctx = calloc(1, sizeof(*ctx->pctx));
	return ctx->pctx ? UCI_OK : uci_fail(ctx, UCI_ERR_MEM);
}

void uci_cleanup(struct uci_context *ctx)
{
	free(ctx->buf);
	ctx->buf = NULL;
	ctx->bufsz = 0;
	struct uci_parse_context *pctx = ctx->pctx;
	if (!pctx)
		return;
	ctx->pctx = NULL;
	uci_free_package(&pctx->package);
	free(pctx->buf);
	free(pctx);
}

int uci_parse_error(struct uci_context *ctx, const char *reason)
{
	ctx->pctx->reason = reason;
	ctx->pctx->byte = (int)ctx->pctx->pos;
	return uci_fail(ctx, UCI_ERR_PARSE);
}

static int grow(struct uci_context *ctx, struct uci_parse_context *pctx)
{
	char *b = realloc(pctx->buf, pctx->bufsz * 2);
	if (!b)
		return uci_fail(ctx, UCI_ERR_MEM);
	pctx->buf = b;
	pctx->bufsz *= 2;
	return UCI_OK;
}

/* Read the next line (through its newline) into buf at offset, the way
 * libuci does with fgets: a line counts only once its newline is read. */
int uci_getln(struct uci_context *ctx, size_t offset)
{
	struct uci_parse_context *pctx = ctx->pctx;
	if (!pctx->buf) {
		if (!(pctx->buf = malloc(LINEBUF)))
			return uci_fail(ctx, UCI_ERR_MEM);
		pctx->bufsz = LINEBUF;
	}
	if (offset >= pctx->bufsz - 1 && grow(ctx, pctx))
		return UCI_ERR_MEM;
	size_t ofs = offset;
	for (;;) {
		char *p = &pctx->buf[ofs];
		p[0] = 0;
		if (!fgets(p, (int)(pctx->bufsz - ofs), pctx->file) || !*p)
			return UCI_OK;
		ofs += strlen(p);
		pctx->buf_filled = ofs;
		if (pctx->buf[ofs - 1] == '\n') {
			pctx->line++;
			return UCI_OK;
		}
		/* libuci doubles here even when a NUL byte hid the rest of a
		 * line that did fit: a file of such lines would take memory
		 * exponential in its length. Grow only when full. */
		if (ofs + 1 >= pctx->bufsz && grow(ctx, pctx))
			return UCI_ERR_MEM;
	}
}

/* After a backslash: 1 if the next byte is taken literally, 0 if the
 * backslash ended the line and the next line was read onto it. */
static int parse_backslash(struct uci_context *ctx)
{
	struct uci_parse_context *pctx = ctx->pctx;
	pctx->pos++;
	char c = pctx_cur(pctx);
	if (!c || c == '\n' ||
	    (c == '\r' && pctx->buf[pctx->pos + 1] == '\n' && !pctx->buf[pctx->pos + 2])) {
		if (uci_getln(ctx, pctx->pos))
			return -1;
		return 0;
	}
	return 1;
}

static void skip_whitespace(struct uci_parse_context *pctx)
{
	while (pctx_cur(pctx) && isspace((unsigned char)pctx_cur(pctx)))
		pctx->pos++;
}

static void addc(struct uci_parse_context *pctx, size_t *target)
{
	pctx->buf[(*target)++] = pctx->buf[pctx->pos++];
}

static int parse_quoted(struct uci_context *ctx, size_t *target, char quote)
{
	struct uci_parse_context *pctx = ctx->pctx;
	pctx->pos++;
	for (;;) {
		char c = pctx_cur(pctx);
		if (c == quote) {
			pctx->pos++;
			return UCI_OK;
		}
		if (!c) {
			/* the value goes on on the next line */
			if (uci_getln(ctx, pctx->pos))
				return UCI_ERR_MEM;
			if (!pctx_cur(pctx))
				return uci_parse_error(ctx, quote == '"' ? "EOF with unterminated \""
									 : "EOF with unterminated '");
			continue;
		}
		if (c == '\\' && quote == '"') {
			int r = parse_backslash(ctx);
			if (r < 0)
				return UCI_ERR_MEM;
			if (!r)
				continue;
		}
		addc(pctx, target);
	}
}

/* One word, its parts concatenated, written over the input from *target. */
static int parse_str(struct uci_context *ctx, size_t *target)
{
	struct uci_parse_context *pctx = ctx->pctx;
	bool next = true;
	int err;
	do {
		char c = pctx_cur(pctx);
		if (c == '\'' || c == '"') {
			if ((err = parse_quoted(ctx, target, c)))
				return err;
			continue;
		}
		if (c == '#')
			pctx_cur(pctx) = 0;
		if (c == '#' || c == 0)
			break;
		if (c == ';') {
			next = false;
			break;
		}
		if (c == '\\') {
			int r = parse_backslash(ctx);
			if (r < 0)
				return UCI_ERR_MEM;
			if (!r)
				continue;
		}
		addc(pctx, target);
	} while (pctx_cur(pctx) && !isspace((unsigned char)pctx_cur(pctx)));
	/* the blank that ended the word is overwritten by the terminator:
	 * step over it. A ';' right after a bare word is overwritten too and
	 * the rest of the line is lost: libuci does the same. */
	if (pctx_cur(pctx) && next)
		pctx->pos++;
	pctx->buf[*target] = 0;
	return UCI_OK;
}

int uci_next_arg(struct uci_context *ctx, bool required, bool name, bool package, size_t *val)
{
	struct uci_parse_context *pctx = ctx->pctx;
	skip_whitespace(pctx);
	size_t ptr = pctx->pos;
	*val = ptr;
	if (pctx_cur(pctx) == ';') {
		pctx_cur(pctx) = 0;
		pctx->pos++;
	} else {
		int err = parse_str(ctx, &ptr);
		if (err)
			return err;
	}
	if (!pctx->buf[*val])
		return required ? uci_parse_error(ctx, "insufficient arguments") : UCI_OK;
	if (name && !uci_validate_str(pctx_str(pctx, *val), name, package))
		return uci_parse_error(ctx, "invalid character in name field");
	return UCI_OK;
}

int uci_parse_argument(struct uci_context *ctx, FILE *stream, char **str, char **result)
{
	int err;
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	if (!str || !result)
		return uci_fail(ctx, UCI_ERR_INVAL);
	if (ctx->pctx && ctx->pctx->file != stream)
		uci_cleanup(ctx);
	if (!ctx->pctx && (err = uci_alloc_parse_context(ctx)))
		return err;
	struct uci_parse_context *pctx = ctx->pctx;
	pctx->file = stream;
	if (!*str) {
		pctx->pos = 0;
		if ((err = uci_getln(ctx, 0)))
			return err;
	}
	if (!pctx->buf && (err = uci_getln(ctx, 0)))
		return err;
	size_t ofs;
	if ((err = uci_next_arg(ctx, false, false, false, &ofs)))
		return err;
	*result = pctx_str(pctx, ofs);
	*str = pctx_str(pctx, pctx->pos);
	return UCI_OK;
}
