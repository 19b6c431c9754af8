/* uci_model: the in-memory tree (packages, sections, options) and every change applied to it. */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uci_internal.h"

/*
 * Semantics follow libuci so that files, delta files and CLI output agree
 * with OpenWrt's: an updated option is re-created at the end of its
 * section, setting an empty value deletes, anonymous names are
 * "cfg" + %02x section counter + %04x hash of the type.
 */

int uci_fail(struct uci_context *ctx, int err)
{
	if (ctx)
		ctx->err = err;
	return err;
}

/* Arrays grow to the next power of two: realloc only when n is 0 or 2^k. */
static int vec_make_room(void *arrp, size_t n, size_t elem)
{
	void **arr = arrp;
	if (n != 0 && (n & (n - 1)) != 0)
		return 0;
	size_t cap = n ? n * 2 : 1;
	if (cap > SIZE_MAX / elem)
		return -1;
	void *p = realloc(*arr, cap * elem);
	if (!p)
		return -1;
	*arr = p;
	return 0;
}

static bool validate_str(const char *s, bool name, bool package)
{
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '_')
			continue;
		if (c == '-' && package)
			continue;
		if (name || c < 33 || c > 126)
			return false;
	}
	return true;
}

bool uci_validate_name(const char *s) { return validate_str(s, true, false); }
bool uci_validate_package(const char *s) { return validate_str(s, true, true); }
bool uci_validate_type(const char *s) { return validate_str(s, false, false); }

bool uci_validate_text(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 32 && c != '\t' && c != '\n' && c != '\r')
			return false;
	}
	return true;
}

/* ---- allocation ---- */

struct uci_package *uci_package_new(const char *name)
{
	struct uci_package *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->name = strdup(name);
	if (!p->name) {
		free(p);
		return NULL;
	}
	return p;
}

static void option_free(struct uci_option *o)
{
	if (!o)
		return;
	free(o->name);
	free(o->string);
	for (size_t i = 0; i < o->n_items; i++)
		free(o->items[i]);
	free(o->items);
	free(o);
}

static void section_free(struct uci_section *s)
{
	for (size_t i = 0; i < s->n_options; i++)
		option_free(s->options[i]);
	free(s->options);
	free(s->name);
	free(s->type);
	free(s);
}

void uci_delta_free_all(struct uci_delta *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].section);
		free(v[i].option);
		free(v[i].value);
	}
	free(v);
}

void uci_package_free(struct uci_package *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_sections; i++)
		section_free(p->sections[i]);
	free(p->sections);
	uci_delta_free_all(p->delta, p->n_delta);
	uci_delta_free_all(p->saved_delta, p->n_saved_delta);
	free(p->name);
	free(p->path);
	free(p);
}

int uci_delta_append(struct uci_delta **v, size_t *n, enum uci_cmd cmd, const char *section,
		     const char *option, const char *value)
{
	if (vec_make_room(v, *n, sizeof(**v)))
		return UCI_ERR_MEM;
	struct uci_delta *d = &(*v)[*n];
	memset(d, 0, sizeof(*d));
	d->cmd = cmd;
	d->section = strdup(section);
	d->option = option ? strdup(option) : NULL;
	d->value = value ? strdup(value) : NULL;
	if (!d->section || (option && !d->option) || (value && !d->value)) {
		free(d->section);
		free(d->option);
		free(d->value);
		return UCI_ERR_MEM;
	}
	(*n)++;
	return UCI_OK;
}

static int record(struct uci_context *ctx, struct uci_package *p, bool rec, enum uci_cmd cmd,
		  const char *section, const char *option, const char *value)
{
	if (!rec || !p->has_delta)
		return UCI_OK;
	return uci_fail(ctx, uci_delta_append(&p->delta, &p->n_delta, cmd, section, option, value));
}

static unsigned djb_hash(unsigned hash, const char *s)
{
	if (hash == ~0U)
		hash = 5381;
	for (; *s; s++)
		hash = ((hash << 5) + hash) + (unsigned)(signed char)*s;
	return hash & 0x7FFFFFFF;
}

struct uci_section *uci_section_new(struct uci_package *p, const char *type, const char *name)
{
	if (name && !*name)
		name = NULL;
	if (vec_make_room(&p->sections, p->n_sections, sizeof(*p->sections)))
		return NULL;
	struct uci_section *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->package = p;
	s->type = strdup(type);
	p->n_section++;
	if (name) {
		s->name = strdup(name);
	} else {
		/* the name libuci gives: counter and hash of the type */
		char buf[32];
		snprintf(buf, sizeof(buf), "cfg%02x%04x", p->n_section, djb_hash(~0U, type) % (1u << 16));
		s->name = strdup(buf);
		s->anonymous = true;
	}
	if (!s->type || !s->name) {
		section_free(s);
		return NULL;
	}
	p->sections[p->n_sections++] = s;
	return s;
}

