/* test_preinit_block: file system probing, device specs, uevent parsing and modules.dep resolution. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "preinit_moddep.h"
#include "preinit_probe.h"

static unsigned char buf[PREINIT_PROBE_LEN];

static void test_probe_ext4(void **state)
{
	(void)state;
	memset(buf, 0, sizeof buf);
	buf[1024 + 0x38] = 0x53;
	buf[1024 + 0x39] = 0xef;
	for (int i = 0; i < 16; i++)
		buf[1024 + 0x68 + i] = (unsigned char)(0x11 * (i % 16));
	memcpy(buf + 1024 + 0x78, "data", 4);
	struct preinit_probe p;
	preinit_probe(buf, sizeof buf, &p);
	assert_int_equal(p.fs, PREINIT_FS_EXT4);
	assert_string_equal(p.label, "data");
	assert_string_equal(p.uuid, "00112233-4455-6677-8899-aabbccddeeff");
	assert_string_equal(preinit_fs_name(p.fs), "ext4");
}

static void test_probe_others(void **state)
{
	(void)state;
	struct preinit_probe p;
	memset(buf, 0, sizeof buf);
	preinit_probe(buf, sizeof buf, &p);
	assert_int_equal(p.fs, PREINIT_FS_BLANK);
	assert_false(p.erased);
	memset(buf, 0xff, sizeof buf);
	preinit_probe(buf, sizeof buf, &p);
	assert_int_equal(p.fs, PREINIT_FS_BLANK);
	assert_true(p.erased);
	/* One byte written: no longer an erased flash block. */
	buf[sizeof buf - 1] = 0xfe;
	preinit_probe(buf, sizeof buf, &p);
	assert_int_equal(p.fs, PREINIT_FS_UNKNOWN);
	assert_false(p.erased);
	memcpy(buf, "\xde\xad\xc0\xde", 4);
	preinit_probe(buf, sizeof buf, &p);
	assert_int_equal(p.fs, PREINIT_FS_BLANK);
	assert_false(p.erased);
	memcpy(buf, "hsqs", 4);
	preinit_probe(buf, sizeof buf, &p);
	assert_int_equal(p.fs, PREINIT_FS_SQUASHFS);
	memset(buf, 0, sizeof buf);
	buf[0] = 0x85;
	buf[1] = 0x19;
	preinit_probe(buf, sizeof buf, &p);
	assert_int_equal(p.fs, PREINIT_FS_JFFS2);
	memset(buf, 0, sizeof buf);
	memcpy(buf + 4086, "SWAPSPACE2", 10);
	memcpy(buf + 1024 + 28, "swp", 3);
	preinit_probe(buf, sizeof buf, &p);
	assert_int_equal(p.fs, PREINIT_FS_SWAP);
	assert_string_equal(p.label, "swp");
	assert_null(preinit_fs_name(p.fs));
	memset(buf, 0, sizeof buf);
	memcpy(buf + 1024, "\x10\x20\xf5\xf2", 4);
	buf[1024 + 124] = 'o';
	buf[1024 + 126] = 'k';
	preinit_probe(buf, sizeof buf, &p);
	assert_int_equal(p.fs, PREINIT_FS_F2FS);
	assert_string_equal(p.label, "ok");
	/* Something else: never treated as blank (it would be formatted over). */
	memset(buf, 0, sizeof buf);
	buf[5000] = 1;
	preinit_probe(buf, sizeof buf, &p);
	assert_int_equal(p.fs, PREINIT_FS_UNKNOWN);
}

static void test_probe_eraseblock(void **state)
{
	(void)state;
	unsigned char h[PREINIT_ERASEBLOCK_HEAD];
	memset(h, 0xff, sizeof h);
	assert_int_equal(preinit_probe_eraseblock(h, sizeof h), PREINIT_FS_BLANK);
	/* A jffs2 node or cleanmarker, little- and big-endian flash. */
	memcpy(h, "\x85\x19\x03\x20", 4);
	assert_int_equal(preinit_probe_eraseblock(h, sizeof h), PREINIT_FS_JFFS2);
	memcpy(h, "\x19\x85\x20\x03", 4);
	assert_int_equal(preinit_probe_eraseblock(h, sizeof h), PREINIT_FS_JFFS2);
	memset(h, 0xff, sizeof h);
	h[7] = 0;
	assert_int_equal(preinit_probe_eraseblock(h, sizeof h), PREINIT_FS_UNKNOWN);
	memset(h, 0, sizeof h);
	assert_int_equal(preinit_probe_eraseblock(h, sizeof h), PREINIT_FS_UNKNOWN);
	assert_int_equal(preinit_probe_eraseblock(h, 0), PREINIT_FS_UNKNOWN);
}

