/* uci_lex: libuci's word syntax (quotes, escapes, continuation, comments) and a growable buffer. */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "uci_internal.h"

void uci_buf_add(struct uci_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d) {
			b->oom = true;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = 0;
}

void uci_buf_puts(struct uci_buf *b, const char *s)
{
	uci_buf_add(b, s, strlen(s));
}

void uci_buf_putc(struct uci_buf *b, char c)
{
	uci_buf_add(b, &c, 1);
}

void uci_buf_quoted(struct uci_buf *b, const char *s)
{
	uci_buf_putc(b, '\'');
	for (const char *q; (q = strchr(s, '\'')); s = q + 1) {
		uci_buf_add(b, s, (size_t)(q - s));
		uci_buf_puts(b, "'\\''");
	}
	uci_buf_puts(b, s);
	uci_buf_putc(b, '\'');
}

void uci_lex_init(struct uci_lexer *lx, const char *buf, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->buf = buf;
	lx->len = len;
}

void uci_lex_fini(struct uci_lexer *lx)
{
	free(lx->tok);
	lx->tok = NULL;
}

bool uci_lex_eof(const struct uci_lexer *lx)
{
	return lx->pos >= lx->len;
}

static int cur(const struct uci_lexer *lx)
{
	return lx->pos < lx->len ? (unsigned char)lx->buf[lx->pos] : -1;
}

static int peek(const struct uci_lexer *lx, size_t off)
{
	return lx->pos + off < lx->len ? (unsigned char)lx->buf[lx->pos + off] : -1;
}

/* Blanks that separate words; a newline ends the command instead. A NUL
 * byte counts as a blank so binary junk cannot cut a line in two. */
static bool is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' || c == 0;
}

/* backslash + newline (or CR LF, or end of input) joins lines: true if one
 * was skipped */
static bool skip_continuation(struct uci_lexer *lx)
{
	if (cur(lx) != '\\')
		return false;
	if (peek(lx, 1) == '\n') {
		lx->pos += 2;
		return true;
	}
	if (peek(lx, 1) == '\r' && peek(lx, 2) == '\n') {
		lx->pos += 3;
		return true;
	}
	if (peek(lx, 1) == -1) {
		lx->pos += 1;
		return true;
	}
	return false;
}

static void skip_blanks(struct uci_lexer *lx)
{
	for (;;) {
		if (is_blank(cur(lx)))
			lx->pos++;
		else if (!skip_continuation(lx))
			return;
	}
}

static void tok_add(struct uci_lexer *lx, char c)
{
	if (lx->oom)
		return;
	if (lx->tok_len + 2 > lx->tok_cap) {
		size_t cap = lx->tok_cap ? lx->tok_cap * 2 : 64;
		char *t = realloc(lx->tok, cap);
		if (!t) {
			lx->oom = true;
			return;
		}
		lx->tok = t;
		lx->tok_cap = cap;
	}
	lx->tok[lx->tok_len++] = c;
	lx->tok[lx->tok_len] = 0;
}

void uci_lex_error(struct uci_lexer *lx, const char *reason)
{
	lx->reason = reason;
	lx->err_pos = lx->pos;
}

static int lex_single(struct uci_lexer *lx)
{
	lx->pos++;
	for (;;) {
		int c = cur(lx);
		if (c == -1) {
			uci_lex_error(lx, "EOF with unterminated '");
			return -1;
		}
		lx->pos++;
		if (c == '\'')
			return 0;
		tok_add(lx, (char)c);
	}
}

static int lex_double(struct uci_lexer *lx)
{
	lx->pos++;
	for (;;) {
		int c = cur(lx);
		if (c == -1) {
			uci_lex_error(lx, "EOF with unterminated \"");
			return -1;
		}
		if (c == '"') {
			lx->pos++;
			return 0;
		}
		if (c == '\\') {
			if (skip_continuation(lx))
				continue;
			lx->pos++; /* backslash takes the next byte as it is */
			c = cur(lx);
		}
		lx->pos++;
		tok_add(lx, (char)c);
	}
}

int uci_lex_next_arg(struct uci_lexer *lx)
{
	lx->tok_len = 0;
	tok_add(lx, 0);
	lx->tok_len = 0;
	skip_blanks(lx);
	int c = cur(lx);
	if (c == -1 || c == '\n' || c == '#' || c == ';')
		return lx->oom ? -2 : 0;
	while ((c = cur(lx)) != -1 && !is_blank(c) && c != '\n' && c != '#' && c != ';') {
		if (c == '\'') {
			if (lex_single(lx))
				return -1;
		} else if (c == '"') {
			if (lex_double(lx))
				return -1;
		} else if (c == '\\') {
			if (skip_continuation(lx))
				continue;
			lx->pos++;
			tok_add(lx, (char)cur(lx));
			lx->pos++;
		} else {
			tok_add(lx, (char)c);
			lx->pos++;
		}
	}
	return lx->oom ? -2 : 0;
}

bool uci_lex_at_end(struct uci_lexer *lx, bool *more)
{
	*more = false;
	skip_blanks(lx);
	int c = cur(lx);
	if (c == ';') {
		lx->pos++;
		*more = true;
		return true;
	}
	return c == -1 || c == '\n' || c == '#';
}

void uci_lex_next_line(struct uci_lexer *lx)
{
	while (lx->pos < lx->len && lx->buf[lx->pos] != '\n')
		lx->pos++;
	if (lx->pos < lx->len)
		lx->pos++;
	lx->line_start = lx->pos;
}

int uci_lex_report(struct uci_context *ctx, const struct uci_lexer *lx, const char *label)
{
	/* OpenWrt counts the lines it has read, and it reads a whole line
	 * (through its newline) before parsing it. */
	size_t end = lx->err_pos;
	while (end < lx->len && lx->buf[end] != '\n')
		end++;
	int line = 0;
	for (size_t i = 0; i < end && i < lx->len; i++)
		if (lx->buf[i] == '\n')
			line++;
	if (end < lx->len)
		line++;
	free(ctx->perr.file);
	ctx->perr.file = label ? strdup(label) : NULL;
	ctx->perr.reason = lx->reason ? lx->reason : "unknown";
	ctx->perr.line = line;
	ctx->perr.byte = lx->err_pos >= lx->line_start ? lx->err_pos - lx->line_start : 0;
	ctx->has_perr = true;
	return uci_fail(ctx, UCI_ERR_PARSE);
}