static struct uci_option *option_new(struct uci_section *s, const char *name,
				     enum uci_option_type type, const char *value)
{
	if (vec_make_room(&s->options, s->n_options, sizeof(*s->options)))
		return NULL;
	struct uci_option *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->section = s;
	o->type = type;
	o->name = strdup(name);
	if (type == UCI_OPTION_STRING)
		o->string = strdup(value);
	if (!o->name || (type == UCI_OPTION_STRING && !o->string)) {
		option_free(o);
		return NULL;
	}
	s->options[s->n_options++] = o;
	return o;
}

static int list_push(struct uci_option *o, const char *value)
{
	if (vec_make_room(&o->items, o->n_items, sizeof(*o->items)))
		return UCI_ERR_MEM;
	char *v = strdup(value);
	if (!v)
		return UCI_ERR_MEM;
	o->items[o->n_items++] = v;
	return UCI_OK;
}

static void option_remove(struct uci_section *s, struct uci_option *o)
{
	for (size_t i = 0; i < s->n_options; i++) {
		if (s->options[i] == o) {
			memmove(&s->options[i], &s->options[i + 1],
				(s->n_options - i - 1) * sizeof(*s->options));
			s->n_options--;
			break;
		}
	}
	option_free(o);
}

static void section_remove(struct uci_package *p, struct uci_section *s)
{
	for (size_t i = 0; i < p->n_sections; i++) {
		if (p->sections[i] == s) {
			memmove(&p->sections[i], &p->sections[i + 1],
				(p->n_sections - i - 1) * sizeof(*p->sections));
			p->n_sections--;
			break;
		}
	}
	section_free(s);
}

/* ---- lookup ---- */

struct uci_section *uci_section_find(const struct uci_package *p, const char *name)
{
	for (size_t i = 0; i < p->n_sections; i++)
		if (!strcmp(p->sections[i]->name, name))
			return p->sections[i];
	return NULL;
}

struct uci_option *uci_option_find(const struct uci_section *s, const char *name)
{
	for (size_t i = 0; i < s->n_options; i++)
		if (!strcmp(s->options[i]->name, name))
			return s->options[i];
	return NULL;
}

const char *uci_option_get_string(const struct uci_package *p, const char *section, const char *option)
{
	struct uci_section *s = uci_section_find(p, section);
	struct uci_option *o = s ? uci_option_find(s, option) : NULL;
	return o && o->type == UCI_OPTION_STRING ? o->string : NULL;
}

/* "@type[idx]" or "@[idx]"; a negative index counts from the end. */
struct uci_section *uci_section_find_ext(const struct uci_package *p, const char *ref, int *err)
{
	*err = UCI_ERR_INVAL;
	if (ref[0] != '@')
		return NULL;
	const char *br = strchr(ref, '[');
	if (!br)
		return NULL;
	size_t tlen = (size_t)(br - ref - 1);
	const char *type = ref + 1;
	const char *end = strchr(br, ']');
	if (!end || end[1] != 0 || end == br + 1)
		return NULL;
	char *num_end;
	errno = 0;
	long idx = strtol(br + 1, &num_end, 10);
	if (num_end != end || errno)
		return NULL;
	for (size_t i = 0; i < tlen; i++) {
		unsigned char c = (unsigned char)type[i];
		if (c < 33 || c > 126)
			return NULL;
	}
	*err = UCI_OK;
	long count = 0;
	for (size_t i = 0; i < p->n_sections; i++)
		if (!tlen || (strlen(p->sections[i]->type) == tlen && !strncmp(p->sections[i]->type, type, tlen)))
			count++;
	if (idx < 0)
		idx += count;
	if (idx < 0 || idx >= count)
		return NULL;
	long c = 0;
	for (size_t i = 0; i < p->n_sections; i++) {
		struct uci_section *s = p->sections[i];
		if (tlen && (strlen(s->type) != tlen || strncmp(s->type, type, tlen)))
			continue;
		if (c++ == idx)
			return s;
	}
	return NULL;
}

