#!/bin/sh
# test_rc_common: /etc/rc.common commands, rc.d links from START/STOP, and the procd instance files, under dash and busybox sh.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"
if [ -z "$TEST_SHELL" ]; then
	in_shells "$0"
	finish
	exit
fi
case $TEST_SHELL in dash) SH=dash ;; *) SH="busybox sh" ;; esac

R=$T/root
owrt_root "$R" || { not_ok "install"; finish; exit 1; }
INIT=$INIT_D_DIR
RCD=$RC_D_DIR
LOG=$T/log
: >"$LOG"

# A keelctl that records its arguments and answers status from $T/state.NAME.
export KEELCTL="$T/keelctl"
cat >"$KEELCTL" <<FAKE
#!/bin/sh
echo "\$*" >>"$T/ctl.log"
[ "\$1" = --socket ] && shift 2
case \$1 in
status) [ -f "$T/state.\$2" ] && exit "\$(cat "$T/state.\$2")"; exit 3 ;;
--json)
	st=3 pid=4242
	[ -f "$T/state.\$3" ] && st=\$(cat "$T/state.\$3")
	[ -f "$T/pid.\$3" ] && pid=\$(cat "$T/pid.\$3")
	if [ "\$st" = 0 ]; then
		echo "{\"services\":[{\"name\":\"\$3\",\"state\":\"running\",\"pid\":\$pid}]}"
	else
		echo "{\"services\":[{\"name\":\"\$3\",\"state\":\"stopped\",\"pid\":0,\"last_exit\":\"1\"}]}"
	fi
	exit 0 ;;
esac
exit 0
FAKE
chmod 755 "$KEELCTL"

# rc NAME COMMAND...: what the kernel does for "#!/bin/sh /etc/rc.common".
rc() {
	_n=$1
	shift
	$SH "$R/etc/rc.common" "$INIT/$_n" "$@"
}

# script NAME <<EOF: an init script (rc.common header added).
script() {
	{ echo '#!/bin/sh /etc/rc.common'; cat; } >"$INIT/$1"
	chmod 755 "$INIT/$1"
}

# ---- rc.d links ----
script net <<'S'
START=40
STOP=60
S
rc net enable
eq "enable: S## link, relative" "$(readlink "$RCD/S40net")" ../init.d/net
eq "enable: K## link, relative" "$(readlink "$RCD/K60net")" ../init.d/net
check "enabled after enable" rc net enabled
rc net disable
check "disable removes both links" [ -z "$(ls "$RCD")" ]
check "not enabled after disable" not rc net enabled

script early <<'S'
START=5
S
rc early enable
check "START=5 gives S5, as OpenWrt names it" [ -L "$RCD/S5early" ]
check "enabled with S5" rc early enabled
mv "$RCD/S5early" "$RCD/S05early"
check "enabled with S05 too" rc early enabled
ln -s ../init.d/early "$RCD/S5early"
rc early disable
check "disable removes S5 and S05" eval '[ ! -L "$RCD/S05early" ] && [ ! -L "$RCD/S5early" ]' 
check "no STOP: no K link" [ -z "$(ls "$RCD" | grep '^K')" ]

script cron <<'S'
START=50
STOP=50
S
script anacron <<'S'
START=50
STOP=50
S
rc cron enable
rc anacron enable
rc cron disable
check "disable leaves a script whose name ends the same (anacron)" [ -L "$RCD/S50anacron" ] && [ -L "$RCD/K50anacron" ]
check "disable cron removed cron's links" [ ! -e "$RCD/S50cron" ] && [ ! -e "$RCD/K50cron" ]
check "anacron still enabled, cron not" eval 'rc anacron enabled && ! rc cron enabled'

sed -i 's/START=50/START=70/' "$INIT/anacron"
rc anacron enable
check "enable again with a new START replaces the link" [ -L "$RCD/S70anacron" ] && [ ! -e "$RCD/S50anacron" ]

script nostart <<'S'
S
rc nostart enable 2>/dev/null
check "enable without START/STOP fails" [ $? -ne 0 ]
check "enable without START/STOP creates nothing" [ -z "$(ls "$RCD" | grep nostart)" ]
check "a script called through its rc.d link knows its name" $SH "$R/etc/rc.common" "$RCD/S70anacron" enabled

# ---- commands ----
script svc <<S
START=30
STOP=30
EXTRA_COMMANDS="hello fail"
EXTRA_HELP="	hello	say hello"
start() { echo "start \$* (\$action \${initscript##*/})" >>"$LOG"; }
stop() { echo "stop \$*" >>"$LOG"; }
hello() { echo "hello \$*" >>"$LOG"; }
fail() { return 7; }
S
for c in "start a" "stop" "boot" "shutdown" "restart x" "reload" "hello w 1"; do
	: >"$LOG"
	rc svc $c
	eval "out_$(echo "$c" | cut -d' ' -f1)=\$(cat \"\$LOG\" | tr '\n' ';')"
