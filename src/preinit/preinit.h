/* preinit: the state shared by preinit's steps, and each step's entry point. */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PREINIT_H
#define KEEL_PREINIT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "preinit_conf.h"
#include "preinit_probe.h"

/*
 * Paths preinit uses while it runs (inside the initramfs, or on the
 * read-only rootfs, which must have these directories):
 *   /rom      the read-only root (initramfs case; the rootfs case has it at /)
 *   /overlay  the writable layer: data partition, extroot or tmpfs
 *   /mnt      the new root being assembled (overlayfs)
 * After the switch the new root shows the same two at /rom and /overlay.
 */
#define PREINIT_ROM "/rom"
#define PREINIT_OVERLAY "/overlay"
#define PREINIT_NEWROOT "/mnt"
#define PREINIT_STATE_DIR "/run/preinit"
#define PREINIT_FIRSTBOOT_MARK ".preinit-firstboot"
#define PREINIT_ID_FILE ".preinit-id"

struct preinit {
	struct preinit_conf conf;
	bool initramfs;    /* started as an initramfs's /init (else as the rootfs's init) */
	bool failsafe;     /* failsafe mode chosen */
	const char *lower; /* lower layer of the overlay: PREINIT_ROM or "/" */
	char overlay_kind[16]; /* "data", "tmpfs", "extroot", "extroot-root" */
	char *data_dev;    /* /dev/NAME of the data partition, if found */
	char *device_id;   /* this device's id (extroot ownership) */
	bool newroot_is_overlay; /* false with extroot_mode root */
	char *root_dev;    /* /dev/NAME of the read-only root (initramfs case) */
	char slot;         /* A/B: 'a' or 'b'; 0 without slots */
	char *ab_dev;      /* the A/B env's device */
};

/* progress.c: one line per step on the console, over UDP and on LEDs. */
void preinit_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void preinit_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void preinit_progress_net(struct preinit *p);
void preinit_progress_led(struct preinit *p, enum preinit_phase phase, bool quiet);
int preinit_progress_fd(void); /* the UDP socket, -1 without one */
void preinit_progress_close(void);

/* failsafe.c */
bool preinit_failsafe_wait(struct preinit *p);
void preinit_failsafe_run(struct preinit *p) __attribute__((noreturn));

/* watchdog.c: the hardware watchdog, from the first steps to init (or a
 * failsafe shell). Every function is a no-op without a device. */
/* Opens conf->watchdog (once); missing_ok: a missing node is not said yet
 * (its driver may be among the modules still to load). 0 when open. */
int preinit_watchdog_open(const struct preinit_conf *c, bool missing_ok);
void preinit_watchdog_feed(void);
/* How long preinit may wait between feeds, in ms; -1 without a device. */
long preinit_watchdog_period_ms(void);
/* Magic close ('V'): stops the timer, if the driver allows it. */
void preinit_watchdog_disarm(void);
/* Undoes a disarm (a kexec that did not happen). */
void preinit_watchdog_rearm(void);
/* Right before exec'ing init: the fd survives the exec, its number is in
 * KEEL_WATCHDOG_FD (call after the environment is built). */
void preinit_watchdog_pass(void);

/* health.c: true if the counter on the mounted data layer reached
 * health_fallback (said, and the counter set back to 0). */
bool preinit_health_failsafe(struct preinit *p);

/* kmod.c: loads the configured modules; number of failures. */
int preinit_modules_load(const struct preinit_strv *names);

/* block.c: finds the device named by a spec, waiting up to wait_ms for it
 * to appear. Returns "/dev/NAME" (malloc'd) and its probe, or NULL. */
char *preinit_block_find(const char *spec, unsigned long wait_ms, struct preinit_probe *probe);
int preinit_block_probe(const char *dev, struct preinit_probe *probe);

/* flash.c: on an MTD device, the start of every erase block: *fs is
 * PREINIT_FS_BLANK (all erased), PREINIT_FS_JFFS2 (a jffs2 whose nodes lie
 * past its first block: it spreads its writes) or PREINIT_FS_UNKNOWN.
 * -1 if dev is no MTD device or its geometry cannot be read. */
int preinit_flash_scan(const char *dev, enum preinit_fs *fs);
/* The running kernel has this file system (in /proc/filesystems). */
bool preinit_fs_supported(const char *type);

/* root.c: the read-only root, the writable layer, extroot, the overlay. */
int preinit_root_assemble(struct preinit *p);
/* Unmounts everything assembled under the new root (before assembling it
 * again for failsafe). */
void preinit_root_undo(struct preinit *p);

/* extras.c: swap, binds. */
void preinit_swap_setup(struct preinit *p);
void preinit_binds_apply(struct preinit *p);

/* handover.c */
void preinit_handover(struct preinit *p) __attribute__((noreturn));
int preinit_switch(struct preinit *p); /* move mounts, switch_root/pivot_root */
int preinit_run(const char *root, char *const argv[], int in_fd, int out_fd);
void preinit_console_reopen(void);

/* util */
int preinit_mkdirs(const char *path, mode_t mode);
int preinit_write_file(const char *path, const char *text);
char *preinit_read_file(const char *path, size_t *len);
char *preinit_path(const char *root, const char *path); /* root + path, malloc'd */

/* ab.c: preinit as the A/B chooser (docs/upgrade.md). */
struct abenv;
int preinit_ab_read(const char *dev, struct abenv *e, int *which);
int preinit_ab_write(const char *dev, struct abenv *e, int which);
/* Before the root is mounted: which slot boots, the trial counted. */
void preinit_ab_choose(struct preinit *p);
int preinit_ab_commit_main(void);

/* upgrade.c: the upgrade stage (`/init upgrade IMAGE KEEP|-`, `/init
 * firstboot`), exec'd by keel as PID 1 in a RAM root. */
int preinit_upgrade_main(int argc, char **argv);
/* At boot, on the assembled root: kept files from a sysupgrade restored. */
void preinit_upgrade_restore(struct preinit *p);

/* ubi.c: attaches the UBI device of conf.ubi_mtd (before the data
 * partition is looked for). */
void preinit_ubi_attach(struct preinit *p);
/* "ubiN:VOLUME": found or made, mounted as UBIFS on dir. 0, or -1 said. */
int preinit_ubi_mount(const char *spec, const char *dir);

/* watchdog.c: the stage takes keel's fd (KEEL_WATCHDOG_FD). */
int preinit_watchdog_adopt(void);

/* firstboot.c: the `preinit firstboot` subcommand. */
int preinit_firstboot_main(int argc, char **argv);
/* At boot, on a mounted data partition: discard the old layer if marked. */
void preinit_firstboot_apply(const char *data_dir);

#endif
