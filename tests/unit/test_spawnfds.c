/* test_spawnfds: unit tests of where PID 1 puts a starting child's fds (spawn_fds.c): the reserved low numbers, their release, and the fallback that leaves every fd as it was. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "spawn_fds.h"

static bool same_file(int a, int b)
{
	struct stat x, y;
	return fstat(a, &x) == 0 && fstat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

static int fds_open(void)
{
	int n = 0;
	for (int fd = 0; fd < 4096; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

/* One test: the reservation is once per process. */
static void test_place_release(void **state)
{
	(void)state;
	struct rlimit rl;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < 300)
		skip();
	int p[2], q[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	/* Nothing reserved yet: every child copies the table. */
	int a = p[1], b = q[1];
	int *none[] = { &a, &b };
	assert_false(spawn_fds_place(0, none, 2));
	assert_int_equal(a, p[1]);

	int before = fds_open();
	spawn_fds_fit(2, 200);
	if (syscall(436 /* close_range */, ~0U, ~0U, 0U) < 0)
		skip(); /* a kernel before 5.9: no reservation, by design */
	/* 2 slots of 4 numbers and their stand-in. */
	assert_int_equal(fds_open(), before + 2 * SPAWN_FDS_PER_SLOT + 1);

	/* Placed: low numbers naming the same files; a repeated fd (stdout
	 * and stderr to one place) takes one number. -1 is left alone. */
	int out = p[1], err = p[1], nul = -1, rdy = q[1];
	int *mine[] = { &out, &err, &nul, &rdy };
	assert_true(spawn_fds_place(1, mine, 4));
	assert_true(out != p[1] && rdy != q[1]);
	assert_int_equal(out, err);
	assert_int_equal(nul, -1);
	assert_true(same_file(out, p[1]));
	assert_true(same_file(rdy, q[1]));
	int low_out = out;

	/* Released: the number holds the stand-in, not the pipe (its reader
	 * would otherwise never see the end of file). */
	spawn_fds_release(1);
	assert_false(same_file(low_out, p[1]));
	assert_true(fcntl(low_out, F_GETFD) >= 0);

	/* More distinct fds than numbers: false, and every entry names its
	 * own fd again (not a number given back to the stand-in). */
	int r[5][2], *five[5], v[5];
	for (int i = 0; i < 5; i++) {
		assert_int_equal(pipe(r[i]), 0);
		v[i] = r[i][1];
		five[i] = &v[i];
	}
	assert_false(spawn_fds_place(0, five, 5));
	for (int i = 0; i < 5; i++)
		assert_int_equal(v[i], r[i][1]);
	/* ... and the slot is still usable. */
	int *two[] = { &v[0], &v[1] };
	assert_true(spawn_fds_place(0, two, 2));
	assert_true(same_file(v[0], r[0][1]) && same_file(v[1], r[1][1]));
	spawn_fds_release(0);
	assert_int_equal(spawn_fds_unshare(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_place_release),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