int uci_ptr_parse(struct uci_context *ctx, struct uci_ptr *ptr, char *str)
{
	memset(ptr, 0, sizeof(*ptr));
	char *eq = strchr(str, '=');
	if (eq) {
		*eq = 0;
		ptr->value = eq + 1;
	}
	ptr->package = strsep(&str, ".");
	ptr->target = UCI_TYPE_PACKAGE;
	if (str) {
		ptr->section = strsep(&str, ".");
		ptr->target = UCI_TYPE_SECTION;
	}
	if (str) {
		ptr->option = strsep(&str, ".");
		ptr->target = UCI_TYPE_OPTION;
	}
	if (str)
		goto error;
	if (!uci_validate_package(ptr->package))
		goto error;
	if (ptr->section && !uci_validate_name(ptr->section))
		ptr->flags |= UCI_LOOKUP_EXTENDED;
	if (ptr->option && !uci_validate_name(ptr->option))
		goto error;
	if (ptr->value && !uci_validate_text(ptr->value))
		goto error;
	return UCI_OK;
error:
	memset(ptr, 0, sizeof(*ptr));
	if (ctx)
		ctx->has_perr = false;
	return uci_fail(ctx, UCI_ERR_PARSE);
}

/* Resolve names in ptr against ptr->p (already loaded). */
static int ptr_resolve(struct uci_context *ctx, struct uci_ptr *ptr, bool extended)
{
	ptr->flags |= UCI_LOOKUP_DONE;
	ptr->last = UCI_TYPE_PACKAGE;
	ptr->s = NULL;
	ptr->o = NULL;
	if (!ptr->section) {
		ptr->flags |= UCI_LOOKUP_COMPLETE;
		return UCI_OK;
	}
	if (ptr->flags & UCI_LOOKUP_EXTENDED) {
		int err;
		if (!extended)
			return uci_fail(ctx, UCI_ERR_INVAL);
		ptr->s = uci_section_find_ext(ptr->p, ptr->section, &err);
		if (err)
			return uci_fail(ctx, err);
		if (ptr->s)
			ptr->section = ptr->s->name;
	} else {
		ptr->s = uci_section_find(ptr->p, ptr->section);
	}
	if (!ptr->s)
		return UCI_OK;
	ptr->last = UCI_TYPE_SECTION;
	if (ptr->option) {
		ptr->o = uci_option_find(ptr->s, ptr->option);
		if (!ptr->o)
			return UCI_OK;
		ptr->last = UCI_TYPE_OPTION;
	}
	ptr->flags |= UCI_LOOKUP_COMPLETE;
	return UCI_OK;
}

int uci_ptr_lookup(struct uci_context *ctx, struct uci_ptr *ptr, char *str, bool extended)
{
	int err;
	if (str) {
		struct uci_package *keep = ptr->p;
		if ((err = uci_ptr_parse(ctx, ptr, str)))
			return err;
		ptr->p = keep && !strcmp(keep->name, ptr->package) ? keep : NULL;
		if (keep && !ptr->p)
			return uci_fail(ctx, UCI_ERR_INVAL);
	}
	if (!ptr->p && (err = uci_package_load(ctx, ptr->package, &ptr->p)))
		return err;
	return ptr_resolve(ctx, ptr, extended);
}

void uci_ptr_from_section(struct uci_ptr *ptr, struct uci_section *s)
{
	memset(ptr, 0, sizeof(*ptr));
	ptr->p = s->package;
	ptr->s = s;
	ptr->package = s->package->name;
	ptr->section = s->name;
	ptr->flags = UCI_LOOKUP_DONE | UCI_LOOKUP_COMPLETE;
	ptr->last = UCI_TYPE_SECTION;
}

/* ---- changes ---- */

int uci_op_delete(struct uci_context *ctx, struct uci_ptr *ptr, bool rec)
{
	if (!ptr->p || !(ptr->flags & UCI_LOOKUP_COMPLETE))
		return uci_fail(ctx, UCI_ERR_NOTFOUND);
	if (!ptr->s)
		return uci_fail(ctx, UCI_ERR_INVAL);
	int err;
	if (ptr->o && ptr->o->type == UCI_OPTION_LIST && ptr->value && *ptr->value) {
		/* "delete pkg.sec.list=N" drops the N-th item */
		long idx;
		if (sscanf(ptr->value, "%ld", &idx) != 1)
			return uci_fail(ctx, UCI_ERR_INVAL);
		if (idx < 0 || (size_t)idx >= ptr->o->n_items)
			return UCI_OK;
		if ((err = record(ctx, ptr->p, rec, UCI_CMD_REMOVE, ptr->section, ptr->option, ptr->value)))
			return err;
		struct uci_option *o = ptr->o;
		free(o->items[idx]);
		memmove(&o->items[idx], &o->items[idx + 1], (o->n_items - (size_t)idx - 1) * sizeof(char *));
		o->n_items--;
		return UCI_OK;
	}
	if ((err = record(ctx, ptr->p, rec, UCI_CMD_REMOVE, ptr->section, ptr->option, NULL)))
		return err;
	if (ptr->o) {
		option_remove(ptr->s, ptr->o);
		ptr->o = NULL;
	} else {
		section_remove(ptr->p, ptr->s);
		ptr->s = NULL;
	}
	ptr->flags &= ~(unsigned)UCI_LOOKUP_COMPLETE;
	return UCI_OK;
}

