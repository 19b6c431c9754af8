/* iCamera: the fake vendor camera application of test_wzmini — a heartbeat, and the firmware upgrade it unpacks and runs when told. */
/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void say(const char *fmt, const char *arg)
{
	FILE *f = fopen("/dev/console", "w");
	if (!f)
		return;
	fprintf(f, "TEST: iCamera %ld: ", (long)getpid());
	fprintf(f, fmt, arg);
	fputc('\n', f);
	fclose(f);
}

int main(void)
{
	const char *pre = getenv("LD_PRELOAD");
	say("start LD_PRELOAD=%s", pre ? pre : "");
	for (unsigned long beat = 0;; beat++) {
		FILE *h = fopen("/tmp/icamera.heartbeat", "w");
		if (h) {
			fprintf(h, "%lu\n", beat);
			fclose(h);
		}
		/* Told to upgrade: unpack the upgrade script, as the vendor's
		 * download does, and run it a moment later if it is still there. */
		if (unlink("/tmp/do-upgrade") == 0) {
			mkdir("/tmp/Upgrade", 0755);
			int fd = open("/tmp/Upgrade/upgraderun.sh", O_WRONLY | O_CREAT | O_TRUNC, 0755);
			if (fd >= 0) {
				const char s[] = "#!/bin/sh\necho 'TEST: upgrade flashed' >/dev/console\n";
				if (write(fd, s, sizeof s - 1) < 0)
					say("%s", "cannot write the upgrade script");
				close(fd);
			}
			sleep(2);
			if (access("/tmp/Upgrade/upgraderun.sh", F_OK) == 0)
				(void)!system("/tmp/Upgrade/upgraderun.sh");
			else
				say("%s", "upgrade script gone");
		}
		sleep(1);
	}
}
