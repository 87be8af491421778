# shellcheck shell=bash
# bench/lib.sh: what every fcgi-users load benchmark shares.  Sourced, not
# run.  A benchmark script calls, in order:
#
#   bench_init BUILD_DIR      checks the tree, makes a temp data folder with a
#                             fresh env file, migrates a new database
#   bench_start               lighttpd with lighttpd/bench.conf: the real
#                             programs and floor.fcgi, FU_PROCS processes each
#                             (BENCH_SERVER=apache: Apache with mod_fcgid)
#   bench_expect PATH STATUS [BYTES]
#                             one curl request must answer STATUS (and BYTES)
#   bench_warmup PATH...      unmeasured wrk runs (page faults, first
#                             SQLite open, lazy setup)
#   bench_rounds NAME=PATH... ROUNDS rounds of wrk over the endpoints,
#                             back to back, ABBA order
#   bench_ratio NAME FLOOR TARGET
#                             prints the rates and the median per-round
#                             ratio NAME/FLOOR, PASS/FAIL against TARGET
#
# bench_init sets an EXIT trap that stops lighttpd and removes the temp
# folder (a script that starts servers of its own defines bench_stop_more,
# which the trap calls first).  Results are kept in the associative arrays
# BENCH_ROUND (rate by "name,round"), BENCH_ROUND_P99 and BENCH_ROUND_BAD
# (every run's p99 and bad answers, clean or not) and BENCH_RPS, BENCH_P50,
# BENCH_P99 (each name's best clean round; latencies in milliseconds).  A
# PATH may be a whole URL (http://...), for a server other than BENCH_URL.  A benchmark that needs a user or a token adds
# steps between bench_start and bench_rounds; wrk's extra arguments (a Lua
# script, a header) come from the array BENCH_WRK_ARGS_<NAME> (see bench_wrk).
#
# Settings (environment):
#   DURATION      seconds of each measured wrk run [6]
#   WARMUP        seconds of each warm-up run [3]
#   ROUNDS        measured runs per endpoint [5]
#   THREADS       wrk threads [2]
#   CONNECTIONS   wrk connections [32]
#   FU_PROCS      FastCGI processes per program, the floor included [2]
#   BENCH_SERVER  lighttpd, or apache: Apache 2.4 with mod_fcgid
#                 (apache/test-httpd.conf with apache/bench-fcgid.conf and
#                 apache/bench-floor.conf), run as the tests run it [lighttpd]
#   APACHE_PROCS  with apache: mod_fcgid processes per program, kept once
#                 started (bench-fcgid.conf) [FU_PROCS]
#   BENCH_PORT    TCP port on 127.0.0.1 [a free one from 20000-39999]
#   BENCH_KEEP    1: keep the temp folder (database, logs) and say where
#   BENCH_REPORT  a file to append one TSV line per result to (time, name,
#                 best rate, floor's best, median ratio, ratio of bests,
#                 target, verdict, conditions, best round's p50 and p99 in ms,
#                 the per-round ratios sorted, comma-separated)
#
# The programs run with their defaults (LOG_LEVEL INFO: one JSON access line
# per request); their stderr goes to programs.log in the temp folder.

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
BENCH_TMP=
BENCH_BUILD=
BENCH_SERVER_PID=
BENCH_NOMINATIM_PID=
BENCH_URL=
declare -gA BENCH_RPS=() BENCH_P50=() BENCH_P99=() BENCH_ROUND=()
# Every run's p99 (ms) and count of bad answers, clean or not, by "name,round".
declare -gA BENCH_ROUND_P99=() BENCH_ROUND_BAD=()

