#!/usr/bin/env bash
# Quality and speed of `accounts duplicates` on generated, labelled accounts.
#
#   bash Scripts/benchmark-duplicates.sh 100000 [SEED] [WORK_DIR]
#
# Generates N accounts (Scripts/generate-duplicates.py), migrates a fresh database, imports them with
# `accounts import` (which stores the normalised mailboxes), then times
# `accounts duplicates --format json` (wall time and peak memory from /usr/bin/time) and scores the report against the
# labels (Scripts/evaluate-duplicates.py). Builds the release binary first.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:?usage: benchmark-duplicates.sh COUNT [SEED] [WORK_DIR]}"
seed="${2:-11}"
work="${3:-${TMPDIR:-/tmp}/accounts-duplicates-bench}"
mkdir -p "$work"
swift build -c release --product accounts >&2
accounts="$(swift build -c release --show-bin-path)/accounts"
prefix="$work/$count-$seed"
if [ ! -f "$prefix.jsonl" ]; then
    python3 Scripts/generate-duplicates.py --accounts "$count" --seed "$seed" --out "$prefix.jsonl" --labels "$prefix.labels.csv"
fi
rm -f "$prefix.sqlite" "$prefix.sqlite-wal" "$prefix.sqlite-shm"
"$accounts" --database "$prefix.sqlite" migrate >/dev/null
"$accounts" --database "$prefix.sqlite" import "$prefix.jsonl" --format jsonl
ACCOUNTS_DUPLICATES_TIMING=1 /usr/bin/time -v "$accounts" --database "$prefix.sqlite" duplicates --format json \
    --output "$prefix.report.json" 2> "$prefix.time.txt"
grep -E "timing|wrote|Elapsed|Maximum resident|User time|System time" "$prefix.time.txt"
python3 Scripts/evaluate-duplicates.py "$prefix.report.json" "$prefix.labels.csv"
