#!/usr/bin/env bash
# Builds every libFuzzer target with -sanitize=fuzzer,address (each as its own product, in .build-fuzz) and runs
# each for a bounded time on a scratch copy of its seed corpus. Any crash, leak, timeout or OOM fails the script;
# the input that caused it is saved under artifacts/fuzz/.
#
#   bash Scripts/fuzz.sh            # 30 s a target (what CI runs)
#   FUZZ_SECONDS=3600 bash Scripts/fuzz.sh fuzz-sealed   # fuzz one target longer
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-30}"
targets=("$@")
if ((${#targets[@]} == 0)); then
    targets=(fuzz-callback fuzz-twitter-json fuzz-oauth-form fuzz-sealed fuzz-password-hash fuzz-import-line
        fuzz-mailbox fuzz-names fuzz-text-misc fuzz-web fuzz-sandbox)
fi
flags=(-c debug --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
    -Xswiftc -DFUZZING -Xcc -DFUZZING)
mkdir -p artifacts/fuzz
status=0
for target in "${targets[@]}"; do
    [ -d "Fuzz/$target" ] || { echo "== $target: no such target, skipped" >&2; continue; }
    SECONDS=0
    swift build "${flags[@]}" --product "$target" >&2
    built=$SECONDS
    work=$(mktemp -d)
    cp -r "Fuzz/Corpus/$target/." "$work/"
    SECONDS=0
    if ! ".build-fuzz/debug/$target" "$work" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 \
        -artifact_prefix="artifacts/fuzz/$target-" -print_final_stats=1 >"artifacts/fuzz/$target.log" 2>&1; then
        echo "== $target: FAILED after ${SECONDS}s (see artifacts/fuzz/$target.log)" >&2
        tail -40 "artifacts/fuzz/$target.log" >&2
        status=1
    else
        runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "artifacts/fuzz/$target.log" | grep -Eo '[0-9]+$' || echo "?")
        echo "== $target: ok, $runs inputs in ${SECONDS}s (build ${built}s)" >&2
    fi
    rm -rf "$work"
done
exit "$status"
