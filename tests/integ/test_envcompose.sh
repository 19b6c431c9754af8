# test_envcompose: env KEY+= and KEY^= add to initd.env's PATH, LD_LIBRARY_PATH and LD_PRELOAD; both preload libraries are really loaded.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

CC=${CC:-cc}
sys_new envcompose
# Two tiny libraries: the base's preload and the service's own.
for l in base mine; do
	echo "int keel_test_$l = 1;" >"$OUT/$l.c"
	"$CC" -shared -fPIC -o "$OUT/lib$l.so" "$OUT/$l.c" || { not_ok "build lib$l.so"; finish; exit 1; }
done
chmod 755 "$OUT"/lib*.so
cat >"$SVC/../initd.env" <<EOF
LD_PRELOAD=$OUT/libbase.so
PATH^=/opt/base/bin
LD_LIBRARY_PATH=/base/lib
EOF
svc cam <<EOF
type respawn
env LD_PRELOAD+=$OUT/libmine.so
env PATH^=/opt/wz_mini/bin
env LD_LIBRARY_PATH+=/opt/wz_mini/lib
env GREETING=hi
exec /bin/sleep 1001
EOF
svc plain <<EOF
type respawn
exec /bin/sleep 1002
EOF

keel_start || { finish; exit 1; }
wait_for "target boot reached" 30
find_sleep() { pgrep -P "$KEEL_PID1" -f "^/bin/sleep $1" | head -n 1; }
wait_until 20 eval '[ -n "$(find_sleep 1001)" ] && [ -n "$(find_sleep 1002)" ]'
cam=$(find_sleep 1001)
plain=$(find_sleep 1002)
envof() { tr '\0' '\n' <"/proc/$1/environ" | grep "^$2=" | cut -d= -f2-; }
check "LD_PRELOAD keeps the base's and adds the service's, blank-separated" \
	[ "$(envof "$cam" LD_PRELOAD)" = "$OUT/libbase.so $OUT/libmine.so" ]
check "both preload libraries are loaded (/proc/PID/maps)" \
	eval 'grep -q "$OUT/libbase.so" /proc/$cam/maps && grep -q "$OUT/libmine.so" /proc/$cam/maps'
check "a service without env lines has the base preload only" \
	eval 'grep -q "$OUT/libbase.so" /proc/$plain/maps && ! grep -q "libmine.so" /proc/$plain/maps'
check "PATH^= in initd.env prepends to keel's default PATH" \
	eval 'envof "$plain" PATH | grep -q "^/opt/base/bin:/usr/local/sbin:"'
check "PATH^= in a service prepends to the base PATH with ':'" \
	eval 'envof "$cam" PATH | grep -q "^/opt/wz_mini/bin:/opt/base/bin:/usr/local/sbin:"'
check "LD_LIBRARY_PATH+= appends with ':'" [ "$(envof "$cam" LD_LIBRARY_PATH)" = "/base/lib:/opt/wz_mini/lib" ]
check "a plain env line still sets" [ "$(envof "$cam" GREETING)" = hi ]
keel_stop
finish
