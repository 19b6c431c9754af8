/* svcpack: moves a parsed service definition into one allocation, for PID 1's memory on small boards. */
/* SPDX-License-Identifier: MIT */
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "svc.h"

/*
 * A definition fresh from the parser is a tree of small allocations (every
 * name, argument and array on its own), each paying the allocator's
 * rounding and header. Packed, it is one block: the struct, then the
 * arrays, then the strings. Measured on musl, this saves about a third of
 * PID 1's heap per service. svc_def_free knows both shapes (s->packed).
 *
 * Two passes over the same walk: the first only counts bytes, the second
 * copies. Arrays come before strings so they stay pointer-aligned.
 */
/* Alignment of the arrays after the struct: they hold pointers, unsigneds
 * and struct rlimit (rlim_t), nothing that needs max_align_t. */
#define PACK_ALIGN (alignof(struct svc_rlimit) > alignof(void *) ? alignof(struct svc_rlimit) : alignof(void *))

struct packer {
	char *arr, *str; /* next free byte for arrays, for strings */
	size_t narr, nstr; /* bytes needed (counting pass) */
	bool copy;
};

static char *pk_str(struct packer *k, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	if (!k->copy) {
		k->nstr += n;
		return NULL;
	}
	char *d = k->str;
	memcpy(d, s, n);
	k->str += n;
	return d;
}

static void *pk_arr(struct packer *k, const void *src, size_t bytes)
{
	if (!src || !bytes)
		return NULL;
	size_t room = (bytes + PACK_ALIGN - 1) & ~(PACK_ALIGN - 1);
	if (!k->copy) {
		k->narr += room;
		return NULL;
	}
	void *d = k->arr;
	memcpy(d, src, bytes);
	k->arr += room;
	return d;
}

static void pk_refs(struct packer *k, struct svc_refs *dst, const struct svc_refs *src)
{
	struct svc_ref *v = pk_arr(k, src->v, src->n * sizeof *src->v);
	for (size_t i = 0; i < src->n; i++) {
		char *name = pk_str(k, src->v[i].name);
		if (k->copy)
			v[i].name = name;
	}
	if (k->copy)
		dst->v = v;
}

static char **pk_argv(struct packer *k, char *const *src)
{
	if (!src)
		return NULL;
	size_t n = 0;
	while (src[n])
		n++;
	char **v = pk_arr(k, src, (n + 1) * sizeof *src);
	for (size_t i = 0; i < n; i++) {
		char *a = pk_str(k, src[i]);
		if (k->copy)
			v[i] = a;
	}
	return v;
}

/* Nothing set that differs from svc_opt_default: share it. The '@'
 * argument does not count: only the parser uses it (for %1), and it is
 * the end of the instance name anyway. Without this, every instance of a
 * template ("getty@ttyS0", "level3@45") carried its own copy of the
 * options, half of its definition. */
static bool opt_is_default(const struct svc_opt *o)
{
	const struct svc_opt *z = &svc_opt_default;
	return !o->tty && !o->user && !o->group && !o->env && !o->cwd &&
	       !o->rlimits && !o->ready_file && !o->cs && !o->lv && o->stop_grace_ms == z->stop_grace_ms &&
	       o->respawn_limit == z->respawn_limit && o->respawn_window_ms == z->respawn_window_ms &&
	       o->respawn_delay_ms == z->respawn_delay_ms &&
	       o->respawn_max_delay_ms == z->respawn_max_delay_ms &&
	       o->ready_timeout_ms == z->ready_timeout_ms && o->timeout_ms == z->timeout_ms &&
	       o->target_line == z->target_line && o->umask == z->umask &&
	       o->stop_signal == z->stop_signal && o->tty_truncate == z->tty_truncate &&
	       o->log_mode == z->log_mode && o->log_rate == z->log_rate;
}

static void pk_walk(struct packer *k, struct svc_def *d, const struct svc_def *s)
{
	/* Arrays first (aligned), strings after. */
	const struct svc_opt *so = s->o;
	struct svc_opt *o = NULL;
	bool own_opt = !opt_is_default(so);
	if (own_opt)
		o = pk_arr(k, so, sizeof *so);
	struct svc_cmd *exec = pk_arr(k, s->exec, s->nexec * sizeof *s->exec);
	pk_refs(k, &d->after, &s->after);
	pk_refs(k, &d->before, &s->before);
	pk_refs(k, &d->requires, &s->requires);
	pk_refs(k, &d->provides, &s->provides);
	for (size_t i = 0; i < s->nexec; i++) {
		char **argv = pk_argv(k, s->exec[i].argv);
		if (k->copy)
			exec[i].argv = argv;
	}
	char *strs[] = { s->name, s->file, s->description };
	char *out[sizeof strs / sizeof strs[0]];
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		out[i] = pk_str(k, strs[i]);
	/* Most instances are their name ("dropbear", no '@'): one copy. */
	bool same = s->instance && s->name && !strcmp(s->instance, s->name);
	char *instance = same ? out[0] : pk_str(k, s->instance);
	if (own_opt) {
		struct svc_rlimit *rl = pk_arr(k, so->rlimits, so->nrlimits * sizeof *so->rlimits);
		char **env = pk_argv(k, so->env);
		char *ostrs[] = { so->tty, so->user, so->group, so->cwd, so->ready_file };
		char *oout[sizeof ostrs / sizeof ostrs[0]];
		for (size_t i = 0; i < sizeof ostrs / sizeof ostrs[0]; i++)
			oout[i] = pk_str(k, ostrs[i]);
		if (k->copy) {
			o->rlimits = rl;
			o->env = env;
			o->arg = NULL;
			o->tty = oout[0];
			o->user = oout[1];
			o->group = oout[2];
			o->cwd = oout[3];
			o->ready_file = oout[4];
		}
	}
	if (!k->copy)
		return;
	d->o = own_opt ? o : &svc_opt_default;
	d->exec = exec;
	d->name = out[0];
	d->file = out[1];
	d->description = out[2];
	d->instance = same ? out[0] : instance;
}

struct svc_def *svc_def_pack(struct svc_def *s)
{
	if (!s || s->packed)
		return s;
	struct packer k = { 0 };
	struct svc_def scratch = *s; /* the counting pass writes nothing, but needs a target */
	pk_walk(&k, &scratch, s);
	size_t head = (sizeof *s + PACK_ALIGN - 1) & ~(PACK_ALIGN - 1);
	size_t narr = k.narr;
	char *block = malloc(head + k.narr + k.nstr);
	if (!block)
		return s; /* unpacked still works, it only costs more */
	struct svc_def *d = (struct svc_def *)(void *)block;
	*d = *s;
	d->packed = true;
	k = (struct packer){ .arr = block + head, .str = block + head + narr, .copy = true };
	pk_walk(&k, d, s);
	/* The conditions' block moved with the svc_opt copy (d->o->cs). */
	if (s->o->cs)
		SVC_OPT(s)->cs = NULL;
	if (s->o->lv)
		SVC_OPT(s)->lv = NULL;
	svc_def_free(s);
	return d;
}
