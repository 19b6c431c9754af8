/* uci_cli: the `uci` command's verbs and options, printing exactly what OpenWrt's uci (built with musl) prints. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "uci_internal.h"

#define CLI_MAX_ARGS 4 /* batch: command plus three arguments */

/*
 * stdout is buffered as musl buffers it (below), stderr is not, so the two
 * streams interleave as on a device when they share a file. The error
 * prefix is argv[0] as typed. Exit statuses are
 * OpenWrt's: 0, 1, 255 after the usage text for a malformed command, and
 * for `add` the UCI_ERR_* number.
 */

enum cli_flag {
	CLI_MERGE = 1 << 0,
	CLI_QUIET = 1 << 1,
	CLI_NOCOMMIT = 1 << 2,
	CLI_BATCH = 1 << 3,
	CLI_SHOW_EXT = 1 << 4,
};

enum cli_cmd {
	CMD_GET, CMD_SET, CMD_ADD_LIST, CMD_DEL_LIST, CMD_DEL, CMD_RENAME, CMD_REVERT, CMD_REORDER,
	CMD_SHOW, CMD_CHANGES, CMD_EXPORT, CMD_COMMIT,
	CMD_ADD, CMD_IMPORT, CMD_HELP,
};

struct cli {
	struct uci_context *ctx;
	const char *appname;
	const char *delimiter;
	unsigned flags;
	FILE *input;
};

static int cli_cmd(struct cli *c, int argc, char **argv);

static void cli_usage(const struct cli *c)
{
	fprintf(stderr,
		"Usage: %s [<options>] <command> [<arguments>]\n\n"
		"Commands:\n"
		"\tbatch\n"
		"\texport     [<config>]\n"
		"\timport     [<config>]\n"
		"\tchanges    [<config>]\n"
		"\tcommit     [<config>]\n"
		"\tadd        <config> <section-type>\n"
		"\tadd_list   <config>.<section>.<option>=<string>\n"
		"\tdel_list   <config>.<section>.<option>=<string>\n"
		"\tshow       [<config>[.<section>[.<option>]]]\n"
		"\tget        <config>.<section>[.<option>]\n"
		"\tset        <config>.<section>[.<option>]=<value>\n"
		"\tdelete     <config>[.<section>[[.<option>][=<id>]]]\n"
		"\trename     <config>.<section>[.<option>]=<name>\n"
		"\trevert     <config>[.<section>[.<option>]]\n"
		"\treorder    <config>.<section>=<position>\n"
		"\n"
		"Options:\n"
		"\t-c <path>  set the search path for config files (default: /etc/config)\n"
		"\t-C <path>  set the search path for config override files (default: /var/run/uci)\n"
		"\t-d <str>   set the delimiter for list values in uci show\n"
		"\t-f <file>  use <file> as input instead of stdin\n"
		"\t-m         when importing, merge data into an existing package\n"
		"\t-n         name unnamed sections on export (default)\n"
		"\t-N         don't name unnamed sections\n"
		"\t-p <path>  add a search path for config change files\n"
		"\t-P <path>  add a search path for config change files and use as default\n"
		"\t-t <path>  set save path for config change files\n"
		"\t-q         quiet mode (don't print error messages)\n"
		"\t-s         force strict mode (stop on parser errors, default)\n"
		"\t-S         disable strict mode\n"
		"\t-X         do not use extended syntax on 'show'\n"
		"\n",
		c->appname);
}

static void cli_perror(const struct cli *c)
{
	if (!(c->flags & CLI_QUIET))
		uci_perror(c->ctx, c->appname);
}

static void cli_error(const struct cli *c, const char *msg, const char *arg)
{
	if (!(c->flags & CLI_QUIET))
		fprintf(stderr, msg, arg);
}

/*
 * stdout written as musl's stdio writes it, whatever libc this is: a 1024
 * byte buffer; a piece that does not fit goes out with the buffer in one
 * writev; the stream is line buffered until its first write finds it is not
 * a terminal. Pieces are what OpenWrt's printf calls make (each literal run
 * and each %s apart), so with stdout and stderr in one file the error
 * messages land at the same byte offsets as on a device.
 */
static struct {
	char buf[1024];
	size_t len;
	int lbf;      /* '\n' while line buffered, -1 once known not a tty */
	bool probed;
	bool failed;
} out = { .lbf = '\n' };

