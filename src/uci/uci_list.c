/* uci_list: the element tree (packages, sections, options, lists), lookups, and every change applied to it. */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uci_internal.h"

/*
 * Semantics follow current libuci, so that files, delta files and CLI
 * output agree with OpenWrt's:
 *  - setting an existing option keeps its place (same-length values are
 *    overwritten in place, others re-created right after the old node);
 *  - changing a section's type to one of another length re-creates it under
 *    its current name, which makes an anonymous section named (libuci's
 *    behaviour, kept on purpose);
 *  - turning a string into a list (add_list) moves the option to the end;
 *  - an empty value deletes what exists;
 *  - anonymous names are "cfg" + %02x of the package's section counter +
 *    %04x of a DJB hash of the type (and of options, none at creation);
 *  - names given to rename and types given to add are not checked: the
 *    delta line is written and skipped when read back, as libuci does.
 */

void uci_list_init(struct uci_list *l)
{
	l->next = l;
	l->prev = l;
}

void uci_list_insert(struct uci_list *after, struct uci_list *e)
{
	e->prev = after;
	e->next = after->next;
	after->next->prev = e;
	after->next = e;
}

void uci_list_add(struct uci_list *head, struct uci_list *e)
{
	uci_list_insert(head->prev, e);
}

void uci_list_del(struct uci_list *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	uci_list_init(e);
}

int uci_fail(struct uci_context *ctx, int err)
{
	if (ctx)
		ctx->err = err;
	return err;
}

bool uci_validate_str(const char *s, bool name, bool package)
{
	if (!s || !*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '_' || (package && c == '-'))
			continue;
		if (name || c < 33 || c > 126)
			return false;
	}
	return true;
}

bool uci_validate_text(const char *str)
{
	for (; *str; str++) {
		unsigned char c = (unsigned char)*str;
		if (c == '\r' || c == '\n' || (c < 32 && c != '\t'))
			return false;
	}
	return true;
}

/* ---- allocation ---- */

static void *alloc_element(size_t size, enum uci_type type, const char *name)
{
	struct uci_element *e = calloc(1, size);
	if (!e)
		return NULL;
	e->type = type;
	uci_list_init(&e->list);
	if (name && !(e->name = strdup(name))) {
		free(e);
		return NULL;
	}
	return e;
}

static void free_element(struct uci_element *e)
{
	if (!uci_list_empty(&e->list))
		uci_list_del(&e->list);
	free(e->name);
	free(e);
}

static void free_option(struct uci_option *o)
{
	struct uci_element *e, *tmp;
	if (o->type == UCI_TYPE_STRING) {
		free(o->v.string);
	} else {
		uci_foreach_element_safe(&o->v.list, tmp, e)
			free_element(e);
	}
	free_element(&o->e);
}

/* after: the node to insert behind, NULL for the end of the section */
static struct uci_option *alloc_option(struct uci_section *s, const char *name,
				       const char *value, struct uci_list *after)
{
	struct uci_option *o = alloc_element(sizeof(*o), UCI_TYPE_OPTION, name);
	if (!o)
		return NULL;
	o->type = UCI_TYPE_STRING;
	o->section = s;
	if (!(o->v.string = strdup(value))) {
		free_element(&o->e);
		return NULL;
	}
	uci_list_insert(after ? after : s->options.prev, &o->e.list);
	return o;
}

static struct uci_option *alloc_list(struct uci_section *s, const char *name)
{
	struct uci_option *o = alloc_element(sizeof(*o), UCI_TYPE_OPTION, name);
	if (!o)
		return NULL;
	o->type = UCI_TYPE_LIST;
	o->section = s;
	uci_list_init(&o->v.list);
	uci_list_add(&s->options, &o->e.list);
	return o;
}

static int list_push(struct uci_option *o, const char *value)
{
	struct uci_element *e = alloc_element(sizeof(*e), UCI_TYPE_ITEM, value);
	if (!e)
		return UCI_ERR_MEM;
	uci_list_add(&o->v.list, &e->list);
	return UCI_OK;
}