done
eq "start gets its arguments, \$action and \$initscript" "$out_start" "start a (start svc);"
eq "stop" "$out_stop" "stop ;"
eq "boot defaults to start" "$out_boot" "start  (boot svc);"
eq "shutdown defaults to stop" "$out_shutdown" "stop ;"
eq "restart is stop then start" "$out_restart" "stop x;start x (restart svc);"
eq "reload defaults to restart" "$out_reload" "stop ;start  (reload svc);"
eq "EXTRA_COMMANDS" "$out_hello" "hello w 1;"
rc svc fail
eq "a command's exit status is the script's" "$?" 7
help=$(rc svc help)
check "help lists the commands" eval 'echo "$help" | grep -q "enable"'
check "help shows EXTRA_HELP" eval 'echo "$help" | grep -q "say hello"'

# today's OpenWrt: extra_command NAME HELP, help on stdout, byte for byte
script xc <<'S'
USE_PROCD=1
extra_command "greet" "Say hello"
greet() { echo "hi $1"; }
S
eq "extra_command runs" "$(rc xc greet you)" "hi you"
tab=$(printf '\t')
want="Syntax: $INIT/xc [command]

Available commands:
${tab}start           Start the service
${tab}stop            Stop the service
${tab}restart         Restart the service
${tab}reload          Reload configuration files (or restart if service does not implement reload)
${tab}enable          Enable service autostart
${tab}disable         Disable service autostart
${tab}enabled         Check if service is started on boot
${tab}greet           Say hello
${tab}running         Check if service is running
${tab}status          Service status
${tab}trace           Start with syscall trace
${tab}info            Dump procd service info
"
rc xc help >"$T/help.out"
printf '%s\n' "$want" >"$T/help.want"
check "help: OpenWrt's text, byte for byte" cmp -s "$T/help.out" "$T/help.want"
rc xc >"$T/help.out2"
eq "no command: the help, exit 0" "$?" 0
check "no command: the same help" cmp -s "$T/help.out2" "$T/help.want"
out=$(rc svc bogus 2>/dev/null)
eq "an unknown command: exit 0, as on OpenWrt" "$?" 0
check "an unknown command shows the help on stdout" eval 'echo "$out" | grep -q "^Syntax: $INIT/svc \[command\]\$"'
check "running is a procd command only" eval 'rc svc running | grep -q "^Syntax: "' 

script own <<S
reload() { echo "own reload" >>"$LOG"; }
S
: >"$LOG"
rc own reload
eq "a script's reload replaces the default" "$(cat "$LOG")" "own reload"

# ---- procd instances ----
RT=$KEEL_RUNTIME_DIR
script pd <<'S'
START=60
STOP=40
USE_PROCD=1
start_service() {
	procd_open_instance
	procd_set_param command /bin/echo "two words" 'q"uote' 'back\slash' '50%' '$HOME' "$(printf 'tab\there')" "$(printf 'new\nline')"
	procd_append_param command --more
	procd_set_param env A=1 "B=x y" LD_PRELOAD=/lib/libhook.so
	procd_append_param env C=3
	procd_set_param respawn
	procd_set_param user nobody
	procd_set_param group nogroup
	procd_set_param term_timeout 9
	procd_set_param limits core=unlimited nofile="100 200"
	procd_set_param stdout 1
	procd_set_param netdev eth0
	procd_close_instance

	procd_open_instance
	procd_set_param command /bin/sleep 1000
	procd_set_param respawn 60 2 0
	procd_set_param pidfile /var/run/pd.pid
	procd_close_instance

	if [ -z "$ONLY_TWO" ]; then
		procd_open_instance web
		procd_set_param command /bin/true
		procd_set_param file "$UCI_CONFIG_DIR/pd"
		procd_close_instance
	fi
	procd_open_instance nocmd
	procd_close_instance
}
service_triggers() {
	procd_add_reload_trigger pd network
}
S
echo "config x 'y'" >"$UCI_CONFIG_DIR/pd"
mkdir -p "$RT"
printf '# not ours\nexec /bin/true\n' >"$RT/pd.foreign"
: >"$T/ctl.log"
rc pd start 2>"$T/err"
eq "start succeeds" "$?" 0
check "an instance without command is reported" grep -q "nocmd has no command" "$T/err"
eq "one file per instance, NAME.INSTANCE, no leftovers" "$(ls -A "$RT" | grep -v -e '^\.pd\.triggers$' -e '^\.pd\.events$' -e '^pd\.\.config$' | tr '\n' ' ')" "pd.foreign pd.instance1 pd.instance2 pd.web "
eq "keelctl reload on the socket" "$(cat "$T/ctl.log")" "--socket $KEEL_SOCKET reload"
f1=$RT/pd.instance1
eq "exec quoted for keel's lexer" "$(grep '^exec ' "$f1")" \
	'exec "/bin/echo" "two words" "q\"uote" "back\\slash" "50%%" "$HOME" "tab\there" "new\nline" "--more"'
