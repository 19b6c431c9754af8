/* initenv: the services' base environment — keel's defaults and /etc/initd.env, applied at boot and again on reload. */
/* SPDX-License-Identifier: MIT */
#include "initenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envfile.h"
#include "envop.h"
#include "log.h"
#include "spawn.h"
#include "spawn_flight.h"
#include "svcdir.h"

static const char *env_path;
static const char *const *env_defaults;
/* The environment before the file, key by key, for the keys the file
 * touched ("KEY=VALUE", or "KEY" alone when it was unset): a reload puts
 * them back before the file applies again, so `PATH+=/opt/bin` composes
 * with the same base every time instead of growing. */
static char **before;
static size_t nbefore;
/* What services start with: a copy of PID 1's environment, one block. Not
 * environ itself: setenv and unsetenv change that in place and free what
 * they replace, while a CLONE_VM child stuck before its exec (spawn.c)
 * still reads the environment it was given. A replaced copy is freed only
 * once no such child is left (spawn_flight.h). */
static char **services_env;

static char **env_copy(char *const *env)
{
	size_t n = 0, text = 0;
	for (; env && env[n]; n++)
		text += strlen(env[n]) + 1;
	char **c = malloc((n + 1) * sizeof *c + text);
	if (!c)
		return NULL;
	char *w = (char *)(c + n + 1);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(env[i]) + 1;
		c[i] = memcpy(w, env[i], l);
		w += l;
	}
	c[n] = NULL;
	return c;
}

static void defaults_apply(void)
{
	for (size_t i = 0; env_defaults && env_defaults[i]; i++) {
		const char *eq = strchr(env_defaults[i], '=');
		char *key = eq ? strndup(env_defaults[i], (size_t)(eq - env_defaults[i])) : NULL;
		if (key && setenv(key, eq + 1, 0) < 0)
			log_msg("warning: cannot set %s: out of memory", key);
		free(key);
	}
}

static void before_restore(void)
{
	for (size_t i = 0; i < nbefore; i++) {
		char *eq = strchr(before[i], '=');
		if (eq) {
			*eq = '\0';
			if (setenv(before[i], eq + 1, 1) < 0)
				log_msg("warning: cannot set %s: out of memory", before[i]);
		} else {
			unsetenv(before[i]);
		}
		free(before[i]);
	}
	free(before);
	before = NULL;
	nbefore = 0;
}

/* Remembers key's value (or absence) before the file's first entry for it. */
static void before_keep(const char *kv)
{
	size_t kl;
	enum envop op;
	const char *v;
	if (!envop_split(kv, &kl, &op, &v))
		return;
	for (size_t i = 0; i < nbefore; i++)
		if (!strncmp(before[i], kv, kl) && (before[i][kl] == '=' || !before[i][kl]))
			return;
	char *key = strndup(kv, kl);
	char **nb = key ? realloc(before, (nbefore + 1) * sizeof *nb) : NULL;
	if (!nb) {
		free(key);
		return; /* a reload may then compose on the file's own value */
	}
	before = nb;
	const char *cur = getenv(key);
	char *e = NULL;
	if (!cur)
		e = key;
	else if (asprintf(&e, "%s=%s", key, cur) < 0)
		e = NULL;
	if (e != key)
		free(key);
	if (e)
		before[nbefore++] = e;
}

/* A missing file is normal (nothing to add); a bad line is reported and
 * skipped, the rest applies. */
static void file_apply(void)
{
	struct diags d = { 0 };
	char *buf = NULL;
	size_t len = 0, n = 0;
	if (access(env_path, F_OK) == 0 && svcdir_read(env_path, &buf, &len, &d) == 0) {
		char **env = envfile_parse(buf, len, env_path, &n, &d);
		for (size_t i = 0; env && i < n; i++) {
			before_keep(env[i]);
			if (envop_setenv(env[i]) < 0)
				log_msg("warning: %s: cannot set %s: out of memory", env_path, env[i]);
		}
		envfile_free(env);
	}
	for (size_t i = 0; i < d.n; i++)
		log_diag(&d.v[i]);
	diags_free(&d);
	free(buf);
	extern char **environ;
	char **c = env_copy(environ);
	if (!c) {
		/* the last copy stays: the file's changes wait for a reload */
		log_msg("warning: %s: out of memory: services keep the environment they had", env_path);
		if (services_env)
			return;
		c = environ; /* at boot: nothing else to give (no reload can free it then) */
	}
	if (services_env != environ)
		flight_free_later(services_env);
	services_env = c;
	spawn_set_base_env(c);
}

void initenv_apply(const char *path, const char *const *defaults)
{
	env_path = path;
	env_defaults = defaults;
	defaults_apply();
	file_apply();
}

void initenv_reload(void)
{
	if (!env_path)
		return;
	before_restore();
	file_apply();
}
