#!/usr/bin/env bash
# Builds accounts-bench and accounts (release), measures the peers when python3 is there (../shared/peers, in a throwaway
# virtual environment), then prints one table: ours, the raw limit, the peer, and the ratios. Writes the rows as JSON.
#
#   Scripts/bench.sh [--json FILE] [--no-peers] [-- ACCOUNTS-BENCH ARGUMENTS…]
#
# --json defaults to $BENCH_RESULTS or bench-results.json at the repository root. The peers' folder is
# $ACCOUNTS_SHARED/peers, by default ../shared/peers beside the repository; without it, or when pip cannot install
# the peers, the table has no peer figures and says so.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

results="${BENCH_RESULTS:-$repo/bench-results.json}"
run_peers=1
bench_args=()
while (($#)); do
    case "$1" in
    --json)
        [ $# -ge 2 ] || { echo "bench.sh: --json needs a file" >&2; exit 64; }
        results="$2"
        shift 2
        ;;
    --no-peers) run_peers=0; shift ;;
    --) shift; bench_args=("$@"); break ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown argument '$1' (see --help)" >&2; exit 64 ;;
    esac
done
case "$results" in /*) ;; *) results="$PWD/$results" ;; esac

note() { printf 'bench.sh: %s\n' "$*" >&2; }

need=()
for package in libsqlite3-dev libssl-dev pkg-config; do
    dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if ((${#need[@]})); then
    if [ "$(id -u)" = 0 ]; then
        note "installing ${need[*]}"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
        note "missing Debian packages: ${need[*]} (run as root, or apt-get install them)"
        exit 1
    fi
fi

note "building accounts-bench and accounts (release)"
swift build -c release --product accounts-bench >&2
# The duplicates benchmark runs `accounts import` and `accounts duplicates` from the same folder.
swift build -c release --product accounts >&2
bin="$(swift build -c release --show-bin-path)/accounts-bench"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/accounts-bench-peers.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
peers_json=""

measure_peers() {
    local shared="${ACCOUNTS_SHARED:-$repo/../shared}"
    local peers="$shared/peers"
    if ! command -v python3 >/dev/null 2>&1; then
        note "no python3: the table has no peer figures"
        return 0
    fi
    if [ ! -f "$peers/requirements.txt" ]; then
        note "no $peers/requirements.txt: the table has no peer figures"
        return 0
    fi
    note "installing the peers into a throwaway virtual environment"
    if ! python3 -m venv "$scratch/venv" || ! "$scratch/venv/bin/pip" install -q -r "$peers/requirements.txt"; then
        note "could not install the peers (pip failed): the table has no peer figures"
        return 0
    fi
    local python="$scratch/venv/bin/python"
    for level in FULL NORMAL; do
        note "peer: allauth_bench.py --n 5000 --synchronous $level"
        if ! "$python" "$peers/allauth_bench.py" --n 5000 --synchronous "$level" --db "$scratch/allauth.sqlite" \
            >"$scratch/allauth-$level.txt"; then
            note "allauth_bench.py --synchronous $level failed; its figures are left out"
        fi
        sed 's/^/  allauth: /' "$scratch/allauth-$level.txt" >&2
    done
    note "peer: oauth_sign_bench.py"
    if ! "$python" "$peers/oauth_sign_bench.py" >"$scratch/oauth.txt"; then
        note "oauth_sign_bench.py failed its signature check or did not run; its figures are kept only if printed"
    fi
    sed 's/^/  oauthlib: /' "$scratch/oauth.txt" >&2
    # The peer scripts print text only; pick their figures out of it.
    python3 - "$scratch" >"$scratch/peers.json" <<'PY'
import json, re, sys

folder = sys.argv[1]
figures, versions = {}, {}

def read(name):
    try:
        with open(f"{folder}/{name}") as f:
            return f.read()
    except OSError:
        return ""

def number(pattern, text):
    match = re.search(pattern, text, re.M)
    return float(match.group(1)) if match else None

rss = []
for level in ("FULL", "NORMAL"):
    text = read(f"allauth-{level}.txt")
    rate = number(r"^\(a\) registrations/s.*\s(\d+(?:\.\d+)?)\s*$", text)
    if rate is not None:
        figures[f"allauth.registrations_per_s.{level}"] = rate
    peak = number(r"^\(c\) peak RSS MiB\s+(\d+(?:\.\d+)?)\s*$", text)
    if peak is not None:
        rss.append(peak)
    for key, pattern in (("allauth.lookup_p50_us", r"^\(b\) lookup hit p50 us.*\s(\d+(?:\.\d+)?)\s*$"),
                         ("allauth.lookup_p99_us", r"^\s+lookup hit p99 us\s+(\d+(?:\.\d+)?)\s*$")):
        value = number(pattern, text)
        if value is not None:  # the NORMAL run, read last, wins
            figures[key] = value
    plain = re.search(r"stored value == plaintext secret: (YES|no)", text)
    if plain:
        figures["allauth.token_secret_plaintext"] = 1.0 if plain.group(1) == "YES" else 0.0
    header = re.search(r"^allauth_bench: (Django [^,]+, django-allauth [^,]+, SQLite [^ ]+)", text, re.M)
    if header:
        versions["allauth"] = header.group(1)
if rss:
    figures["allauth.peak_rss_mib"] = max(rss)

text = read("oauth.txt")
for key, label in (("oauthlib.request_token_new_client_per_s", "POST /oauth/request_token, new Client per call"),
                   ("oauthlib.verify_credentials_new_client_per_s", "GET verify_credentials, new Client per call"),
                   ("python.hmac_sha1_300B_per_s", "bare hmac.new(sha1) on 300 B")):
    value = number(r"^" + re.escape(label) + r".*?\s(\d+(?:\.\d+)?)\s+\d+(?:\.\d+)?\s*$", text)
    if value is not None:
        figures[key] = value
header = re.search(r"^oauth_sign_bench: oauthlib ([^,]+), Python ([^,]+),", text, re.M)
if header:
    versions["oauthlib"] = "oauthlib " + header.group(1)
    versions["python"] = "Python " + header.group(2)

json.dump({"figures": figures, "versions": versions}, sys.stdout, indent=2, sort_keys=True)
PY
    peers_json="$scratch/peers.json"
}

if ((run_peers)); then
    measure_peers
else
    note "--no-peers: the table has no peer figures"
fi

# This machine's speed varies by up to a factor of two from one hour to the next: a fixed CPU-bound loop tells
# which kind of hour the figures below come from.
if command -v python3 >/dev/null 2>&1; then
    reference="$(python3 -c 'import time
t = time.perf_counter()
s = 0
for i in range(20_000_000): s += i
print(f"{time.perf_counter() - t:.2f}")')"
    note "host reference: a Python loop summing the numbers below 20 million took $reference s" \
        "(2.4-3.1 s in the slow hours of 2026-12-01, when a million accounts took 11-17 s)"
fi
note "running accounts-bench"
args=(--json "$results")
[ -n "$peers_json" ] && args+=(--peers "$peers_json")
"$bin" "${args[@]}" ${bench_args[@]+"${bench_args[@]}"}
note "wrote $results"
