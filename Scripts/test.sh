#!/usr/bin/env bash
# Checks the formatting, builds the package and runs every suite, printing each stage's time: the Swift tests
# (unit, store, CLI, registration flow over loopback, crash, soak), the browser suite (headless Chromium clicking
# through `accounts demo`), then each libFuzzer target for a bounded time. Installs missing Debian packages first when run
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
    # (pinned: the version the suite was written against, so that a new release on PyPI cannot turn only a fresh
    # machine's run red; a venv holding another is made again)
    if ! "$venv/bin/python" -c "import selenium, sys; sys.exit(selenium.__version__ != '$selenium_version')" >/dev/null 2>&1; then
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
        if ! "$venv/bin/pip" install -q "selenium==$selenium_version"; then
            echo "browser suite skipped: could not install selenium from PyPI into $venv" >&2
            return 1
        fi
    fi
    return 0
}

venv="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/accounts-browser-venv"
selenium_version=4.51.0
browser_suite() {
    if browser_ready; then
        # (about 15 s; 900 s means it hung: stopped, and the stage fails)
        timeout --kill-after=30 900 \
            "$venv/bin/python" Tests/Browser/demo_flow.py --accounts .build/debug/accounts --artifacts artifacts/browser
    elif [ "${CI:-}" = true ]; then
        # (on CI a suite that could not be set up fails the stage: skipped, the run went green without it)
        echo "the browser suite is required on CI (CI=true): its set-up failed, above" >&2
        return 1
    fi
}

# This checkout's test processes: the test bundle under its own .build (another checkout's run is left alone).
own_test_runners() {
    pgrep -f "^$PWD/\.build[^ ]*PackageTests\.xctest" || true
}

# What a hung test run leaves to read: the tests that started and did not end (Swift Testing's console lines, counted
# by name), the processes still running under the test process, and every thread's stack of the test process.
hang_report() {
    local log=$1 limit=$2 runner
    {
        printf '== the tests did not end within %ss; tests started and not ended:\n' "$limit"
        sed -n -e '/^◇ Test case /d' -e '/^\(◇\|✔\|✘\) Test run \(started\|with\)/d' -e 's/^◇ Test \(.*\) started\.$/+ \1/p' \
            -e 's/^\(✔\|✘\) Test \(.*\) with [0-9]* test cases\{0,1\} \(passed\|failed\) after .*/- \2/p' \
            -e 's/^\(✔\|✘\) Test \(.*\) \(passed\|failed\) after .*/- \2/p' "$log" |
            awk '{ name = substr($0, 3); count[name] += ($1 == "+") ? 1 : -1 }
                 END { for (name in count) if (count[name] > 0) print "   " name }' | sort
        runner=$(own_test_runners | head -1)
        if [ -n "$runner" ]; then
            printf '== processes under the test process %s:\n' "$runner"
            ps -eo pid=,ppid=,etimes=,stat=,args= | cut -c1-200 |
                awk -v root="$runner" '{ parent[$1] = $2; line[$1] = $0 }
                    END { for (p in line) { q = p; while (q in parent && q != root && q > 1) q = parent[q]
                                            if (q == root) print line[p] } }' | sort -n || true
            if ! command -v gdb >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
                apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gdb >/dev/null 2>&1 || true
            fi
            if command -v gdb >/dev/null 2>&1; then
                # each thread's innermost frames and those in this package's code, demangled
                printf '== stacks of the test process:\n'
                timeout 180 gdb -p "$runner" -batch -nx -ex 'set pagination off' -ex 'thread apply all bt 60' 2>&1 |
                    awk '/^Thread / || /^#0 / || /\/(Sources|Tests)\// { print }' |
                    { swift demangle --simplified 2>/dev/null || cat; } | cut -c1-200 || true
            fi
        fi
    } >&2
}

