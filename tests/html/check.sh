#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The --html page, opened by real headless Chromium with the network off (a dead proxy):
# no console error, and the numbers in the page equal the JSON report of the same record.
# A control page with a deliberate script error must be caught, so the console check
# cannot pass by seeing nothing. A screenshot is kept in $OUT (a CI artifact).
# usage: MEMTRACE=build/memtrace tests/html/check.sh [OUT]   exit 0 all ok, 1 a failure,
# 77 chromium absent (skipped)
set -u
cd "$(dirname "$0")/../.."
MEMTRACE=${MEMTRACE:-build/memtrace}
OUT=${1:-build}
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "skip html: chromium not installed (make deps installs it)"
	exit 77
fi
if ! command -v jq > /dev/null; then
	echo "skip html: jq not installed"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 oks=0

ok() {
	oks=$((oks + 1))
	echo "ok   html: $*"
}
fail() {
	fails=$((fails + 1))
	echo "FAIL html: $*"
}

# chromium PAGE OUT.dom: the DOM after the scripts ran, console messages in OUT.dom.err
chromium_dom() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$tmp/profile" --proxy-server=127.0.0.1:9 \
		--enable-logging=stderr --v=0 --dump-dom "file://$1" > "$2" 2> "$2.err"
}

# a number the page shows: the data-value of the element with that data-testid
page_value() {
	grep -o "data-testid=\"$2\"[^>]*" "$1" | head -n 1 | sed -n 's/.*data-value="\([^"]*\)".*/\1/p'
}
page_attr() {
	grep -o "data-testid=\"$2\"[^>]*" "$1" | head -n 1 | sed -n "s/.*$3=\"\\([^\"]*\\)\".*/\\1/p"
}

expect() { # what, page value, JSON value
	if [ -n "$2" ] && [ "$2" = "$3" ]; then
		ok "$1 = $2"
	else
		fail "$1: page '$2', JSON '$3'"
	fi
}

# the control: a script error must show in what chromium_dom captures
cat > "$tmp/control.html" << 'EOF'
<!DOCTYPE html><html><body><script>undefined_function_memtrace();</script></body></html>
EOF
chromium_dom "$tmp/control.html" "$tmp/control.dom"
if grep -q 'CONSOLE' "$tmp/control.dom.err"; then
	ok "a deliberate script error is caught"
else
	fail "the console check sees no error in a page that has one"
fi

for rec in tests/fixtures/record-sites.rec tests/fixtures/record-mix-2000.rec \
	tests/fixtures/record-timeline.rec; do
	name=$(basename "$rec" .rec)
	page="$tmp/$name.html" json="$tmp/$name.json" dom="$tmp/$name.dom"
	if ! "$MEMTRACE" report "$rec" --html "$page" --json "$json" > /dev/null; then
		fail "$name: memtrace report --html failed"
		continue
	fi
	mode=$(stat -c %a "$page")
	[ "$mode" = 600 ] && ok "$name: page mode 0600" || fail "$name: page mode $mode"
	if ! chromium_dom "$page" "$dom"; then
		fail "$name: chromium failed (exit $?)"
		continue
	fi
	if grep -q 'CONSOLE' "$dom.err"; then
		fail "$name: console messages: $(grep CONSOLE "$dom.err" | head -n 3)"
	else
		ok "$name: no console message"
	fi
	expect "$name events" "$(page_value "$dom" events)" "$(jq .run.events "$json")"
	for k in $(jq -r '.classes | to_entries[] | select(.value.allocs != null) | .key' "$json"); do
		expect "$name $k allocs" "$(page_value "$dom" "total-allocs-$k")" \
			"$(jq ".classes.$k.allocs" "$json")"
		expect "$name $k frees" "$(page_value "$dom" "total-frees-$k")" \
			"$(jq ".classes.$k.frees" "$json")"
		expect "$name $k bytes" "$(page_value "$dom" "total-bytes-$k")" \
			"$(jq ".classes.$k.bytes_allocated" "$json")"
	done
	expect "$name lost" "$(page_value "$dom" no-lost || true)$(page_value "$dom" lost)" \
		"$(jq .run.lost.total "$json")"
	expect "$name top process" "$(page_attr "$dom" top-process data-name)" \
		"$(jq -r '.processes[0].comm' "$json")"
	expect "$name top process bytes" "$(page_value "$dom" top-process)" \
		"$(jq '[.processes[0].classes[].bytes_allocated] | add' "$json")"
	expect "$name top cache" "$(page_attr "$dom" top-cache data-name)" \
		"$(jq -r '.slab.caches[0].name' "$json")"
	expect "$name top cache bytes" "$(page_value "$dom" top-cache)" \
		"$(jq '.slab.caches[0].bytes_allocated' "$json")"
	if jq -e '.stacks' "$json" > /dev/null; then
		expect "$name flame root, allocated" "$(page_value "$dom" flame-root-allocated)" \
			"$(jq '[.stacks.allocating[].bytes_allocated] | add // 0' "$json")"
		expect "$name flame root, outstanding" \
			"$(page_value "$dom" flame-root-outstanding)" \
			"$(jq '[.stacks.outstanding[].outstanding_bytes] | add // 0' "$json")"
	fi
	expect "$name timeline points" "$(page_value "$dom" timeline-points)" \
		"$(jq '.timeline.points // [] | length' "$json")"
	if jq -e '.timeline' "$json" > /dev/null; then
		expect "$name timeline bytes" "$(page_value "$dom" range-bytes)" \
			"$(jq '[.timeline.points[].classes[].bytes_allocated] | add // 0' "$json")"
	fi
	size=$(stat -c %s "$page")
	[ "$size" -lt 2000000 ] && ok "$name: page $size bytes (< 2 MB)" ||
		fail "$name: page $size bytes"
done

# the screenshot, kept for people (CI keeps $OUT)
mkdir -p "$OUT"
if timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
	--user-data-dir="$tmp/profile" --proxy-server=127.0.0.1:9 --window-size=1280,2400 \
	--screenshot="$OUT/html-report.png" "file://$tmp/record-sites.html" > /dev/null 2>&1 &&
	[ -s "$OUT/html-report.png" ]; then
	ok "screenshot in $OUT/html-report.png"
else
	fail "no screenshot"
fi
echo "html: $oks ok, $fails failed"
[ "$fails" -eq 0 ]
