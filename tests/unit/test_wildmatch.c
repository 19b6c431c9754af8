/* test_wildmatch: keel's wildcard matcher against the C library's fnmatch(3), pattern by pattern. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "wildmatch.h"

static const char *const pats[] = {
	"*", "?", "a*", "*a", "a*b", "*.conf", "upgrade*.sh", "eth?", "wlan[0-9]", "wlan[!0-9]",
	"wlan[^0-9]", "[]a]", "[!]a]", "[a-]", "[-a]", "[z-a]", "*[ch]", "a*b*c", "**a**", "\\*",
	"a\\?b", "[a\\]]x", "[[:digit:]]*", "[[:alpha:]_]*", "[[:upper:][:digit:]]", "[[:space:]]",
	"[[:xdigit:]][[:xdigit:]]", "[[:punct:]]", "[[:lower:]]*", "[[:alnum:]]", "[", "a[", "[a",
	"*[", ".*", ".?", "?*", "*.", "a.b", "", "abc", "*x*y*z*", "br-lan", "br-*", "v*.[0-9]*",
};
static const char *const names[] = {
	"", "a", "b", "ab", "ba", "aab", "abc", "acb", "axbxc", "network.conf", ".conf", ".hidden",
	"upgraderun.sh", "upgrade.sh", "eth0", "eth10", "wlan0", "wlanx", "]", "-", "z", "x", "*x",
	"*", "a?b", "axb", "]x", "\\x", "7abc", "_x", "Q", "5", " ", "\t", "fF", "!", "[", "a[",
	"..", ".", "a.b", "xyz", "xaybzc", "br-lan", "br-wan", "v1.2", "v1.x", "abcabc", "ch", "cat",
};

static void against_fnmatch(void **state)
{
	(void)state;
	int checked = 0;
	for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++)
		for (size_t j = 0; j < sizeof names / sizeof names[0]; j++)
			for (int period = 0; period < 2; period++) {
				bool want = fnmatch(pats[i], names[j], period ? FNM_PERIOD : 0) == 0;
				bool got = wildmatch(pats[i], names[j], period ? WILD_PERIOD : 0);
				if (want != got)
					fail_msg("pattern \"%s\" name \"%s\" period %d: fnmatch %d, wildmatch %d",
						 pats[i], names[j], period, want, got);
				checked++;
			}
	assert_true(checked > 4000);
}

/* The cases a trigger and an interface condition rely on, spelled out. */
static void pinned(void **state)
{
	(void)state;
	assert_true(wildmatch("upgrade*.sh", "upgraderun.sh", WILD_PERIOD));
	assert_false(wildmatch("*", ".upgraderun.sh", WILD_PERIOD));
	assert_true(wildmatch("*", ".upgraderun.sh", 0));
	assert_true(wildmatch("wlan[0-9]", "wlan0", 0));
	assert_false(wildmatch("wlan[0-9]", "wlan10", 0));
	assert_true(wildmatch("[", "[", 0));
	/* no exponential time on a hostile pattern */
	assert_false(wildmatch("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
			       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(against_fnmatch),
		cmocka_unit_test(pinned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
