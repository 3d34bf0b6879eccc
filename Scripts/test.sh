#!/usr/bin/env bash
# Builds the package and runs the whole test suite. Installs missing Debian packages first when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for package in libsqlite3-dev libssl-dev pkg-config; do
    dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if ((${#need[@]})); then
    if [ "$(id -u)" = 0 ]; then
        echo "installing ${need[*]}" >&2
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
        echo "missing Debian packages: ${need[*]} (run as root, or apt-get install them)" >&2
        exit 1
    fi
fi

stage() { printf '== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)" >&2; }
SECONDS=0
stage "build"
swift build --build-tests
stage "test"
# RFC 7914 vector 4 (1 GiB, about 5 s) runs too unless the caller says otherwise.
export ACCOUNTS_SLOW_TESTS="${ACCOUNTS_SLOW_TESTS:-1}"
status=0
swift test --skip-build || status=$?
echo "== done in ${SECONDS}s (exit $status)" >&2
exit "$status"