/* DJB hash over bytes as the platform's char: libuci's names */
static unsigned djbhash(unsigned hash, const char *s)
{
	if (hash == ~0U)
		hash = 5381;
	for (; *s; s++)
		hash = ((hash << 5) + hash) + (unsigned)(int)*s;
	return hash & 0x7FFFFFFF;
}

static int fixup_section(struct uci_section *s)
{
	struct uci_element *e;
	unsigned hash = djbhash(~0U, s->type);
	uci_foreach_element(&s->options, e) {
		struct uci_option *o = uci_to_option(e);
		hash = djbhash(hash, e->name);
		if (o->type == UCI_TYPE_STRING)
			hash = djbhash(hash, o->v.string);
	}
	char buf[32];
	snprintf(buf, sizeof(buf), "cfg%02x%04x", (unsigned)s->package->n_section, hash % (1u << 16));
	return (s->e.name = strdup(buf)) ? UCI_OK : UCI_ERR_MEM;
}

static struct uci_section *alloc_section(struct uci_package *p, const char *type,
					 const char *name, struct uci_list *after)
{
	if (name && !name[0])
		name = NULL;
	struct uci_section *s = alloc_element(sizeof(*s), UCI_TYPE_SECTION, name);
	if (!s)
		return NULL;
	uci_list_init(&s->options);
	s->package = p;
	if (!(s->type = strdup(type))) {
		free_element(&s->e);
		return NULL;
	}
	s->anonymous = name == NULL;
	p->n_section++;
	uci_list_insert(after ? after : p->sections.prev, &s->e.list);
	return s;
}

static void free_section(struct uci_section *s)
{
	struct uci_element *e, *tmp;
	uci_foreach_element_safe(&s->options, tmp, e)
		free_option(uci_to_option(e));
	free(s->type);
	free_element(&s->e);
}

struct uci_package *uci_alloc_package(struct uci_context *ctx, const char *name)
{
	struct uci_package *p = alloc_element(sizeof(*p), UCI_TYPE_PACKAGE, name);
	if (!p)
		return NULL;
	p->ctx = ctx;
	p->backend = &uci_file_backend;
	uci_list_init(&p->sections);
	uci_list_init(&p->delta);
	uci_list_init(&p->saved_delta);
	return p;
}

void uci_free_package(struct uci_package **pp)
{
	struct uci_package *p = *pp;
	struct uci_element *e, *tmp;
	if (!p)
		return;
	free(p->path);
	uci_foreach_element_safe(&p->sections, tmp, e)
		free_section(uci_to_section(e));
	uci_foreach_element_safe(&p->delta, tmp, e)
		uci_free_delta(uci_to_delta(e));
	uci_foreach_element_safe(&p->saved_delta, tmp, e)
		uci_free_delta(uci_to_delta(e));
	free_element(&p->e);
	*pp = NULL;
}

int uci_unload(struct uci_context *ctx, struct uci_package *p)
{
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	if (!p)
		return uci_fail(ctx, UCI_ERR_INVAL);
	uci_free_package(&p);
	return UCI_OK;
}

int uci_add_delta(struct uci_context *ctx, struct uci_list *list, int cmd, const char *section,
		  const char *option, const char *value)
{
	struct uci_delta *d = alloc_element(sizeof(*d), UCI_TYPE_DELTA, option);
	if (!d || !(d->section = strdup(section)) || (value && !(d->value = strdup(value)))) {
		if (d)
			uci_free_delta(d);
		return uci_fail(ctx, UCI_ERR_MEM);
	}
	d->cmd = (enum uci_command)cmd;
	uci_list_add(list, &d->e.list);
	return UCI_OK;
}

void uci_free_delta(struct uci_delta *d)
{
	if (!d)
		return;
	free(d->section);
	free(d->value);
	free_element(&d->e);
}

