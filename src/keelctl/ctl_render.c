/* ctl_render: keel's answer to status, list, cond, health and the other requests, as a table or JSON. */
/* SPDX-License-Identifier: MIT */
#include "ctl.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logrec.h"

enum { F_KIND, F_NAME, F_STATE, F_PID, F_UPTIME, F_RESTARTS, F_EXIT, F_TYPE, F_TARGET, F_DESC,
       F_REASON, F_STATUS, F_EXIT_CODE, F_SIGNAL, F_WANTED, F_STARTED, F_READY, F_STOPPED,
       F_EXITED, F_COUNT };

static const char *const stamp_names[] = { "wanted", "started", "ready", "stopped", "exited" };

/* A number field, or null when empty or 0 (never). */
static void json_num(struct buf *js, const char *key, const char *v, bool zero_is_null)
{
	buf_addf(js, ",\"%s\":%s", key, !v[0] || (zero_is_null && !strcmp(v, "0")) ? "null" : v);
}

static void svc_json(struct buf *js, char **f)
{
	buf_adds(js, "{\"name\":");
	buf_add_json(js, f[F_NAME]);
	buf_adds(js, ",\"state\":");
	buf_add_json(js, f[F_STATE]);
	buf_addf(js, ",\"pid\":%s,\"uptime_ms\":%s,\"restarts\":%s,\"last_exit\":", f[F_PID],
		 f[F_UPTIME], f[F_RESTARTS]);
	buf_add_json(js, f[F_EXIT]);
	json_num(js, "exit_code", f[F_EXIT_CODE], false);
	json_num(js, "signal", f[F_SIGNAL], false);
	buf_adds(js, ",\"type\":");
	buf_add_json(js, f[F_TYPE]);
	buf_adds(js, ",\"target\":");
	buf_add_json(js, f[F_TARGET]);
	buf_adds(js, ",\"description\":");
	buf_add_json(js, f[F_DESC]);
	buf_adds(js, ",\"reason\":");
	buf_add_json(js, f[F_REASON]);
	buf_adds(js, ",\"status\":");
	buf_add_json(js, f[F_STATUS]);
	for (int k = 0; k < 5; k++) {
		char key[24];
		snprintf(key, sizeof key, "%s_ms", stamp_names[k]);
		json_num(js, key, f[F_WANTED + k], true);
	}
}

/* "    wanted 1.203s, started 1.250s, ready 1.300s (since boot)" */
static void svc_times_text(struct buf *t, char **f)
{
	bool any = false;
	for (int k = 0; k < 5; k++) {
		unsigned long long ms = strtoull(f[F_WANTED + k], NULL, 10);
		if (!ms)
			continue;
		buf_addf(t, "%s%s %llu.%03llus", any ? ", " : "    ", stamp_names[k], ms / 1000, ms % 1000);
		any = true;
	}
	if (any)
		buf_adds(t, " (since boot)\n");
}

