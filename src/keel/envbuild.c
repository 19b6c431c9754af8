/* envbuild: a service's complete environment — the base, its env lines (set, append, prepend), keel's own keys. */
/* SPDX-License-Identifier: MIT */
#include "envbuild.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "envop.h"

static size_t key_len(const char *kv)
{
	size_t n = strcspn(kv, "=");
	if (n && (kv[n - 1] == '+' || kv[n - 1] == '^'))
		n--;
	return n;
}

static bool same_key(const char *a, size_t al, const char *b)
{
	return key_len(b) == al && !memcmp(a, b, al);
}

/* The value of key in list, or NULL. */
static const char *find_value(char *const *list, size_t n, const char *key, size_t kl)
{
	for (size_t i = 0; list && (n == (size_t)-1 ? list[i] != NULL : i < n); i++)
		if (same_key(key, kl, list[i]) && list[i][kl] == '=')
			return list[i] + kl + 1;
	return NULL;
}

/* The service's entries for the key of svc[i] (its first): "KEY=" then
 * the prepended value, the current one (its own `KEY=` line, else the
 * base's) and the appended value, the non-empty ones joined by the
 * variable's separator. Written to out (NULL: measured); returns the
 * length without the NUL. */
static size_t compose_key(char *out, char *const *base, char *const *svc, size_t nsvc, size_t i)
{
	size_t kl = key_len(svc[i]);
	const char *part[3] = { NULL, find_value(svc, nsvc, svc[i], kl), NULL };
	if (!part[1])
		part[1] = find_value(base, (size_t)-1, svc[i], kl);
	for (size_t j = i; j < nsvc; j++)
		if (same_key(svc[i], kl, svc[j]) && svc[j][kl] != '=')
			part[svc[j][kl] == '^' ? 0 : 2] = svc[j] + kl + 2;
	char sep = envop_sep(svc[i], kl);
	size_t at = kl + 1;
	bool any = false;
	if (out) {
		memcpy(out, svc[i], kl);
		out[kl] = '=';
	}
	for (int k = 0; k < 3; k++) {
		size_t n = part[k] ? strlen(part[k]) : 0;
		if (!n)
			continue;
		if (any && out)
			out[at] = sep;
		at += any;
		if (out)
			memcpy(out + at, part[k], n);
		at += n;
		any = true;
	}
	if (out)
		out[at] = '\0';
	return at;
}

static bool first_of_key(char *const *svc, size_t i)
{
	size_t kl = key_len(svc[i]);
	for (size_t j = 0; j < i; j++)
		if (same_key(svc[i], kl, svc[j]))
			return false;
	return true;
}

static bool has_ops(char *const *svc, size_t nsvc, const char *key, size_t kl)
{
	for (size_t j = 0; j < nsvc; j++)
		if (same_key(key, kl, svc[j]) && svc[j][kl] != '=')
			return true;
	return false;
}

char **envbuild(char *const *base, char *const *svc, size_t nsvc, char *const *const *extra)
{
	size_t nbase = 0, nextra = 0, text = 0;
	while (base && base[nbase])
		nbase++;
	for (int l = 0; l < 2; l++)
		for (size_t k = 0; extra && extra[l] && extra[l][k]; k++)
			nextra++;
	for (size_t i = 0; i < nsvc; i++)
		if (first_of_key(svc, i) && has_ops(svc, nsvc, svc[i], key_len(svc[i])))
			text += compose_key(NULL, base, svc, nsvc, i) + 1;
	size_t nptr = nbase + nsvc + nextra + 1;
	char **env = malloc(nptr * sizeof *env + text);
	if (!env)
		return NULL;
	char *w = (char *)(env + nptr);
	size_t n = 0;
	for (size_t i = 0; i < nbase; i++) {
		size_t kl = key_len(base[i]);
		bool touched = false;
		for (size_t k = 0; k < nsvc && !touched; k++)
			touched = same_key(base[i], kl, svc[k]);
		if (!touched)
			env[n++] = base[i];
	}
	for (size_t i = 0; i < nsvc; i++) {
		if (!first_of_key(svc, i))
			continue;
		size_t kl = key_len(svc[i]);
		if (!has_ops(svc, nsvc, svc[i], kl)) {
			env[n++] = svc[i];
			continue;
		}
		size_t len = compose_key(w, base, svc, nsvc, i);
		env[n++] = w;
		w += len + 1;
	}
	for (int l = 0; l < 2; l++)
		for (size_t k = 0; extra && extra[l] && extra[l][k]; k++)
			env[n++] = extra[l][k];
	env[n] = NULL;
	return env;
}
