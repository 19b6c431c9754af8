#!/bin/sh
# app_init.sh: bound over the stock /system/bin/app_init.sh: hands the vendor app to keel (service "app").
# SPDX-License-Identifier: MIT
exec /opt/wz_mini/bin/keelctl cond set vendor-app
