#!/usr/bin/env bash
# Fails, naming FILE:LINE, on a test assertion that would print a secret when it fails. Swift Testing prints the
# operands of a failing `#expect` (and `#require`): in `#expect(!log.contains(keyA))` that is the key itself and the
# log that holds it. So a secret must never be an operand: compute the Bool first and name the secret in the message
# (`let leaked = log.contains(keyA); #expect(!leaked, "key A is in the log")`, or TestSupport's `expectAbsent`), and
# compare revealed secrets as `Secret`s (which print `<redacted>`) rather than `.revealed == "..."`. Flagged:
#   - `.contains(ARG)` inside an assertion, where ARG (string and regex literals left out: they are in the source
#     anyway) names an identifier matching secret|key|token|verifier|password|material|hash, any case, unless the
#     name ends in path, file, dir, url, id, count, name or line (with or without an s: `keysPath`, `keyID`);
#   - `.revealed ==` or `== ....revealed` inside an assertion.
# An assertion spanning lines is read whole. One with a `// lint: no secret (REASON)` comment on any of its lines is
# let through (say why: `key` is a JSON field's name).
# Plain awk over Tests/: well under a second.
#
#   bash Scripts/lint-test-secrets.sh [FILE...]    # Tests/**/*.swift when no file is given
set -euo pipefail
cd "$(dirname "$0")/.."

if (($#)); then
    files=("$@")
else
    mapfile -t files < <(find Tests -name '*.swift' | sort)
fi

awk '
# `s` without its comment, string literals ("...", #"..."#) and regex literals (/.../); the balance of parentheses
# is then read from what remains.
function strip(s,    out, i, n, c, end) {
    out = ""; n = length(s)
    for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (substr(s, i, 2) == "#\"") {
            end = index(substr(s, i + 2), "\"#")
            if (end == 0) return out
            i += end + 2; out = out "\"\""; continue
        }
        if (c == "/" && substr(s, i + 1, 1) == "/") return out  # a comment
        if (c == "/" && substr(s, i + 1, 1) != " " && out ~ /(^|[(,:=[])[ \t]*$/) {  # a regex literal
            for (i++; i <= n; i++) {
                c = substr(s, i, 1)
                if (c == "\\") { i++; continue }
                if (c == "/") break
            }
            out = out "//"; continue
        }
        if (c == "\"") {
            for (i++; i <= n; i++) {
                c = substr(s, i, 1)
                if (c == "\\") { i++; continue }
                if (c == "\"") break
            }
            out = out "\"\""; continue
        }
        out = out c
    }
    return out
}
function depth(s,    t) {
    t = s
    return gsub(/\(/, "(", t) - gsub(/\)/, ")", t)
}
# The argument of each `.contains(` in `s` (already stripped), to its closing parenthesis.
function check(s, file, line,    rest, at, i, n, d, c, argument, count, words, w, word) {
    rest = s
    while ((at = index(rest, ".contains(")) > 0) {
        rest = substr(rest, at + 10); n = length(rest); d = 1; argument = ""
        for (i = 1; i <= n && d > 0; i++) {
            c = substr(rest, i, 1)
            if (c == "(") d++
            else if (c == ")") d--
            if (d > 0) argument = argument c
        }
        gsub(/[ \t]+/, " ", argument); sub(/^ /, "", argument); sub(/ $/, "", argument)
        count = split(argument, words, /[^A-Za-z0-9_]+/)
        for (w = 1; w <= count; w++) {
            word = tolower(words[w])
            if (word ~ /(secret|key|token|verifier|password|material|hash)/ &&
                word !~ /(path|file|dir|url|id|count|name|line)s?$/) {
                report(file, line, ".contains(" argument ") prints " words[w] ": compute the Bool first")
                return
            }
        }
    }
    if (s ~ /\.revealed[ \t)]*==/ || s ~ /==[^,]*\.revealed/) {
        report(file, line, "compares a revealed secret: compare Secrets, or into a Bool")
    }
}
function report(file, line, why) {
    printf "%s:%d: a failing assertion here would print a secret: %s\n", file, line, why
    bad++
}
FNR == 1 { collecting = 0 }
{
    if (!collecting) {
        at = match($0, /#(expect|require)\(/)
        if (at == 0 || $0 ~ /^[ \t]*\/\//) next
        if ($0 ~ /\/\/ lint: no secret/) next
        collecting = 1; start = FNR; text = ""; rest = substr($0, at)
    } else {
        rest = $0
        if ($0 ~ /\/\/ lint: no secret/) allowed = 1
    }
    text = text " " strip(rest)
    if (depth(text) <= 0 || FNR - start > 40) {
        if (!allowed) check(text, FILENAME, start)
        collecting = 0; allowed = 0
    }
}
END {
    if (bad) {
        printf "%d test assertion(s) would print a secret on failure (see Scripts/lint-test-secrets.sh)\n", bad
        exit 1
    }
}
' "${files[@]}"
