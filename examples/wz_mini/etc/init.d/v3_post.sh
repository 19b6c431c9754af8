#!/bin/sh
# v3_post.sh: wz_mini's step inside the stock rcS, before the vendor app (a hook line of replace-etc).
# SPDX-License-Identifier: MIT
echo "wz_mini: v3_post" >/dev/console
