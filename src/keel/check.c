/* check: `keel check [DIR]` — validates a service directory for firmware build systems. */
/* SPDX-License-Identifier: MIT */
#include "check.h"
#include "cond.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "services.h"

static void print_diags(const struct diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		char *s = diag_format(&d->v[i]);
		printf("keel: %s\n", s ? s : "(out of memory)");
		free(s);
	}
	if (d->oom)
		printf("keel: error: out of memory: some diagnostics were lost\n");
}

int check_main(int argc, char **argv)
{
	const char *dir = KEEL_SERVICE_DIR;
	bool quiet = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
			quiet = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: keel check [-q] [DIR]   (default %s)\n", KEEL_SERVICE_DIR);
			return 0;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "keel check: unknown option %s\n", argv[i]);
			return 100;
		} else
			dir = argv[i];
	}

	struct svc_set set = { 0 };
	struct diags d = { 0 };
	/* The rc.d dir sits beside the service dir in a rootfs tree
	 * (etc/init.d and etc/rc.d). */
	char *rcd = NULL;
	if (asprintf(&rcd, "%s/../rc.d", dir) < 0)
		rcd = NULL;
	struct services_conf conf = { .service_dir = dir, .rcd_dir = rcd };
	int lr = services_load(&conf, &set, &d);
	free(rcd);
	if (lr < 0) {
		fprintf(stderr, "keel check: out of memory\n");
		return 111;
	}
	struct graph g[SVC_TARGET_COUNT];
	struct svc_def **defs[SVC_TARGET_COUNT];
	size_t nt[SVC_TARGET_COUNT] = { 0 };
	for (int t = 0; t < SVC_TARGET_COUNT; t++) {
		defs[t] = calloc(set.n ? set.n : 1, sizeof *defs[t]);
		if (!defs[t]) {
			fprintf(stderr, "keel check: out of memory\n");
			return 111;
		}
		for (size_t i = 0; i < set.n; i++)
			if (set.v[i]->target == (enum svc_target)t)
				defs[t][nt[t]++] = set.v[i];
		if (graph_build(defs[t], nt[t], &g[t], &d) < 0) {
			fprintf(stderr, "keel check: out of memory\n");
			return 111;
		}
	}
	bool *skip = calloc(set.n ? set.n : 1, sizeof *skip);
	if (!skip || cond_find_cycles(set.v, set.n, skip, &d) < 0) {
		fprintf(stderr, "keel check: out of memory\n");
		return 111;
	}
	free(skip);
	print_diags(&d);
	if (!quiet) {
		for (int t = 0; t < SVC_TARGET_COUNT; t++) {
			if (!nt[t])
				continue;
			printf("target %s (%zu services, start order):\n",
			       svc_target_name((enum svc_target)t), g[t].norder);
			for (size_t k = 0; k < g[t].norder; k++) {
				const struct svc_def *s = defs[t][g[t].order[k]];
				printf("  %zu. %s (%s%s)\n", k + 1, s->instance, svc_type_name(s->type),
				       cond_event_started(s->o->cs) ? ", started by its triggers or timers" : "");
			}
		}
	}
	int rc = d.nerrors ? 1 : 0;
	printf("%zu services, %zu errors\n", set.n, d.nerrors);
	for (int t = 0; t < SVC_TARGET_COUNT; t++) {
		graph_free(&g[t]);
		free(defs[t]);
	}
	svc_set_free(&set);
	diags_free(&d);
	return rc;
}
