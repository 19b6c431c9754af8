/* preinit_conf: preinit's settings from /etc/preinit.conf and preinit.* kernel options (pure). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PREINIT_CONF_H
#define KEEL_PREINIT_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

/*
 * One keyword table serves the file and the command line: the file line
 *     bind /opt/shadow /etc/shadow
 * and the kernel option
 *     preinit.bind=/opt/shadow,/etc/shadow
 * mean the same thing (commas separate arguments on the command line).
 * Scalar keywords replace the earlier value, list keywords (module, swap,
 * bind, env, ...) append. The command line is applied after the file.
 */

/* A NULL-terminated, growable list of owned strings. */
struct preinit_strv {
	char **v;
	size_t n;
};

/* What an LED shows in each phase of the boot. */
enum preinit_phase {
	PREINIT_PHASE_BOOT,     /* preinit is running */
	PREINIT_PHASE_FAILSAFE, /* failsafe mode */
	PREINIT_PHASE_DONE,     /* handing over to init */
	PREINIT_PHASE_N,
};

struct preinit_led {
	char *name; /* /sys/class/leds/NAME */
	char *mode; /* "on", "off", "blink", "fast", "heartbeat" or a trigger name */
};

struct preinit_conf {
	/* failsafe */
	unsigned long failsafe_wait_ms; /* window length; 0 disables it */
	bool failsafe;                  /* enter failsafe without waiting */
	struct preinit_strv failsafe_keys; /* input key codes (decimal), default KEY_RESTART */
	/* progress */
	bool net;                /* send UDP progress messages */
	unsigned long port;      /* UDP port, default 4919 */
	char *iface;             /* default eth0 */
	char *ipaddr;            /* ADDR/PREFIX set when the interface has none */
	struct preinit_led led[PREINIT_PHASE_N];
	/* storage */
	struct preinit_strv modules;
	char *root, *root_fstype; /* read-only root when started from an initramfs */
	char *data, *data_fstype; /* writable layer */
	unsigned long data_wait_ms; /* how long to wait for the data/root device to appear */
	char *extroot;            /* external storage for the overlay or the root */
	bool extroot_whole;       /* extroot_mode root (else overlay) */
	char *extroot_fstype;
	struct preinit_strv swaps;        /* devices or files */
	struct preinit_strv swap_archive; /* pairs: ARCHIVE FILE */
	unsigned long zram_mb;            /* 0: no zram swap */
	char *zram_comp;                  /* compressor (default lzo-rle), loaded as a module */
	struct preinit_strv binds;        /* pairs: SOURCE TARGET */
	/* hand-over */
	char *init;                  /* default /sbin/keel */
	struct preinit_strv init_args;
	char *path;                  /* PATH for init */
	struct preinit_strv env;     /* NAME=VALUE */
	char *kexec_kernel, *kexec_initrd, *kexec_cmdline;
	/* liveness (docs/liveness.md) */
	char *watchdog;                   /* device opened, fed and handed to init; NULL: none */
	unsigned long watchdog_timeout_s; /* set with WDIOC_SETTIMEOUT; 0: the device's own */
	char *health_counter;             /* unhealthy boots in a row, a path in the new root */
	unsigned long health_fallback;    /* failsafe at this many (default 3); 0: never */
	/* A/B slots chosen by preinit (docs/upgrade.md): `root` is slot a */
	char *root_b;                     /* slot b's root */
	char *ab_env;                     /* the raw partition holding the A/B env */
	unsigned long ab_limit;           /* boots a new slot gets to become healthy */
	char *slot;                       /* the running slot, when a bootloader chose it
					     (preinit.slot=a|b on the kernel command line) */
	/* UBI: the MTD partition (name or number) attached before the data
	 * partition is looked for; `data ubi0:NAME` then names its volume. */
	char *ubi_mtd;
	bool debug;
};

/* Built-in defaults (everything a broken file falls back to). */
void preinit_conf_defaults(struct preinit_conf *c);
void preinit_conf_free(struct preinit_conf *c);

/* Applies one keyword line. 0, or -1 with a DIAG_ERROR naming file:line. */
int preinit_conf_apply(struct preinit_conf *c, char *const *argv, size_t argc,
		       const char *file, unsigned line, struct diags *d);

/* Parses a whole file into c (which holds the defaults). Returns the number
 * of errors; with any error the caller should start again from the
 * defaults: half a configuration is worse than none. */
size_t preinit_conf_parse(struct preinit_conf *c, const char *buf, size_t len,
			  const char *file, struct diags *d);

/* Applies the preinit.* words of a kernel command line, and the kernel's
 * own root= and rootfstype= as the default root. A bad option is a
 * DIAG_WARNING and is skipped alone. */
void preinit_conf_cmdline(struct preinit_conf *c, const char *text, struct diags *d);

/* The boot-health counter file's content: a decimal number, then a newline
 * (blanks around it are tolerated). 0, or -1 if it is anything else. */
int preinit_health_parse(const char *text, unsigned long *n);

/* Appends a copy of s; -1 on allocation failure. */
int preinit_strv_add(struct preinit_strv *l, const char *s);
void preinit_strv_free(struct preinit_strv *l);

#endif