static void out_flush_with(const char *s, size_t n)
{
	if (!out.probed) {
		struct winsize ws;
		out.probed = true;
		if (ioctl(1, TIOCGWINSZ, &ws) < 0)
			out.lbf = -1;
	}
	struct iovec iov[2] = { { out.buf, out.len }, { (void *)s, n } };
	int cnt = 2;
	struct iovec *v = iov;
	while (cnt && !out.failed) {
		if (!v->iov_len) {
			v++;
			cnt--;
			continue;
		}
		ssize_t w = writev(1, v, cnt);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			out.failed = true;
			break;
		}
		for (size_t k = (size_t)w; k && cnt;) {
			size_t t = k < v->iov_len ? k : v->iov_len;
			v->iov_base = (char *)v->iov_base + t;
			v->iov_len -= t;
			k -= t;
			if (!v->iov_len) {
				v++;
				cnt--;
			}
		}
	}
	out.len = 0;
}

static void out_write(const char *s, size_t n)
{
	if (n > sizeof(out.buf) - out.len) {
		out_flush_with(s, n);
		return;
	}
	if (out.lbf >= 0) {
		size_t i = n;
		while (i && s[i - 1] != '\n')
			i--;
		if (i) {
			out_flush_with(s, i);
			s += i;
			n -= i;
		}
	}
	memcpy(out.buf + out.len, s, n);
	out.len += n;
}

static void out_str(const char *s)
{
	out_write(s, strlen(s));
}

static void out_putc(char c)
{
	if (c != out.lbf && out.len < sizeof(out.buf))
		out.buf[out.len++] = c;
	else
		out_flush_with(&c, 1);
}

static void out_put(void *arg, const char *s, size_t n)
{
	(void)arg;
	out_write(s, n);
}

static void print_value(const char *v)
{
	out_str("'");
	for (; *v; v++) {
		if (*v == '\'')
			out_str("'\\''");
		else
			out_putc(*v);
	}
	out_str("'");
}

static void show_value(const struct cli *c, struct uci_option *o, bool quote)
{
	struct uci_element *e;
	bool sep = false;
	if (o->type == UCI_TYPE_STRING) {
		if (quote)
			print_value(o->v.string);
		else
			out_str(o->v.string);
		out_str("\n");
		return;
	}
	uci_foreach_element(&o->v.list, e) {
		out_str(sep ? c->delimiter : "");
		if (!quote && !strpbrk(e->name, " \t\r\n"))
			out_str(e->name);
		else
			print_value(e->name);
		sep = true;
	}
	out_str("\n");
}

static void show_option(const struct cli *c, struct uci_option *o, const char *secref)
{
	out_str(o->section->package->e.name);
	out_str(".");
	out_str(secref ? secref : o->section->e.name);
	out_str(".");
	out_str(o->e.name);
	out_str("=");
	show_value(c, o, true);
}

static void show_section(const struct cli *c, struct uci_section *s, const char *secref)
{
	struct uci_element *e;
	out_str(s->package->e.name);
	out_str(".");
	out_str(secref ? secref : s->e.name);
	out_str("=");
	out_str(s->type);
	out_str("\n");
	uci_foreach_element(&s->options, e)
		show_option(c, uci_to_option(e), secref);
}

/* Anonymous sections show as @type[N], N counting the sections of that
 * type (named ones too) met so far. */
static void show_package(const struct cli *c, struct uci_package *p)
{
	struct uci_element *e, *f;
	uci_foreach_element(&p->sections, e) {
		struct uci_section *s = uci_to_section(e);
		if (!(c->flags & CLI_SHOW_EXT) || !s->anonymous) {
			show_section(c, s, e->name);
			continue;
		}
		int idx = 0;
		for (f = list_to_element(p->sections.next); f != e; f = list_to_element(f->list.next))
			if (!strcmp(uci_to_section(f)->type, s->type))
				idx++;
		size_t n = strlen(s->type) + 16;
		char *ref = malloc(n);
		if (ref)
			snprintf(ref, n, "@%s[%d]", s->type, idx);
		show_section(c, s, ref);
		free(ref);
	}
}

static void show_changes(struct uci_package *p)
{
	struct uci_element *e;
	uci_foreach_element(&p->saved_delta, e) {
		struct uci_delta *d = uci_to_delta(e);
		const char *op = d->cmd == UCI_CMD_LIST_ADD ? "+=" : d->cmd == UCI_CMD_LIST_DEL ? "-=" : "=";
		out_str(d->cmd == UCI_CMD_REMOVE ? "-" : "");
		out_str(p->e.name);
		out_str(".");
		out_str(d->section);
		if (e->name) {
			out_str(".");
			out_str(e->name);
		}
		if (d->cmd != UCI_CMD_REMOVE) {
			out_str(op);
			print_value(d->value);
		}
		out_str("\n");
	}
}

