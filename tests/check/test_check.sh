# test_check: keel check for build systems — a staging tree with absolute links (--root), missing commands, users and groups, --strict, "did you mean", newcomer traps, exit codes.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/../integ/lib.sh"

R=$T/root          # the staging tree, as Buildroot or Yocto leave it
OUT=$T/out
mkdir -p "$OUT" "$R/bin" "$R/sbin" "$R/usr/bin" "$R/usr/sbin" "$R/etc/init.d" "$R/usr/share/init" \
	"$R/usr/libexec"
# A busybox userland whose applets are absolute links, as `busybox --install -s` makes them.
cp "$(command -v busybox)" "$R/bin/busybox"
for a in sh date httpd syslogd; do ln -s /bin/busybox "$R/bin/$a"; done
ln -s /bin/busybox "$R/usr/sbin/crond"
printf 'root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www:/var/www:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\nwww:x:33:\nlog:x:4:\n' >"$R/etc/group"
printf '#!/bin/sh\nexec "$@"\n' >"$R/usr/libexec/wrap"
chmod 755 "$R/usr/libexec/wrap"
printf 'not a program\n' >"$R/usr/libexec/data"

# enable NAME: the link `keelctl enable` makes, absolute, into the image.
enable() { ln -sfn "/usr/share/init/$1" "$R/etc/init.d/${2:-$1}"; }
svcfile() { cat >"$R/usr/share/init/$1"; enable "$1"; }

svcfile network <<EOF
description bring up the network
type wait
exec /bin/sh -c "true"
EOF
svcfile syslog <<EOF
type respawn
exec syslogd -n
group log
EOF
svcfile web <<EOF
type respawn
after network syslog
user www
exec httpd -f -p 80
EOF
svcfile cron <<EOF
type respawn
exec /usr/libexec/wrap crond -f
EOF
svcfile getty <<EOF
type respawn
exec /bin/sh -c "exec sh"
EOF
enable getty getty@ttyS0
rm "$R/etc/init.d/getty"

run() { # run NAME ARGS...: keel check ARGS > $OUT/NAME.txt, status in $OUT/NAME.rc
	local n=$1
	shift
	"$KEEL" check "$@" >"$OUT/$n.txt" 2>&1
	echo $? >"$OUT/$n.rc"
}
rc_is() { [ "$(cat "$OUT/$1.rc")" = "$2" ]; }
has() { grep -qF -- "$2" "$OUT/$1.txt"; }

run good --root "$R"
check "a good image passes --root (exit 0)" rc_is good 0
check "the start order goes through the absolute links" \
	eval 'has good "target boot (5 services, start order):" && has good "5 services, 0 errors"'
run good_strict --root "$R" --strict -q
check "a good image passes --strict" rc_is good_strict 0

# Without --root the absolute links point at this machine: errors, and a hint.
run noroot "$R/etc/init.d"
check "without --root absolute links are missing (exit 1)" rc_is noroot 1
check "... and the note says to use --root" has noroot "give its top with --root"

# Now break the image in every way --root finds.
svcfile bad_cmds <<EOF
exec {
	/usr/bin/gone --now
	nosuchapplet
	/usr/libexec/data
	/etc
	wrap
}
EOF
svcfile bad_users <<EOF
user nobody
group wheel
exec /bin/sh
EOF
printf '#!/bin/bash\necho hi\n' >"$R/usr/libexec/bashism"
chmod 755 "$R/usr/libexec/bashism"
svcfile bad_interp <<EOF
type wait
exec /usr/libexec/wrap true
exec /usr/libexec/bashism
EOF
svcfile hook <<EOF
type respawn
exec sh
on-crash /usr/bin/report
EOF
ln -s /usr/share/init/removed "$R/etc/init.d/removed"
run bad --root "$R" -q
D=$R/etc/init.d
check "a broken image fails (exit 1)" rc_is bad 1
check "a missing absolute command, with file:line" has bad "error: $D/bad_cmds:2: exec: \"/usr/bin/gone\": not found in $R"
check "a missing command searched in PATH" has bad "error: $D/bad_cmds:3: exec: \"nosuchapplet\": not found in $R (PATH "
check "a command that is not executable" has bad "error: $D/bad_cmds:4: exec: \"/usr/libexec/data\": not executable in $R"
check "a command that is a directory" has bad "error: $D/bad_cmds:5: exec: \"/etc\": not a regular file in $R"
check "PATH is the default one (not /usr/libexec)" has bad "error: $D/bad_cmds:6: exec: \"wrap\": not found"
check "a user missing from the image's passwd, with its line" has bad "error: $D/bad_users:1: user \"nobody\": not in the image's /etc/passwd"
check "a group missing from the image's group" has bad "error: $D/bad_users:2: group \"wheel\": not in the image's /etc/group"
check "a script whose interpreter the image lacks" has bad "error: $D/bad_interp:3: exec: \"/usr/libexec/bashism\" is a script for \"/bin/bash\", not found in $R"
check "a script whose interpreter is there passes" eval '! has bad "bad_interp:2:"'
check "the on-crash command is checked too" has bad "error: $D/hook:3: on-crash: \"/usr/bin/report\": not found in $R"
check "a dangling absolute link names its target" has bad "error: $D/removed: link target \"/usr/share/init/removed\" does not exist"
check "the good services raise nothing" eval '! grep -E "/(network|syslog|web|cron|getty@ttyS0)[:]" "$OUT/bad.txt"'
rm "$R/etc/init.d/bad_cmds" "$R/etc/init.d/bad_users" "$R/etc/init.d/hook" "$R/etc/init.d/removed" \
	"$R/etc/init.d/bad_interp"