int uci_op_set(struct uci_context *ctx, struct uci_ptr *ptr, bool rec)
{
	if (!ptr->p || !ptr->value || !(ptr->s || (!ptr->option && ptr->section)))
		return uci_fail(ctx, UCI_ERR_INVAL);
	if (!ptr->option && ptr->value[0] && !uci_validate_type(ptr->value))
		return uci_fail(ctx, UCI_ERR_INVAL);
	if (ptr->section && !ptr->s && !uci_validate_name(ptr->section))
		return uci_fail(ctx, UCI_ERR_INVAL);
	if (!ptr->o && ptr->s && ptr->option)
		ptr->o = uci_option_find(ptr->s, ptr->option);
	if (!ptr->value[0]) {
		/* empty value: delete what exists, ignore what does not */
		bool exists = ptr->option ? ptr->o != NULL : ptr->s != NULL;
		if (!exists)
			return UCI_OK;
		ptr->flags |= UCI_LOOKUP_COMPLETE;
		return uci_op_delete(ctx, ptr, rec);
	}
	if (!ptr->o && ptr->option) {
		ptr->o = option_new(ptr->s, ptr->option, UCI_OPTION_STRING, ptr->value);
		if (!ptr->o)
			return uci_fail(ctx, UCI_ERR_MEM);
		ptr->last = UCI_TYPE_OPTION;
	} else if (!ptr->s) {
		ptr->s = uci_section_new(ptr->p, ptr->value, ptr->section);
		if (!ptr->s)
			return uci_fail(ctx, UCI_ERR_MEM);
		ptr->last = UCI_TYPE_SECTION;
	} else if (ptr->o) {
		if (ptr->o->type == UCI_OPTION_STRING && !strcmp(ptr->o->string, ptr->value))
			return UCI_OK;
		/* libuci re-creates the option, so it moves to the end */
		struct uci_option *old = ptr->o;
		ptr->o = option_new(ptr->s, ptr->option, UCI_OPTION_STRING, ptr->value);
		if (!ptr->o) {
			ptr->o = old;
			return uci_fail(ctx, UCI_ERR_MEM);
		}
		option_remove(ptr->s, old);
		ptr->last = UCI_TYPE_OPTION;
	} else {
		char *t = strdup(ptr->value);
		if (!t)
			return uci_fail(ctx, UCI_ERR_MEM);
		free(ptr->s->type);
		ptr->s->type = t;
	}
	ptr->flags |= UCI_LOOKUP_COMPLETE;
	return record(ctx, ptr->p, rec, UCI_CMD_CHANGE, ptr->s->name, ptr->option, ptr->value);
}

int uci_op_section_add(struct uci_context *ctx, struct uci_package *p, const char *type,
		       struct uci_section **out, bool rec)
{
	if (!p || !uci_validate_type(type))
		return uci_fail(ctx, UCI_ERR_INVAL);
	struct uci_section *s = uci_section_new(p, type, NULL);
	if (!s)
		return uci_fail(ctx, UCI_ERR_MEM);
	if (out)
		*out = s;
	return record(ctx, p, rec, UCI_CMD_ADD, s->name, NULL, type);
}

int uci_op_rename(struct uci_context *ctx, struct uci_ptr *ptr, bool rec)
{
	if (!ptr->p || !(ptr->flags & UCI_LOOKUP_COMPLETE))
		return uci_fail(ctx, UCI_ERR_NOTFOUND);
	if (!ptr->s || !ptr->value || !uci_validate_name(ptr->value))
		return uci_fail(ctx, UCI_ERR_INVAL);
	int err = record(ctx, ptr->p, rec, UCI_CMD_RENAME, ptr->section, ptr->option, ptr->value);
	if (err)
		return err;
	char *n = strdup(ptr->value);
	if (!n)
		return uci_fail(ctx, UCI_ERR_MEM);
	if (ptr->o) {
		free(ptr->o->name);
		ptr->o->name = n;
	} else {
		free(ptr->s->name);
		ptr->s->name = n;
		ptr->s->anonymous = false;
	}
	return UCI_OK;
}