static int record(struct uci_context *ctx, struct uci_package *p, bool rec, int cmd,
		  const char *section, const char *option, const char *value)
{
	if (!rec || !p->has_delta)
		return UCI_OK;
	return uci_add_delta(ctx, &p->delta, cmd, section, option, value);
}

/* ---- lookup ---- */

struct uci_element *uci_lookup_list(struct uci_list *list, const char *name)
{
	struct uci_element *e;
	uci_foreach_element(list, e)
		if (e->name && !strcmp(e->name, name))
			return e;
	return NULL;
}

int uci_lookup_next(struct uci_context *ctx, struct uci_element **e, struct uci_list *list,
		    const char *name)
{
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	if (!e || !list || !name)
		return uci_fail(ctx, UCI_ERR_INVAL);
	*e = uci_lookup_list(list, name);
	return *e ? UCI_OK : uci_fail(ctx, UCI_ERR_NOTFOUND);
}

/* "@type[idx]" or "@[idx]"; a negative index counts from the end; an empty
 * index is 0 (libuci's strtol check lets it through). */
static int lookup_ext_section(struct uci_context *ctx, struct uci_ptr *ptr, struct uci_element **out)
{
	*out = NULL;
	char *sec = strdup(ptr->section);
	if (!sec)
		return uci_fail(ctx, UCI_ERR_MEM);
	char *name = sec + 1, *idxstr, *t;
	if (sec[0] != '@' || !(idxstr = strchr(name, '[')))
		goto error;
	*idxstr++ = 0;
	if (!(t = strchr(idxstr, ']')) || t[1] != 0)
		goto error;
	*t = 0;
	long idx = strtol(idxstr, &t, 10);
	if (*t)
		goto error;
	if (!*name)
		name = NULL;
	else if (!uci_validate_type(name))
		goto error;
	struct uci_element *e;
	int c = 0;
	if (idx < 0) {
		uci_foreach_element(&ptr->p->sections, e)
			if (!name || !strcmp(uci_to_section(e)->type, name))
				c++;
		idx += c;
		c = 0;
	}
	uci_foreach_element(&ptr->p->sections, e) {
		if (name && strcmp(uci_to_section(e)->type, name))
			continue;
		if (idx == c++) {
			*out = e;
			ptr->section = e->name;
			break;
		}
	}
	free(sec);
	return UCI_OK;
error:
	free(sec);
	memset(ptr, 0, sizeof(*ptr));
	return uci_fail(ctx, UCI_ERR_INVAL);
}

int uci_parse_ptr(struct uci_context *ctx, struct uci_ptr *ptr, char *str)
{
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	if (!ptr || !str)
		return uci_fail(ctx, UCI_ERR_INVAL);
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
		if (str) {
			ptr->option = strsep(&str, ".");
			ptr->target = UCI_TYPE_OPTION;
			if (str)
				goto error;
		}
	}
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
	return uci_fail(ctx, UCI_ERR_PARSE);
}

int uci_do_lookup_ptr(struct uci_context *ctx, struct uci_ptr *ptr, char *str, bool extended)
{
	struct uci_element *e;
	int err;
	if (str && (err = uci_parse_ptr(ctx, ptr, str)))
		return err;
	ptr->flags |= UCI_LOOKUP_DONE;
	e = ptr->p ? &ptr->p->e : uci_lookup_list(&ctx->root, ptr->package);
	if (!e) {
		if ((err = uci_do_load(ctx, ptr->package, &ptr->p)))
			return err;
		if (!ptr->p)
			return uci_fail(ctx, UCI_ERR_NOTFOUND);
		ptr->last = &ptr->p->e;
	} else {
		ptr->p = uci_to_package(e);
		ptr->last = e;
	}
	if (!ptr->section && !ptr->s)
		goto complete;
	if (ptr->s) {
		e = &ptr->s->e;
	} else if (ptr->flags & UCI_LOOKUP_EXTENDED) {
		if (!extended)
			return uci_fail(ctx, UCI_ERR_INVAL);
		if ((err = lookup_ext_section(ctx, ptr, &e)))
			return err;
	} else {
		e = uci_lookup_list(&ptr->p->sections, ptr->section);
	}
	if (!e)
		return UCI_OK;
	ptr->last = e;
	ptr->s = uci_to_section(e);
	if (ptr->option) {
		if (!(e = uci_lookup_list(&ptr->s->options, ptr->option)))
			return UCI_OK;
		ptr->o = uci_to_option(e);
		ptr->last = e;
	}
complete:
	ptr->flags |= UCI_LOOKUP_COMPLETE;
	return UCI_OK;
}

