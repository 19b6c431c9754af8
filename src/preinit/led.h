/* preinit_led: shows a boot phase on an LED through the LED class in sysfs (its directory is a parameter, so tests use a fake one). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PREINIT_LED_H
#define KEEL_PREINIT_LED_H

#include "preinit_conf.h"

/* Where the kernel's LED class lives; tests pass a directory of their own. */
#define PREINIT_LEDS_DIR "/sys/class/leds"

/* Which LED and mode show a phase: the configured ones, except that
 * failsafe without a failsafe LED blinks the boot LED fast (failsafe must
 * show even when only the boot LED is configured: that pattern is built
 * in, not user configuration). Pure; both NULL when nothing is shown. */
void preinit_led_choose(const struct preinit_conf *c, enum preinit_phase phase,
			const char **name, const char **mode);

/* Sets LED `name` under `leds_dir` to `mode`:
 *   on, off         trigger "none", brightness max_brightness (or 1) / 0
 *   blink, fast     trigger "timer", delay_on and delay_off 500 / 100 ms
 *   anything else   that trigger name (heartbeat, default-on, netdev...)
 * Returns 0 when done, 1 when there is no such LED (skipped: a board
 * without it is not an error), -1 with errno when the kernel refused a
 * write; *what then names the attribute. */
int preinit_led_show(const char *leds_dir, const char *name, const char *mode, const char **what);

#endif