bench_log() { printf '==> %s\n' "$*" >&2; }
# The URL of PATH: PATH itself when it is a whole URL (another server
# than BENCH_URL, as bench/apache measures several), else BENCH_URL PATH.
bench_url() { if [[ $1 == http://* ]]; then printf '%s' "$1"; else printf '%s%s' "$BENCH_URL" "$1"; fi; }
bench_die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# A free TCP port on 127.0.0.1: nothing answers a connect there.
bench_free_port() {
	local p _
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# bench_init BUILD_DIR: checks what the benchmark needs, prepares the temp
# data folder and migrates its database.
bench_init() {
	local build=${1:-$BENCH_ROOT/build} prog secret
	[[ -d $build ]] || bench_die "no build tree at $build (cmake -S . -B build && cmake --build build)"
	BENCH_BUILD=$(cd "$build" && pwd -P)
	for prog in cgi-bin/auth.fcgi cgi-bin/users.fcgi cgi-bin/geocoding.fcgi \
	    cgi-bin/mcp.fcgi bin/fcgi-users bench/floor.fcgi; do
		[[ -x $BENCH_BUILD/$prog ]] || bench_die "$BENCH_BUILD/$prog is missing: cmake --build $BENCH_BUILD"
	done
	[[ -f $BENCH_ROOT/lighttpd/bench.conf ]] || bench_die "lighttpd/bench.conf is missing"
	BENCH_LIGHTTPD=$(PATH=$PATH:/usr/sbin:/usr/local/sbin command -v lighttpd) ||
		bench_die "lighttpd is not installed"
	command -v wrk >/dev/null || bench_die "wrk is not installed"
	command -v curl >/dev/null || bench_die "curl is not installed"

	# FastCGI sockets live here: keep the path short (sun_path is 108 bytes).
	BENCH_TMP=$(mktemp -d /tmp/fu-bench.XXXXXX) || bench_die "mktemp failed"
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
	secret=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
	(
		umask 077
		printf 'JWT_SECRET=%s\nDATABASE_URL=%s/bench.db\n' "$secret" "$BENCH_TMP" \
			> "$BENCH_TMP/fcgi-users.env"
	)
	# The environment wins over the env file: pin what must be ours.
	export FCGI_USERS_ENV_FILE=$BENCH_TMP/fcgi-users.env
	export JWT_SECRET=$secret DATABASE_URL=$BENCH_TMP/bench.db
	"$BENCH_BUILD/bin/fcgi-users" migrate up > "$BENCH_TMP/migrate.log" 2>&1 || {
		cat "$BENCH_TMP/migrate.log" >&2
		bench_die "fcgi-users migrate up failed"
	}
	: "${DURATION:=6}" "${WARMUP:=3}" "${ROUNDS:=5}" "${THREADS:=2}" "${CONNECTIONS:=32}"
	: "${FU_PROCS:=2}"
	export FU_PROCS
}

# bench_start: the server BENCH_SERVER names, with the four programs and
# the floor at /bench/floor, FU_PROCS processes each (APACHE_PROCS under
# Apache); returns once the floor answers.
bench_start() {
	case ${BENCH_SERVER:-lighttpd} in
	lighttpd) bench_start_lighttpd ;;
	apache) bench_start_apache ;;
	*) bench_die "BENCH_SERVER=$BENCH_SERVER: lighttpd or apache" ;;
	esac
}

# Starts lighttpd in the foreground (-D) in the background of this shell and
# waits until it answers.
bench_start_lighttpd() {
	local port _
	port=${BENCH_PORT:-$(bench_free_port)} || bench_die "no free port"
	export FU_PORT=$port FU_CGI_BIN=$BENCH_BUILD/cgi-bin FU_DATA=$BENCH_TMP
	export FU_ERRORLOG=$BENCH_TMP/lighttpd.log
	export FU_FLOOR_BIN=$BENCH_BUILD/bench/floor.fcgi
	BENCH_URL=http://127.0.0.1:$port
	"$BENCH_LIGHTTPD" -tt -f "$BENCH_ROOT/lighttpd/bench.conf" > "$BENCH_TMP/lighttpd-check.log" 2>&1 || {
		cat "$BENCH_TMP/lighttpd-check.log" >&2
		bench_die "lighttpd rejects lighttpd/bench.conf"
	}
	"$BENCH_LIGHTTPD" -D -f "$BENCH_ROOT/lighttpd/bench.conf" \
		< /dev/null > "$BENCH_TMP/lighttpd.out" 2>> "$BENCH_TMP/programs.log" &
	BENCH_SERVER_PID=$!
	bench_wait_up "lighttpd" "$FU_PROCS" "$BENCH_TMP/lighttpd.log"
}

# bench_wait_up NAME PROCS LOG: until the floor answers on BENCH_URL (any
# status), or the server is gone or 10 s have passed.
bench_wait_up() {
	local _
	for _ in $(seq 1 100); do
		if curl -s -o /dev/null -m 1 "$BENCH_URL/bench/floor"; then
			bench_log "$1 on $BENCH_URL (pid $BENCH_SERVER_PID), $2 processes per program"
			return 0
		fi
		kill -0 "$BENCH_SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 20 "$3" "$BENCH_TMP/programs.log" >&2 2>/dev/null
	bench_die "$1 did not start"
}

# Apache and its modules (FU_APACHE_MODULES, Debian's folder by default);
# sets BENCH_APACHE, BENCH_APACHE_MODULES and BENCH_UNSHARE: Apache will not
# run programs as root, so root starts it in a user namespace where it is
# an ordinary user, as the test harness does.
bench_apache_find() {
	local m
	BENCH_APACHE=$(PATH=$PATH:/usr/sbin:/usr/local/sbin command -v apache2) ||
		bench_die "apache2 is not installed"
	BENCH_APACHE_MODULES=${FU_APACHE_MODULES:-/usr/lib/apache2/modules}
	for m in "$@"; do
		[[ -f $BENCH_APACHE_MODULES/$m.so ]] ||
			bench_die "$BENCH_APACHE_MODULES/$m.so is missing (set FU_APACHE_MODULES)"
	done
	BENCH_UNSHARE=()
	if [[ $(id -u) = 0 ]]; then
		BENCH_UNSHARE=(unshare --user --map-user=1000 --map-group=1000)
	fi
}

# The programs' environment for mod_fcgid, which hands them none of
# Apache's: a FcgidInitialEnv line for the env file and for each exported
# variable that names a setting (src/common/config.c's table), as the test
# harness writes (mod_fcgid cuts a value at 127 bytes without a word).
bench_fcgid_env() {
	local name value
	printf 'FcgidInitialEnv FCGI_USERS_ENV_FILE "%s"\n' "$FCGI_USERS_ENV_FILE"
	for name in $(sed -n 's/^[[:space:]]*{ "\([A-Z][A-Z0-9_]*\)", SET_.*/\1/p' \
	    "$BENCH_ROOT/src/common/config.c"); do
		[[ $(declare -p "$name" 2>/dev/null) == "declare -x"* ]] || continue
		value=${!name}
		[[ ${#value} -le 127 && $value != *[\"\\]* ]] ||
			bench_die "$name cannot be passed with FcgidInitialEnv (over 127 bytes, or \" or \\)"
		printf 'FcgidInitialEnv %s "%s"\n' "$name" "$value"
	done
}

# Starts Apache with mod_fcgid (apache/test-httpd.conf, as the integration
# tests run it, plus apache/bench-fcgid.conf: APACHE_PROCS processes per
# program, kept once started, and apache/bench-floor.conf: the floor at
# /bench/floor) in the foreground, in the background of this shell.  The
# programs' stderr (their access lines) and Apache's errors go to
# programs.log.
bench_start_apache() {
	local port dir=$BENCH_TMP/apache procs=${APACHE_PROCS:-$FU_PROCS}
	bench_apache_find mod_fcgid mod_rewrite mod_mpm_event
	port=${BENCH_PORT:-$(bench_free_port)} || bench_die "no free port"
	mkdir -p "$dir/htdocs"
	bench_fcgid_env > "$dir/fcgid-env.conf"
	BENCH_URL=http://127.0.0.1:$port
	FU_PORT=$port FU_DATA=$dir FU_PROCS=$procs FU_ERRORLOG=$BENCH_TMP/programs.log \
	FU_CGI_BIN=$BENCH_BUILD/cgi-bin FU_APACHE_MODULES=$BENCH_APACHE_MODULES \
	FU_BENCH_BIN=$BENCH_BUILD/bench \
		"${BENCH_UNSHARE[@]}" "$BENCH_APACHE" -f "$BENCH_ROOT/apache/test-httpd.conf" \
		-c "Include $BENCH_ROOT/apache/bench-fcgid.conf" \
		-c "Include $BENCH_ROOT/apache/bench-floor.conf" \
		-DFOREGROUND < /dev/null >> "$BENCH_TMP/programs.log" 2>&1 &
	BENCH_SERVER_PID=$!
	bench_wait_up "apache (mod_fcgid)" "$procs" "$BENCH_TMP/programs.log"
}

# Stops the server (it stops the FastCGI programs it spawned).  Runs from the
# EXIT trap under set -e: every step must succeed or be allowed to fail.
bench_stop() {
	local pid=$BENCH_SERVER_PID _
	[[ -n $pid ]] || return 0
	BENCH_SERVER_PID=
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# The EXIT trap: stops lighttpd, removes the temp folder (or says where it
# is with BENCH_KEEP=1), and keeps the script's exit status.
bench_cleanup() {
	local rc=$?
	set +e
	# A benchmark's own servers (bench/apache): it defines bench_stop_more.
	if declare -F bench_stop_more >/dev/null; then bench_stop_more; fi
	bench_stop
	bench_nominatim_stop
	if [[ -n $BENCH_TMP && -d $BENCH_TMP ]]; then
		if [[ ${BENCH_KEEP:-0} = 1 ]]; then
			bench_log "kept $BENCH_TMP (database, lighttpd.log, programs.log)"
		else
			rm -rf "$BENCH_TMP"
		fi
	fi
	exit "$rc"
}

# bench_expect PATH STATUS [BYTES]: one request must give STATUS (and a body
# of BYTES bytes); else the logs are shown and the benchmark stops.
bench_expect() {
	local path=$1 want=$2 bytes=${3:-} got
	got=$(curl -s -o "$BENCH_TMP/expect.body" -w '%{http_code} %{size_download}' \
		-m 10 "$(bench_url "$path")") || got="000 0"
	if [[ ${got% *} != "$want" || ( -n $bytes && ${got#* } != "$bytes" ) ]]; then
		printf 'GET %s: got status %s, %s bytes; want %s%s\n' "$path" "${got% *}" \
			"${got#* }" "$want" "${bytes:+, $bytes bytes}" >&2
		head -c 500 "$BENCH_TMP/expect.body" >&2; echo >&2
		tail -n 20 "$BENCH_TMP/lighttpd.log" "$BENCH_TMP/programs.log" >&2 2>/dev/null
		bench_die "GET $path is not ready for benchmarking"
	fi
}

# wrk's latency ("812.00us", "1.23ms", "2.01s") in milliseconds.
bench_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n *= 1; else if (v ~ /s$/) n *= 1000
		printf "%.3f", n }'
}

# bench_wrk NAME PATH SECONDS: one wrk run; prints "rps p50 p99 bad" where
# bad counts non-2xx/3xx answers and socket errors (a run with bad > 0 does
# not count).  Extra wrk arguments: the array named BENCH_WRK_ARGS_<NAME>.
bench_wrk() {
	local name=$1 path=$2 secs=$3 out rps p50 p99 non2xx errs args=()
	if declare -p "BENCH_WRK_ARGS_$name" >/dev/null 2>&1; then
		local -n extra="BENCH_WRK_ARGS_$name"
		args=("${extra[@]}")
	fi
	out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" --latency "${args[@]}" \
		"$(bench_url "$path")" 2>&1) || { echo "$out" >&2; return 1; }
	echo "$out" > "$BENCH_TMP/wrk-$name.last"
	rps=$(awk '/^Requests\/sec:/ { print $2 }' <<< "$out")
	p50=$(awk '$1 == "50%" { print $2 }' <<< "$out")
	p99=$(awk '$1 == "99%" { print $2 }' <<< "$out")
	non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<< "$out")
	errs=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<< "$out")
	[[ -n $rps ]] || { echo "$out" >&2; return 1; }
	echo "$rps $(bench_ms "${p50:-0}") $(bench_ms "${p99:-0}") $(( ${non2xx:-0} + ${errs:-0} ))"
}

# bench_warmup PATH...: WARMUP seconds of load on each path, not measured.
bench_warmup() {
	local path
	for path in "$@"; do
		bench_log "warm-up ${WARMUP}s: $path"
		wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$(bench_url "$path")" > /dev/null 2>&1 ||
			bench_die "wrk failed on $path"
	done
}

# bench_rounds NAME=PATH...: ROUNDS rounds; each runs every endpoint once,
# back to back, in the given order on odd rounds and reversed on even ones
# (ABBA), so drift of the machine (heat, other jobs) hits all alike.  Keeps
# each clean run's rate in BENCH_ROUND[name,round], and each name's best
# round (highest rate, with its latencies) in BENCH_RPS/P50/P99.
bench_rounds() {
	local r i spec name path line rps p50 p99 bad order=()
	for ((r = 1; r <= ROUNDS; r++)); do
		order=()
		for ((i = 1; i <= $#; i++)); do
			if ((r % 2)); then order+=("${!i}"); else order=("${!i}" "${order[@]}"); fi
		done
		for spec in "${order[@]}"; do
			name=${spec%%=*} path=${spec#*=}
			line=$(bench_wrk "$name" "$path" "$DURATION") || bench_die "wrk failed on $path"
			read -r rps p50 p99 bad <<< "$line"
			# shellcheck disable=SC2034  # read by bench/apache
			BENCH_ROUND_P99[$name,$r]=$p99 BENCH_ROUND_BAD[$name,$r]=$bad
			printf '  round %d  %-8s %-22s %10.1f req/s  p50 %8.3f ms  p99 %8.3f ms%s\n' \
				"$r" "$name" "$path" "$rps" "$p50" "$p99" \
				"$( ((bad > 0)) && echo "  ($bad bad answers: not counted)")"
			((bad > 0)) && continue
			BENCH_ROUND[$name,$r]=$rps
			if [[ -z ${BENCH_RPS[$name]:-} ]] ||
			    awk -v a="$rps" -v b="${BENCH_RPS[$name]}" 'BEGIN { exit !(a > b) }'; then
				BENCH_RPS[$name]=$rps BENCH_P50[$name]=$p50 BENCH_P99[$name]=$p99
			fi
		done
	done
}

# bench_median_ratio NAME FLOOR: prints "median sorted-ratios..." of
# NAME/FLOOR over the rounds where both ran cleanly; nothing when none did.
bench_median_ratio() {
	local name=$1 floor=$2 r list=()
	for ((r = 1; r <= ROUNDS; r++)); do
		[[ -n ${BENCH_ROUND[$name,$r]:-} && -n ${BENCH_ROUND[$floor,$r]:-} ]] || continue
		list+=("$(awk -v a="${BENCH_ROUND[$name,$r]}" -v b="${BENCH_ROUND[$floor,$r]}" \
			'BEGIN { printf "%.3f", a / b }')")
	done
	((${#list[@]} > 0)) || return 0
	printf '%s\n' "${list[@]}" | sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f", m; for (i = 1; i <= NR; i++) printf " %s", v[i]; printf "\n" }'
}

# bench_ratio NAME FLOOR TARGET: prints both names' best rates and latencies,
# and the result: the median over the rounds of NAME/FLOOR (each pair ran
# back to back), PASS when it reaches TARGET.  The ratio of the two best
# rates is printed beside it; when the two disagree much, the machine was
# busy.  Returns 0 either way.
bench_ratio() {
	local name=$1 floor=$2 target=$3 med ratios best verdict
	read -r med ratios <<< "$(bench_median_ratio "$name" "$floor")"
	if [[ -z $med ]]; then
		printf 'RESULT %s/%s: not measured (no round where both ran cleanly): FAIL\n' \
			"$name" "$floor"
		return 0
	fi
	best=$(awk -v a="${BENCH_RPS[$name]}" -v b="${BENCH_RPS[$floor]}" 'BEGIN { printf "%.3f", a / b }')
	verdict=$(awk -v r="$med" -v t="$target" 'BEGIN { print (r >= t) ? "PASS" : "FAIL" }')
	printf 'best     %-8s %10.1f req/s  p50 %8.3f ms  p99 %8.3f ms\n' "$floor" \
		"${BENCH_RPS[$floor]}" "${BENCH_P50[$floor]}" "${BENCH_P99[$floor]}"
	printf 'best     %-8s %10.1f req/s  p50 %8.3f ms  p99 %8.3f ms\n' "$name" \
		"${BENCH_RPS[$name]}" "${BENCH_P50[$name]}" "${BENCH_P99[$name]}"
	printf 'ratios   per round (sorted): %s; of the best rates: %s\n' "$ratios" "$best"
	printf 'RESULT %s/%s = %s (median of %d rounds; target >= %s): %s\n' \
		"$name" "$floor" "$med" "$(wc -w <<< "$ratios")" "$target" "$verdict"
	if [[ -n ${BENCH_REPORT:-} ]]; then
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\tcores=%s procs=%s t=%s c=%s d=%ss\t%s\t%s\t%s\n' \
			"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$name" "${BENCH_RPS[$name]}" \
			"${BENCH_RPS[$floor]}" "$med" "$best" "$target" "$verdict" "$(nproc)" \
			"$FU_PROCS" "$THREADS" "$CONNECTIONS" "$DURATION" \
			"${BENCH_P50[$name]}" "${BENCH_P99[$name]}" "${ratios// /,}" >> "$BENCH_REPORT"
	fi
	return 0
}

# One line about the conditions, for the record.
bench_describe() {
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)
	printf 'fcgi-users bench, %s: %s cores (%s), load %s; FU_PROCS=%s; wrk -t%s -c%s -d%ss; %s rounds\n' \
		"$(date -u +%Y-%m-%d)" "$(nproc)" "${cpu:-unknown cpu}" \
		"$(cut -d' ' -f1-3 /proc/loadavg)" "$FU_PROCS" \
		"$THREADS" "$CONNECTIONS" "$DURATION" "$ROUNDS"
}

# ---------------------------------------------------------------------------
# Accounts: a user, a token, timed requests and process memory, for
# bench/users-me, bench/login and bench/memory.  Call after bench_start.
#
#   bench_register EMAIL PASSWORD   POST /auth/register must answer 201 (both
#                                   go into the JSON as they are: no " or \)
#   bench_login EMAIL PASSWORD      POST /auth/jwt/login; sets and exports
#                                   BENCH_TOKEN (bench/wrk/bearer.lua reads it)
#   bench_expect_bearer PATH STATUS bench_expect with the Bearer token
#   bench_warmup_named NAME=PATH... bench_warmup with BENCH_WRK_ARGS_<NAME>
#   bench_login_time EMAIL PASSWORD one login; prints curl's time_total in ms
#   bench_access_durations PATH     the programs' duration_us of each 2xx on
#                                   PATH so far, one a line, in ms
#   bench_median                    the median of the numbers on stdin
#   bench_child_pid PROGRAM         the pid of our server's one PROGRAM process
#   bench_program_pids PROGRAM      the pids of our server's PROGRAM processes
#                                   (floor.fcgi: the floor's)
#   bench_mem PID                   "VmRSS RssAnon VmHWM" of PID, in KiB
#   bench_wrk_count NAME PATH TOTAL about TOTAL requests (in slices of
#                                   wrk bound by bearer.lua to what is left;
#                                   DURATION s at most); prints "requests bad"
#
# BENCH_WRK_LUA is the path of bench/wrk/bearer.lua.

BENCH_WRK_LUA=$BENCH_ROOT/bench/wrk/bearer.lua
BENCH_TOKEN=

# bench_post PATH CONTENT_TYPE: POSTs stdin as the body; the answer goes to
# $BENCH_TMP/post.body; prints "status time_total_seconds".
bench_post() {
	curl -s -o "$BENCH_TMP/post.body" -w '%{http_code} %{time_total}' -m 30 \
		-H "Content-Type: $2" --data-binary @- "$BENCH_URL$1" || echo "000 0"
}

# Shows an unexpected answer and the logs, and stops the benchmark.
bench_post_die() {
	head -c 500 "$BENCH_TMP/post.body" >&2 2>/dev/null; echo >&2
	tail -n 20 "$BENCH_TMP/lighttpd.log" "$BENCH_TMP/programs.log" >&2 2>/dev/null
	bench_die "$1"
}

# Percent-encodes $1 byte by byte (RFC 3986 unreserved characters stay).
bench_urlencode() {
	local LC_ALL=C s=$1 i c out=
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9._~-]) out+=$c ;;
		*) printf -v c '%%%02X' "'$c"; out+=$c ;;
		esac
	done
	printf '%s' "$out"
}

# The login form (OAuth2 password grant fields) for curl's stdin.
bench_login_form() {
	printf 'username=%s&password=%s' "$(bench_urlencode "$1")" "$(bench_urlencode "$2")"
}

bench_register() {
	local got
	got=$(printf '{"email":"%s","password":"%s"}' "$1" "$2" |
		bench_post /auth/register application/json)
	[[ ${got%% *} = 201 ]] || bench_post_die "POST /auth/register answered ${got%% *}, want 201"
}

bench_login() {
	local got
	got=$(bench_login_form "$1" "$2" |
		bench_post /auth/jwt/login application/x-www-form-urlencoded)
	[[ ${got%% *} = 200 ]] || bench_post_die "POST /auth/jwt/login answered ${got%% *}, want 200"
	BENCH_TOKEN=$(sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p' "$BENCH_TMP/post.body")
	[[ -n $BENCH_TOKEN ]] || bench_post_die "no access_token in the login answer"
	export BENCH_TOKEN
}

bench_login_time() {
	local got
	got=$(bench_login_form "$1" "$2" |
		bench_post /auth/jwt/login application/x-www-form-urlencoded)
	[[ ${got%% *} = 200 ]] || bench_post_die "POST /auth/jwt/login answered ${got%% *}, want 200"
	awk -v s="${got#* }" 'BEGIN { printf "%.3f\n", s * 1000 }'
}

bench_expect_bearer() {
	local path=$1 want=$2 got
	got=$(curl -s -o "$BENCH_TMP/expect.body" -w '%{http_code}' -m 10 \
		-H @- "$BENCH_URL$path" <<< "Authorization: Bearer $BENCH_TOKEN") || got=000
	if [[ $got != "$want" ]]; then
		printf 'GET %s (Bearer): got status %s; want %s\n' "$path" "$got" "$want" >&2
		head -c 500 "$BENCH_TMP/expect.body" >&2; echo >&2
		tail -n 20 "$BENCH_TMP/lighttpd.log" "$BENCH_TMP/programs.log" >&2 2>/dev/null
		bench_die "GET $path is not ready for benchmarking"
	fi
}

bench_warmup_named() {
	local spec name path args=()
	for spec in "$@"; do
		name=${spec%%=*} path=${spec#*=} args=()
		if declare -p "BENCH_WRK_ARGS_$name" >/dev/null 2>&1; then
			local -n extra="BENCH_WRK_ARGS_$name"
			args=("${extra[@]}")
			unset -n extra
		fi
		bench_log "warm-up ${WARMUP}s: $path"
		wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "${args[@]}" "$BENCH_URL$path" \
			> /dev/null 2>&1 || bench_die "wrk failed on $path"
	done
}

# grep -a: programs.log is text, but one bad byte must not make grep print
# "binary file matches" instead of the lines.
bench_access_durations() {
	grep -aF "\"path\":\"$1\"" "$BENCH_TMP/programs.log" 2>/dev/null |
		grep -a '"status":2[0-9][0-9]' |
		sed -n 's/.*"duration_us":\([0-9]*\).*/\1/p' |
		awk '{ printf "%.3f\n", $1 / 1000 }'
}

bench_median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f\n", m }'
}

bench_child_pid() {
	local pids
	pids=$(bench_program_pids "$1")
	[[ -n $pids && $(wc -w <<< "$pids") = 1 ]] ||
		bench_die "want one $1 process under the server $BENCH_SERVER_PID, found: ${pids:-none}"
	echo "$pids"
}

# lighttpd's children; under Apache, the children of mod_fcgid's process
# manager, itself a child of Apache.
bench_program_pids() {
	local c path=$BENCH_BUILD/cgi-bin/$1
	[[ $1 != floor.fcgi ]] || path=$BENCH_BUILD/bench/floor.fcgi
	pgrep -P "$BENCH_SERVER_PID" -f "$path" || true
	for c in $(pgrep -P "$BENCH_SERVER_PID" || true); do
		pgrep -P "$c" -f "$path" || true
	done
}

bench_mem() {
	awk '$1 == "VmRSS:" { r = $2 } $1 == "RssAnon:" { a = $2 } $1 == "VmHWM:" { h = $2 }
		END { if (r == "") exit 1; print r, a, h }' "/proc/$1/status" 2>/dev/null ||
		bench_die "process $1 is gone"
}

# wrk's thread:stop() ends a thread's requests but not the run (wrk's main
# thread sleeps the whole -d), so bench_wrk_count runs wrk in slices of
# BENCH_SLICE seconds (1), each bound to what is left of TOTAL, until TOTAL
# answers have come or DURATION seconds have passed.
bench_wrk_count() {
	local name=$1 path=$2 total=$3 out reqs non2xx errs left got=0 bad=0 start=$SECONDS
	local args=()
	if declare -p "BENCH_WRK_ARGS_$name" >/dev/null 2>&1; then
		local -n extra="BENCH_WRK_ARGS_$name"
		args=("${extra[@]}")
	fi
	while ((got < total && SECONDS - start < DURATION)); do
		left=$((total - got))
		out=$(BENCH_REQUESTS=$(( (left + THREADS - 1) / THREADS )) \
			wrk -t"$THREADS" -c"$CONNECTIONS" -d"${BENCH_SLICE:-1}s" -s "$BENCH_WRK_LUA" \
			"${args[@]}" "$BENCH_URL$path" 2>&1) || { echo "$out" >&2; return 1; }
		echo "$out" > "$BENCH_TMP/wrk-$name.last"
		reqs=$(awk '/ requests in / { print $1 }' <<< "$out")
		non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<< "$out")
		errs=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' <<< "$out")
		[[ -n $reqs ]] || { echo "$out" >&2; return 1; }
		got=$((got + reqs)) bad=$((bad + ${non2xx:-0} + ${errs:-0}))
	done
	echo "$got $bad"
}

# ---------------------------------------------------------------------------
# Geocoding and MCP: the gazetteer, the fake Nominatim, an MCP session, for
# bench/geocode, bench/mcp and bench/endpoints.
#
#   bench_import_gazetteer OUT [FILE ARGS...]
#                                   `fcgi-users import gazetteer` into OUT,
#                                   of FILE ARGS (the test fixture,
#                                   tests/fixtures/geonames/, by default)
#   bench_nominatim_start           the tests' fake Nominatim
#                                   (tests/integration/fake_nominatim.py);
#                                   exports NOMINATIM_URL; stopped on exit
#   bench_geo_cached CITY           GET /geocode/city?city=CITY (CITY
#                                   percent-encoded) with the Bearer token;
#                                   prints the answer's "cached" (true|false)
#   bench_mcp_session               initialize and notifications/initialized
#                                   with the Bearer token, then one tools/call
#                                   of geocode_city (London) that must give a
#                                   result; exports BENCH_MCP_SESSION,
#                                   BENCH_MCP_VERSION and BENCH_CITY for
#                                   bench/wrk/mcp.lua

BENCH_MCP_VERSION=2025-11-25

bench_import_gazetteer() {
	local out=$1 fix=$BENCH_ROOT/tests/fixtures/geonames args
	shift
	if (($# > 0)); then
		args=("$@")
	else
		args=("$fix/cities.txt" --admin1 "$fix/admin1.txt" --countries "$fix/countries.json")
	fi
	bench_log "importing the gazetteer from ${args[0]}"
	"$BENCH_BUILD/bin/fcgi-users" import gazetteer "${args[@]}" --out "$out" \
		> "$BENCH_TMP/import.log" 2>&1 || {
		tail -n 20 "$BENCH_TMP/import.log" >&2
		bench_die "fcgi-users import gazetteer failed"
	}
}

bench_nominatim_start() {
	local _
	mkdir -p "$BENCH_TMP/nominatim"
	python3 "$BENCH_ROOT/tests/integration/fake_nominatim.py" --dir "$BENCH_TMP/nominatim" \
		> "$BENCH_TMP/nominatim.log" 2>&1 &
	BENCH_NOMINATIM_PID=$!
	for _ in $(seq 1 100); do
		[[ -s $BENCH_TMP/nominatim/port ]] && break
		sleep 0.1
	done
	[[ -s $BENCH_TMP/nominatim/port ]] || bench_die "the fake Nominatim did not start"
	NOMINATIM_URL=http://127.0.0.1:$(cat "$BENCH_TMP/nominatim/port")
	export NOMINATIM_URL
}

# From the EXIT trap: must not fail.
bench_nominatim_stop() {
	[[ -n $BENCH_NOMINATIM_PID ]] || return 0
	kill "$BENCH_NOMINATIM_PID" 2>/dev/null || true
	wait "$BENCH_NOMINATIM_PID" 2>/dev/null || true
	BENCH_NOMINATIM_PID=
}

bench_geo_cached() {
	curl -s -m 10 -H @- "$BENCH_URL/geocode/city?city=$1" <<< "Authorization: Bearer $BENCH_TOKEN" |
		sed -n 's/.*"cached":\(true\|false\)}$/\1/p'
}

# bench_mcp_post BODY [CURL ARGS...]: one POST to /mcp-server/mcp with the
# Bearer token; the answer in BENCH_TMP/mcp-headers and mcp-body; prints
# the status.
bench_mcp_post() {
	local body=$1
	shift
	curl -s -m 10 -D "$BENCH_TMP/mcp-headers" -o "$BENCH_TMP/mcp-body" -w '%{http_code}' \
		-H @- -H 'Content-Type: application/json' \
		-H 'Accept: application/json, text/event-stream' "$@" \
		--data-binary "$body" "$BENCH_URL/mcp-server/mcp" <<< "Authorization: Bearer $BENCH_TOKEN"
}

bench_mcp_session() {
	local code v=$BENCH_MCP_VERSION
	code=$(bench_mcp_post '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"'"$v"'","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}')
	[[ $code = 200 ]] || bench_die "initialize answered $code: $(head -c 300 "$BENCH_TMP/mcp-body")"
	BENCH_MCP_SESSION=$(sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: *\([^[:space:]]*\).*/\1/p' "$BENCH_TMP/mcp-headers")
	[[ -n $BENCH_MCP_SESSION ]] || bench_die "initialize gave no Mcp-Session-Id"
	export BENCH_MCP_SESSION BENCH_MCP_VERSION BENCH_CITY=London
	code=$(bench_mcp_post '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
		-H "Mcp-Session-Id: $BENCH_MCP_SESSION" -H "MCP-Protocol-Version: $v")
	[[ $code = 202 ]] || bench_die "notifications/initialized answered $code"
	# One call by hand: a result for London, not an error.
	code=$(bench_mcp_post '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"geocode_city","arguments":{"city":"London"}}}' \
		-H "Mcp-Session-Id: $BENCH_MCP_SESSION" -H "MCP-Protocol-Version: $v")
	[[ $code = 200 ]] && grep -q '"structuredContent"' "$BENCH_TMP/mcp-body" &&
		! grep -q '"isError":true' "$BENCH_TMP/mcp-body" ||
		bench_die "tools/call answered $code: $(head -c 300 "$BENCH_TMP/mcp-body")"
}
