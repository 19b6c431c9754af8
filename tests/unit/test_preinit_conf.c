/* test_preinit_conf: preinit's configuration file and preinit.* kernel options. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "preinit_conf.h"

static size_t parse(struct preinit_conf *c, const char *text, struct diags *d)
{
	*d = (struct diags){ 0 };
	preinit_conf_defaults(c);
	return preinit_conf_parse(c, text, strlen(text), "/etc/preinit.conf", d);
}

static void test_defaults(void **state)
{
	(void)state;
	struct preinit_conf c;
	struct diags d;
	assert_int_equal(parse(&c, "", &d), 0);
	assert_int_equal(c.failsafe_wait_ms, 2000);
	assert_int_equal(c.port, 4919);
	assert_string_equal(c.iface, "eth0");
	assert_string_equal(c.init, "/sbin/keel");
	assert_int_equal(c.failsafe_keys.n, 1);
	assert_string_equal(c.failsafe_keys.v[0], "408");
	assert_null(c.data);
	assert_null(c.watchdog);
	assert_int_equal(c.watchdog_timeout_s, 0);
	assert_null(c.health_counter);
	assert_int_equal(c.health_fallback, 3);
	preinit_conf_free(&c);
	diags_free(&d);
}

static void test_full(void **state)
{
	(void)state;
	struct preinit_conf c;
	struct diags d;
	const char *text = "# comment\n"
			   "failsafe_wait 500ms\n"
			   "failsafe_key 257\n"
			   "port 5000\niface \"br-lan\"\nipaddr 10.0.0.1/8\n"
			   "led boot status blink\nled failsafe status fast\n"
			   "module virtio_blk squashfs\nmodule overlay\n"
			   "root /dev/vda\ndata LABEL=data\ndata_fstype ext4\n"
			   "extroot UUID=1234\nextroot_mode root\n"
			   "swap /overlay/swap\nswap_archive /swap.gz /overlay/swap2\nzram 32\n"
			   "bind /a /b\nbind /c /d\n"
			   "init /sbin/init\ninit_arg --debug\nenv A=1 B=2\n"
			   "kexec /boot/vmlinuz - \"console=ttyS0 quiet\"\nnet no\n";
	assert_int_equal(parse(&c, text, &d), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(c.failsafe_wait_ms, 500);
	assert_int_equal(c.failsafe_keys.n, 2);
	assert_int_equal(c.port, 5000);
	assert_string_equal(c.iface, "br-lan");
	assert_string_equal(c.led[PREINIT_PHASE_BOOT].mode, "blink");
	assert_string_equal(c.led[PREINIT_PHASE_FAILSAFE].name, "status");
	assert_int_equal(c.modules.n, 3);
	assert_string_equal(c.modules.v[2], "overlay");
	assert_string_equal(c.data, "LABEL=data");
	assert_true(c.extroot_whole);
	assert_int_equal(c.swap_archive.n, 2);
	assert_int_equal(c.zram_mb, 32);
	assert_int_equal(c.binds.n, 4);
	assert_string_equal(c.binds.v[3], "/d");
	assert_string_equal(c.init, "/sbin/init");
	assert_int_equal(c.env.n, 2);
	assert_string_equal(c.kexec_kernel, "/boot/vmlinuz");
	assert_null(c.kexec_initrd);
	assert_string_equal(c.kexec_cmdline, "console=ttyS0 quiet");
	assert_false(c.net);
	preinit_conf_free(&c);
	diags_free(&d);
}

static void test_errors_named(void **state)
{
	(void)state;
	struct preinit_conf c;
	struct diags d;
	const char *text = "data LABEL=x\nfrobnicate 1\nport 70000\nbind /only-one\n"
			   "led sometimes x on\nfailsafe_wait soon\n\"unterminated\n";
	assert_int_equal(parse(&c, text, &d), 6);
	assert_int_equal(d.nerrors, 6);
	char *s = diag_format(&d.v[0]);
	assert_string_equal(s, "error: /etc/preinit.conf:2: unknown keyword \"frobnicate\"");
	free(s);
	assert_int_equal(d.v[1].line, 3);
	assert_int_equal(d.v[2].line, 4);
	preinit_conf_free(&c);
	diags_free(&d);
}

static void test_cmdline(void **state)
{
	(void)state;
	struct preinit_conf c;
	struct diags d = { 0 };
	preinit_conf_defaults(&c);
	preinit_conf_cmdline(&c, "BOOT_IMAGE=/vmlinuz root=/dev/vda rootfstype=squashfs quiet "
				 "preinit.data=PARTLABEL=rootfs_data preinit.failsafe "
				 "preinit.bind=/x,/y preinit.failsafe_wait=0 preinit.bogus=1 "
				 "preinit.env=\"A=b c\"\n", &d);
	assert_string_equal(c.root, "/dev/vda");
	assert_string_equal(c.root_fstype, "squashfs");
	assert_string_equal(c.data, "PARTLABEL=rootfs_data");
	assert_true(c.failsafe);
	assert_int_equal(c.binds.n, 2);
	assert_string_equal(c.binds.v[1], "/y");
	assert_int_equal(c.failsafe_wait_ms, 0);
	assert_string_equal(c.env.v[0], "A=b c");
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].level, DIAG_WARNING);
	assert_string_equal(d.v[0].file, "kernel command line");
	preinit_conf_free(&c);
	diags_free(&d);
}

static void test_cmdline_root_does_not_override(void **state)
{
	(void)state;
	struct preinit_conf c;
	struct diags d = { 0 };
	preinit_conf_defaults(&c);
	assert_int_equal(preinit_conf_parse(&c, "root /dev/vdb\n", 14, "f", &d), 0);
	preinit_conf_cmdline(&c, "root=/dev/sda1", &d);
	assert_string_equal(c.root, "/dev/vdb");
	preinit_conf_cmdline(&c, "preinit.root=/dev/vdc root=/dev/sda1", &d);
	assert_string_equal(c.root, "/dev/vdc");
	preinit_conf_free(&c);
	diags_free(&d);
}

/* Any number of comma-separated values: none is dropped. */
static void test_cmdline_many_values(void **state)
{
	(void)state;
	struct preinit_conf c;
	struct diags d = { 0 };
	preinit_conf_defaults(&c);
	preinit_conf_cmdline(&c, "preinit.module=m1,m2,m3,m4,m5,m6,m7,m8,m9,m10,m11,m12,m13,"
				 "m14,m15,m16,m17,m18,m19,m20 preinit.failsafe_key=88", &d);
	assert_int_equal(d.n, 0);
	assert_int_equal(c.modules.n, 20);
	assert_string_equal(c.modules.v[19], "m20");
	assert_int_equal(c.failsafe_keys.n, 2);
	assert_string_equal(c.failsafe_keys.v[1], "88");
	preinit_conf_free(&c);
	diags_free(&d);
}