static int package_cmd(struct cli *c, enum cli_cmd cmd, char *tuple)
{
	struct uci_ptr ptr;
	int ret = 1;
	if (uci_lookup_ptr(c->ctx, &ptr, tuple, true) != UCI_OK) {
		cli_perror(c);
		return 1;
	}
	switch (cmd) {
	case CMD_CHANGES:
		show_changes(ptr.p);
		break;
	case CMD_COMMIT:
		if (c->flags & CLI_NOCOMMIT)
			break;
		if (uci_commit(c->ctx, &ptr.p, false) != UCI_OK) {
			cli_perror(c);
			goto out;
		}
		break;
	case CMD_EXPORT: {
		struct uci_writer w = { out_put, NULL };
		if (uci_export_to(c->ctx, &w, ptr.p, true) != UCI_OK)
			goto out;
		break;
	}
	default: /* CMD_SHOW */
		if (!(ptr.flags & UCI_LOOKUP_COMPLETE)) {
			c->ctx->err = UCI_ERR_NOTFOUND;
			cli_perror(c);
			goto out;
		}
		if (ptr.o)
			show_option(c, ptr.o, NULL);
		else if (ptr.s)
			show_section(c, ptr.s, NULL);
		else
			show_package(c, ptr.p);
		break;
	}
	ret = 0;
out:
	if (ptr.p)
		uci_unload(c->ctx, ptr.p);
	return ret;
}

static int do_import(struct cli *c, int argc, char **argv)
{
	struct uci_package *package = NULL;
	struct uci_element *e;
	char *name = NULL;
	bool merge = false;
	int ret;
	if (argc > 2)
		return 255;
	if (argc == 2)
		name = argv[1];
	else if (c->flags & CLI_MERGE)
		return 255; /* merging needs a package */
	if (c->flags & CLI_MERGE) {
		if (uci_load(c->ctx, name, &package) != UCI_OK)
			package = NULL;
		else
			merge = true;
	}
	ret = uci_import(c->ctx, c->input, name, &package, name != NULL);
	if (ret == UCI_OK) {
		if (merge) {
			ret = uci_save(c->ctx, package);
		} else {
			/* every package read replaces its file; the last status counts */
			struct uci_element *tmp;
			uci_foreach_element_safe(&c->ctx->root, tmp, e) {
				struct uci_package *p = uci_to_package(e);
				ret = uci_commit(c->ctx, &p, true);
			}
		}
	}
	if (ret != UCI_OK) {
		cli_perror(c);
		return 1;
	}
	return 0;
}

static int do_package_cmd(struct cli *c, enum cli_cmd cmd, int argc, char **argv)
{
	char **configs = NULL;
	if (argc > 2)
		return 255;
	if (argc == 2)
		return package_cmd(c, cmd, argv[1]);
	if (uci_list_configs(c->ctx, &configs) != UCI_OK || !configs) {
		cli_perror(c);
		free(configs);
		return 1;
	}
	for (char **p = configs; *p; p++)
		package_cmd(c, cmd, *p);
	free(configs);
	return 0;
}

static int do_add(struct cli *c, int argc, char **argv)
{
	struct uci_package *p = NULL;
	struct uci_section *s = NULL;
	if (argc != 3)
		return 255;
	int ret = uci_load(c->ctx, argv[1], &p);
	if (ret == UCI_OK)
		ret = uci_add_section(c->ctx, p, argv[2], &s);
	if (ret == UCI_OK)
		ret = uci_save(c->ctx, p);
	if (ret != UCI_OK)
		cli_perror(c);
	else if (s) {
		out_str(s->e.name);
		out_str("\n");
	}
	return ret;
}

