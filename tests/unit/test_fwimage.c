/* test_fwimage: keel's image header (built, parsed, every corruption refused), the whole-file check, upgrade.conf, keep lists, the A/B env. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abenv.h"
#include "fwimage.h"
#include "upgradeconf.h"

static const char payload[] = "squashfs-bytes......kernel-bytes";

/* A two-part image in memory: rootfs (20 bytes), kernel (the rest). */
static size_t image_make(uint8_t *out, const char *board)
{
	struct fwimage img = { 0 };
	snprintf(img.board, sizeof img.board, "%s", board);
	snprintf(img.version, sizeof img.version, "v2 test build");
	img.nparts = 2;
	strcpy(img.part[0].name, "rootfs");
	img.part[0].length = 20;
	strcpy(img.part[1].name, "kernel");
	img.part[1].length = sizeof payload - 1 - 20;
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, payload, sizeof payload - 1);
	sha256_final(&s, img.payload_sha);
	const char *err = NULL;
	assert_int_equal(fwimage_build(&img, out, &err), 0);
	memcpy(out + FWIMAGE_HEADER_LEN, payload, sizeof payload - 1);
	return FWIMAGE_HEADER_LEN + sizeof payload - 1;
}

static void test_roundtrip(void **state)
{
	(void)state;
	uint8_t b[1024];
	size_t n = image_make(b, "qemu-x86");
	struct fwimage img;
	const char *err = NULL;
	assert_int_equal(fwimage_parse(b, n, &img, &err), 0);
	assert_string_equal(img.board, "qemu-x86");
	assert_string_equal(img.version, "v2 test build");
	assert_int_equal(img.nparts, 2);
	assert_int_equal(img.part[0].offset, 512);
	assert_int_equal(img.part[1].offset, 532);
	assert_int_equal(img.total, n);
	assert_non_null(fwimage_find(&img, "kernel"));
	assert_null(fwimage_find(&img, "dtb"));
	assert_memory_equal(b, FWIMAGE_MAGIC, 8);
}

static void expect_bad(const uint8_t *b, size_t n, const char *want)
{
	struct fwimage img;
	const char *err = NULL;
	assert_int_equal(fwimage_parse(b, n, &img, &err), -1);
	assert_non_null(err);
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
}

/* Fixes the header checksum after a field was changed on purpose, so that
 * the field's own check is what refuses it. */
static void reseal(uint8_t *b)
{
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, b, 480);
	sha256_final(&s, b + 480);
}

static void test_corrupt(void **state)
{
	(void)state;
	uint8_t b[1024], c[1024];
	size_t n = image_make(b, "qemu-x86");
	expect_bad(b, 4, "truncated");
	expect_bad(b, 300, "truncated header");
	memcpy(c, b, n);
	c[0] = 'X';
	expect_bad(c, n, "bad magic");
	memcpy(c, b, n);
	c[20] ^= 1; /* board name byte, header checksum left as is */
	expect_bad(c, n, "header checksum");
	memcpy(c, b, n);
	c[15] = 2; /* format version */
	reseal(c);
	expect_bad(c, n, "format version");
	memcpy(c, b, n);
	c[16 + 2] = ' '; /* a blank in the board name */
	reseal(c);
	expect_bad(c, n, "board");
	memcpy(c, b, n);
	c[115] = 9; /* 9 parts */
	reseal(c);
	expect_bad(c, n, "number of parts");
	memcpy(c, b, n);
	c[115] = 0;
	reseal(c);
	expect_bad(c, n, "number of parts");
	memcpy(c, b, n);
	memcpy(c + 120 + 32, "rootfs", 6); /* two parts named rootfs */
	reseal(c);
	expect_bad(c, n, "same name");
	memcpy(c, b, n);
	c[120] = 'R'; /* upper case */
	reseal(c);
	expect_bad(c, n, "part name");
	memcpy(c, b, n);
	c[120 + 24] = 0xff; /* a length over 2^48 */
	reseal(c);
	expect_bad(c, n, "too large");
	memcpy(c, b, n);
	c[120 + 2 * 32 + 3] = 'x'; /* garbage in an unused slot */
	reseal(c);
	expect_bad(c, n, "unused part slot");
	memcpy(c, b, n);
	c[420] = 1; /* reserved */
	reseal(c);
	expect_bad(c, n, "reserved");
}

static int file_of(const uint8_t *b, size_t n)
{
	char path[] = "/tmp/test_fwimage.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, b, n), (ssize_t)n);
	return fd;
}

static void check_file(const uint8_t *b, size_t n, const char *board, int want, const char *msg)
{
	int fd = file_of(b, n);
	struct fwimage img;
	char err[512] = "";
	assert_int_equal(fwimage_check_fd(fd, &img, board, NULL, NULL, err, sizeof err), want);
	if (msg && !strstr(err, msg))
		fail_msg("error \"%s\" does not say \"%s\"", err, msg);
	close(fd);
}

static void test_check_fd(void **state)
{
	(void)state;
	uint8_t b[1024], c[1024];
	size_t n = image_make(b, "qemu-x86");
	check_file(b, n, "qemu-x86", 0, NULL);
	check_file(b, n, NULL, 0, NULL);
	check_file(b, n, "tplink-archer", -1, "for board \"qemu-x86\", this is \"tplink-archer\"");
	check_file(b, n - 1, NULL, -1, "truncated image");
	memcpy(c, b, n);
	c[n] = 0;
	check_file(c, n + 1, NULL, -1, "trailing bytes");
	memcpy(c, b, n);
	c[n - 3] ^= 0x40; /* one bit of the payload */
	check_file(c, n, NULL, -1, "payload checksum mismatch");
	check_file(b, 100, NULL, -1, "truncated header");
}