int uci_lookup_ptr(struct uci_context *ctx, struct uci_ptr *ptr, char *str, bool extended)
{
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	if (!ptr)
		return uci_fail(ctx, UCI_ERR_INVAL);
	return uci_do_lookup_ptr(ctx, ptr, str, extended);
}

int uci_expand_ptr(struct uci_context *ctx, struct uci_ptr *ptr, bool complete,
		   struct uci_element **last)
{
	int err;
	if (!ptr)
		return uci_fail(ctx, UCI_ERR_INVAL);
	if (!(ptr->flags & UCI_LOOKUP_DONE) && (err = uci_do_lookup_ptr(ctx, ptr, NULL, true)))
		return err;
	if (complete && !(ptr->flags & UCI_LOOKUP_COMPLETE))
		return uci_fail(ctx, UCI_ERR_NOTFOUND);
	if (!ptr->p)
		return uci_fail(ctx, UCI_ERR_INVAL);
	if (!ptr->package)
		ptr->package = ptr->p->e.name;
	if (ptr->s && !ptr->section)
		ptr->section = ptr->s->e.name;
	if (ptr->o && !ptr->option)
		ptr->option = ptr->o->e.name;
	if (last)
		*last = ptr->o ? &ptr->o->e : ptr->s ? &ptr->s->e : &ptr->p->e;
	return UCI_OK;
}

void uci_fill_ptr(struct uci_ptr *ptr, struct uci_element *e)
{
	memset(ptr, 0, sizeof(*ptr));
	if (e->type == UCI_TYPE_OPTION) {
		ptr->o = uci_to_option(e);
		ptr->option = e->name;
		e = &ptr->o->section->e;
	}
	if (e->type == UCI_TYPE_SECTION) {
		ptr->s = uci_to_section(e);
		ptr->section = e->name;
		e = &ptr->s->package->e;
	}
	ptr->p = uci_to_package(e);
	ptr->package = e->name;
	ptr->flags |= UCI_LOOKUP_DONE;
}

/* ---- changes ---- */

int uci_do_delete(struct uci_context *ctx, struct uci_ptr *ptr, bool rec)
{
	struct uci_element *e1, *e2, *tmp;
	int err;
	if ((err = uci_expand_ptr(ctx, ptr, true, &e1)))
		return err;
	struct uci_package *p = ptr->p;
	if (!ptr->s)
		return uci_fail(ctx, UCI_ERR_INVAL);
	if (ptr->value && ptr->o && ptr->o->type == UCI_TYPE_LIST && *ptr->value) {
		/* "delete pkg.sec.list=N" drops item N. libuci returns 1 (its
		 * "Out of memory") for a non-number; a blank value reads an
		 * uninitialised index there: here it is item 0. */
		int index = 0;
		if (sscanf(ptr->value, "%d", &index) == 0)
			return UCI_ERR_MEM;
		uci_foreach_element_safe(&ptr->o->v.list, tmp, e2) {
			if (index-- != 0)
				continue;
			if ((err = record(ctx, p, rec, UCI_CMD_REMOVE, ptr->section, ptr->option, ptr->value)))
				return err;
			free_element(e2);
			return UCI_OK;
		}
		return UCI_OK;
	}
	if ((err = record(ctx, p, rec, UCI_CMD_REMOVE, ptr->section, ptr->option, NULL)))
		return err;
	if (e1->type == UCI_TYPE_OPTION)
		free_option(uci_to_option(e1));
	else if (e1->type == UCI_TYPE_SECTION)
		free_section(uci_to_section(e1));
	if (ptr->option)
		ptr->o = NULL;
	else if (ptr->section)
		ptr->s = NULL;
	ptr->last = NULL;
	return UCI_OK;
}

