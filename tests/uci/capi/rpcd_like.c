/* rpcd_like: a C program written against OpenWrt's libuci API, built against keel's libuci by test_capi.sh. */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uci.h>

/* what rpcd's uci "get" does: dump a package section by section */
static void dump(struct uci_context *ctx, struct uci_package *p)
{
	struct uci_element *e, *o, *i;
	uci_foreach_element(&p->sections, e) {
		struct uci_section *s = uci_to_section(e);
		printf("[%s%s] %s\n", s->anonymous ? "@" : "", s->type, e->name);
		uci_foreach_element(&s->options, o) {
			struct uci_option *opt = uci_to_option(o);
			if (opt->type == UCI_TYPE_STRING) {
				printf("  %s = %s\n", o->name, opt->v.string);
				continue;
			}
			printf("  %s =", o->name);
			uci_foreach_element(&opt->v.list, i)
				printf(" <%s>", i->name);
			printf("\n");
		}
	}
	const char *proto = uci_lookup_option_string(ctx, uci_lookup_section(ctx, p, "lan"), "proto");
	printf("lan.proto via helpers: %s\n", proto ? proto : "(none)");
}

/* uci_lookup_ptr needs writable text */
static int lookup(struct uci_context *ctx, struct uci_ptr *ptr, const char *text)
{
	static char buf[8][256];
	static int n;
	char *b = buf[n++ % 8];
	snprintf(b, 256, "%s", text);
	return uci_lookup_ptr(ctx, ptr, b, true);
}

static void check(struct uci_context *ctx, int ret, const char *what)
{
	char *msg = NULL;
	uci_get_errorstr(ctx, &msg, what);
	printf("%s -> %d (%s)\n", what, ret, msg ? msg : "?");
	free(msg);
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	struct uci_context *ctx = uci_alloc_context();
	struct uci_package *p = NULL;
	struct uci_ptr ptr;
	struct uci_element *e;
	if (!ctx)
		return 1;
	uci_set_confdir(ctx, argv[1]);
	uci_set_savedir(ctx, argv[2]);
	ctx->flags &= ~UCI_FLAG_STRICT; /* as netifd does */

	char **configs = NULL;
	check(ctx, uci_list_configs(ctx, &configs), "list_configs");
	for (char **c = configs; c && *c; c++)
		printf("config %s\n", *c);
	free(configs);

	check(ctx, uci_load(ctx, "network", &p), "load");
	dump(ctx, p);
	check(ctx, uci_load(ctx, "network", NULL), "load again");
	printf("lookup_package: %s\n", uci_lookup_package(ctx, "network") == p ? "same" : "other");

	/* changes, recorded as deltas */
	check(ctx, lookup(ctx, &ptr, "network.lan.ipaddr=10.9.9.9"), "lookup ipaddr");
	check(ctx, uci_set(ctx, &ptr), "set ipaddr");
	check(ctx, lookup(ctx, &ptr, "network.lan.dns=9.9.9.9"), "lookup dns");
	check(ctx, uci_add_list(ctx, &ptr), "add_list");
	check(ctx, lookup(ctx, &ptr, "network.lan.dns=1.1.1.1"), "lookup dns");
	check(ctx, uci_del_list(ctx, &ptr), "del_list");
	struct uci_section *s = NULL;
	check(ctx, uci_add_section(ctx, p, "rule", &s), "add_section");
	printf("new section %s\n", s ? s->e.name : "-");
	check(ctx, uci_reorder_section(ctx, s, 0), "reorder");
	check(ctx, lookup(ctx, &ptr, "network.@rule[0].name=first"), "lookup rule");
	check(ctx, uci_set(ctx, &ptr), "set rule name");
	check(ctx, lookup(ctx, &ptr, "network.@switch[0]=sw0"), "lookup switch");
	check(ctx, uci_rename(ctx, &ptr), "rename");
	check(ctx, lookup(ctx, &ptr, "network.sw0.name"), "lookup sw0.name");
	check(ctx, uci_delete(ctx, &ptr), "delete");
	check(ctx, lookup(ctx, &ptr, "network.nope.x"), "lookup missing");
	printf("complete: %d\n", !!(ptr.flags & UCI_LOOKUP_COMPLETE));
	check(ctx, uci_delete(ctx, &ptr), "delete missing");
	check(ctx, lookup(ctx, &ptr, "nosuch.a.b"), "lookup missing package");
	check(ctx, uci_lookup_next(ctx, &e, &p->sections, "lan"), "lookup_next");
	check(ctx, uci_save(ctx, p), "save");
	dump(ctx, p);

	/* revert one option, then commit the rest */
	check(ctx, lookup(ctx, &ptr, "network.lan.dns"), "lookup dns");
	check(ctx, uci_revert(ctx, &ptr), "revert dns");
	p = ptr.p;
	check(ctx, uci_commit(ctx, &p, false), "commit");
	dump(ctx, p);
	check(ctx, uci_unload(ctx, p), "unload");
	printf("root empty: %d\n", uci_list_empty(&ctx->root));
	fflush(stdout);
	ctx->err = UCI_ERR_NOTFOUND;
	uci_perror(ctx, "rpcd_like");
	uci_free_context(ctx);
	return 0;
}
