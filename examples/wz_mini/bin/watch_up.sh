#!/bin/sh
# watch_up.sh: renames the vendor's upgrade script before the vendor app can run it (KEEL_TRIGGER_PATH from keel).
# SPDX-License-Identifier: MIT
mv "$KEEL_TRIGGER_PATH" "${KEEL_TRIGGER_PATH%.sh}.old" || exit 1
pkill -f "$KEEL_TRIGGER_PATH" 2>/dev/null
echo "wz_mini: upgrade intercepted: ${KEEL_TRIGGER_PATH%.sh}.old" >/dev/console