/* a section re-created under its name with another type: libuci's path
 * for a type of another length; the new node is not anonymous */
static int retype_section(struct uci_context *ctx, struct uci_ptr *ptr)
{
	struct uci_section *old = ptr->s;
	struct uci_section *s = alloc_section(ptr->p, ptr->value, old->e.name, &old->e.list);
	if (!s)
		return uci_fail(ctx, UCI_ERR_MEM);
	/* the options move over as they are */
	if (!uci_list_empty(&old->options)) {
		s->options = old->options;
		s->options.next->prev = &s->options;
		s->options.prev->next = &s->options;
		uci_list_init(&old->options);
		struct uci_element *e;
		uci_foreach_element(&s->options, e)
			uci_to_option(e)->section = s;
	}
	if (ptr->section == old->e.name)
		ptr->section = s->e.name;
	free_section(old);
	ptr->p->n_section--;
	ptr->s = s;
	return UCI_OK;
}

int uci_do_set(struct uci_context *ctx, struct uci_ptr *ptr, bool rec)
{
	int err;
	if ((err = uci_expand_ptr(ctx, ptr, false, NULL)))
		return err;
	if (!ptr->value || !(ptr->s || (!ptr->option && ptr->section)))
		return uci_fail(ctx, UCI_ERR_INVAL);
	if (!ptr->option && ptr->value[0] && !uci_validate_type(ptr->value))
		return uci_fail(ctx, UCI_ERR_INVAL);
	if (!ptr->o && ptr->s && ptr->option) {
		struct uci_element *e = uci_lookup_list(&ptr->s->options, ptr->option);
		if (e)
			ptr->o = uci_to_option(e);
	}
	if (!ptr->value[0]) {
		/* nothing to delete is no error; libuci's delete here is a
		 * public call, so it records even while replaying deltas */
		if (!(ptr->flags & UCI_LOOKUP_COMPLETE))
			return UCI_OK;
		return uci_do_delete(ctx, ptr, true);
	}
	if (!ptr->o && ptr->option) {
		if (!(ptr->o = alloc_option(ptr->s, ptr->option, ptr->value, NULL)))
			return uci_fail(ctx, UCI_ERR_MEM);
		ptr->last = &ptr->o->e;
	} else if (!ptr->s && ptr->section) {
		if (!(ptr->s = alloc_section(ptr->p, ptr->value, ptr->section, NULL)))
			return uci_fail(ctx, UCI_ERR_MEM);
		ptr->last = &ptr->s->e;
	} else if (ptr->o && ptr->option) {
		struct uci_option *old = ptr->o;
		if (old->type == UCI_TYPE_STRING && !strcmp(old->v.string, ptr->value))
			return UCI_OK;
		if (old->type == UCI_TYPE_STRING && strlen(old->v.string) == strlen(ptr->value)) {
			memcpy(old->v.string, ptr->value, strlen(ptr->value));
		} else {
			if (!(ptr->o = alloc_option(ptr->s, ptr->option, ptr->value, &old->e.list))) {
				ptr->o = old;
				return uci_fail(ctx, UCI_ERR_MEM);
			}
			if (ptr->option == old->e.name)
				ptr->option = ptr->o->e.name;
			free_option(old);
		}
		ptr->last = &ptr->o->e;
	} else if (ptr->s && ptr->section) {
		if (!strcmp(ptr->s->type, ptr->value))
			return UCI_OK;
		if (strlen(ptr->s->type) == strlen(ptr->value))
			memcpy(ptr->s->type, ptr->value, strlen(ptr->value));
		else if ((err = retype_section(ctx, ptr)))
			return err;
		ptr->last = &ptr->s->e;
	} else {
		return uci_fail(ctx, UCI_ERR_INVAL);
	}
	return record(ctx, ptr->p, rec, UCI_CMD_CHANGE, ptr->section, ptr->option, ptr->value);
}

