/* firstboot: factory reset — marks the writable layer for discarding, applied by preinit at the next boot. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "preinit.h"

/*
 * The layer cannot be wiped under the running system (it is the upper
 * layer of /), and wiping it in preinit would make that boot as slow as
 * the layer is big. So: `preinit firstboot` writes a mark on the layer and
 * reboots; preinit, seeing the mark, renames upper/ and work/ aside (one
 * rename each, instant and atomic) and boots on an empty layer; the
 * preinit-format service deletes what was set aside in the background.
 * A power cut at any point leaves either the old layer or the clean one.
 */
void preinit_firstboot_apply(const char *data_dir)
{
	char *mark = preinit_path(data_dir, PREINIT_FIRSTBOOT_MARK);
	if (!mark || access(mark, F_OK) < 0) {
		free(mark);
		return;
	}
	const char *parts[] = { "upper", "work" };
	bool ok = true;
	for (size_t i = 0; i < 2; i++) {
		char *from = preinit_path(data_dir, parts[i]), *to = NULL;
		if (from && asprintf(&to, "%s/discard.%s.%ld", data_dir, parts[i],
				     (long)time(NULL)) < 0)
			to = NULL;
		if (!from || !to || (rename(from, to) < 0 && errno != ENOENT)) {
			preinit_error("firstboot: setting %s aside: %s", parts[i], strerror(errno));
			ok = false;
		}
		free(from);
		free(to);
	}
	if (ok && unlink(mark) < 0)
		preinit_error("firstboot: removing the mark: %s", strerror(errno));
	sync();
	if (ok)
		preinit_say("firstboot: old overlay set aside, booting on a clean one");
	free(mark);
}

int preinit_firstboot_main(int argc, char **argv)
{
	bool reboot = true, yes = false;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-n") || !strcmp(argv[i], "--no-reboot"))
			reboot = false;
		else if (!strcmp(argv[i], "-y") || !strcmp(argv[i], "--yes"))
			yes = true;
		else {
			fprintf(stderr, "usage: preinit firstboot [-y] [-n]\n"
					"  -y  do not ask; -n  do not reboot\n");
			return 100;
		}
	}
	char *state = preinit_read_file(PREINIT_STATE_DIR "/state", NULL);
	char *kind = state ? preinit_uevent_get(state, "overlay") : NULL;
	free(state);
	if (!kind || !strcmp(kind, "tmpfs")) {
		fprintf(stderr, "preinit: firstboot: the overlay is %s: nothing on storage to wipe\n",
			kind ? "tmpfs" : "unknown (no " PREINIT_STATE_DIR "/state)");
		free(kind);
		return kind ? 0 : 111;
	}
	free(kind);
	if (!yes) {
		fprintf(stderr, "This erases all settings and installed files. Type yes: ");
		char ans[16] = "";
		if (!fgets(ans, sizeof ans, stdin) || strcmp(ans, "yes\n")) {
			fprintf(stderr, "preinit: firstboot: not confirmed\n");
			return 1;
		}
	}
	char *mark = preinit_path(PREINIT_OVERLAY, PREINIT_FIRSTBOOT_MARK);
	int fd = mark ? open(mark, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : -1;
	if (fd < 0 || fsync(fd) < 0) {
		fprintf(stderr, "preinit: error: firstboot: %s: %s\n", mark ? mark : "mark",
			strerror(errno));
		free(mark);
		if (fd >= 0)
			close(fd);
		return 111;
	}
	close(fd);
	free(mark);
	int dfd = open(PREINIT_OVERLAY, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	fprintf(stderr, "preinit: firstboot: the overlay is discarded at the next boot\n");
	if (reboot && kill(1, SIGTERM) < 0) {
		fprintf(stderr, "preinit: error: firstboot: asking PID 1 to reboot: %s\n",
			strerror(errno));
		return 111;
	}
	return 0;
}
