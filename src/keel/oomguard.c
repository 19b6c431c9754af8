/* oomguard: keel as PID 1 of a PID namespace kept out of the OOM killer's choice, its services left as they were. */
/* SPDX-License-Identifier: MIT */
#include "oomguard.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define OOM_ADJ "/proc/self/oom_score_adj"

/* The value keel started with, for its children; empty: nothing changed. */
static char orig[16];
static size_t orig_len;

void oomguard_init(bool in_container)
{
	if (!in_container || getpid() != 1)
		return;
	int fd = open(OOM_ADJ, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return; /* no /proc: nothing to guard with */
	ssize_t n = read(fd, orig, sizeof orig - 1);
	if (n > 0 && strncmp(orig, "-1000", 5) != 0) {
		if (pwrite(fd, "-1000\n", 6, 0) == 6)
			orig_len = (size_t)n;
		else
			log_info("PID 1 of a PID namespace: oom_score_adj -1000: %m: under a memory "
				 "limit the OOM killer may pick keel (and end every service)");
	}
	close(fd);
}

void oomguard_child(void)
{
	if (!orig_len)
		return;
	int fd = open(OOM_ADJ, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, orig, orig_len) < 0) {
		/* keeps -1000: only the OOM killer's choice among services differs */
	}
	close(fd);
}
