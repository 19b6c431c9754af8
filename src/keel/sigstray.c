/* sigstray: signals PID 1 inherited or has no use for — dispositions back to default, strays drained and counted. */
/* SPDX-License-Identifier: MIT */
#include "sigstray.h"

#include <signal.h>
#include <stdio.h>

#include "log.h"
#include "supervisor.h"
#include "svc.h"

/*
 * PID 1 blocks every signal but the faults and reads them all from its
 * signalfd. One it does not use must still be read: a blocked real-time
 * signal stays queued for ever and counts against root's RLIMIT_SIGPENDING
 * (about 128 on a 32 MB device), after which no root process can queue one.
 */

#define SIG_REPORT_MS 1000

static unsigned long nstray;     /* read since the last message */
static uint32_t last_sig, last_pid;
static uint64_t last_report_ms;

void sig_defaults(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigemptyset(&dfl.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL); /* EINVAL for the libc's own: left alone */
}

static void stray_name(uint32_t sig, char *buf, size_t len)
{
	const char *n = svc_signal_name((int)sig);
	if (n)
		snprintf(buf, len, "SIG%s", n);
	else if ((int)sig == SIGRTMIN)
		snprintf(buf, len, "SIGRTMIN");
	else if ((int)sig > SIGRTMIN && (int)sig <= SIGRTMAX)
		snprintf(buf, len, "SIGRTMIN+%d", (int)sig - SIGRTMIN);
	else
		snprintf(buf, len, "signal %u", sig);
}

static void stray_report(void)
{
	char name[32];
	stray_name(last_sig, name, sizeof name);
	if (nstray == 1)
		log_msg("warning: %s from pid %u ignored", name, last_pid);
	else
		log_msg("warning: %lu signals ignored (the last: %s from pid %u)", nstray, name,
			last_pid);
	nstray = 0;
	last_report_ms = sup_now_ms();
}

void sig_stray(const struct signalfd_siginfo *si)
{
	if (si->ssi_signo == SIGPIPE)
		return; /* PID 1's own write to a closed pipe or socket: EPIPE says it */
	nstray++;
	last_sig = si->ssi_signo;
	last_pid = si->ssi_pid;
	if (!last_report_ms || sup_now_ms() >= last_report_ms + SIG_REPORT_MS)
		stray_report();
}

uint64_t sig_next_deadline(void)
{
	return nstray ? last_report_ms + SIG_REPORT_MS : 0;
}

void sig_timer_event(void)
{
	if (nstray && sup_now_ms() >= last_report_ms + SIG_REPORT_MS)
		stray_report();
}
