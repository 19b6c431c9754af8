/* uci_cli: the `uci` command's verbs and options, printing exactly what OpenWrt's uci prints. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "uci_internal.h"

#define CLI_MAX_ARGS 4 /* batch: command plus three arguments */

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
		uci_error_print(c->ctx, c->appname);
}

static void cli_fail(const struct cli *c, int err)
{
	c->ctx->err = err;
	cli_perror(c);
}

static void print_quoted(const char *v)
{
	struct uci_buf b = { 0 };
	uci_buf_quoted(&b, v);
	if (b.data)
		fputs(b.data, stdout);
	free(b.data);
}

static void show_value(const struct cli *c, const struct uci_option *o, bool quote)
{
	if (o->type == UCI_OPTION_STRING) {
		if (quote)
			print_quoted(o->string);
		else
			fputs(o->string, stdout);
	} else {
		for (size_t i = 0; i < o->n_items; i++) {
			if (i)
				fputs(c->delimiter, stdout);
			/* `get` leaves plain items bare, quotes those with blanks */
			if (!quote && !strpbrk(o->items[i], " \t\r\n"))
				fputs(o->items[i], stdout);
			else
				print_quoted(o->items[i]);
		}
	}
	putchar('\n');
}

static void show_option(const struct cli *c, const struct uci_option *o, const char *secref)
{
	printf("%s.%s.%s=", o->section->package->name, secref ? secref : o->section->name, o->name);
	show_value(c, o, true);
}

static void show_section(const struct cli *c, const struct uci_section *s, const char *secref)
{
	printf("%s.%s=%s\n", s->package->name, secref ? secref : s->name, s->type);
	for (size_t i = 0; i < s->n_options; i++)
		show_option(c, s->options[i], secref);
}

/* Anonymous sections show as @type[N], N counting every section of the
 * type (named ones too) in file order. */
static void show_package(const struct cli *c, const struct uci_package *p)
{
	for (size_t i = 0; i < p->n_sections; i++) {
		const struct uci_section *s = p->sections[i];
		if (!(c->flags & CLI_SHOW_EXT) || !s->anonymous) {
			show_section(c, s, s->name);
			continue;
		}
		size_t idx = 0;
		for (size_t j = 0; j < i; j++)
			if (!strcmp(p->sections[j]->type, s->type))
				idx++;
		struct uci_buf ref = { 0 };
		char num[32];
		snprintf(num, sizeof(num), "[%zu]", idx);
		uci_buf_putc(&ref, '@');
		uci_buf_puts(&ref, s->type);
		uci_buf_puts(&ref, num);
		show_section(c, s, ref.data ? ref.data : s->name);
		free(ref.data);
	}
}

static void show_changes(const struct uci_package *p)
{
	for (size_t i = 0; i < p->n_saved_delta; i++) {
		const struct uci_delta *d = &p->saved_delta[i];
		const char *op = d->cmd == UCI_CMD_LIST_ADD ? "+=" : d->cmd == UCI_CMD_LIST_DEL ? "-=" : "=";
		printf("%s%s.%s", d->cmd == UCI_CMD_REMOVE ? "-" : "", p->name, d->section);
		if (d->option)
			printf(".%s", d->option);
		if (d->cmd != UCI_CMD_REMOVE) {
			fputs(op, stdout);
			print_quoted(d->value);
		}
		putchar('\n');
	}
}

static int package_cmd(struct cli *c, enum cli_cmd cmd, const char *tuple)
{
	struct uci_ptr ptr = { 0 };
	char *str = strdup(tuple);
	int ret = 1;
	if (!str) {
		cli_fail(c, UCI_ERR_MEM);
		return 1;
	}
	if (uci_ptr_lookup(c->ctx, &ptr, str, true)) {
		cli_perror(c);
		goto out;
	}
	switch (cmd) {
	case CMD_CHANGES:
		show_changes(ptr.p);
		break;
	case CMD_COMMIT:
		if (c->flags & CLI_NOCOMMIT)
			break;
		if (uci_package_commit(c->ctx, &ptr.p, false)) {
			cli_perror(c);
			goto out;
		}
		break;
	case CMD_EXPORT:
		fflush(stdout);
		if (uci_package_export(c->ctx, stdout, ptr.p, true))
			goto out;
		break;
	case CMD_SHOW:
		if (!(ptr.flags & UCI_LOOKUP_COMPLETE)) {
			cli_fail(c, UCI_ERR_NOTFOUND);
			goto out;
		}
		if (ptr.last == UCI_TYPE_PACKAGE)
			show_package(c, ptr.p);
		else if (ptr.last == UCI_TYPE_SECTION)
			show_section(c, ptr.s, NULL);
		else
			show_option(c, ptr.o, NULL);
		break;
	default:
		goto out;
	}
	ret = 0;
out:
	uci_package_free(ptr.p);
	free(str);
	return ret;
}

static int read_input(struct cli *c, char **buf, size_t *len)
{
	int err = uci_file_read_all(fileno(c->input), buf, len);
	if (err)
		cli_fail(c, err);
	return err;
}