int ctl_render(const struct ctl *c, char *reply, const char *verb, const char *name)
{
	bool json = c->json;
	/* Only the output asked for is built (status of 1000 services). */
	struct buf table = { .off = json }, diags = { .off = json }, js = { .off = !json };
	struct buf waits = { .off = !json }, waits_text = { .off = json };
	char *status_line = NULL;
	int nsvc = 0, ndiag = 0, nwait = 0;
	char single_state[32] = "";

	buf_adds(&js, "{\"services\":[");
	for (char *line = reply, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "OK", 2) || !strncmp(line, "ERR", 3)) {
			status_line = line;
			break;
		}
		if (!strncmp(line, "health\t", 7)) {
			char *hf[4];
			if (ctl_split_tabs(line, hf, 4) == 4) {
				buf_addf(&table, "%s%s%s (failed boots counted: %s)\n", hf[1], hf[2][0] ? ": " : "",
					 hf[2], hf[3][0] ? hf[3] : "-");
				buf_adds(&js, "{\"health\":");
				buf_add_json(&js, hf[1]);
				buf_adds(&js, ",\"detail\":");
				buf_add_json(&js, hf[2]);
				buf_addf(&js, ",\"counter\":%s}", hf[3][0] ? hf[3] : "null");
				nsvc++;
			}
			continue;
		}
		if (!strncmp(line, "log\t", 4)) {
			struct log_rec r;
			char *rl = line + 4;
			if (!json && logrec_parse(rl, strlen(rl), &r) == 0) {
				/* Shown under the service's row, as systemctl status does. */
				time_t t = (time_t)(r.real_us / 1000000);
				struct tm tm;
				char when[32] = "";
				if (localtime_r(&t, &tm))
					strftime(when, sizeof when, "%b %e %H:%M:%S", &tm);
				/* Escaped again: a line must not drive the terminal. */
				buf_addf(&table, "    %s %s%s ", when, r.source == LOG_SRC_STDERR ? "!" : " ",
					 r.flags & LOG_F_CONT ? "+" : "");
				logrec_escape(&table, r.msg, r.msg_len);
				buf_adds(&table, "\n");
			}
			continue;
		}
		char *f[F_COUNT];
		size_t n = ctl_split_tabs(line, f, F_COUNT);
		if (!strcmp(f[0], "svc") && n == F_COUNT) {
			char up[32] = "-";
			unsigned long long ms = strtoull(f[F_UPTIME], NULL, 10);
			if (strcmp(f[F_PID], "0"))
				ctl_fmt_ms(ms, up, sizeof up);
			buf_addf(&table, "%-20s %-9s %7s %9s %8s %-11s %s%s%s%s%s%s\n", f[F_NAME],
				 f[F_STATE], strcmp(f[F_PID], "0") ? f[F_PID] : "-", up,
				 f[F_RESTARTS], f[F_EXIT], f[F_DESC][0] ? f[F_DESC] : "",
				 f[F_REASON][0] ? (f[F_DESC][0] ? " — " : "") : "", f[F_REASON],
				 f[F_STATUS][0] ? " [" : "", f[F_STATUS], f[F_STATUS][0] ? "]" : "");
			if (name)
				svc_times_text(&waits_text, f);
			buf_adds(&js, nsvc ? "," : "");
			svc_json(&js, f);
			/* status NAME: its waits go in too, at the end */
			if (!name)
				buf_adds(&js, "}");
			snprintf(single_state, sizeof single_state, "%s", f[F_STATE]);
			nsvc++;
		} else if (!strcmp(f[0], "wait") && n == 4) {
			unsigned long long ms = strtoull(f[3], NULL, 10);
			buf_addf(&waits_text, "%s%s %llu.%03llus", nwait ? ", " : "    waited for: ", f[2],
				 ms / 1000, ms % 1000);
			buf_adds(&waits, nwait ? ",{\"for\":" : "{\"for\":");
			buf_add_json(&waits, f[2]);
			buf_addf(&waits, ",\"ms\":%llu}", ms);
			nwait++;
		} else if (!strcmp(f[0], "diag") && n == 4) {
			buf_addf(&diags, "keel: %s: %s%s%s\n", f[1], f[2], f[2][0] ? ": " : "", f[3]);
			if (!ndiag)
				buf_adds(&js, "],\"diagnostics\":[");
			buf_adds(&js, ndiag ? ",{" : "{");
			buf_adds(&js, "\"level\":");
			buf_add_json(&js, f[1]);
			buf_adds(&js, ",\"location\":");
			buf_add_json(&js, f[2]);
			buf_adds(&js, ",\"message\":");
			buf_add_json(&js, f[3]);
			buf_adds(&js, "}");
			ndiag++;
		} else if (!strcmp(f[0], "cond") && n == 5) {
			buf_addf(&table, "%-36s %-5s %s%s%s\n", f[1], f[2], f[3], f[4][0] ? "  # " : "",
				 f[4]);
			buf_adds(&js, nsvc ? ",{" : "{");
			buf_adds(&js, "\"condition\":");
			buf_add_json(&js, f[1]);
			buf_addf(&js, ",\"value\":%s,\"services\":[", !strcmp(f[2], "true") ? "true" : "false");
			for (char *sv = f[3], *next_sv; sv && *sv; sv = next_sv) {
				next_sv = strchr(sv, ',');
				if (next_sv)
					*next_sv++ = '\0';
				if (sv != f[3])
					buf_adds(&js, ",");
				buf_add_json(&js, sv);
			}
			buf_adds(&js, "],\"note\":");
			buf_add_json(&js, f[4]);
			buf_adds(&js, "}");
			nsvc++;
		} else if (!strcmp(f[0], "name") && n == 2) {
			buf_addf(&table, "%s\n", f[1]);
			buf_adds(&js, nsvc ? "," : "");
			buf_add_json(&js, f[1]);
			nsvc++;
		}
	}
	if (nwait)
		buf_adds(&waits_text, "\n");
	if (!ndiag)
		buf_adds(&js, "],\"diagnostics\":[");
	buf_adds(&js, "]}\n");

	int rc = EXIT_OK;
	if (!status_line)
		rc = ctl_fail(c, EXIT_FAILED, "incomplete answer from keel");
	else if (!strncmp(status_line, "ERR", 3))
		rc = ctl_fail(c, EXIT_FAILED, "%s", status_line[3] ? status_line + 4 : "failed");
	else if (json && (!js.p || js.oom || waits.oom))
		rc = ctl_fail(c, EXIT_FAILED, "out of memory");
	bool is_cond_list = !strcmp(verb, "cond") && !name;
	bool is_status = !strcmp(verb, "status") || !strcmp(verb, "list");
	if (rc != EXIT_OK) {
	} else if (!strcmp(verb, "health")) {
		/* {"services":[{...}]... holds the one object */
		char *p = json ? strchr(js.p, '{') : NULL;
		char *q = p ? strchr(p + 1, '{') : NULL;
		char *e = q ? strstr(q, "],\"diagnostics\"") : NULL;
		if (json && q && e)
			printf("%.*s\n", (int)(e - q), q);
		else if (!json && table.p)
			fputs(table.p, stdout);
	} else if (is_cond_list) {
		if (json) {
			/* {"services":[ ... becomes {"conditions":[ ... */
			char *p = strchr(js.p, '[');
			char *e = strstr(js.p, "],\"diagnostics\"");
			if (p && e)
				printf("{\"conditions\":%.*s]}\n", (int)(e - p), p);
		} else {
			printf("%-36s %-5s %s\n", "CONDITION", "VALUE", "SERVICES");
			if (table.p)
				fputs(table.p, stdout);
		}
	} else if (is_status) {
		if (json && !strcmp(verb, "list")) {
			/* list: a plain array of names */
			char *p = strstr(js.p, "[");
			char *e = strstr(js.p, "],\"diagnostics\"");
			if (p && e)
				printf("%.*s]\n", (int)(e - p), p);
		} else if (json && name) {
			/* status NAME: {"services":[{...,"waits":[...]}],"diagnostics":[]} */
			char *e = strstr(js.p, "],\"diagnostics\"");
			if (e)
				printf("{\"protocol\":%d,%.*s,\"waits\":[%s]}%s", CTL_PROTOCOL,
				       (int)(e - js.p - 1), js.p + 1, waits.p ? waits.p : "", e);
		} else if (json) {
			printf("{\"protocol\":%d,%s", CTL_PROTOCOL, js.p + 1);
		} else {
			if (!strcmp(verb, "status"))
				printf("%-20s %-9s %7s %9s %8s %-11s %s\n", "NAME", "STATE", "PID",
				       "UPTIME", "RESTARTS", "LAST-EXIT", "DESCRIPTION");
			/* status NAME: the row, its times and waits, then its log */
			char *row_end = name && table.p ? strchr(table.p, '\n') : NULL;
			if (row_end) {
				fwrite(table.p, 1, (size_t)(row_end + 1 - table.p), stdout);
				if (waits_text.p)
					fputs(waits_text.p, stdout);
				fputs(row_end + 1, stdout);
			} else if (table.p) {
				fputs(table.p, stdout);
			}
			if (diags.p) {
				printf("\nproblems in the service files:\n");
				fputs(diags.p, stdout);
			}
		}
		if (name && single_state[0]) {
			if (!strcmp(single_state, "failed") || !strcmp(single_state, "skipped"))
				rc = EXIT_FAILED;
			else if (strcmp(single_state, "running") && strcmp(single_state, "done"))
				rc = EXIT_NOT_RUNNING;
		}
	} else if (c->wait) {
		/* --wait answers once the state is reached */
	} else if (json) {
		struct buf m = { 0 };
		buf_adds(&m, "{\"ok\":true,\"message\":");
		buf_add_json(&m, status_line[2] ? status_line + 3 : "");
		buf_adds(&m, "}\n");
		if (m.p)
			fputs(m.p, stdout);
		buf_free(&m);
	} else if (status_line[2]) {
		printf("%s\n", status_line + 3);
	}
	buf_free(&table);
	buf_free(&diags);
	buf_free(&js);
	buf_free(&waits);
	buf_free(&waits_text);
	return rc;
}

/* Here, not in keelctl.c: fuzz_ctlreply links the reply readers, and
 * this with them, rather than a copy. */
size_t ctl_split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == '\t') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}
