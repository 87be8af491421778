#!/usr/bin/env bash
# tests/bench/check_report.sh: what bench/run must write, checked.
#
#   check_report.sh refusals DIR    the checks and the broken copies of
#                                   DIR's report, without running bench/run
#   check_report.sh check DIR       DIR/REPORT.md has every row with numbers
#                                   and verdicts, and DIR/report-rates.svg is
#                                   an SVG with a bar per endpoint and server
#   check_report.sh BUILD_DIR       runs QUICK=1 bench/run on BUILD_DIR into a
#                                   temp folder, checks its report, then
#                                   checks that broken copies of it are
#                                   refused (a row missing, a value that is
#                                   not a number, a verdict missing, no SVG,
#                                   an SVG that is not one, no image link)
#
# ctest bench_run_quick (label bench: scripts/test leaves it out, it takes
# two to three minutes).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)

fail() { printf 'check_report: %s\n' "$*" >&2; return 1; }

# A number, possibly signed, with thousands separators or a decimal point.
NUM='[+-]?[0-9][0-9,]*(\.[0-9]+)?'

# row FILE LABEL COLUMN...: the table row of LABEL (its first cell) must
# have a number in each COLUMN (2: the cell after the label; a number may
# be followed by a parenthesis, "271.1 (curl 273.0)") and, but for the
# floor's, end with a verdict (PASS or FAIL).
row() {
	local file=$1 label=$2 line c cell
	shift 2
	line=$(grep -F "| $label |" "$file" | head -n 1) || { fail "no row \"$label\""; return 1; }
	for c in "$@"; do
		cell=$(awk -F'|' -v c="$((c + 1))" '{ gsub(/^ +| +$/, "", $c); print $c }' <<< "$line")
		[[ $cell =~ ^$NUM( \(.*\))?$ ]] ||
			{ fail "row \"$label\", column $c: \"$cell\" is not a number"; return 1; }
	done
	if [[ $label != floor* ]]; then
		grep -qE '\| (PASS|FAIL) \|$' <<< "$line" || { fail "row \"$label\": no PASS/FAIL: $line"; return 1; }
	fi
}

check() {
	local dir=$1 md=$1/REPORT.md svg=$1/report-rates.svg s label p
	[[ -s $md ]] || { fail "no $md"; return 1; }
	for s in '## lighttpd' '## Apache + mod_fcgid' '## Plain CGI' '## Resident memory' \
	    'load average at start' 'load average at end' 'as each part began' '| git commit |' '| lighttpd |' \
	    '| Apache |' 'same run'; do
		grep -qF "$s" "$md" || { fail "REPORT.md lacks \"$s\""; return 1; }
	done
	for s in start end; do
		grep -qE "load average at $s \| [0-9.]+ [0-9.]+ [0-9.]+ \|" "$md" ||
			{ fail "no load average figures at $s"; return 1; }
	done
	grep -qF '](report-rates.svg)' "$md" || { fail "REPORT.md does not show report-rates.svg"; return 1; }
	# Each server's table: the floor, five endpoints (rate, p50, p99, ratio),
	# the login and its rest.
	for s in lighttpd apache; do
		awk -v s="$s" '/^## / { on = (s == "lighttpd") ? ($0 == "## lighttpd") : ($0 == "## Apache + mod_fcgid") }
			on' "$md" > "$dir/.section"
		row "$dir/.section" "floor (bench/floor.c)" 2 3 4 5 || return 1
		for label in "GET /health" "GET /users/me" "GET /geocode/city, cache hit" \
		    "GET /geocode/city, offline lookup" "MCP tools/call geocode_city"; do
			row "$dir/.section" "$label" 2 3 4 5 || return 1
		done
		row "$dir/.section" "POST /auth/jwt/login, sequential" 3 || return 1
		row "$dir/.section" "the rest of the login (Argon2id t=1 m=1024 p=1)" 3 || return 1
	done
	rm -f "$dir/.section"
	grep -qE "^\| GET /health \| $NUM ms \| $NUM ms \| $NUM ms \|" "$md" ||
		{ fail "no CGI latency row for /health"; return 1; }
	grep -qE "^\| GET /users/me \| $NUM ms \| $NUM ms \| $NUM ms \|" "$md" ||
		{ fail "no CGI latency row for /users/me"; return 1; }
	for p in auth users geocoding mcp; do
		grep -qE "^\| $p\.fcgi \| $NUM \($NUM, [0-9]+\) \| (PASS|FAIL) \| $NUM \($NUM, [0-9]+\) \| (PASS|FAIL) \|$" "$md" ||
			{ fail "no memory row for $p.fcgi with both servers"; return 1; }
	done
	[[ -s $svg ]] || { fail "no $svg"; return 1; }
	if command -v xmllint >/dev/null; then
		xmllint --noout "$svg" 2>/dev/null || { fail "report-rates.svg is not well-formed XML"; return 1; }
	fi
	grep -q '<svg' "$svg" || { fail "report-rates.svg has no <svg> element"; return 1; }
	for s in lighttpd 'Apache + mod_fcgid'; do
		grep -qF "$s" "$svg" || { fail "report-rates.svg has no key \"$s\""; return 1; }
	done
	# gnuplot's svg terminal: one <path> per bar, at least 2 × 5.
	(( $(grep -c '<path' "$svg") >= 10 )) || { fail "report-rates.svg has too few bars"; return 1; }
}

