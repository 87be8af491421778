# Shared by scripts/run and scripts/test: installing what fcgi-users needs on
# Debian 12 and building it.  Sourced, not run.

FU_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian 12 packages: build tools, the libraries we link, the web servers
# the tests start (nginx with spawn-fcgi and multiwatch for the nginx
# recipe), and the tools the tests and benchmarks use (dpkg-dev, from
# build-essential, builds the .deb).
FU_PACKAGES=(
	build-essential cmake pkg-config clang libclang-rt-14-dev valgrind
	libfcgi-dev libssl-dev libsqlite3-dev sqlite3 libjson-c-dev
	libcurl4-openssl-dev libargon2-dev libcrypt-dev libcmocka-dev
	lighttpd apache2 libapache2-mod-fcgid spawn-fcgi
	wrk hyperfine openssl curl ca-certificates
	python3-jwt python3-cryptography nodejs
	python3-aiosmtpd iso-codes
	python3-yaml chromium
	nginx multiwatch
	libpq-dev postgresql
	gnuplot-nox
)
# npm: Debian's package for a Debian nodejs; a NodeSource nodejs holds npm
# itself and conflicts with Debian's npm package, so ask only when npm is missing.
command -v npm >/dev/null 2>&1 || FU_PACKAGES+=(npm)

fu_log() { printf '==> %s\n' "$*" >&2; }

# Installs the missing packages.  Installing lighttpd, apache2 or nginx on
# Debian starts their system services on port 80; a temporary policy-rc.d keeps
# them stopped (both would claim the port, and we start our own instances).
fu_install_deps() {
	local missing=() p
	for p in "${FU_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		fu_log "all packages present"
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages: ${missing[*]}; run as root or install them" >&2
		return 1
	fi
	fu_log "installing: ${missing[*]}"
	local policy=/usr/sbin/policy-rc.d made_policy=0
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && made_policy=1
	fi
	local rc=0
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
	[ $made_policy -eq 1 ] && rm -f "$policy"
	return $rc
}

# fu_build DIR [cmake options...]: configures and builds into DIR.
# The compiler's output goes to DIR/build.log and is shown when it fails.
fu_build() {
	local dir=$1; shift
	fu_log "building in $dir"
	mkdir -p "$dir"
	if ! { cmake -S "$FU_ROOT" -B "$dir" "$@" &&
		cmake --build "$dir" -j"$(nproc)"; } >"$dir/build.log" 2>&1; then
		tail -n 60 "$dir/build.log" >&2
		echo "build failed; the whole log is $dir/build.log" >&2
		return 1
	fi
}
