/* svcdiff: tells whether two service definitions would run the same thing (for reload). */
/* SPDX-License-Identifier: MIT */
#ifndef KEEL_SVCDIFF_H
#define KEEL_SVCDIFF_H

#include <stdbool.h>
#include "svc.h"

/* True when every setting that affects how the service runs, orders or is
 * shown is equal. Line numbers and the file path are ignored: moving a line
 * or re-pointing a link to an identical file is no change. */
bool svcdiff_equal(const struct svc_def *a, const struct svc_def *b);

#endif
