#!/usr/bin/env bash
# pg_cluster.sh: a throwaway PostgreSQL cluster for the tests (ctest label
# "postgres"), on a free loopback port in a temporary folder.
#
#   pg_cluster.sh start STATE_DIR   initdb + pg_ctl start; writes STATE_DIR/url
#                                   (the admin URL, database "postgres") and
#                                   STATE_DIR/dir (the cluster's folder)
#   pg_cluster.sh stop STATE_DIR    pg_ctl stop, removes the folder and the state
#
# The cluster trusts every loopback connection (it holds nothing but test
# data, and lives for one ctest run), has one superuser "fcgi_users", the C
# locale (so ORDER BY is byte order, as SQLite's) and UTF-8, and trades
# durability for speed (fsync off).  PostgreSQL refuses to run as root: as
# root the cluster runs as user "nobody" (runuser), which owns the folder.
# The server binaries come from Debian's postgresql package
# (/usr/lib/postgresql/<version>/bin, found with pg_config or by glob).
set -euo pipefail

die() { echo "pg_cluster.sh: $*" >&2; exit 1; }

pg_bindir() {
	local d
	for d in "$(pg_config --bindir 2>/dev/null || true)" /usr/lib/postgresql/*/bin; do
		[ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
	done
	die "initdb/pg_ctl not found: install Debian's postgresql package"
}

# Runs a command as the cluster's owner.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u nobody -- "$@"
	else
		"$@"
	fi
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
	local state=$1 bin dir port try
	bin=$(pg_bindir)
	mkdir -p "$state"
	[ -f "$state/dir" ] && stop "$state" || true
	dir=$(mktemp -d "${TMPDIR:-/tmp}/fu-pg.XXXXXX")
	chmod 755 "$dir"
	[ "$(id -u)" -eq 0 ] && chown nobody "$dir"
	echo "$dir" > "$state/dir"
	as_owner "$bin/initdb" -D "$dir/data" -U fcgi_users --auth=trust \
		--no-locale -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; die "initdb failed"; }
	# A port another run took between free_port and the bind: try again.
	for try in 1 2 3 4 5; do
		port=$(free_port)
		if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
			-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off \
			-c synchronous_commit=off -c full_page_writes=off \
			-c max_connections=400 -c shared_buffers=32MB \
			-c log_min_messages=warning -c log_min_error_statement=panic" \
			start >/dev/null 2>&1; then
			echo "postgresql://fcgi_users@127.0.0.1:$port/postgres" > "$state/url"
			return 0
		fi
	done
	cat "$dir/server.log" >&2 || true
	die "pg_ctl start failed"
}

stop() {
	local state=$1 bin dir
	[ -f "$state/dir" ] || return 0
	dir=$(cat "$state/dir")
	bin=$(pg_bindir)
	if [ -d "$dir/data" ]; then
		as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop \
			>/dev/null 2>&1 || true
	fi
	case "$dir" in
	*/fu-pg.*) rm -rf "$dir" ;;
	esac
	rm -f "$state/dir" "$state/url"
}

[ $# -eq 2 ] || die "usage: pg_cluster.sh start|stop STATE_DIR"
case "$1" in
start) start "$2" ;;
stop) stop "$2" ;;
*) die "usage: pg_cluster.sh start|stop STATE_DIR" ;;
esac
