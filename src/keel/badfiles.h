/* badfiles: the service files that failed to load, shown by status as skipped with their first error. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_BADFILES_H
#define KEEL_BADFILES_H

#include <stdbool.h>
#include <stddef.h>
#include "supervisor.h"
#include "svcdir.h"

/*
 * A file with a syntax error (or a dangling link...) gives no service, so
 * without this module `keelctl status NAME` would answer "no such service".
 * What is kept is what services_load recorded (set->bad: at most
 * SVC_BAD_MAX names with a reason of at most SVC_BAD_REASON_MAX bytes), and
 * it is replaced by each load (boot, reload).
 */

/* Takes set's records (set keeps none), dropping the previous ones. */
void badfiles_take(struct svc_set *set);

size_t badfiles_count(void);
/* Record i (or the one named name) as a service in state SUP_SKIPPED with
 * the error as its reason, for the status output only: never pass it to a
 * sup_request_*. Valid until the next call; NULL if none. */
const struct svc *badfiles_get(size_t i);
const struct svc *badfiles_find(const char *name);
/* "skipped: FILE:LINE: message" for a bad file called name, else `err`. */
const char *badfiles_why(const char *name, const char *err);

#endif