static int do_import(struct cli *c, int argc, char **argv)
{
	struct uci_package *merge = NULL, **pkgs = NULL;
	size_t n = 0, len;
	char *name = argc == 2 ? argv[1] : NULL, *buf;
	if (argc > 2 || (!name && (c->flags & CLI_MERGE)))
		return 255;
	if (read_input(c, &buf, &len))
		return 1;
	if ((c->flags & CLI_MERGE) && uci_package_load(c->ctx, name, &merge))
		merge = NULL;
	int err = uci_package_import(c->ctx, buf ? buf : "", len, NULL, name, merge, &pkgs, &n);
	if (!err && merge)
		err = uci_package_save(c->ctx, merge);
	for (size_t i = 0; !err && !merge && i < n; i++)
		err = uci_package_commit(c->ctx, &pkgs[i], true);
	for (size_t i = 0; i < n; i++)
		uci_package_free(pkgs[i]);
	free(pkgs);
	uci_package_free(merge);
	free(buf);
	if (err) {
		cli_perror(c);
		return 1;
	}
	return 0;
}

static int do_package_cmd(struct cli *c, enum cli_cmd cmd, int argc, char **argv)
{
	if (argc > 2)
		return 255;
	if (argc == 2)
		return package_cmd(c, cmd, argv[1]);
	char **names;
	size_t n;
	if (uci_list_configs(c->ctx, &names, &n)) {
		cli_perror(c);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		package_cmd(c, cmd, names[i]);
	uci_list_configs_free(names, n);
	return 0;
}

static int do_add(struct cli *c, int argc, char **argv)
{
	struct uci_package *p = NULL;
	struct uci_section *s = NULL;
	if (argc != 3)
		return 255;
	int err = uci_package_load(c->ctx, argv[1], &p);
	if (!err)
		err = uci_section_add(c->ctx, p, argv[2], &s);
	if (!err)
		err = uci_package_save(c->ctx, p);
	if (err)
		cli_perror(c);
	else if (s)
		printf("%s\n", s->name);
	uci_package_free(p);
	return err;
}

static int section_cmd_run(struct cli *c, enum cli_cmd cmd, struct uci_ptr *ptr)
{
	switch (cmd) {
	case CMD_GET:
		if (!(ptr->flags & UCI_LOOKUP_COMPLETE)) {
			cli_fail(c, UCI_ERR_NOTFOUND);
			return 1;
		}
		if (ptr->last == UCI_TYPE_SECTION)
			printf("%s\n", ptr->s->type);
		else if (ptr->last == UCI_TYPE_OPTION)
			show_value(c, ptr->o, false);
		return 0;
	case CMD_REVERT:
		uci_package_revert(c->ctx, ptr);
		return 0;
	case CMD_RENAME:
		return uci_rename(c->ctx, ptr) ? -1 : 0;
	case CMD_SET:
		return uci_set(c->ctx, ptr) ? -1 : 0;
	case CMD_ADD_LIST:
		return uci_list_add(c->ctx, ptr) ? -1 : 0;
	case CMD_DEL_LIST:
		return uci_list_del(c->ctx, ptr) ? -1 : 0;
	case CMD_REORDER:
		if (!ptr->s || !ptr->value) {
			cli_fail(c, UCI_ERR_NOTFOUND);
			return 1;
		}
		return uci_section_reorder(c->ctx, ptr->s, (int)strtoul(ptr->value, NULL, 10)) ? -1 : 0;
	case CMD_DEL: {
		int dummy;
		if (ptr->value && sscanf(ptr->value, "%d", &dummy) != 1)
			return 1;
		return uci_delete(c->ctx, ptr) ? -1 : 0;
	}
	default:
		return 1;
	}
}

static int do_section_cmd(struct cli *c, enum cli_cmd cmd, int argc, char **argv)
{
	struct uci_ptr ptr = { 0 };
	if (argc != 2)
		return 255;
	char *str = strdup(argv[1]);
	if (!str) {
		cli_fail(c, UCI_ERR_MEM);
		return 1;
	}
	int ret = 1;
	if (uci_ptr_lookup(c->ctx, &ptr, str, true)) {
		cli_perror(c);
		goto out;
	}
	if (ptr.value && cmd != CMD_SET && cmd != CMD_DEL && cmd != CMD_ADD_LIST &&
	    cmd != CMD_DEL_LIST && cmd != CMD_RENAME && cmd != CMD_REORDER)
		goto out;
	ret = section_cmd_run(c, cmd, &ptr);
	if (ret > 0 || cmd == CMD_GET || cmd == CMD_REVERT)
		goto out;
	/* keep the change staged in the save dir; `commit` applies it */
	if (ret < 0 || uci_package_save(c->ctx, ptr.p)) {
		cli_perror(c);
		ret = 1;
	}
out:
	uci_package_free(ptr.p);
	free(str);
	return ret;
}

/* Commands from input, one a line, words quoted like config files. */
static int do_batch(struct cli *c)
{
	char *buf;
	size_t len;
	if (read_input(c, &buf, &len))
		return 1;
	struct uci_lexer lx;
	uci_lex_init(&lx, buf ? buf : "", len);
	c->flags |= CLI_BATCH;
	while (!uci_lex_eof(&lx)) {
		char *argv[CLI_MAX_ARGS + 1] = { 0 };
		int argc = 0, ret = 0;
		bool stop = false;
		lx.line_start = lx.pos;
		for (;;) {
			int r = uci_lex_next_arg(&lx);
			if (r) {
				if (r == -1)
					uci_lex_report(c->ctx, &lx, NULL);
				else
					c->ctx->err = UCI_ERR_MEM;
				cli_perror(c);
				lx.pos = r == -1 ? lx.err_pos : lx.pos;
				lx.reason = NULL;
				argc = 0;
				break;
			}
			if (!lx.tok[0])
				break;
			if (argc == CLI_MAX_ARGS) {
				if (!(c->flags & CLI_QUIET))
					fprintf(stderr, "Too many arguments\n");
				argc = -1;
				break;
			}
			if (!(argv[argc++] = strdup(lx.tok))) {
				argc--;
				cli_fail(c, UCI_ERR_MEM);
				argc = -1;
				break;
			}
		}
		if (argc > 0) {
			if (!strcasecmp(argv[0], "exit"))
				stop = true;
			else
				ret = cli_cmd(c, argc, argv);
			if (ret == 255 && !(c->flags & CLI_QUIET))
				fprintf(stderr, "Unknown command\n");
		}
		for (int i = 0; i < CLI_MAX_ARGS; i++)
			free(argv[i]);
		fflush(stdout);
		if (stop)
			break;
		uci_lex_next_line(&lx);
	}
	c->flags &= ~(unsigned)CLI_BATCH;
	uci_lex_fini(&lx);
	free(buf);
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

static int cli_options(struct cli *c, int argc, char **argv)
{
	int opt;
	optind = 1;
	opterr = 0; /* print musl's wording (OpenWrt's libc) whatever libc we have */
	while ((opt = getopt(argc, argv, "c:d:f:LmnNp:P:qsSt:X")) != -1) {
		int err = 0;
		switch (opt) {
		case 'c': err = uci_context_set_confdir(c->ctx, optarg); break;
		case 'd': c->delimiter = optarg; break;
		case 'f':
			if (c->input != stdin) {
				fprintf(stderr, "Too many input files.\n");
				return 1;
			}
			if (!(c->input = fopen(optarg, "re"))) {
				c->input = stdin;
				fprintf(stderr, "uci: %s\n", strerror(errno));
				return 1;
			}
			break;
		case 'L': break; /* no plugins to skip */
		case 'm': c->flags |= CLI_MERGE; break;
		case 's': c->ctx->flags |= UCI_FLAG_STRICT; break;
		case 'S':
			c->ctx->flags &= ~(unsigned)UCI_FLAG_STRICT;
			c->ctx->flags |= UCI_FLAG_PERROR;
			break;
		case 'n': c->ctx->flags |= UCI_FLAG_EXPORT_NAME; break;
		case 'N': c->ctx->flags &= ~(unsigned)UCI_FLAG_EXPORT_NAME; break;
		case 'p': err = uci_context_add_delta_path(c->ctx, optarg); break;
		case 'P':
			/* stage into DIR, still see the default save dir, never commit */
			err = uci_context_add_delta_path(c->ctx, c->ctx->savedir);
			if (!err || err == UCI_ERR_DUPLICATE)
				err = uci_context_set_savedir(c->ctx, optarg);
			c->flags |= CLI_NOCOMMIT;
			break;
		case 'q': c->flags |= CLI_QUIET; break;
		case 't': err = uci_context_set_savedir(c->ctx, optarg); break;
		case 'X': c->flags &= ~(unsigned)CLI_SHOW_EXT; break;
		default:
			fprintf(stderr, optopt && strchr("cdfpPt", optopt) ?
				"%s: option requires an argument: %c\n" : "%s: unrecognized option: %c\n",
				c->appname, optopt);
			cli_usage(c);
			return 0;
		}
		if (err == UCI_ERR_MEM) {
			cli_perror(c);
			return 1;
		}
	}
	return -1;
}

int uci_cli_main(int argc, char **argv)
{
	struct cli c = { .delimiter = " ", .flags = CLI_SHOW_EXT, .input = stdin };
	const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
	c.appname = slash ? slash + 1 : argc > 0 ? argv[0] : "uci";
	c.ctx = uci_context_new();
	if (!c.ctx) {
		fprintf(stderr, "Out of memory\n");
		return 1;
	}
	int ret = cli_options(&c, argc, argv);
	if (ret < 0) {
		if (argc - optind < 1) {
			cli_usage(&c);
			ret = 0;
		} else {
			ret = cli_cmd(&c, argc - optind, argv + optind);
			if (ret == 255)
				cli_usage(&c);
		}
	}
	if (c.input != stdin)
		fclose(c.input);
	if (fflush(stdout) != 0 && ret == 0)
		ret = 1;
	uci_context_free(c.ctx);
	return ret;
}
