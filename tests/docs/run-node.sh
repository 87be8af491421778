#!/usr/bin/env bash
# run-node.sh NODE_PREFIX COMMAND...: a documentation test that needs the
# npm tools pinned in package.json and package-lock.json beside this script
# (Redocly CLI, puppeteer-core).  Installs them with `npm ci` into
# NODE_PREFIX (the build tree, never the source tree) when they are missing
# or the lock file changed, then runs COMMAND with
#   FU_DOCS_NODE          the node binary
#   FU_DOCS_NODE_PREFIX   NODE_PREFIX (its node_modules/.bin holds redocly)
#   FU_DOCS_BROWSER_SCRIPT NODE_PREFIX/docs_browser.mjs (run from beside
#                         node_modules, so that it finds puppeteer-core)
#   FU_DOCS_CHROMIUM      Debian's chromium (scripts/lib.sh installs it)
# When `npm ci` fails because the registry cannot be reached, the test is
# skipped (exit 77, ctest's SKIP_RETURN_CODE); any other failure fails it.
# puppeteer-core downloads no browser: it drives the chromium package.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prefix=${1:-}
shift || true
SKIP=77

die() { echo "run-node.sh: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit $SKIP; }
note() { echo "run-node.sh: $*" >&2; }

[ -n "$prefix" ] && [ $# -gt 0 ] || die "usage: run-node.sh NODE_PREFIX COMMAND..."
command -v node >/dev/null || die "node is missing (scripts/lib.sh installs nodejs)"
command -v npm >/dev/null || die "npm is missing (scripts/lib.sh installs npm)"

mkdir -p "$prefix" || die "cannot create $prefix"
# One installer at a time (ctest -j runs the lint and the browser test together).
exec 9>"$prefix/.lock"
command -v flock >/dev/null && flock 9
if ! cmp -s "$here/package-lock.json" "$prefix/package-lock.json" ||
	! cmp -s "$here/package.json" "$prefix/package.json" ||
	[ ! -x "$prefix/node_modules/.bin/redocly" ] ||
	[ ! -f "$prefix/node_modules/puppeteer-core/package.json" ]; then
	cp "$here/package.json" "$here/package-lock.json" "$prefix/" || die "cannot copy package.json"
	note "npm ci --prefix $prefix"
	log=$prefix/npm-ci.log
	# PUPPETEER_SKIP_DOWNLOAD: puppeteer-core fetches no browser anyway.
	if ! PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefer-offline --prefix "$prefix" \
		--no-audit --no-fund >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$prefix/package-lock.json"
		if ! timeout 30 npm ping >/dev/null 2>&1; then
			skip "the npm registry cannot be reached: the documentation's npm tools are not installed"
		fi
		die "npm ci failed (the registry answers; see above)"
	fi
fi
cp "$here/docs_browser.mjs" "$prefix/docs_browser.mjs" || die "cannot copy docs_browser.mjs"
exec 9>&-

export FU_DOCS_NODE FU_DOCS_NODE_PREFIX=$prefix
FU_DOCS_NODE=$(command -v node)
export FU_DOCS_BROWSER_SCRIPT=$prefix/docs_browser.mjs
export FU_DOCS_CHROMIUM=${FU_DOCS_CHROMIUM:-$(command -v chromium || echo /usr/bin/chromium)}
# Redocly CLI: no update check, no usage reports.
export NO_UPDATE_NOTIFIER=1 REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
exec "$@"
