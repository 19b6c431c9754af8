/* services: gathers every service keel runs — the service dir, the runtime dir, OpenWrt's rc.d links. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SERVICES_H
#define KEEL_SERVICES_H

#include <stdbool.h>
#include "diag.h"
#include "svcdir.h"

/* The PATH services get when /etc/initd.env sets none. */
#define KEEL_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct services_conf {
	const char *service_dir; /* /etc/init.d: service files (and OpenWrt scripts) */
	const char *runtime_dir; /* /run/keel/services: files written at run time
				  * (rc.common's procd emulation); may be absent */
	const char *rcd_dir;     /* /etc/rc.d: OpenWrt S##name / K##name links; may be absent */
	/* keel check: the dirs above are inside opts->root; NULL in PID 1 */
	const struct svcdir_opts *opts;
	const char *inittab;     /* busybox /etc/inittab (inittab.c); NULL: none */
	bool inittab_given;      /* named by hand: missing means busybox's defaults */
};

/*
 * Loads all of them into one set sorted by instance name.
 * OpenWrt scripts become services through their rc.d links:
 *   S##name -> instance "name", type wait, target boot,
 *              exec SERVICE_DIR/name boot, after the previous S link
 *              (links run one after another in the order of their names,
 *              as OpenWrt's rc.d loop does);
 *   K##name -> instances "rc.K##name@shutdown" and "...@reboot",
 *              exec SERVICE_DIR/name shutdown, after the previous K link.
 * Both get `timeout` so one hung script cannot stall the boot or shutdown.
 * An instance name defined twice (in two dirs, or by a file and an rc.d
 * link) is an error for the later definition.
 */
/* Adds def to set (taking it); an instance defined already is an error
 * for def, which is freed. -1 on allocation failure. */
int services_add(struct svc_set *set, struct svc_def *def, struct diags *diags);

int services_load(const struct services_conf *c, struct svc_set *set, struct diags *diags);

#endif
