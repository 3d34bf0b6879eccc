#!/usr/bin/env bash
# Builds the package and runs every suite, printing each stage's time: the Swift tests (unit, store, CLI,
# registration flow over loopback, crash, soak), the browser suite (headless Chromium clicking through
# `accounts demo`), then each libFuzzer target for a bounded time. Installs missing Debian packages first when run
# as root.
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

# The browser suite needs Chromium, chromedriver (Debian's chromium and chromium-driver) and Selenium (PyPI, in a
# virtual environment in the cache). It installs what is missing when it can, and is skipped, saying why, only when
# that is impossible.
browser_ready() {
    if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
        if [ "$(id -u)" != 0 ]; then
            echo "browser suite skipped: chromium and chromium-driver are not installed (run as root, or apt-get install them)" >&2
            return 1
        fi
        echo "installing chromium chromium-driver" >&2
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }; then
            echo "browser suite skipped: apt-get could not install chromium and chromium-driver" >&2
            return 1
        fi
    fi
    if ! "$venv/bin/python" -c 'import selenium' >/dev/null 2>&1; then
        echo "installing selenium into $venv" >&2
        rm -rf "$venv"
        if ! python3 -m venv "$venv" >/dev/null 2>&1; then
            rm -rf "$venv"  # Debian's own python3 needs python3-venv for this
            if [ "$(id -u)" = 0 ]; then
                apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null || true
            fi
            if ! python3 -m venv "$venv" >/dev/null 2>&1; then
                echo "browser suite skipped: python3 cannot make a virtual environment (install python3-venv)" >&2
                return 1
            fi
        fi
        if ! "$venv/bin/pip" install -q 'selenium>=4.20,<5'; then
            echo "browser suite skipped: could not install selenium from PyPI into $venv" >&2
            return 1
        fi
    fi
    return 0
}

venv="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/accounts-browser-venv"
browser_suite() {
    if browser_ready; then
        "$venv/bin/python" Tests/Browser/demo_flow.py --accounts .build/debug/accounts --artifacts artifacts/browser
    fi
}

stage build swift build --build-tests
# RFC 7914 vector 4 (1 GiB, about 5 s) runs too unless the caller says otherwise.
export ACCOUNTS_SLOW_TESTS="${ACCOUNTS_SLOW_TESTS:-1}"
stage test swift test --skip-build
stage browser browser_suite
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
    stage fuzz bash Scripts/fuzz.sh
fi
printf '== stage times: %s; total %ss\n' "$(IFS=,; echo "${timings[*]}")" "$((SECONDS - started))" >&2