static int do_section_cmd(struct cli *c, enum cli_cmd cmd, int argc, char **argv)
{
	struct uci_ptr ptr;
	int ret = UCI_OK, dummy;
	if (argc != 2)
		return 255;
	if (uci_lookup_ptr(c->ctx, &ptr, argv[1], true) != UCI_OK) {
		cli_perror(c);
		return 1;
	}
	if (ptr.value && cmd != CMD_SET && cmd != CMD_DEL && cmd != CMD_ADD_LIST &&
	    cmd != CMD_DEL_LIST && cmd != CMD_RENAME && cmd != CMD_REORDER)
		return 1;
	switch (cmd) {
	case CMD_GET:
		if (!(ptr.flags & UCI_LOOKUP_COMPLETE)) {
			c->ctx->err = UCI_ERR_NOTFOUND;
			cli_perror(c);
			return 1;
		}
		if (ptr.o)
			show_value(c, ptr.o, false);
		else if (ptr.s) {
			out_str(ptr.s->type);
			out_str("\n");
		}
		break;
	case CMD_RENAME:
		ret = uci_rename(c->ctx, &ptr);
		break;
	case CMD_REVERT:
		ret = uci_revert(c->ctx, &ptr);
		break;
	case CMD_SET:
		ret = uci_set(c->ctx, &ptr);
		break;
	case CMD_ADD_LIST:
		ret = uci_add_list(c->ctx, &ptr);
		break;
	case CMD_DEL_LIST:
		ret = uci_del_list(c->ctx, &ptr);
		break;
	case CMD_REORDER:
		if (!ptr.s || !ptr.value) {
			c->ctx->err = UCI_ERR_NOTFOUND;
			cli_perror(c);
			return 1;
		}
		ret = uci_reorder_section(c->ctx, ptr.s, (int)strtoul(ptr.value, NULL, 10));
		break;
	default: /* CMD_DEL */
		/* only "not a number" stops here: an empty value goes on */
		if (ptr.value && sscanf(ptr.value, "%d", &dummy) == 0)
			return 1;
		ret = uci_delete(c->ctx, &ptr);
		break;
	}
	if (cmd == CMD_GET || cmd == CMD_REVERT)
		return 0;
	/* keep the change staged in the save dir; `commit` applies it */
	if (ret == UCI_OK)
		ret = uci_save(c->ctx, ptr.p);
	if (ret != UCI_OK) {
		cli_perror(c);
		return 1;
	}
	return 0;
}

/* One line of batch input: 0, 254 for `exit`, or the command's status. */
static int batch_cmd(struct cli *c)
{
	char *argv[CLI_MAX_ARGS + 1] = { 0 };
	char *str = NULL;
	int i, ret;
	for (i = 0; i <= CLI_MAX_ARGS; i++) {
		char *arg;
		if (i == CLI_MAX_ARGS) {
			cli_error(c, "Too many arguments\n", NULL);
			ret = 1;
			goto out;
		}
		if (uci_parse_argument(c->ctx, c->input, &str, &arg) != UCI_OK) {
			cli_perror(c);
			ret = 0;
			goto out;
		}
		if (!arg[0])
			break;
		if (!(argv[i] = strdup(arg))) {
			cli_error(c, "uci: %s", strerror(errno));
			ret = 1;
			goto out;
		}
	}
	if (i == 0 || !argv[0]) {
		ret = 0;
	} else if (!strcasecmp(argv[0], "exit")) {
		ret = 254;
	} else {
		int n = 0;
		while (n < CLI_MAX_ARGS && argv[n])
			n++;
		ret = cli_cmd(c, n, argv);
	}
out:
	for (int j = 0; j < CLI_MAX_ARGS; j++)
		free(argv[j]);
	return ret;
}

static int do_batch(struct cli *c)
{
	c->flags |= CLI_BATCH;
	while (!feof(c->input) && !ferror(c->input)) {
		struct uci_element *e, *tmp;
		int ret = batch_cmd(c);
		if (ret == 254)
			return 0;
		if (ret == 255)
			cli_error(c, "Unknown command\n", NULL);
		uci_foreach_element_safe(&c->ctx->root, tmp, e)
			uci_unload(c->ctx, uci_to_package(e));
	}
	c->flags &= ~(unsigned)CLI_BATCH;
	return 0;
}

static const struct {
	const char *name;
	enum cli_cmd cmd;
} cli_verbs[] = {
	{ "show", CMD_SHOW }, { "changes", CMD_CHANGES }, { "export", CMD_EXPORT },
	{ "commit", CMD_COMMIT }, { "get", CMD_GET }, { "set", CMD_SET },
	{ "ren", CMD_RENAME }, { "rename", CMD_RENAME }, { "revert", CMD_REVERT },
	{ "reorder", CMD_REORDER }, { "del", CMD_DEL }, { "delete", CMD_DEL },
	{ "import", CMD_IMPORT }, { "help", CMD_HELP }, { "add", CMD_ADD },
	{ "add_list", CMD_ADD_LIST }, { "del_list", CMD_DEL_LIST },
};

static int cli_cmd(struct cli *c, int argc, char **argv)
{
	if (!strcasecmp(argv[0], "batch") && !(c->flags & CLI_BATCH))
		return do_batch(c);
	for (size_t i = 0; i < sizeof(cli_verbs) / sizeof(cli_verbs[0]); i++) {
		if (strcasecmp(argv[0], cli_verbs[i].name))
			continue;
		enum cli_cmd cmd = cli_verbs[i].cmd;
		switch (cmd) {
		case CMD_SHOW:
		case CMD_EXPORT:
		case CMD_COMMIT:
		case CMD_CHANGES:
			return do_package_cmd(c, cmd, argc, argv);
		case CMD_IMPORT:
			return do_import(c, argc, argv);
		case CMD_ADD:
			return do_add(c, argc, argv);
		case CMD_HELP:
			cli_usage(c);
			return 0;
		default:
			return do_section_cmd(c, cmd, argc, argv);
		}
	}
	return 255;
}