int uci_do_add_section(struct uci_context *ctx, struct uci_package *p, const char *type,
		       struct uci_section **res, bool rec)
{
	if (!p || !type)
		return uci_fail(ctx, UCI_ERR_INVAL);
	struct uci_section *s = alloc_section(p, type, NULL, NULL);
	if (!s)
		return uci_fail(ctx, UCI_ERR_MEM);
	if (fixup_section(s)) {
		free_section(s);
		return uci_fail(ctx, UCI_ERR_MEM);
	}
	if (res)
		*res = s;
	return record(ctx, p, rec, UCI_CMD_ADD, s->e.name, NULL, type);
}

int uci_do_rename(struct uci_context *ctx, struct uci_ptr *ptr, bool rec)
{
	struct uci_element *e;
	int err;
	if ((err = uci_expand_ptr(ctx, ptr, true, &e)))
		return err;
	if (!ptr->s || !ptr->value)
		return uci_fail(ctx, UCI_ERR_INVAL);
	if ((err = record(ctx, ptr->p, rec, UCI_CMD_RENAME, ptr->section, ptr->option, ptr->value)))
		return err;
	char *n = strdup(ptr->value);
	if (!n)
		return uci_fail(ctx, UCI_ERR_MEM);
	if (ptr->section == e->name)
		ptr->section = n;
	if (ptr->option == e->name)
		ptr->option = n;
	free(e->name);
	e->name = n;
	if (e->type == UCI_TYPE_SECTION)
		uci_to_section(e)->anonymous = false;
	return UCI_OK;
}

int uci_do_reorder(struct uci_context *ctx, struct uci_section *s, int pos, bool rec)
{
	struct uci_list *head = &s->package->sections, *after = head;
	struct uci_element *e;
	char order[32];
	snprintf(order, sizeof(order), "%d", pos);
	uci_list_del(&s->e.list);
	uci_foreach_element(head, e) {
		if (pos-- <= 0)
			break;
		after = &e->list;
	}
	uci_list_insert(after, &s->e.list);
	return record(ctx, s->package, rec, UCI_CMD_REORDER, s->e.name, NULL, order);
}

int uci_do_add_list(struct uci_context *ctx, struct uci_ptr *ptr, bool rec)
{
	int err;
	if ((err = uci_expand_ptr(ctx, ptr, false, NULL)))
		return err;
	/* libuci would make a nameless option of "pkg.sec=v" */
	if (!ptr->s || !ptr->value || !ptr->option)
		return uci_fail(ctx, UCI_ERR_INVAL);
	struct uci_option *prev = NULL;
	if (ptr->o && ptr->o->type == UCI_TYPE_LIST) {
		if ((err = record(ctx, ptr->p, rec, UCI_CMD_LIST_ADD, ptr->section, ptr->option, ptr->value)))
			return err;
		return list_push(ptr->o, ptr->value) ? uci_fail(ctx, UCI_ERR_MEM) : UCI_OK;
	}
	prev = ptr->o;
	struct uci_option *o = alloc_list(ptr->s, ptr->option);
	if (!o || (prev && list_push(o, prev->v.string))) {
		if (o)
			free_option(o);
		return uci_fail(ctx, UCI_ERR_MEM);
	}
	if (prev) {
		if (ptr->option == prev->e.name)
			ptr->option = o->e.name;
		free_option(prev);
	}
	ptr->o = o;
	ptr->last = &o->e;
	if ((err = record(ctx, ptr->p, rec, UCI_CMD_LIST_ADD, ptr->section, ptr->option, ptr->value)))
		return err;
	return list_push(o, ptr->value) ? uci_fail(ctx, UCI_ERR_MEM) : UCI_OK;
}

