/* test_envop: KEY+= and KEY^= compose with the base environment, with each variable's separator. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "envbuild.h"
#include "envfile.h"
#include "envop.h"

static void test_split(void **state)
{
	(void)state;
	size_t kl;
	enum envop op;
	const char *v;
	assert_true(envop_split("PATH=/bin", &kl, &op, &v));
	assert_int_equal(kl, 4);
	assert_int_equal(op, ENVOP_SET);
	assert_string_equal(v, "/bin");
	assert_true(envop_split("LD_PRELOAD+=/a.so", &kl, &op, &v));
	assert_int_equal(kl, 10);
	assert_int_equal(op, ENVOP_APPEND);
	assert_string_equal(v, "/a.so");
	assert_true(envop_split("P^=x", &kl, &op, &v));
	assert_int_equal(op, ENVOP_PREPEND);
	assert_false(envop_split("+=x", &kl, &op, &v));
	assert_false(envop_split("1A=x", &kl, &op, &v));
	assert_false(envop_split("A-B=x", &kl, &op, &v));
	assert_false(envop_split("A", &kl, &op, &v));
	assert_false(envop_split("A++=x", &kl, &op, &v));
}

static void test_compose(void **state)
{
	(void)state;
	char out[64];
	envop_compose(out, "PATH", 4, ENVOP_APPEND, "/bin", "/opt/bin");
	assert_string_equal(out, "PATH=/bin:/opt/bin");
	envop_compose(out, "PATH", 4, ENVOP_PREPEND, "/bin", "/opt/bin");
	assert_string_equal(out, "PATH=/opt/bin:/bin");
	assert_int_equal(envop_compose(NULL, "LD_PRELOAD", 10, ENVOP_APPEND, "/a.so", "/b.so"),
			 strlen("LD_PRELOAD=/a.so /b.so"));
	envop_compose(out, "LD_PRELOAD", 10, ENVOP_APPEND, "/a.so", "/b.so");
	assert_string_equal(out, "LD_PRELOAD=/a.so /b.so");
	/* no base, or an empty one: no separator (an empty PATH entry is the
	 * current directory) */
	envop_compose(out, "PATH", 4, ENVOP_APPEND, NULL, "/x");
	assert_string_equal(out, "PATH=/x");
	envop_compose(out, "PATH", 4, ENVOP_PREPEND, "", "/x");
	assert_string_equal(out, "PATH=/x");
	envop_compose(out, "PATH", 4, ENVOP_APPEND, "/bin", "");
	assert_string_equal(out, "PATH=/bin");
}

static void test_build(void **state)
{
	(void)state;
	char *base[] = { "PATH=/usr/bin:/bin", "HOME=/", "LD_PRELOAD=/base.so", "KEEP=1", NULL };
	/* the parser's order: sorted by key text up to '=' */
	char *svc[] = { "HOME=/root", "LD_LIBRARY_PATH+=/opt/lib", "LD_PRELOAD+=/mine.so",
			"PATH+=/opt/sbin", "PATH^=/opt/bin" };
	char *more[] = { "NOTIFY_SOCKET=/run/n", NULL };
	char *const *extra[2] = { more, NULL };
	char **env = envbuild(base, svc, 5, extra);
	assert_non_null(env);
	const char *want[] = { "KEEP=1", "HOME=/root", "LD_LIBRARY_PATH=/opt/lib",
			       "LD_PRELOAD=/base.so /mine.so", "PATH=/opt/bin:/usr/bin:/bin:/opt/sbin",
			       "NOTIFY_SOCKET=/run/n" };
	size_t n = 0;
	while (env[n])
		n++;
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		for (size_t k = 0; k < n; k++)
			found |= !strcmp(env[k], want[i]);
		if (!found)
			fail_msg("missing %s", want[i]);
	}
	free(env);
	/* A set and an append in one service: the append goes onto the set value. */
	char *svc2[] = { "PATH=/sbin", "PATH+=/x" };
	env = envbuild(base, svc2, 2, NULL);
	bool ok = false;
	for (size_t k = 0; env[k]; k++)
		ok |= !strcmp(env[k], "PATH=/sbin:/x");
	assert_true(ok);
	free(env);
}

static void test_envfile_ops(void **state)
{
	(void)state;
	struct diags d = { 0 };
	size_t n;
	const char *text = "PATH=/bin\nPATH+=/a\nPATH+=/b\nLD_PRELOAD^=/p.so\nBAD+x\n";
	char **env = envfile_parse(text, strlen(text), "initd.env", &n, &d);
	assert_int_equal(n, 4);
	assert_int_equal(d.nerrors, 1);
	assert_int_equal(d.v[0].line, 5);
	unsetenv("LD_PRELOAD");
	for (size_t i = 0; i < n; i++)
		assert_int_equal(envop_setenv(env[i]), 0);
	assert_string_equal(getenv("PATH"), "/bin:/a:/b");
	assert_string_equal(getenv("LD_PRELOAD"), "/p.so");
	envfile_free(env);
	diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_compose),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_envfile_ops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
