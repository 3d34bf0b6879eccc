#!/usr/bin/env bash
# Fails, naming FILE:LINE, on a test assertion that would print a secret when it fails. Swift Testing prints the
# operands of a failing `#expect` (and `#require`): in `#expect(!log.contains(keyA))` that is the key itself and the
# log that holds it; in `#expect(link.hasPrefix(p))` the link; in `#expect(a.revealed != b)` both; and the message
# `#expect(ok, "\(token) refused")` whole. So a secret must never be an operand, nor in the message: compute the Bool
# first and name the secret in the message (`let leaked = log.contains(keyA); #expect(!leaked, "key A is in the
# log")`, or TestSupport's `expectAbsent`), and compare revealed secrets as `Secret`s (which print `<redacted>`).
# A closure's body is not printed (`#expect(lines.contains { $0.contains(key) })`): it is left out. Flagged, inside
# an assertion:
#   - `.revealed` anywhere, whatever the method or operator around it;
#   - a secret name as the argument of a search (`.contains(`, `.localizedCaseInsensitiveContains(`, `.hasPrefix(`,
#     `.hasSuffix(`, `.starts(`, `.range(`, `.firstRange(`, `.ranges(`, `.elementsEqual(`, `.firstIndex(`; string
#     and regex literals left out: they are in the source anyway), as the receiver of any method called with
#     parentheses (`token.hasPrefix("a")` prints the token), or interpolated into a string (`"\(token)"`, the
#     message's or an operand's);
#   - a bearer secret as an operand of `==`, `!=` or `~=` (`browser.sessionID != before` prints both session ids): a
#     session id or cookie, or a name bound to a `.revealed` (`x != nil` fails only when x is nil, and is let be; a
#     `Secret` prints `<redacted>`, and flags or counts named after a secret print no secret).
# A secret name is an identifier matching secret|key|token|verifier|password|material|hash|session|cookie, any case,
# unless it ends in path, file, dir, url, id, count, name or line (with or without an s: `keysPath`, `hashCount`) and
# holds none of session, token, secret, key, password (a session id is the session; `tokenCount` is still flagged), or
# one bound, earlier in the same function, by a `let`/`var` whose value reads a `.revealed` (`let link =
# mail.link.revealed`). Not one: a type (capitalised), an argument's label, `hasher`, a dictionary's `.keys`, a name
# of which only `.count` or `.isEmpty` is used.
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
# From `s` at `i`, just after an interpolation`s opening parenthesis, to its closing one: sets `grabbed` (the
# expression) and returns the index of that parenthesis.
function grab(s, i,    n, d, c) {
    n = length(s); d = 1; grabbed = ""
    for (; i <= n; i++) {
        c = substr(s, i, 1)
        if (c == "\"") {  # a string inside the interpolation
            grabbed = grabbed c
            for (i++; i <= n; i++) {
                c = substr(s, i, 1); grabbed = grabbed c
                if (c == "\\") { i++; grabbed = grabbed substr(s, i, 1); continue }
                if (c == "\"") break
            }
            continue
        }
        if (c == "(") d++
        else if (c == ")") { d--; if (d == 0) return i }
        grabbed = grabbed c
    }
    return n
}
# `s` without its comment, string literals ("...", #"..."#, """...""") and regex literals (/.../); an interpolation in a string
# is kept, after the string, as `@@(EXPRESSION)`. The balance of parentheses is then read from what remains.
function strip(s,    out, i, n, c, raw, kept) {
    out = ""; n = length(s)
    for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (multi) {  # in a multi-line string ("""), which may have begun on an earlier line
            if (substr(s, i, 3) == "\"\"\"") { multi = 0; i += 2; out = out "\"\"" multiKept; continue }
            if (substr(s, i, 2) == "\\(") {
                i = grab(s, i + 2); multi = 0; multiKept = multiKept " @@(" strip(grabbed) ")"; multi = 1; continue
            }
            if (c == "\\") i++
            continue
        }
        if (substr(s, i, 3) == "\"\"\"") { multi = 1; multiKept = ""; i += 2; continue }
        if (c == "/" && substr(s, i + 1, 1) == "/") return out  # a comment
        if (c == "/" && substr(s, i + 1, 1) != " " && out ~ /(^|[(,:=[])[ \t]*$/) {  # a regex literal
            for (i++; i <= n; i++) {
                c = substr(s, i, 1)
                if (c == "\\") { i++; continue }
                if (c == "/") break
            }
            out = out "//"; continue
        }
        raw = substr(s, i, 2) == "#\""
        if (raw || c == "\"") {
            kept = ""
            for (i += raw ? 2 : 1; i <= n; i++) {
                c = substr(s, i, 1)
                if (raw && substr(s, i, 2) == "\"#") { i++; break }
                if (!raw && c == "\"") break
                if (raw && substr(s, i, 3) == "\\#(") { i = grab(s, i + 3); kept = kept " @@(" strip(grabbed) ")"; continue }
                if (!raw && substr(s, i, 2) == "\\(") { i = grab(s, i + 2); kept = kept " @@(" strip(grabbed) ")"; continue }
                if (!raw && c == "\\") i++
            }
            out = out "\"\"" kept; continue
        }
        out = out c
    }
    return out
}
function depth(s,    t) {
    t = s
    return gsub(/\(/, "(", t) - gsub(/\)/, ")", t)
}
# `s` with the bodies of its closures left out (`{}`).
function unclosed(s,    out, i, n, c, d) {
    out = ""; n = length(s); d = 0
    for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (c == "{") { if (d == 0) out = out c; d++; continue }
        if (c == "}") { if (d > 0) d--; if (d == 0) out = out c; continue }
        if (d == 0) out = out c
    }
    return out
}
# A name whose value a comparison would print that is a bearer secret as it is (not a `Secret`, which prints
# `<redacted>`; not a flag or a count named after one): a session id or cookie, or a name bound to a `.revealed`.
function comparedSecret(word,    w) {
    if (word !~ /^[a-z_]/) return 0
    w = tolower(word)
    return (w in revealed) || w ~ /(sessionid|sessiontoken|cookie|cookievalue|oldsession|newsession)$/
}
function secretName(word,    w) {
    w = tolower(word)
    if (w in revealed) return 1
    if (w !~ /(secret|key|token|verifier|password|material|hash|session|cookie)/ || w ~ /^hash(er|ing)s?$/) return 0
    if (w ~ /(session|token|secret|key|password)/) return 1
    return w !~ /(path|file|dir|url|id|count|name|line)s?$/
}
# The first secret name among the identifiers of `text` (member names after a dot included), or "". Left out: a
# type`s name (capitalised), an argument`s label (`keyIDs:`), a name whose count or emptiness is all that is used
# (`keys.count`), a dictionary`s `.keys`.
function secretIn(text,    rest, word, before, after) {
    rest = text; before = ""
    while (match(rest, /[A-Za-z_][A-Za-z0-9_]*/)) {
        word = substr(rest, RSTART, RLENGTH)
        before = before substr(rest, 1, RSTART - 1)
        rest = substr(rest, RSTART + RLENGTH)
        after = rest
        sub(/^[?!]/, "", after)
        if (word ~ /^[a-z_]/ && !(word == "keys" && before ~ /\.$/) && after !~ /^\.(count|isEmpty)([^A-Za-z0-9_]|$)/ &&
            after !~ /^:/ && secretName(word)) return word
        before = before word
    }
    return ""
}
# From `s` at `i`, just after an opening parenthesis, the text to its closing one.
function argumentAt(s, i,    n, d, c, argument) {
    n = length(s); d = 1; argument = ""
    for (; i <= n && d > 0; i++) {
        c = substr(s, i, 1)
        if (c == "(") d++
        else if (c == ")") d--
        if (d > 0) argument = argument c
    }
    return argument
}
function check(s, file, line,    rest, at, method, before, receiver, argument, name, after, left, right, op) {
    at = match(s, /#(expect|require)\(/)
    s = unclosed(argumentAt(s, at + RLENGTH))  # its operands and message, not what follows on the line
    if (s ~ /\.revealed([^A-Za-z0-9_]|$)/) {
        report(file, line, "a revealed secret is an operand: compare Secrets, or compute the Bool first")
        return
    }
    # Each interpolation: printed whole in a message, and within the string operand it builds
    rest = s
    while ((at = index(rest, "@@(")) > 0) {
        rest = substr(rest, at + 3)
        if ((name = secretIn(argumentAt(rest, 1))) != "") {
            report(file, line, "interpolates " name ": name the secret, do not show it")
            return
        }
    }
    # Each comparison: its operands are printed (`browser.sessionID != before` prints both ids)
    rest = s
    while (match(rest, /[ \t]*(==|!=|~=)[ \t]*/)) {
        op = substr(rest, RSTART, RLENGTH); gsub(/[ \t]/, "", op)
        before = substr(rest, 1, RSTART - 1)
        after = substr(rest, RSTART + RLENGTH)
        rest = after
        left = ""; right = ""
        if (match(before, /[A-Za-z_][A-Za-z0-9_]*[?!]?$/)) left = substr(before, RSTART, RLENGTH)
        if (match(after, /^[A-Za-z_][A-Za-z0-9_.?!]*/)) {
            right = substr(after, 1, RLENGTH)
            sub(/.*\./, "", right)
        }
        sub(/[?!]$/, "", left); sub(/[?!]$/, "", right)
        # (`x != nil` fails only when x is nil: nothing to print)
        if (op != "!=" || right != "nil") if (comparedSecret(left) || comparedSecret(right)) {
            report(file, line, "a comparison prints its operands (" (comparedSecret(left) ? left : right) "): compute the Bool first")
            return
        }
    }
    # Each method called with parentheses: its receiver, and the argument of a search
    rest = s
    while (match(rest, /\.[A-Za-z_][A-Za-z0-9_]*\(/)) {
        method = substr(rest, RSTART + 1, RLENGTH - 2)
        before = substr(rest, 1, RSTART - 1)
        rest = substr(rest, RSTART + RLENGTH)
        receiver = ""
        if (match(before, /[A-Za-z_][A-Za-z0-9_]*[?!]?$/)) receiver = substr(before, RSTART, RLENGTH)
        sub(/[?!]$/, "", receiver)
        if (receiver ~ /^[a-z_]/ && !(receiver == "keys" && before ~ /\.keys$/) && secretName(receiver)) {
            report(file, line, "." method "( prints its receiver " receiver ": compute the Bool first")
            return
        }
        if (method ~ /([Cc]ontains|[Pp]refix|[Ss]uffix|^starts$|^(first)?[Rr]anges?$|^elementsEqual$|^firstIndex$)/) {
            argument = argumentAt(rest, 1)
            if ((name = secretIn(argument)) != "") {
                gsub(/[ \t]+/, " ", argument); sub(/^ /, "", argument); sub(/ $/, "", argument)
                report(file, line, "." method "(" argument ") prints " name ": compute the Bool first")
                return
            }
        }
    }
}
function report(file, line, why) {
    printf "%s:%d: a failing assertion here would print a secret: %s\n", file, line, why
    bad++
}
FNR == 1 { collecting = 0; allowed = 0; multi = 0 }
# Each function (each test) binds its own names
FNR == 1 || /^[ \t]*(@Test|([a-z]+[ \t]+)*func[ \t])/ { for (name in revealed) delete revealed[name] }
# A name bound to what reads a `.revealed` holds the secret (or carries it: a link, a path with the token)
/^[ \t]*(let|var)[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*(:[^=]*)?=[^=].*\.revealed([^A-Za-z0-9_]|$)/ {
    binding = $0
    sub(/^[ \t]*(let|var)[ \t]+/, "", binding)
    match(binding, /^[A-Za-z_][A-Za-z0-9_]*/)
    revealed[tolower(substr(binding, 1, RLENGTH))] = 1
}
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
