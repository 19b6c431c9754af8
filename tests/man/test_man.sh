#!/bin/bash
# test_man: the committed man pages are what scripts/md2man.py makes of docs/ (no stale page),
# SPDX-License-Identifier: MIT
# mandoc -T lint finds nothing above style in any of them, and man -l renders each.
set -u
src=${KEEL_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$src" || exit 1
work=$(mktemp -d /tmp/keel-man.XXXXXX)
trap 'rm -rf "$work"' EXIT
pass() { echo "ok - $1"; }
fail() { echo "not ok - $1"; }

for t in python3 mandoc man; do
	command -v "$t" >/dev/null || { fail "$t is installed (apt-get install mandoc man-db python3)"; exit 1; }
done

# the pages man/pages.txt names, as NAME.SECTION
mapfile -t pages < <(awk '!/^[ \t]*(#|$)/ && !/^[ \t]/ && $1 != "date" { print $1 "." $2 }' man/pages.txt)
[ "${#pages[@]}" -gt 0 ] && pass "man/pages.txt names ${#pages[@]} pages" || fail "man/pages.txt names pages"

if python3 scripts/md2man.py man/pages.txt "$work/gen" >"$work/gen.log" 2>&1; then
	pass "md2man.py runs"
else
	fail "md2man.py runs"; cat "$work/gen.log"
fi

# regenerating gives the committed files byte for byte, and nothing else is in man/
for p in "${pages[@]}"; do
	if [ ! -f "man/$p" ]; then
		fail "man/$p is committed (run make man)"
	elif cmp -s "$work/gen/$p" "man/$p"; then
		pass "man/$p is up to date"
	else
		fail "man/$p is up to date (docs changed: run make man)"
		diff -u "man/$p" "$work/gen/$p" | head -20
	fi
done
extra=""
for f in man/*; do
	b=${f#man/}
	[ "$b" = pages.txt ] && continue
	printf '%s\n' "${pages[@]}" | grep -qxF "$b" || extra="$extra $b"
done
[ -z "$extra" ] && pass "man/ holds no page that pages.txt does not name" ||
	fail "man/ holds no page that pages.txt does not name:$extra"

# mandoc -T lint: anything but STYLE messages is a failure
for p in "${pages[@]}"; do
	[ -f "man/$p" ] || continue
	mandoc -T lint "man/$p" >"$work/lint" 2>&1
	if grep -v ': STYLE: ' "$work/lint" | grep -q .; then
		fail "mandoc -T lint man/$p"; grep -v ': STYLE: ' "$work/lint" | head -20
	else
		pass "mandoc -T lint man/$p"
	fi
done

# man -l renders each page (groff through man-db), with the NAME line
for p in "${pages[@]}"; do
	[ -f "man/$p" ] || continue
	name=${p%.*}
	if LC_ALL=C MANWIDTH=80 man -l "man/$p" >"$work/out" 2>"$work/err" &&
		! grep -qiE '(^|: )error' "$work/err" &&
		grep -qF "$name - " "$work/out" && [ "$(wc -l <"$work/out")" -gt 10 ]; then
		pass "man -l man/$p"
	else
		fail "man -l man/$p"; head -20 "$work/err"
	fi
done
exit 0