static void test_spec(void **state)
{
	(void)state;
	struct preinit_spec s;
	struct preinit_probe pr = { .fs = PREINIT_FS_EXT4, .label = "data",
				    .uuid = "00112233-4455-6677-8899-aabbccddeeff" };
	struct preinit_blkinfo b = { .name = "vdb1", .partname = "rootfs_data", .probe = &pr };
	assert_int_equal(preinit_spec_parse("/dev/vdb1", &s), 0);
	assert_int_equal(s.kind, PREINIT_SPEC_PATH);
	assert_true(preinit_spec_match(&s, &b));
	assert_int_equal(preinit_spec_parse("vdb1", &s), 0);
	assert_true(preinit_spec_match(&s, &b));
	assert_int_equal(preinit_spec_parse("vdb", &s), 0);
	assert_false(preinit_spec_match(&s, &b));
	assert_int_equal(preinit_spec_parse("LABEL=data", &s), 0);
	assert_true(preinit_spec_match(&s, &b));
	assert_int_equal(preinit_spec_parse("UUID=00112233445566778899AABBCCDDEEFF", &s), 0);
	assert_true(preinit_spec_match(&s, &b));
	assert_int_equal(preinit_spec_parse("UUID=00112233-4455-6677-8899-aabbccddeef0", &s), 0);
	assert_false(preinit_spec_match(&s, &b));
	assert_int_equal(preinit_spec_parse("PARTLABEL=rootfs_data", &s), 0);
	assert_true(preinit_spec_match(&s, &b));
	assert_int_equal(preinit_spec_parse("LABEL=", &s), -1);
	assert_int_equal(preinit_spec_parse("", &s), -1);
	b.probe = NULL;
	assert_int_equal(preinit_spec_parse("LABEL=data", &s), 0);
	assert_false(preinit_spec_match(&s, &b));
}

static void test_uevent(void **state)
{
	(void)state;
	const char *t = "MAJOR=254\nMINOR=17\nDEVNAME=vdb1\nDEVTYPE=partition\nPARTN=1\n"
			"PARTNAME=rootfs_data\n";
	char *v = preinit_uevent_get(t, "PARTNAME");
	assert_string_equal(v, "rootfs_data");
	free(v);
	v = preinit_uevent_get(t, "DEVNAME");
	assert_string_equal(v, "vdb1");
	free(v);
	assert_null(preinit_uevent_get(t, "PART"));
	assert_null(preinit_uevent_get("", "X"));
}

static const char dep[] =
	"kernel/fs/overlayfs/overlay.ko:\n"
	"kernel/drivers/block/virtio_blk.ko:\n"
	"kernel/drivers/block/zram/zram.ko.xz: kernel/mm/zsmalloc.ko.xz\n"
	"kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko\n"
	"kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko\n"
	"kernel/crypto/lzo-rle.ko:\n";

static void test_moddep(void **state)
{
	(void)state;
	struct preinit_strv order = { 0 };
	assert_int_equal(preinit_moddep_resolve(dep, "virtio-net", &order), 1);
	assert_int_equal(order.n, 3);
	assert_string_equal(order.v[0], "kernel/net/core/failover.ko");
	assert_string_equal(order.v[1], "kernel/drivers/net/net_failover.ko");
	assert_string_equal(order.v[2], "kernel/drivers/net/virtio_net.ko");
	/* Shared dependencies are not loaded twice. */
	assert_int_equal(preinit_moddep_resolve(dep, "net_failover", &order), 1);
	assert_int_equal(order.n, 3);
	assert_int_equal(preinit_moddep_resolve(dep, "zram", &order), 1);
	assert_string_equal(order.v[3], "kernel/mm/zsmalloc.ko.xz");
	assert_string_equal(order.v[4], "kernel/drivers/block/zram/zram.ko.xz");
	assert_int_equal(preinit_moddep_resolve(dep, "lzo_rle", &order), 1);
	assert_int_equal(preinit_moddep_resolve(dep, "ext4", &order), 0);
	assert_int_equal(preinit_moddep_resolve(dep, "overlay", &order), 1);
	assert_int_equal(order.n, 7);
	preinit_strv_free(&order);
	assert_true(preinit_modbuiltin("kernel/fs/ext4/ext4.ko\nkernel/fs/jbd2/jbd2.ko\n", "ext4"));
	assert_false(preinit_modbuiltin("kernel/fs/ext4/ext4.ko\n", "ext"));
	char *n = preinit_modname("kernel/fs/overlayfs/overlay.ko.zst");
	assert_string_equal(n, "overlay");
	free(n);
}

static void test_modparams(void **state)
{
	(void)state;
	const char *cl = "root=/dev/vda block2mtd.block2mtd=/dev/vdb,65536 quiet "
			 "virtio-blk.queue_depth=4 virtio_blk.x=\"a b\" block2mtd.foo overlay.redirect_dir=on\n";
	char *s = preinit_modparams(cl, "block2mtd");
	assert_string_equal(s, "block2mtd=/dev/vdb,65536");
	free(s);
	s = preinit_modparams(cl, "virtio_blk");
	assert_string_equal(s, "queue_depth=4 x=\"a b\"");
	free(s);
	s = preinit_modparams(cl, "squashfs");
	assert_string_equal(s, "");
	free(s);
	s = preinit_modparams(cl, "overlay");
	assert_string_equal(s, "redirect_dir=on");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_ext4),
		cmocka_unit_test(test_probe_others),
		cmocka_unit_test(test_probe_eraseblock),
		cmocka_unit_test(test_spec),
		cmocka_unit_test(test_uevent),
		cmocka_unit_test(test_moddep),
		cmocka_unit_test(test_modparams),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