/*
 * getopt as musl implements it, whatever libc this is built with: no
 * permutation (the first non-option ends the options, so `uci show -X`
 * passes -X to the command), "--" ends them too, and the messages are
 * musl's ("uci: unrecognized option: Z").
 */
struct cli_getopt {
	int ind;      /* next argv index */
	size_t pos;   /* offset in a cluster like -qX */
	char *arg;
};

static int cli_getopt(struct cli_getopt *g, int argc, char **argv, const char *optstring)
{
	if (g->ind >= argc || !argv[g->ind])
		return -1;
	char *a = argv[g->ind];
	if (a[0] != '-' || !a[1])
		return -1;
	if (a[1] == '-' && !a[2]) {
		g->ind++;
		return -1;
	}
	if (!g->pos)
		g->pos = 1;
	char c = a[g->pos++];
	if (!a[g->pos]) {
		g->ind++;
		g->pos = 0;
	}
	const char *o = c != ':' ? strchr(optstring, c) : NULL;
	if (!o) {
		fprintf(stderr, "%s: unrecognized option: %c\n", argv[0], c);
		return '?';
	}
	if (o[1] == ':') {
		g->arg = g->ind < argc ? argv[g->ind] + g->pos : NULL;
		g->ind++;
		g->pos = 0;
		if (g->ind > argc) {
			fprintf(stderr, "%s: option requires an argument: %c\n", argv[0], c);
			return '?';
		}
	}
	return c;
}

int uci_cli_main(int argc, char **argv)
{
	struct cli c = { .delimiter = " ", .flags = CLI_SHOW_EXT, .input = stdin };
	struct cli_getopt g = { .ind = 1 };
	int opt, ret;
	c.appname = argc > 0 ? argv[0] : "uci";
	c.ctx = uci_alloc_context();
	if (!c.ctx) {
		cli_error(&c, "Out of memory\n", NULL);
		return 1;
	}
	while ((opt = cli_getopt(&g, argc, argv, "c:C:d:f:LmnNp:P:qsSt:X")) != -1) {
		switch (opt) {
		case 'c': uci_set_confdir(c.ctx, g.arg); break;
		case 'C': uci_set_conf2dir(c.ctx, g.arg); break;
		case 'd': c.delimiter = g.arg; break;
		case 'f':
			if (c.input != stdin) {
				cli_error(&c, "Too many input files.\n", NULL);
				ret = 1;
				goto done;
			}
			if (!(c.input = fopen(g.arg, "re"))) {
				c.input = stdin;
				/* no newline, as OpenWrt's */
				cli_error(&c, "uci: %s", strerror(errno));
				ret = 1;
				goto done;
			}
			break;
		case 'm': c.flags |= CLI_MERGE; break;
		case 's': c.ctx->flags |= UCI_FLAG_STRICT; break;
		case 'S':
			c.ctx->flags &= ~UCI_FLAG_STRICT;
			c.ctx->flags |= UCI_FLAG_PERROR;
			break;
		case 'n': c.ctx->flags |= UCI_FLAG_EXPORT_NAME; break;
		case 'N': c.ctx->flags &= ~UCI_FLAG_EXPORT_NAME; break;
		case 'p': uci_add_delta_path(c.ctx, g.arg); break;
		case 'P':
			/* stage into DIR, still read the default save dir, never commit */
			uci_set_savedir(c.ctx, g.arg);
			c.flags |= CLI_NOCOMMIT;
			break;
		case 'q': c.flags |= CLI_QUIET; break;
		case 't': uci_set_savedir(c.ctx, g.arg); break;
		case 'X': c.flags &= ~(unsigned)CLI_SHOW_EXT; break;
		default: /* and -L, in the option string but not handled (OpenWrt's) */
			cli_usage(&c);
			ret = 0;
			goto done;
		}
	}
	if (argc - g.ind < 1) {
		cli_usage(&c);
		ret = 0;
	} else {
		ret = cli_cmd(&c, argc - g.ind, argv + g.ind);
		if (ret == 255)
			cli_usage(&c);
	}
done:
	if (c.input != stdin)
		fclose(c.input);
	uci_free_context(c.ctx);
	if (out.len)
		out_flush_with(NULL, 0);
	return ret;
}