static void test_conf(void **state)
{
	(void)state;
	const char *text = "board qemu-x86\n"
			   "part rootfs /dev/vda /dev/vdb\n"
			   "part kernel /dev/mtd2\n"
			   "data none\n"
			   "check /usr/libexec/vendor-check --strict\n"
			   "copy /usr/sbin/fw_setenv /etc/fw_env.config\n"
			   "reserve 8M\n"
			   "port 5000\n"
			   "led status:green fast\n";
	struct upgrade_conf c;
	struct diags d = { 0 };
	upgrade_conf_defaults(&c);
	assert_int_equal(upgrade_conf_parse(&c, text, strlen(text), "u.conf", &d), 0);
	assert_string_equal(c.board, "qemu-x86");
	assert_true(upgrade_conf_ab(&c));
	assert_string_equal(upgrade_conf_part(&c, "rootfs")->dev[1], "/dev/vdb");
	assert_null(upgrade_conf_part(&c, "kernel")->dev[1]);
	assert_string_equal(c.data, "none");
	assert_string_equal(c.check[1], "--strict");
	assert_int_equal(c.ncopy, 2);
	assert_int_equal(c.reserve, 8ULL << 20);
	assert_int_equal(c.port, 5000);
	assert_string_equal(c.led_mode, "fast");
	upgrade_conf_free(&c);
	diags_free(&d);

	const char *bad = "part rootfs vda\n"        /* 1: not absolute */
			  "part rootfs /dev/vda\n"   /* 2: ok */
			  "part rootfs /dev/vdc\n"   /* 3: twice */
			  "bogus 1\n"                /* 4 */
			  "port 0\n"                 /* 5 */
			  "check relative\n";        /* 6 */
	upgrade_conf_defaults(&c);
	d = (struct diags){ 0 };
	assert_int_equal(upgrade_conf_parse(&c, bad, strlen(bad), "u.conf", &d), 5);
	unsigned lines[] = { 1, 3, 4, 5, 6 };
	for (size_t i = 0; i < 5; i++) {
		assert_int_equal(d.v[i].line, lines[i]);
		assert_string_equal(d.v[i].file, "u.conf");
	}
	assert_non_null(strstr(d.v[2].msg, "unknown keyword \"bogus\""));
	upgrade_conf_free(&c);
	diags_free(&d);

	upgrade_conf_defaults(&c);
	d = (struct diags){ 0 };
	assert_int_equal(upgrade_conf_parse(&c, "board x\n", 8, "u.conf", &d), 1);
	assert_non_null(strstr(d.v[0].msg, "no part line"));
	upgrade_conf_free(&c);
	diags_free(&d);
}

static void test_keeplist(void **state)
{
	(void)state;
	const char *text = "## comment\n"
			   "/etc/dropbear/\n"
			   "   /etc/shadow  \t\n"
			   "\n"
			   "\t# indented comment\n"
			   "/etc/with space\r\n"
			   "/last-no-newline";
	char **v = NULL;
	size_t n = 0;
	assert_int_equal(keeplist_parse(text, strlen(text), &v, &n), 4);
	assert_int_equal(n, 4);
	assert_string_equal(v[0], "/etc/dropbear/");
	assert_string_equal(v[1], "/etc/shadow");
	assert_string_equal(v[2], "/etc/with space");
	assert_string_equal(v[3], "/last-no-newline");
	assert_null(v[4]);
	/* A second file appends. */
	assert_int_equal(keeplist_parse("/etc/x\n", 7, &v, &n), 1);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void test_abenv(void **state)
{
	(void)state;
	uint8_t env[ABENV_SIZE];
	memset(env, 0xff, sizeof env);
	struct abenv e;
	int which;
	assert_int_equal(abenv_parse(env, sizeof env, &e, &which), -1);
	struct abenv a = { .seq = 1, .slot = 'a' }, b = { .seq = 2, .slot = 'b', .upgrade = true };
	abenv_format(&a, env);
	abenv_format(&b, env + ABENV_RECORD);
	assert_int_equal(abenv_parse(env, sizeof env, &e, &which), 0);
	assert_int_equal(which, 1);
	assert_int_equal(e.slot, 'b');
	assert_true(e.upgrade);
	/* The newer copy cut by a power failure: the older one wins. */
	env[ABENV_RECORD + 20] ^= 1;
	assert_int_equal(abenv_parse(env, sizeof env, &e, &which), 0);
	assert_int_equal(which, 0);
	assert_int_equal(e.slot, 'a');
	/* The trial: limit 2 means boots 1 and 2 on b, the third goes back. */
	struct abenv t = { .slot = 'b', .upgrade = true };
	bool back;
	assert_true(abenv_boot(&t, 2, &back));
	assert_false(back);
	assert_int_equal(t.tries, 1);
	assert_true(abenv_boot(&t, 2, &back));
	assert_false(back);
	assert_true(abenv_boot(&t, 2, &back));
	assert_true(back);
	assert_int_equal(t.slot, 'a');
	assert_false(t.upgrade);
	assert_false(abenv_boot(&t, 2, &back));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_check_fd),
		cmocka_unit_test(test_conf),
		cmocka_unit_test(test_keeplist),
		cmocka_unit_test(test_abenv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
