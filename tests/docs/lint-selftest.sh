#!/usr/bin/env bash
# lint-selftest.sh SPEC CONFIG_DIR: lint.sh must refuse broken copies of
# docs/openapi.yaml, so that a passing docs_openapi_lint means something.
# Each copy breaks one thing: an example that does not match its schema, a
# $ref to nothing, an operation without a summary, a path parameter not
# declared.  Run through run-node.sh; exit 0 when every copy was refused.
set -u
spec=$1 confdir=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fu-lint-XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
cp "$confdir/redocly.yaml" "$confdir/.redocly.lint-ignore.yaml" "$tmp/" || exit 1
failed=0
# break NAME SED-EXPRESSION: a copy with one edit, which lint.sh must refuse.
break_it() {
	cp "$spec" "$tmp/openapi.yaml"
	sed -i "$2" "$tmp/openapi.yaml"
	if cmp -s "$spec" "$tmp/openapi.yaml"; then
		echo "FAIL $1: the edit changed nothing"; failed=1; return
	fi
	if bash "$here/lint.sh" "$tmp/openapi.yaml" "$tmp/redocly.yaml" >"$tmp/out" 2>&1; then
		echo "FAIL $1: lint passed"; cat "$tmp/out"; failed=1
	else
		echo "ok $1: refused ($(grep -m1 -oE '(error|warning) +[a-z0-9-]+' "$tmp/out"))"
	fi
}
break_it example-type '0,/message: Welcome to FastAPI Application/s//message: 42/'
break_it dangling-ref '0,/#\/components\/schemas\/UserRead"/s//#\/components\/schemas\/UserReed"/'
break_it no-summary '0,/      summary: Health check/{/      summary: Health check/d}'
break_it undeclared-parameter 's|^  /users/{id}:|  /users/{user_id}:|'
exit $failed
