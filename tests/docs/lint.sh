#!/usr/bin/env bash
# lint.sh SPEC CONFIG: `redocly lint` of docs/openapi.yaml with
# docs/redocly.yaml (its rules; docs/.redocly.lint-ignore.yaml beside it
# holds the findings that are the API by design).  Run through run-node.sh.
# Fails on any error or warning.
set -u
spec=$1 config=$2
[ -n "${FU_DOCS_NODE_PREFIX:-}" ] || { echo "lint.sh: run it through run-node.sh" >&2; exit 1; }
out=$("$FU_DOCS_NODE_PREFIX/node_modules/.bin/redocly" lint "$spec" --config "$config" \
	--format=stylish --max-problems=200 2>&1)
rc=$?
# The banner about Node.js 20's end of life is Redocly's, not ours.
printf '%s\n' "$out" | grep -v '[║╔╚]'
[ $rc -eq 0 ] || exit 1
if printf '%s\n' "$out" | grep -qE '\b(warning|error)\b +[a-z0-9-]+ '; then
	echo "lint.sh: redocly reported warnings" >&2
	exit 1
fi
printf '%s\n' "$out" | grep -q 'Your API description is valid' || exit 1
