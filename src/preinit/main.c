/* main: preinit, the first boot stage — read top to bottom, it is the order of the boot. */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "preinit.h"

#define CONF_FILE "/etc/preinit.conf"
#define RAMFS_MAGIC_ 0x858458f6
#define TMPFS_MAGIC_ 0x01021994

static void usage(FILE *f)
{
	fprintf(f, "usage: preinit              (as PID 1: initramfs /init or init=/sbin/preinit)\n"
		   "       preinit firstboot [-y] [-n]   factory reset at the next boot\n"
		   "       preinit ab-commit             A/B: keep the slot on trial (health commit)\n"
		   "       preinit stage upgrade|firstboot ...   the upgrade stage (run by keel)\n");
}

/* Step 1: the kernel file systems, and the console on fds 0-2. */
static void mounts_early(void)
{
	static const struct {
		const char *dir, *type, *opts;
		unsigned long flags;
	} m[] = {
		{ "/proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
		{ "/sys", "sysfs", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
		{ "/dev", "devtmpfs", "mode=0755", MS_NOSUID },
		{ "/tmp", "tmpfs", "mode=1777", MS_NOSUID | MS_NODEV },
		{ "/run", "tmpfs", "mode=0755,size=10%", MS_NOSUID | MS_NODEV },
	};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		if (mkdir(m[i].dir, 0755) < 0 && errno != EEXIST)
			dprintf(2, "preinit: error: mkdir %s: %s\n", m[i].dir, strerror(errno));
		/* EBUSY: the kernel mounted it already (devtmpfs.mount=1). */
		if (mount(m[i].type, m[i].dir, m[i].type, m[i].flags, m[i].opts) < 0 && errno != EBUSY)
			dprintf(2, "preinit: error: mount %s on %s: %s\n", m[i].type, m[i].dir,
				strerror(errno));
	}
	/* Without a /dev/console node in the initramfs the kernel starts us
	 * with nothing open: take the console from devtmpfs now. */
	if (fcntl(0, F_GETFD) < 0 || fcntl(1, F_GETFD) < 0 || fcntl(2, F_GETFD) < 0)
		preinit_console_reopen();
}

static void config_load(struct preinit *p)
{
	struct preinit_conf *c = &p->conf;
	struct diags d = { 0 };
	preinit_conf_defaults(c);
	size_t len;
	char *text = preinit_read_file(CONF_FILE, &len);
	if (text && preinit_conf_parse(c, text, len, CONF_FILE, &d) > 0) {
		/* Half a configuration is worse than none: the built-in one
		 * is known to boot. */
		preinit_conf_free(c);
		preinit_conf_defaults(c);
		diag_add(&d, DIAG_ERROR, CONF_FILE, 0, "using the built-in defaults instead");
	} else if (!text && errno != ENOENT) {
		diag_add(&d, DIAG_ERROR, CONF_FILE, 0, "%s; using the built-in defaults",
			 strerror(errno));
	}
	free(text);
	char *cmdline = preinit_read_file("/proc/cmdline", NULL);
	if (cmdline)
		preinit_conf_cmdline(c, cmdline, &d);
	free(cmdline);
	for (size_t i = 0; i < d.n; i++) {
		char *s = diag_format(&d.v[i]);
		if (s)
			preinit_say("%s", s);
		free(s);
	}
	diags_free(&d);
}

/* What the booted system may want to know (the format service, firstboot,
 * tests), as KEY=value lines in /run/preinit/state. */
static void state_write(struct preinit *p)
{
	char *text = NULL;
	if (asprintf(&text, "mode=%s\noverlay=%s\nfailsafe=%d\ndata=%s\nid=%s\nroot=%s\nslot=%s\n"
			    "abenv=%s\n",
		     p->initramfs ? "initramfs" : "rootfs", p->overlay_kind, p->failsafe,
		     p->data_dev ? p->data_dev : "", p->device_id ? p->device_id : "",
		     p->root_dev ? p->root_dev : "", p->slot == 'b' ? "b" : p->slot ? "a" : "",
		     p->ab_dev ? p->ab_dev : "") < 0)
		return;
	if (preinit_write_file(PREINIT_STATE_DIR "/state", text) < 0)
		preinit_error("writing %s/state: %s", PREINIT_STATE_DIR, strerror(errno));
	free(text);
}

/* Nothing to switch to: a shell if the image has one, else reboot and
 * hope the next try sees the device. */
static void emergency(void)
{
	preinit_error("cannot assemble a root file system");
	char *const sh[] = { "/bin/sh", NULL };
	if (access(sh[0], X_OK) == 0) {
		preinit_say("emergency shell (exit reboots)");
		preinit_run("/", sh, -1, -1);
	} else {
		sleep(5);
	}
	sync();
	preinit_watchdog_disarm();
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "firstboot"))
		return preinit_firstboot_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "ab-commit"))
		return preinit_ab_commit_main();
	if (argc > 2 && !strcmp(argv[1], "stage"))
		return preinit_upgrade_main(argc - 1, argv + 1);
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (getpid() != 1) {
		usage(stderr);
		fprintf(stderr, "preinit: fatal: the boot stage runs only as PID 1\n");
		return 100;
	}
	struct preinit p = { 0 };
	mounts_early();
	struct statfs sfs;
	/* f_type's type and signedness differ between ABIs (int on 32-bit
	 * glibc, long elsewhere): compare as the kernel's 32-bit magic. */
	p.initramfs = statfs("/", &sfs) == 0 &&
		      ((uint32_t)sfs.f_type == RAMFS_MAGIC_ || (uint32_t)sfs.f_type == TMPFS_MAGIC_);
	config_load(&p);
	/* As early as the device can be named; its driver may be one of the
	 * modules, so a missing node is said only after they are loaded. */
	preinit_watchdog_open(&p.conf, p.conf.modules.n > 0);
	preinit_mkdirs(PREINIT_STATE_DIR, 0755);
	preinit_progress_led(&p, PREINIT_PHASE_BOOT, true);
	preinit_say("starting from the %s", p.initramfs ? "initramfs" : "root file system");

	preinit_modules_load(&p.conf.modules);
	preinit_watchdog_open(&p.conf, false);
	preinit_progress_led(&p, PREINIT_PHASE_BOOT, false);
	preinit_progress_net(&p);
	p.failsafe = preinit_failsafe_wait(&p);
	preinit_watchdog_feed();
	preinit_ab_choose(&p);
	preinit_ubi_attach(&p);

	if (preinit_root_assemble(&p) < 0) {
		if (p.failsafe)
			emergency();
		preinit_error("falling back to failsafe mode");
		p.failsafe = true;
		umount2(PREINIT_OVERLAY, MNT_DETACH);
		if (preinit_root_assemble(&p) < 0)
			emergency();
	}
	preinit_watchdog_feed();
	/* The counter lives on the data layer: readable only now, and the
	 * root is assembled again without it. */
	if (!p.failsafe && preinit_health_failsafe(&p)) {
		preinit_root_undo(&p);
		p.failsafe = true;
		if (preinit_root_assemble(&p) < 0)
			emergency();
	}
	if (!p.failsafe) {
		preinit_upgrade_restore(&p);
		preinit_swap_setup(&p);
		preinit_watchdog_feed();
		preinit_binds_apply(&p);
	}
	preinit_watchdog_feed();
	state_write(&p);
	preinit_say("switching to the new root (%s)", p.initramfs ? "switch_root" : "pivot_root");
	if (preinit_switch(&p) < 0)
		emergency();
	if (p.failsafe)
		preinit_failsafe_run(&p);
	preinit_handover(&p);
}