int uci_do_del_list(struct uci_context *ctx, struct uci_ptr *ptr, bool rec)
{
	struct uci_element *e, *tmp;
	int err;
	if ((err = uci_expand_ptr(ctx, ptr, false, NULL)))
		return err;
	if (!ptr->s || !ptr->value)
		return uci_fail(ctx, UCI_ERR_INVAL);
	if (!ptr->o || !ptr->option || ptr->o->type != UCI_TYPE_LIST)
		return UCI_OK;
	if ((err = record(ctx, ptr->p, rec, UCI_CMD_LIST_DEL, ptr->section, ptr->option, ptr->value)))
		return err;
	uci_foreach_element_safe(&ptr->o->v.list, tmp, e)
		if (!strcmp(ptr->value, e->name))
			free_element(e);
	return UCI_OK;
}

#define PUBLIC_CALL(ctx, call) \
	do { \
		if (!(ctx)) \
			return UCI_ERR_INVAL; \
		(ctx)->err = 0; \
		return call; \
	} while (0)

int uci_set(struct uci_context *ctx, struct uci_ptr *ptr) { PUBLIC_CALL(ctx, uci_do_set(ctx, ptr, true)); }
int uci_delete(struct uci_context *ctx, struct uci_ptr *ptr) { PUBLIC_CALL(ctx, uci_do_delete(ctx, ptr, true)); }
int uci_rename(struct uci_context *ctx, struct uci_ptr *ptr) { PUBLIC_CALL(ctx, uci_do_rename(ctx, ptr, true)); }
int uci_add_list(struct uci_context *ctx, struct uci_ptr *ptr) { PUBLIC_CALL(ctx, uci_do_add_list(ctx, ptr, true)); }
int uci_del_list(struct uci_context *ctx, struct uci_ptr *ptr) { PUBLIC_CALL(ctx, uci_do_del_list(ctx, ptr, true)); }

int uci_reorder_section(struct uci_context *ctx, struct uci_section *s, int pos)
{
	if (!ctx)
		return UCI_ERR_INVAL;
	ctx->err = 0;
	if (!s)
		return uci_fail(ctx, UCI_ERR_INVAL);
	return uci_do_reorder(ctx, s, pos, true);
}

int uci_add_section(struct uci_context *ctx, struct uci_package *p, const char *type,
		    struct uci_section **res)
{
	PUBLIC_CALL(ctx, uci_do_add_section(ctx, p, type, res, true));
}

/* ---- helpers for programs (libuci's parse.c) ---- */

void uci_parse_section(struct uci_section *s, const struct uci_parse_option *opts,
		       int n_opts, struct uci_option **tb)
{
	struct uci_element *e;
	memset(tb, 0, (size_t)n_opts * sizeof(*tb));
	uci_foreach_element(&s->options, e) {
		struct uci_option *o = uci_to_option(e);
		for (int i = 0; i < n_opts; i++) {
			if (tb[i] || strcmp(opts[i].name, e->name) || opts[i].type != o->type)
				continue;
			tb[i] = o;
			break;
		}
	}
}

/* FNV-1a over names and values: equal option sets hash equal within a
 * program (libuci uses MurmurHash2; callers only compare hashes). */
static uint32_t hash_bytes(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h ^ 0xff) * 16777619u;
}

uint32_t uci_hash_options(struct uci_option **tb, int n_opts)
{
	uint32_t h = 2166136261u;
	struct uci_element *e;
	for (int i = 0; i < n_opts; i++) {
		if (!tb[i])
			continue;
		h = hash_bytes(h, tb[i]->e.name);
		if (tb[i]->type == UCI_TYPE_STRING) {
			h = hash_bytes(h, tb[i]->v.string);
		} else {
			uci_foreach_element(&tb[i]->v.list, e)
				h = hash_bytes(h, e->name);
		}
	}
	return h;
}
