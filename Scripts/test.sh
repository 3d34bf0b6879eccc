#!/usr/bin/env bash
# Builds the package and runs every suite: the Swift tests (unit, store, CLI, registration flow over loopback, crash,
# soak), then each libFuzzer target for a bounded time. Installs missing Debian packages first when run as root.
# Prints each stage's time.
#
#   bash Scripts/test.sh                 # everything (what .ci/run does)
#   SKIP_FUZZ=1 bash Scripts/test.sh     # without the fuzzing stage
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

started=$SECONDS
timings=()
stage() {
    local name=$1
    shift
    printf '== %s (%s)\n' "$name" "$(date -u +%H:%M:%S)" >&2
    local begin=$SECONDS
    "$@"
    timings+=("$name $((SECONDS - begin))s")
}

stage build swift build --build-tests
# RFC 7914 vector 4 (1 GiB, about 5 s) runs too unless the caller says otherwise.
export ACCOUNTS_SLOW_TESTS="${ACCOUNTS_SLOW_TESTS:-1}"
stage test swift test --skip-build
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
    stage fuzz bash Scripts/fuzz.sh
fi
printf '== stage times: %s; total %ss\n' "$(IFS=,; echo "${timings[*]}")" "$((SECONDS - started))" >&2
