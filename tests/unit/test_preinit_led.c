/* test_preinit_led: LED modes written to a fake LED class directory, and the failsafe LED fallback. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "led.h"

static char root[64];

/* A fresh fake /sys/class/leds with one LED "status:green" whose
 * attributes are empty files (max_brightness 255 unless told otherwise). */
static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/keel-led.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	const char *attrs[] = { "trigger", "brightness", "delay_on", "delay_off", "max_brightness" };
	char path[256];
	snprintf(path, sizeof path, "%s/status:green", root);
	if (mkdir(path, 0755) < 0)
		return -1;
	for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
		snprintf(path, sizeof path, "%s/status:green/%s", root, attrs[i]);
		FILE *f = fopen(path, "w");
		if (!f)
			return -1;
		if (!strcmp(attrs[i], "max_brightness"))
			fputs("255\n", f);
		fclose(f);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* The content of one attribute of the fake LED. */
static const char *attr(const char *name)
{
	static char buf[64];
	char path[256];
	snprintf(path, sizeof path, "%s/status:green/%s", root, name);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void attr_remove(const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "%s/status:green/%s", root, name);
	assert_int_equal(unlink(path), 0);
}

static void test_on_uses_max_brightness(void **state)
{
	(void)state;
	const char *what;
	assert_int_equal(preinit_led_show(root, "status:green", "on", &what), 0);
	assert_string_equal(attr("trigger"), "none");
	assert_string_equal(attr("brightness"), "255");
}

static void test_on_without_max_is_one(void **state)
{
	(void)state;
	const char *what;
	attr_remove("max_brightness");
	assert_int_equal(preinit_led_show(root, "status:green", "on", &what), 0);
	assert_string_equal(attr("brightness"), "1");
}

static void test_off(void **state)
{
	(void)state;
	const char *what;
	assert_int_equal(preinit_led_show(root, "status:green", "off", &what), 0);
	assert_string_equal(attr("trigger"), "none");
	assert_string_equal(attr("brightness"), "0");
}

static void test_blink_and_fast(void **state)
{
	(void)state;
	const char *what;
	assert_int_equal(preinit_led_show(root, "status:green", "blink", &what), 0);
	assert_string_equal(attr("trigger"), "timer");
	assert_string_equal(attr("delay_on"), "500");
	assert_string_equal(attr("delay_off"), "500");
	assert_int_equal(preinit_led_show(root, "status:green", "fast", &what), 0);
	assert_string_equal(attr("delay_on"), "100");
	assert_string_equal(attr("delay_off"), "100");
}

static void test_trigger_name(void **state)
{
	(void)state;
	const char *what;
	assert_int_equal(preinit_led_show(root, "status:green", "heartbeat", &what), 0);
	assert_string_equal(attr("trigger"), "heartbeat");
}

/* A pattern picks the LED whose prefix varies ("input1::capslock"). */
static void test_pattern(void **state)
{
	(void)state;
	const char *what;
	assert_int_equal(preinit_led_show(root, "*:green", "blink", &what), 0);
	assert_string_equal(attr("trigger"), "timer");
	assert_int_equal(preinit_led_show(root, "*:red", "on", &what), 1);
}

/* A board without the LED: skipped, not an error. */
static void test_missing_led_skipped(void **state)
{
	(void)state;
	const char *what;
	assert_int_equal(preinit_led_show(root, "wps", "on", &what), 1);
	char *missing_dir = NULL;
	assert_true(asprintf(&missing_dir, "%s/no-leds-here", root) > 0);
	assert_int_equal(preinit_led_show(missing_dir, "status:green", "on", &what), 1);
	free(missing_dir);
}

/* No timer trigger in the kernel: delay_on never appears; the failing
 * attribute is named for the error message. */
static void test_refused_write_named(void **state)
{
	(void)state;
	const char *what;
	attr_remove("delay_on");
	assert_int_equal(preinit_led_show(root, "status:green", "blink", &what), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(what, "delay_on");
}

static void test_name_cannot_escape(void **state)
{
	(void)state;
	const char *what;
	assert_int_equal(preinit_led_show(root, "../etc", "on", &what), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(preinit_led_show(root, "..", "on", &what), -1);
	assert_int_equal(preinit_led_show(root, "", "on", &what), -1);
}

static void test_choose(void **state)
{
	(void)state;
	struct preinit_conf c;
	struct diags d = { 0 };
	const char *name, *mode;
	preinit_conf_defaults(&c);
	preinit_led_choose(&c, PREINIT_PHASE_FAILSAFE, &name, &mode);
	assert_null(name);
	assert_null(mode);
	const char *text = "led boot status:green blink\nled done status:green on\n";
	assert_int_equal(preinit_conf_parse(&c, text, strlen(text), "f", &d), 0);
	preinit_led_choose(&c, PREINIT_PHASE_DONE, &name, &mode);
	assert_string_equal(name, "status:green");
	assert_string_equal(mode, "on");
	/* No failsafe LED: the boot LED blinks fast. */
	preinit_led_choose(&c, PREINIT_PHASE_FAILSAFE, &name, &mode);
	assert_string_equal(name, "status:green");
	assert_string_equal(mode, "fast");
	text = "led failsafe status:red heartbeat\n";
	assert_int_equal(preinit_conf_parse(&c, text, strlen(text), "f", &d), 0);
	preinit_led_choose(&c, PREINIT_PHASE_FAILSAFE, &name, &mode);
	assert_string_equal(name, "status:red");
	assert_string_equal(mode, "heartbeat");
	preinit_conf_free(&c);
	diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_on_uses_max_brightness, setup, teardown),
		cmocka_unit_test_setup_teardown(test_on_without_max_is_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blink_and_fast, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trigger_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pattern, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_led_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_write_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_cannot_escape, setup, teardown),
		cmocka_unit_test(test_choose),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