int uci_op_reorder(struct uci_context *ctx, struct uci_section *s, long pos, bool rec)
{
	struct uci_package *p = s->package;
	size_t from = 0;
	while (from < p->n_sections && p->sections[from] != s)
		from++;
	if (from == p->n_sections)
		return uci_fail(ctx, UCI_ERR_NOTFOUND);
	size_t to = pos < 0 ? 0 : (size_t)pos;
	if (to >= p->n_sections)
		to = p->n_sections - 1;
	if (to == from)
		return UCI_OK;
	if (to < from)
		memmove(&p->sections[to + 1], &p->sections[to], (from - to) * sizeof(*p->sections));
	else
		memmove(&p->sections[from], &p->sections[from + 1], (to - from) * sizeof(*p->sections));
	p->sections[to] = s;
	char num[32];
	snprintf(num, sizeof(num), "%ld", pos);
	return record(ctx, p, rec, UCI_CMD_REORDER, s->name, NULL, num);
}

int uci_op_list_add(struct uci_context *ctx, struct uci_ptr *ptr, bool rec)
{
	if (!ptr->p || !ptr->s || !ptr->value || !ptr->option)
		return uci_fail(ctx, UCI_ERR_INVAL);
	if (!ptr->o)
		ptr->o = uci_option_find(ptr->s, ptr->option);
	if (ptr->o && ptr->o->type == UCI_OPTION_STRING) {
		/* a string becomes the first item of a new list (at the end) */
		struct uci_option *old = ptr->o;
		struct uci_option *o = option_new(ptr->s, ptr->option, UCI_OPTION_LIST, NULL);
		if (!o || list_push(o, old->string)) {
			if (o)
				option_remove(ptr->s, o);
			return uci_fail(ctx, UCI_ERR_MEM);
		}
		option_remove(ptr->s, old);
		ptr->o = o;
	} else if (!ptr->o) {
		ptr->o = option_new(ptr->s, ptr->option, UCI_OPTION_LIST, NULL);
		if (!ptr->o)
			return uci_fail(ctx, UCI_ERR_MEM);
	}
	if (list_push(ptr->o, ptr->value))
		return uci_fail(ctx, UCI_ERR_MEM);
	ptr->last = UCI_TYPE_OPTION;
	ptr->flags |= UCI_LOOKUP_COMPLETE;
	return record(ctx, ptr->p, rec, UCI_CMD_LIST_ADD, ptr->section, ptr->option, ptr->value);
}

int uci_op_list_del(struct uci_context *ctx, struct uci_ptr *ptr, bool rec)
{
	if (!ptr->p || !ptr->s || !ptr->value)
		return uci_fail(ctx, UCI_ERR_INVAL);
	if (!ptr->o || !ptr->option || ptr->o->type != UCI_OPTION_LIST)
		return UCI_OK;
	int err = record(ctx, ptr->p, rec, UCI_CMD_LIST_DEL, ptr->section, ptr->option, ptr->value);
	if (err)
		return err;
	struct uci_option *o = ptr->o;
	size_t w = 0;
	for (size_t i = 0; i < o->n_items; i++) {
		if (!strcmp(o->items[i], ptr->value))
			free(o->items[i]);
		else
			o->items[w++] = o->items[i];
	}
	o->n_items = w;
	return UCI_OK;
}

int uci_set(struct uci_context *ctx, struct uci_ptr *ptr) { return uci_op_set(ctx, ptr, true); }
int uci_delete(struct uci_context *ctx, struct uci_ptr *ptr) { return uci_op_delete(ctx, ptr, true); }
int uci_rename(struct uci_context *ctx, struct uci_ptr *ptr) { return uci_op_rename(ctx, ptr, true); }
int uci_list_add(struct uci_context *ctx, struct uci_ptr *ptr) { return uci_op_list_add(ctx, ptr, true); }
int uci_list_del(struct uci_context *ctx, struct uci_ptr *ptr) { return uci_op_list_del(ctx, ptr, true); }

int uci_section_reorder(struct uci_context *ctx, struct uci_section *s, long pos)
{
	return uci_op_reorder(ctx, s, pos, true);
}

int uci_section_add(struct uci_context *ctx, struct uci_package *p, const char *type,
		    struct uci_section **out)
{
	return uci_op_section_add(ctx, p, type, out, true);
}