static void test_watchdog(void **state)
{
	(void)state;
	struct preinit_conf c;
	struct diags d;
	assert_int_equal(parse(&c, "watchdog /dev/watchdog0\n", &d), 0);
	assert_string_equal(c.watchdog, "/dev/watchdog0");
	assert_int_equal(c.watchdog_timeout_s, 0); /* the device's own */
	preinit_conf_free(&c);
	diags_free(&d);

	/* A bare number is seconds; any duration in whole seconds works. */
	const struct {
		const char *text;
		unsigned long s;
	} ok[] = { { "watchdog /dev/watchdog 30\n", 30 }, { "watchdog /dev/watchdog 2m\n", 120 },
		   { "watchdog /dev/watchdog 1s\n", 1 }, { "watchdog /dev/watchdog 65535\n", 65535 } };
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_int_equal(parse(&c, ok[i].text, &d), 0);
		assert_string_equal(c.watchdog, "/dev/watchdog");
		assert_int_equal(c.watchdog_timeout_s, ok[i].s);
		preinit_conf_free(&c);
		diags_free(&d);
	}

	/* The later line wins, and off takes the device back. */
	assert_int_equal(parse(&c, "watchdog /dev/watchdog 30\nwatchdog off\n", &d), 0);
	assert_null(c.watchdog);
	assert_int_equal(c.watchdog_timeout_s, 0);
	preinit_conf_free(&c);
	diags_free(&d);
}

static void test_watchdog_errors(void **state)
{
	(void)state;
	struct preinit_conf c;
	struct diags d;
	const char *text = "watchdog\n"                          /* 1: no device */
			   "watchdog /dev/watchdog 0\n"            /* 2: zero */
			   "watchdog /dev/watchdog 1500ms\n"       /* 3: not whole seconds */
			   "watchdog /dev/watchdog soon\n"         /* 4: no duration */
			   "watchdog /dev/watchdog 65536\n"        /* 5: over an int's worth */
			   "watchdog /dev/watchdog 30 40\n"        /* 6: too many */
			   "watchdog watchdog0\n"                  /* 7: not a path */
			   "watchdog off 30\n"                     /* 8: off with a timeout */
			   "health_fallback -1\n"                  /* 9 */
			   "health_fallback 1000001\n"             /* 10 */
			   "health_counter\n";                     /* 11 */
	assert_int_equal(parse(&c, text, &d), 11);
	assert_int_equal(d.nerrors, 11);
	for (size_t i = 0; i < d.n; i++)
		assert_int_equal(d.v[i].line, i + 1);
	char *s = diag_format(&d.v[2]);
	assert_string_equal(s, "error: /etc/preinit.conf:3: watchdog: bad timeout \"1500ms\" "
			       "(whole seconds, 1-65535)");
	free(s);
	s = diag_format(&d.v[6]);
	assert_string_equal(s, "error: /etc/preinit.conf:7: watchdog: \"watchdog0\" is not a "
			       "device path (/dev/watchdog)");
	free(s);
	assert_null(c.watchdog);
	preinit_conf_free(&c);
	diags_free(&d);
}

