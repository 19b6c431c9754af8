/* badfiles: the service files that failed to load, shown by status as skipped with their first error. */
/* SPDX-License-Identifier: MIT */
#include "badfiles.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct svc_set kept;
/* The record lent out by badfiles_get, dressed as a service. */
static struct svc_def stub_def;
static struct svc stub;
static char *why;

void badfiles_take(struct svc_set *set)
{
	struct svc_set none = { 0 };
	svc_set_free(&kept);
	kept = none;
	svc_set_move_bad(&kept, set);
}

size_t badfiles_count(void)
{
	return kept.nbad;
}

const struct svc *badfiles_get(size_t i)
{
	if (i >= kept.nbad)
		return NULL;
	stub_def = (struct svc_def){
		.name = kept.bad[i].instance,
		.instance = kept.bad[i].instance,
		.o = &svc_opt_default,
		.type = SVC_TYPE_ONCE,
		.target = SVC_TARGET_BOOT,
	};
	stub = (struct svc){
		.def = &stub_def,
		.reason = kept.bad[i].reason,
		.node = SIZE_MAX,
		.state = SUP_SKIPPED,
		.stop_to = SUP_STOPPED,
		.ready_rfd = -1,
		.exec_rfd = -1,
		.ready_wd = -1,
		.last_status = -1,
	};
	return &stub;
}

const struct svc *badfiles_find(const char *name)
{
	for (size_t i = 0; i < kept.nbad; i++)
		if (!strcmp(kept.bad[i].instance, name))
			return badfiles_get(i);
	return NULL;
}

const char *badfiles_why(const char *name, const char *err)
{
	const struct svc *b = badfiles_find(name);
	if (!b)
		return err;
	free(why);
	why = malloc(strlen(b->reason) + sizeof "skipped: bad file ");
	if (!why)
		return err;
	strcpy(why, "skipped: bad file ");
	strcat(why, b->reason);
	return why;
}