eq "env lines as declared, LD_PRELOAD included" "$(grep '^env ' "$f1" | tr '\n' ';')" \
	'env "A=1";env "B=x y";env "LD_PRELOAD=/lib/libhook.so";env "C=3";'
eq "respawn defaults (3600 5 5)" "$(grep -E '^(type|respawn) ' "$f1" | tr '\n' ';')" \
	"type respawn;respawn limit 5 window 3600s delay 5s max-delay 5s;"
eq "user and group" "$(grep -E '^(user|group) ' "$f1" | tr '\n' ';')" 'user "nobody";group "nogroup";'
eq "term_timeout" "$(grep '^stop ' "$f1")" "stop TERM 9s"
eq "limits" "$(grep '^rlimit ' "$f1" | tr '\n' ';')" "rlimit core unlimited;rlimit nofile 100 200;"
check "netdev: waits for the device, restarted when it goes" eval "grep -q '^condition iface \"eth0\" exists\$' '$f1' && grep -q '^condition-lost restart\$' '$f1'"
f2=$RT/pd.instance2
eq "respawn 60 2 0: no limit" "$(grep -E '^respawn ' "$f2")" "respawn window 60s delay 2s max-delay 2s"
eq "default term_timeout 5s" "$(grep '^stop ' "$f2")" "stop TERM 5s"
eq "pidfile: sh writes it, then execs the command" "$(grep '^exec ' "$f2")" \
	'exec "/bin/sh" "-c" "echo $$ >\"$0\" && exec \"$@\"" "/var/run/pd.pid" "/bin/sleep" "1000"'
check "no respawn param: type once" grep -q '^type once$' "$RT/pd.web"
eq "triggers recorded" "$(cat "$RT/.pd.triggers" | tr '\n' ';')" "config pd;config network;"
if [ -x "$KEEL_BUILD/keel" ]; then
	mkdir -p "$T/chk"
	cp "$RT"/pd.instance* "$RT/pd.web" "$T/chk/"
	check "keel check accepts the files" "$KEEL_BUILD/keel" check -q "$T/chk"
fi

# the pidfile wrapper really writes the pid of the command
sh -c 'echo $$ >"$0" && exec "$@"' "$T/pid" sh -c 'echo $$ >"$1"' sh "$T/pid2"
eq "pidfile wrapper: same pid as the command" "$(cat "$T/pid")" "$(cat "$T/pid2")"

ino() { ls -i "$1" | cut -d' ' -f1; }
i1=$(ino "$f1")
desc_web=$(grep '^description ' "$RT/pd.web")
echo "config x 'z'" >"$UCI_CONFIG_DIR/pd"
rc pd reload 2>/dev/null
eq "reload: an unchanged instance file is not rewritten" "$(ino "$f1")" "$i1"
check "reload: a changed config file changes the instance's description" \
	[ "$(grep '^description ' "$RT/pd.web")" != "$desc_web" ]
ONLY_TWO=1 rc pd start 2>/dev/null
check "start declaring fewer instances removes the dropped one" [ ! -e "$RT/pd.web" ] && [ -e "$f1" ]
check "another service's file is not touched" [ -e "$RT/pd.foreign" ]

echo 0 >"$T/state.pd.instance1"
echo 3 >"$T/state.pd.instance2"
eq "status: some running" "$(rc pd status)" "running (1/2)"
check "running: one instance runs" rc pd running
check "running INSTANCE: that one does not" not rc pd running instance2
echo 0 >"$T/state.pd.instance2"
eq "status: all running" "$(rc pd status)" "running"
echo 1234567 >"$T/pid.pd.instance1"
: >"$T/ctl.log"
rc pd stop instance2
check "stop INSTANCE removes only that one" [ ! -e "$f2" ] && [ -e "$f1" ]
check "stop reloads keel" grep -q reload "$T/ctl.log"
rc pd stop
check "stop removes every instance and the triggers" [ "$(ls -A "$RT")" = pd.foreign ]
out=$(rc pd status)
eq "status without instances: inactive, exit 3" "$out:$?" "inactive:3"
check "enable works for procd scripts" eval 'rc pd enable && [ -L "$RCD/S60pd" ] && [ -L "$RCD/K40pd" ]'

finish
