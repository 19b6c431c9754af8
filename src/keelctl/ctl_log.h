/* ctl_log: `keelctl log NAME [-f] [-n N]` — one service's last lines from keel's log socket. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_CTL_LOG_H
#define KEEL_CTL_LOG_H

/*
 * argv[0] is "log"; the rest: NAME, -f (then follow), -n N (the last N
 * lines, default 20; 0: all), --json (logread's JSON lines). sock_path is
 * keel's log socket (NULL: the LOG_SOCKET build setting). Prints the
 * service's records (tag NAME) as logread does and returns keelctl's exit
 * code: 0, 1 keel refused or stdout failed, 2 usage, 111 keel not reachable.
 */
int ctl_log_main(const char *sock_path, int argc, char **argv);

#endif