static void test_health(void **state)
{
	(void)state;
	struct preinit_conf c;
	struct diags d;
	assert_int_equal(parse(&c, "health_counter /overlay/keel/bootcount\nhealth_fallback 5\n",
			       &d), 0);
	assert_string_equal(c.health_counter, "/overlay/keel/bootcount");
	assert_int_equal(c.health_fallback, 5);
	preinit_conf_free(&c);
	diags_free(&d);
	assert_int_equal(parse(&c, "health_fallback 0\n", &d), 0);
	assert_int_equal(c.health_fallback, 0); /* never */
	preinit_conf_free(&c);
	diags_free(&d);
}

/* The kernel options override the file, a bad one is skipped alone. */
static void test_cmdline_liveness(void **state)
{
	(void)state;
	struct preinit_conf c;
	struct diags d;
	assert_int_equal(parse(&c, "watchdog /dev/watchdog 60\nhealth_fallback 5\n", &d), 0);
	preinit_conf_cmdline(&c, "quiet preinit.watchdog=/dev/watchdog1,15 "
				 "preinit.health_fallback=2 preinit.health_counter=/etc/keel/count",
			     &d);
	assert_int_equal(d.n, 0);
	assert_string_equal(c.watchdog, "/dev/watchdog1");
	assert_int_equal(c.watchdog_timeout_s, 15);
	assert_int_equal(c.health_fallback, 2);
	assert_string_equal(c.health_counter, "/etc/keel/count");
	preinit_conf_cmdline(&c, "preinit.watchdog=/dev/watchdog2,x preinit.health_fallback=many",
			     &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.v[0].level, DIAG_WARNING);
	assert_int_equal(d.v[1].level, DIAG_WARNING);
	assert_string_equal(c.watchdog, "/dev/watchdog1");
	assert_int_equal(c.watchdog_timeout_s, 15);
	assert_int_equal(c.health_fallback, 2);
	preinit_conf_cmdline(&c, "preinit.watchdog=off", &d);
	assert_null(c.watchdog);
	preinit_conf_cmdline(&c, "preinit.watchdog=/dev/watchdog", &d);
	assert_string_equal(c.watchdog, "/dev/watchdog");
	assert_int_equal(c.watchdog_timeout_s, 0);
	assert_int_equal(d.n, 2);
	preinit_conf_free(&c);
	diags_free(&d);
}

/* The counter keel writes: a decimal number and a newline. */
/* A/B and UBI keywords, from the file and from the kernel command line. */
static void test_ab_ubi(void **state)
{
	(void)state;
	struct preinit_conf c;
	struct diags d;
	assert_int_equal(parse(&c, "root /dev/vda\nroot_b /dev/vdb\nab_env /dev/vdd\nab_limit 2\n"
				   "ubi_mtd ubi\ndata ubi0:rootfs_data\n", &d), 0);
	assert_string_equal(c.root_b, "/dev/vdb");
	assert_string_equal(c.ab_env, "/dev/vdd");
	assert_int_equal(c.ab_limit, 2);
	assert_string_equal(c.ubi_mtd, "ubi");
	assert_string_equal(c.data, "ubi0:rootfs_data");
	preinit_conf_cmdline(&c, "quiet preinit.slot=b preinit.ab_limit=5", &d);
	assert_string_equal(c.slot, "b");
	assert_int_equal(c.ab_limit, 5);
	preinit_conf_free(&c);
	diags_free(&d);
	assert_int_equal(parse(&c, "", &d), 0);
	assert_int_equal(c.ab_limit, 3); /* the default */
	assert_null(c.root_b);
	preinit_conf_free(&c);
	diags_free(&d);
	assert_int_equal(parse(&c, "ab_limit many\n", &d), 1);
	assert_int_equal(d.v[0].line, 1);
	preinit_conf_free(&c);
	diags_free(&d);
}

static void test_health_parse(void **state)
{
	(void)state;
	unsigned long n = 99;
	assert_int_equal(preinit_health_parse("0\n", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(preinit_health_parse("3\n", &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(preinit_health_parse("12", &n), 0);
	assert_int_equal(n, 12);
	assert_int_equal(preinit_health_parse(" 7 \r\n", &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(preinit_health_parse("999999999\n", &n), 0);
	assert_int_equal(n, 999999999);
	n = 42;
	const char *bad[] = { "", "\n", "-1\n", "+1\n", "3x\n", "x3\n", "3 4\n", "0x10\n",
			      "1234567890\n", "3\n\n4\n", "3.0\n" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(preinit_health_parse(bad[i], &n), -1);
	assert_int_equal(n, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_errors_named),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_cmdline_root_does_not_override),
		cmocka_unit_test(test_cmdline_many_values),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_watchdog_errors),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_cmdline_liveness),
		cmocka_unit_test(test_health_parse),
		cmocka_unit_test(test_ab_ubi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