# The Swift tests, under a watchdog. Their whole console output goes to artifacts/tests.log; what is printed here is
# what a reader needs: every line but those of a test (or test case) starting or passing, then the run's last line. A
# run takes about 200 s, so one still going after TEST_TIME_LIMIT seconds (1,200 unless set) has hung: the watchdog
# writes hang_report's findings to artifacts/tests-hang.txt, stops the run, and the report is printed at the end; the
# stage fails.
swift_tests() {
    local limit=${TEST_TIME_LIMIT:-1200} log=artifacts/tests.log report=artifacts/tests-hang.txt watchdog status
    mkdir -p artifacts
    rm -f "$report"
    (
        sleep "$limit" &
        wait $! || exit 0
        hang_report "$log" "$limit" 2>"$report"
        runners=$(own_test_runners)
        parents=$(for pid in $runners; do ps -o ppid= -p "$pid"; done)
        # (stopped first, so that it starts nothing more; then the processes it started, each in a process group of
        # its own, go with it)
        kill -STOP $runners 2>/dev/null || true
        children=$(for pid in $runners; do
            ps -eo pid=,ppid= | awk -v root="$pid" '{ parent[$1] = $2 }
                END { for (p in parent) { q = p; while (q in parent && q != root && q > 1) q = parent[q]
                                          if (q == root && p != root) print p } }'
        done)
        kill -KILL $children $runners $parents 2>/dev/null || true
    ) &
    watchdog=$!
    set +e
    # (a line that starts with none of Swift Testing's marks continues the one before: shown as that one is)
    swift test --skip-build 2>&1 | tee "$log" |
        awk '/^(◇|✔|✘|➜|↳|⚠|━)/ { shown = !/^(◇|✔) / } shown || !started { print; fflush() } /^◇/ { started = 1 }'
    status=${PIPESTATUS[0]}
    set -e
    pkill -P "$watchdog" sleep 2>/dev/null || true
    wait "$watchdog" 2>/dev/null || true
    # (the run's last line when it passed cleanly, which the filter above hides; a run that failed, or passed with
    # known issues, `━ Test run with … passed … with 1 known issue.`, ends with a line the filter shows)
    grep -E '^✔ Test run ' "$log" || true
    if [ -s "$report" ]; then
        cat "$report" >&2
        status=1
    fi
    printf 'the whole output of the Swift tests: %s\n' "$log"
    return "$status"
}

# The layout .swift-format sets (4 spaces, 120 columns, ordered imports), checked before building;
# `swift format` ships with the toolchain. Fix what it reports with `swift format -i --configuration .swift-format FILE`.
# First, that no test assertion would print a secret when it fails (Scripts/lint-test-secrets.sh names FILE:LINE).
lint() {
    bash Scripts/lint-test-secrets.sh
    if ! swift format --version >/dev/null 2>&1; then
        echo "swift format is not in this toolchain: formatting not checked" >&2
        return 0
    fi
    swift format lint --strict --configuration .swift-format --parallel -r Sources Tests Benchmarks Fuzz Package.swift
}

stage lint lint
stage build swift build --build-tests
# RFC 7914 vector 4 (1 GiB, about 5 s) runs too unless the caller says otherwise.
export ACCOUNTS_SLOW_TESTS="${ACCOUNTS_SLOW_TESTS:-1}"
stage test swift_tests
stage browser browser_suite
if [ "${SKIP_FUZZ:-0}" != 1 ]; then
    # (CI has 90 minutes, and this run takes about 25 here: on a machine so slow that an hour has gone by now, each
    # target fuzzes 5 s rather than 30, so that the building of the targets, most of this stage, still fits)
    if [ -z "${FUZZ_SECONDS:-}" ] && [ $((SECONDS - started)) -gt 3600 ]; then
        echo "an hour has gone by before fuzzing: 5 s a target (FUZZ_SECONDS sets it)" >&2
        export FUZZ_SECONDS=5
    fi
    stage fuzz bash Scripts/fuzz.sh
fi
printf '== stage times: %s; total %ss\n' "$(IFS=,; echo "${timings[*]}")" "$((SECONDS - started))" >&2