# PATH from the image's /etc/initd.env, and a service's own env PATH.
printf 'PATH=/usr/libexec:/bin\n' >"$R/etc/initd.env"
svcfile envpath <<EOF
exec wrap true
EOF
run envpath --root "$R" -q
check "PATH comes from the image's /etc/initd.env" rc_is envpath 0
svcfile ownpath <<EOF
env PATH=/sbin
exec wrap true
EOF
run ownpath --root "$R" -q
check "a service's env PATH wins" has ownpath "error: $D/ownpath:2: exec: \"wrap\": not found in $R (PATH /sbin)"
rm "$R/etc/init.d/ownpath" "$R/etc/init.d/envpath" "$R/etc/initd.env"

# --strict: a typo in "after" is only a note by default, an error with --strict.
svcfile typo <<EOF
type once
after netwrok
exec sh -c "true"
EOF
run typo --root "$R" -q
check "after an unknown name: exit 0 without --strict" rc_is typo 0
check "... a note with \"did you mean\"" has typo "note: $D/typo:2: after \"netwrok\": no such service (ignored); did you mean \"network\"?"
run typo_strict --root "$R" -q --strict
check "after an unknown name: exit 1 with --strict" rc_is typo_strict 1
check "... shown as an error" has typo_strict "error: $D/typo:2: after \"netwrok\""
rm "$R/etc/init.d/typo"

# Newcomer traps, and "did you mean" for a keyword.
svcfile traps <<EOF
descripton single quotes
type respawn
timeout 5s
exec /bin/sh -c 'echo hi'
EOF
svcfile percent <<EOF
exec date +%s
EOF
cat >"$R/usr/share/init/script.sh" <<EOF
#!/bin/sh
echo "I am a script"
EOF
enable script.sh
run traps --root "$R" -q
check "unknown keyword: did you mean" has traps "error: $D/traps:1: unknown keyword \"descripton\" (did you mean \"description\"?)"
check "single-quoted argument: a warning" has traps "warning: $D/traps:4: 'echo: single quotes do not group words"
check "timeout on a respawn service: a warning" has traps "warning: $D/traps:3: timeout has no effect on a respawn service"
check "% not doubled: the error says how" has traps "error: $D/percent:1: bad \"%s\": '%' must be followed by a digit or '%' (write \"%%s\" for a literal \"%s\")"
check "a shell script in the service dir: a warning on line 1" has traps "warning: $D/script.sh:1: this is a script (\"#!/bin/sh\")"
run traps_quiet --root "$R" -q
check "-q prints no start order" eval '! has traps_quiet "start order"'

rm "$R/etc/init.d/traps" "$R/etc/init.d/percent" "$R/etc/init.d/script.sh"

# OpenWrt scripts in the image, started through rc.d links (relative as OpenWrt makes
# them, and absolute): found inside the image, and their interpreter too.
mkdir -p "$R/etc/rc.d"
printf '#!/bin/sh /etc/rc.common\nSTART=50\nstart() { :; }\n' >"$R/etc/init.d/firewall"
printf '#!/bin/sh /etc/rc.common\nSTART=60\nstart() { :; }\n' >"$R/etc/init.d/dnsmasq"
chmod 755 "$R/etc/init.d/firewall" "$R/etc/init.d/dnsmasq"
ln -s ../init.d/firewall "$R/etc/rc.d/S50firewall"
ln -s /etc/init.d/dnsmasq "$R/etc/rc.d/S60dnsmasq"
run rcd --root "$R"
check "rc.d links inside the image: exit 0" rc_is rcd 0
check "... both scripts are services, in S order" \
	eval 'has rcd "firewall (wait)" && has rcd "dnsmasq (wait)" && [ "$(grep -n "firewall (wait)" "$OUT/rcd.txt" | cut -d: -f1)" -lt "$(grep -n "dnsmasq (wait)" "$OUT/rcd.txt" | cut -d: -f1)" ]'
rm "$R/bin/sh"
run rcd_nosh --root "$R" -q
# (an rc.d script runs through its S link: K scripts keep their own names)
check "a script's interpreter missing from the image: error" \
	has rcd_nosh "S60dnsmasq\" is a script for \"/bin/sh\", not found in $R"
ln -s /bin/busybox "$R/bin/sh"
rm -r "$R/etc/rc.d" "$R/etc/init.d/firewall" "$R/etc/init.d/dnsmasq"

# Usage: exit 2.
run u1 --bogus
check "unknown option: exit 2" rc_is u1 2
run u2 --root
check "--root without a value: exit 2" rc_is u2 2
run u3 --root "$T/nonexistent"
check "--root that is not a directory: exit 2" rc_is u3 2
run u4 a b
check "two dirs: exit 2" rc_is u4 2
run u5 --help
check "--help: exit 0 and the exit codes" eval 'rc_is u5 0 && has u5 "exit status: 0 no errors, 1 errors, 2 usage"'
finish