# must_refuse WHAT SED [FILE]: a copy of the good report broken by SED
# (on REPORT.md, or on FILE) must fail check.
must_refuse() {
	local what=$1 expr=$2 file=${3:-REPORT.md} bad=$TMP/bad
	rm -rf "$bad" && cp -r "$TMP/out" "$bad"
	if [[ $expr = rm ]]; then rm -f "$bad/$file"; else sed -i -e "$expr" "$bad/$file"; fi
	if check "$bad" 2> "$TMP/refusal"; then
		echo "check accepted a report with $what" >&2
		return 1
	fi
	printf 'refused (%s): %s\n' "$what" "$(cat "$TMP/refusal")"
}

if [[ ${1:-} = check ]]; then
	check "$2"
	exit
fi
TMP=$(mktemp -d /tmp/fu-bench-check.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
if [[ ${1:-} = refusals ]]; then
	cp -r "${2:?usage: check_report.sh refusals DIR}" "$TMP/out"
else
	QUICK=1 OUT=$TMP/out "$ROOT/bench/run" "${1:?usage: check_report.sh BUILD_DIR | check DIR | refusals DIR}"
fi
check "$TMP/out"
echo "the report and the chart are complete"
rc=0
must_refuse "the MCP row missing" '/| MCP tools\/call geocode_city |/d' || rc=1
must_refuse "a rate that is not a number" '0,/| GET \/users\/me | [0-9,]* |/s//| GET \/users\/me | n\/a |/' || rc=1
must_refuse "a verdict missing" '0,/| GET \/health | \(.*\) | \(PASS\|FAIL\) |$/s//| GET \/health | \1 | |/' || rc=1
must_refuse "no chart" rm report-rates.svg || rc=1
must_refuse "a chart that is not SVG" 's/<svg/<html/g' report-rates.svg || rc=1
must_refuse "no image link" 's/](report-rates.svg)/]()/' || rc=1
must_refuse "a memory row of one server" '/| geocoding.fcgi |/s/| [^|]* | [A-Z]* |$//' || rc=1
must_refuse "no load average" 's/load average at end | [0-9. ]* |/load average at end | |/' || rc=1
must_refuse "no Apache table" '/^## Apache + mod_fcgid/,/^## Rates/{/^## Rates/!d}' || rc=1
must_refuse "a p99 missing" 's/^\(| MCP tools\/call geocode_city | [^|]* | [^|]* | \)[^|]* |/\1— |/' || rc=1
must_refuse "a login without its latency" 's/^\(| POST \/auth\/jwt\/login, sequential | — | \)[0-9.]*/\1—/' || rc=1
must_refuse "no CGI row for /users/me" '/^| GET \/users\/me | [0-9.]* ms |/d' || rc=1
exit $rc
