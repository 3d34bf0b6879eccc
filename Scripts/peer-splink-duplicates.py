#!/usr/bin/env python3
"""Find duplicate accounts with Splink 5 (DuckDB backend) and score against labels: the peer beside
`accounts duplicates` (README, "Duplicate-account report", the peer paragraphs).

Written on 2026-12-01 by a helper asked to set Splink up as a careful practitioner would, without reading the
report's engine. Its features were shaped by reading its own mistakes on the first generator's 100,000 accounts
(seed 11), so its figures there are optimistic; the other generators' sets are fresh to it. Needs
`pip install splink` (written against Splink 5.0.0 with DuckDB 2.0.1) and about 1–2.5 GB at 100,000 accounts.

Usage:
    python3 Scripts/peer-splink-duplicates.py FILE.jsonl FILE.labels.csv [--threshold 0.9]
        [--u-max-pairs 1e7] [--seed 42] [--prior-recall 0.7] [--em-max-pairs 3e6]
        [--u-correction] [--save-model model.json] [--dump-edges pairs.parquet]
        [--verbose]

Input JSONL: one account per line with keys username, email|null, first_name,
last_name|null, created_at, twitter (null or {id, screen_name, name}).
Labels CSV: username,person_id,pattern.  The labels are used ONLY for scoring
(blocking recall, precision/recall); training is fully unsupervised.

Pipeline
  1. Preprocess in Python: normalised mailbox; folded names ("Last, First",
     CamelCase, honorifics, initials); Twitter display name as fallback;
     placeholder display names ("Sports Fan") detected by frequency/lift and
     nulled; names read out of handles when missing; nickname-canonical first
     name; handles (username / screen name / email local part) with variants
     (trailing _N, leading 'the', 15-char truncation) and a flag per handle
     saying whether it carries more than the account's name.
  2. Splink model: 4 comparisons (mailbox, first name, last name, handle).  A
     shared handle that is just the name ('jameshernandez') gets weight 0, as
     the name comparisons already count that evidence.
  3. Blocking rules (exploding array rules for any-to-any handle matches).
  4. Train (no labels): prior from deterministic rules, u by random sampling
     (optionally corrected for the true matches in the sample), m by EM over two
     blocking rules.
  5. Predict all blocked pairs, cluster at --threshold with Splink's connected
     components, evaluate pairwise P/R/F1 (overall and per pattern), and scan
     thresholds with an incremental union-find.
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import math
import re
import resource
import time
import unicodedata
from collections import Counter, defaultdict

import pyarrow as pa

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

T0 = time.time()


def log(msg: str) -> None:
    print(f"[{time.time() - T0:7.1f}s] {msg}", flush=True)


# --------------------------------------------------------------------------
# Preprocessing
# --------------------------------------------------------------------------

# nickname -> canonical given name (both sides of a comparison are mapped).
NICKNAMES = {
    # robert
    "bob": "robert", "bobby": "robert", "rob": "robert", "robbie": "robert",
    "robby": "robert", "bert": "robert",
    # william
    "bill": "william", "billy": "william", "will": "william", "willy": "william",
    "willie": "william", "liam": "william",
    # elizabeth
    "liz": "elizabeth", "lizzie": "elizabeth", "lizzy": "elizabeth",
    "beth": "elizabeth", "betty": "elizabeth", "betsy": "elizabeth",
    "eliza": "elizabeth", "libby": "elizabeth", "elisabeth": "elizabeth",
    # michael
    "mike": "michael", "mikey": "michael", "mick": "michael", "mickey": "michael",
    # james
    "jim": "james", "jimmy": "james", "jamie": "james", "jimbo": "james",
    # katherine
    "kate": "katherine", "katie": "katherine", "kathy": "katherine",
    "kat": "katherine", "kitty": "katherine", "catherine": "katherine",
    "kathryn": "katherine", "cathy": "katherine",
    # alexander
    "alex": "alexander", "xander": "alexander", "sasha": "alexander",
    # others
    "dave": "david", "davey": "david", "davy": "david",
    "dan": "daniel", "danny": "daniel",
    "tom": "thomas", "tommy": "thomas",
    "chris": "christopher", "topher": "christopher",
    "matt": "matthew", "matty": "matthew",
    "nick": "nicholas", "nicky": "nicholas",
    "tony": "anthony",
    "joe": "joseph", "joey": "joseph",
    "josh": "joshua",
    "steve": "steven", "stevie": "steven", "stephen": "steven",
    "sam": "samuel", "sammy": "samuel",
    "ben": "benjamin", "benny": "benjamin",
    "charlie": "charles", "chuck": "charles",
    "rick": "richard", "ricky": "richard", "dick": "richard", "rich": "richard",
    "richie": "richard",
    "ed": "edward", "eddie": "edward", "ted": "edward", "teddy": "edward",
    "andy": "andrew", "drew": "andrew",
    "greg": "gregory",
    "jeff": "jeffrey", "geoff": "jeffrey",
    "jon": "john", "johnny": "john", "jack": "john",
    "ken": "kenneth", "kenny": "kenneth",
    "larry": "lawrence",
    "ron": "ronald", "ronnie": "ronald",
    "don": "donald", "donnie": "donald",
    "pat": "patrick", "paddy": "patrick",
    "patty": "patricia", "patsy": "patricia", "trish": "patricia", "tricia": "patricia",
    "jen": "jennifer", "jenny": "jennifer", "jenn": "jennifer",
    "sue": "susan", "susie": "susan", "suzy": "susan",
    "peggy": "margaret", "maggie": "margaret", "meg": "margaret", "marge": "margaret",
    "debbie": "deborah", "deb": "deborah", "debra": "deborah",
    "barb": "barbara", "barbie": "barbara",
    "cindy": "cynthia",
    "becky": "rebecca", "becca": "rebecca",
    "sandy": "sandra",
    "jess": "jessica", "jessie": "jessica",
    "vicky": "victoria", "tori": "victoria",
    "abby": "abigail",
    "mandy": "amanda",
    "pam": "pamela",
    "nate": "nathan",
    "zach": "zachary", "zack": "zachary",
    "tim": "timothy", "timmy": "timothy",
    "ray": "raymond",
    "fred": "frederick", "freddie": "frederick",
    "hank": "henry", "harry": "henry",
    "jerry": "gerald",
    "terry": "terrence",
    "phil": "philip", "phillip": "philip",
    "lou": "louis",
    "kim": "kimberly",
    "sally": "sarah", "sara": "sarah",
    "molly": "mary", "polly": "mary",
    "jackie": "jacqueline",
    "val": "valerie",
    "gabe": "gabriel",
    "manny": "manuel",
}

# Providers where "+tag" sub-addressing is delivered to the base mailbox.
PLUS_DOMAINS = {
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com",
    "msn.com", "icloud.com", "me.com", "mac.com", "fastmail.com", "fastmail.fm",
    "proton.me", "protonmail.com", "protonmail.ch", "pm.me", "yandex.ru",
    "gmx.de", "gmx.net", "web.de", "mail.com",
}
DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
GMAIL = "gmail.com"

_SPECIAL_FOLD = str.maketrans({
    "ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
    "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "þ": "th", "Þ": "th", "ı": "i",
})


def fold(s: str | None) -> str:
    """Lowercase, strip accents (NFKD + drop combining marks)."""
    if not s:
        return ""
    s = unicodedata.normalize("NFKD", s.translate(_SPECIAL_FOLD))
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


def alnum_only(s: str | None) -> str:
    return "".join(c for c in fold(s) if c.isalnum())


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")


def _name_tokens(s: str) -> list[str]:
    """Split a free-text name into folded letter-only tokens (emoji etc. drop)."""
    s = _CAMEL.sub(" ", s)  # "JacobJones" -> "Jacob Jones"
    s = re.sub(r"['\u2019`]", "", s)  # O'Brien -> OBrien
    toks = re.split(r"[^\w]+|[\d_]+", fold(s))
    return [t for t in ("".join(c for c in t if c.isalpha()) for t in toks) if t]


def parse_full_name(s: str | None) -> tuple[str | None, str | None]:
    """Free-text full name -> (first, last). Handles "Last, First"."""
    if not s or not s.strip():
        return None, None
    if "," in s:
        last_part, _, first_part = s.partition(",")
        f, lt = _name_tokens(first_part), _name_tokens(last_part)
        if f and lt:
            return f[0], "".join(lt)
    toks = _name_tokens(s)
    if not toks:
        return None, None
    if len(toks) == 1:
        return toks[0], None
    return toks[0], toks[-1]


def parse_account_name(first_raw, last_raw) -> tuple[str | None, str | None]:
    first_raw = (first_raw or "").strip()
    last_raw = (last_raw or "").strip()
    if first_raw.endswith(",") and last_raw:  # "Situyona," "Christopher"
        first_raw, last_raw = last_raw, first_raw.rstrip(",")
    if first_raw and not last_raw:
        return parse_full_name(first_raw)  # "JacobJones", "Mary Ann Smith"
    f = _name_tokens(first_raw)
    lt = _name_tokens(last_raw)
    return (f[0] if f else None), ("".join(lt) if lt else None)


def normalise_email(email: str | None) -> tuple[str | None, str | None, str | None]:
    """-> (mailbox, local part w/o tag, domain)."""
    if not email or "@" not in email:
        return None, None, None
    e = unicodedata.normalize("NFC", email.strip().lower())
    local, _, domain = e.rpartition("@")
    domain = DOMAIN_ALIASES.get(domain, domain)
    if domain in PLUS_DOMAINS:
        local = local.split("+", 1)[0]
    if domain == GMAIL:
        local = local.replace(".", "")
    if not local:
        return None, None, None
    return f"{local}@{domain}", local, domain


def load_accounts(path: str) -> list[dict]:
    recs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                recs.append(json.loads(line))
    return recs


def detect_placeholder_names(parsed: list[list[tuple]], n_records: int,
                             min_count: int, min_lift: float) -> set:
    """Full names that are far more frequent than their parts would predict
    (bio-style display names like "Sports Fan").  Data driven: count >=
    min_count and lift = P(first,last) / (P(first) P(last)) >= min_lift."""
    pair_c, f_c, l_c = Counter(), Counter(), Counter()
    for names in parsed:
        for fn, ln in set(n for n in names if n[0] and n[1]):
            pair_c[(fn, ln)] += 1
            f_c[fn] += 1
            l_c[ln] += 1
    tot = sum(pair_c.values()) or 1
    out = {}
    for (fn, ln), c in pair_c.items():
        if c < min_count:
            continue
        lift = c * tot / (f_c[fn] * l_c[ln])
        if lift >= min_lift:
            out[(fn, ln)] = (c, lift)
    return out


HONORIFICS = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "rev", "the"}
_TRAILING_COUNTER = re.compile(r"_\d{1,2}$")  # "sweetrocket54_2" -> "sweetrocket54"
TWITTER_MAX = 15  # screen names are truncated to 15 characters
PREFIX_LEN = 10  # handle-letters prefix used for blocking


def handle_variants(raw: str | None) -> tuple[dict, dict]:
    """Alnum variants of one handle -> (full, truncated), each {variant: source}.
    Full: as given, minus a trailing _N counter, minus a leading 'the'.
    Truncated: cut to Twitter's 15 characters (kept apart so that two truncations
    never match each other).  The source is the unstripped form."""
    if not raw:
        return {}, {}
    r = fold(raw).strip()

    def forms(c):
        a = "".join(ch for ch in c if ch.isalnum())
        if len(a) < 3:
            return {}
        out = {a: a}
        if a.startswith("the") and len(a) >= 7:
            out[a[3:]] = a
        return out

    full = {**forms(_TRAILING_COUNTER.sub("", r)), **forms(r)}
    trunc = {}
    if len(r) > TWITTER_MAX:
        trunc = {k: v for k, v in forms(r[:TWITTER_MAX]).items() if k not in full}
    return full, trunc


_RUNS = re.compile(r"[a-z]+|[^a-z]+")


def _strip_common_names(h: str, vocab: set) -> str:
    """Drop common first/last names at the start or end of each letter run."""
    out = []
    for run in _RUNS.findall(h):
        if run[0].isalpha():
            for _ in range(3):
                before = run
                for k in range(min(len(run), 12), 2, -1):
                    if run[:k] in vocab:
                        run = run[k:]
                        break
                for k in range(min(len(run), 12), 2, -1):
                    if run[-k:] in vocab:
                        run = run[:-k]
                        break
                if run == before or not run:
                    break
        out.append(run)
    return "".join(out)


def handle_residue(h: str, name_parts: list[str], common: set | None = None) -> str:
    """What is left of a handle once the account's own name (and any common
    first/last name) is taken out, so that a handle built only from names
    ('jameshernandez', 'jhernandez', 'patriciawilliam' = truncated
    'patriciawilliams', 'robertjohnson' on a 'Rbert Johnson' account) leaves
    (almost) nothing."""
    parts = sorted({p for p in name_parts if p and len(p) >= 2}, key=len, reverse=True)
    for p in parts:
        h = h.replace(p, "")
    for p in parts:  # truncated name parts: 'smit' of 'smith' (>= 4 letters), or
        for k in range(len(p) - 1, 1, -1):  # 'gre' of 'green' at the end (15-char cut)
            if (k >= 4 and p[:k] in h) or h.endswith(p[:k]):
                h = h.replace(p[:k], "", 1) if k >= 4 else h[:-k]
                break
    if common:
        h = _strip_common_names(h, common)
    initials = {p[0] for p in parts}
    if h and h[0] in initials and (len(h) == 1 or not h[1].isalpha()):
        h = h[1:]  # 'k86' of 'kroberts86'
    return h


def is_informative(h: str, name_parts: list[str], common: set | None = None) -> bool:
    """A handle says more than the names if >= 3 characters are left after taking
    the names out, or >= 2 digits are ('chernandez69')."""
    r = handle_residue(h, name_parts, common)
    return len(r) >= 3 or sum(c.isdigit() for c in r) >= 2


def infer_names_from_handles(raws, fn, ln, first_vocab, last_vocab):
    """Fill a missing first/last name from handles such as 'kathleen.liluluri',
    'charlesgonzalez', 'gonzalezjames' or 'dking', using name vocabularies built
    from the data itself.  Returns (fn, ln)."""
    for raw in raws:
        if fn and ln:
            break
        if not raw:
            continue
        r = _TRAILING_COUNTER.sub("", fold(raw).strip())
        toks = [t for t in re.split(r"[^a-z]+", r) if t]
        if not toks:
            continue
        if len(toks) >= 2:  # separated: first.last / last_first
            x, y = toks[0], toks[-1]
            if fn is None and ln is None:
                if x in first_vocab and len(y) >= 2:
                    fn, ln = x, y
                elif y in first_vocab and x in last_vocab:
                    fn, ln = y, x
            elif ln is None:
                if x == fn and len(y) >= 2:
                    ln = y
                elif y == fn and len(x) >= 2:
                    ln = x
            elif fn is None:
                if y == ln and x in first_vocab:
                    fn = x
                elif x == ln and y in first_vocab:
                    fn = y
            if fn and ln:
                break
        s = "".join(toks)
        if fn and ln is None:
            if s.startswith(fn) and s[len(fn):] in last_vocab:
                ln = s[len(fn):]
            elif s.endswith(fn) and s[:-len(fn)] in last_vocab:
                ln = s[:-len(fn)]
            elif s[0] == fn[0] and len(s) >= 5 and s[1:] in last_vocab:
                ln = s[1:]
        elif ln and fn is None:
            if s.endswith(ln) and s[:-len(ln)] in first_vocab:
                fn = s[:-len(ln)]
            elif s.startswith(ln) and s[len(ln):] in first_vocab:
                fn = s[len(ln):]
        elif fn is None and ln is None:
            for k in range(len(s) - 3, 2, -1):
                if s[:k] in first_vocab and s[k:] in last_vocab:
                    fn, ln = s[:k], s[k:]
                    break
                if s[:k] in last_vocab and s[k:] in first_vocab:
                    fn, ln = s[k:], s[:k]
                    break
            else:
                if len(s) >= 5 and s[1:] in last_vocab:  # 'dking' -> king
                    ln = s[1:]
    return fn, ln


def preprocess(accounts: list[dict]) -> tuple[pa.Table, dict]:
    n = len(accounts)
    acct_names, tw_names = [], []
    for a in accounts:
        acct_names.append(parse_account_name(a.get("first_name"), a.get("last_name")))
        tw = a.get("twitter") or {}
        tw_names.append(parse_full_name(tw.get("name")))

    placeholders = detect_placeholder_names(
        [[x, y] for x, y in zip(acct_names, tw_names)], n,
        min_count=max(10, int(3e-4 * n)), min_lift=50.0)

    stats = Counter()
    # pass 1: names from the account, else from the Twitter display name
    resolved = []
    for i, a in enumerate(accounts):
        fn, ln = acct_names[i]
        tfn, tln = tw_names[i]
        if (fn, ln) in placeholders:
            fn = ln = None
            stats["account name is placeholder"] += 1
        if (tfn, tln) in placeholders:
            tfn = tln = None
            stats["twitter name is placeholder"] += 1
        if fn in HONORIFICS:  # "Dr Zobanu" parsed as first="dr"
            fn = None
            stats["honorific dropped"] += 1
        if tfn in HONORIFICS:
            tfn = None
        if fn is None and tfn:
            fn = tfn
            stats["first name from twitter"] += 1
        if (ln is None or len(ln) == 1) and tln and len(tln) > 1:
            ln = tln
            stats["last name from twitter"] += 1
        last_initial = ln[0] if ln else None
        if ln is not None and len(ln) == 1:  # "Gerald R." -> initial only
            ln = None
            stats["last name is an initial"] += 1
        resolved.append([fn, ln, last_initial])

    # name vocabularies from the data, for reading names out of handles
    fc = Counter(r[0] for r in resolved if r[0])
    lc = Counter(r[1] for r in resolved if r[1])
    first_vocab = {k for k, c in fc.items() if c >= 3 and len(k) >= 3}
    last_vocab = {k for k, c in lc.items() if c >= 2 and len(k) >= 3}
    # common names (~ >= 1 in 5,000 / 10,000 accounts): a handle made of them says
    # little about identity
    common = ({k for k, c in fc.items() if c >= max(3, 2e-4 * n) and len(k) >= 3}
              | {k for k, c in lc.items() if c >= max(3, 1e-4 * n) and len(k) >= 3})
    stats["common names"] = len(common)

    cols = defaultdict(list)
    for i, a in enumerate(accounts):
        fn, ln, last_initial = resolved[i]
        tw = a.get("twitter") or {}
        if fn is None or ln is None:
            raw_local = (a.get("email") or "").rpartition("@")[0].split("+")[0]
            fn2, ln2 = infer_names_from_handles(
                [a["username"], tw.get("screen_name"), raw_local], fn, ln,
                first_vocab, last_vocab)
            if fn2 != fn:
                stats["first name from handle"] += 1
            if ln2 != ln:
                stats["last name from handle"] += 1
                last_initial = ln2[0]
            fn, ln = fn2, ln2
        first_canon = NICKNAMES.get(fn, fn) if fn else None

        mailbox, local, domain = normalise_email(a.get("email"))
        screen = tw.get("screen_name")
        raw_local = (a.get("email") or "").strip().lower().rpartition("@")[0].split("+")[0]

        variants, trunc = {}, {}
        for raw in (a["username"], screen, raw_local, local):
            f, t = handle_variants(raw)
            variants.update(f)
            trunc.update(t)
        trunc = {k: v for k, v in trunc.items() if k not in variants}
        letters = {"".join(c for c in h if c.isalpha()) for h in variants}
        letters = {h for h in letters if len(h) >= 4}
        parts = [p for p in (fn, ln, first_canon) if p]

        def informative(h, src):  # a stripped 'the' must not create information
            return (is_informative(h, parts, common)
                    and (src == h or is_informative(src, parts, common)))

        info_alnum = sorted(h for h, src in variants.items() if informative(h, src))
        info_trunc = sorted(h for h, src in trunc.items() if informative(h, src))
        info_letters = sorted(h for h in letters if is_informative(h, parts, common))
        variants, trunc = set(variants), set(trunc)

        def resid(raw):
            if not raw:
                return None
            h = "".join(c for c in fold(raw) if c.isalpha())
            r = handle_residue(h, parts, common)
            return r if len(r) >= 3 else None

        cols["unique_id"].append(i)
        cols["username"].append(a["username"])
        cols["mailbox"].append(mailbox)
        cols["email_domain"].append(domain)
        cols["first_name"].append(fn or None)
        cols["first_canon"].append(first_canon)
        cols["first_initial"].append(fn[0] if fn else None)
        cols["last_name"].append(ln or None)
        cols["last_initial"].append(last_initial)
        cols["hr_user"].append(resid(a["username"]))
        cols["hr_screen"].append(resid(screen))
        cols["hr_local"].append(resid(local))
        cols["handles_alnum"].append(sorted(variants) or None)
        cols["handles_trunc"].append(sorted(trunc) or None)
        cols["handles_info_trunc"].append(info_trunc or None)
        cols["handles_block"].append(sorted(variants | trunc) or None)
        cols["handles_letters"].append(sorted(letters) or None)
        cols["handles_info"].append(info_alnum or None)
        cols["handles_info_letters"].append(info_letters or None)
        # 10-letter prefixes: truncated / suffixed handles ('margaretjac1669')
        cols["handle_prefixes"].append(
            sorted({h[:PREFIX_LEN] for h in letters if len(h) >= PREFIX_LEN}) or None)

    str_cols = ["username", "mailbox", "email_domain", "first_name", "first_canon",
                "first_initial", "last_name", "last_initial",
                "hr_user", "hr_screen", "hr_local"]
    list_cols = ["handles_alnum", "handles_trunc", "handles_block", "handles_letters",
                 "handles_info", "handles_info_trunc", "handles_info_letters",
                 "handle_prefixes"]
    schema = pa.schema([("unique_id", pa.int64())]
                       + [(c, pa.string()) for c in str_cols]
                       + [(c, pa.list_(pa.string())) for c in list_cols])
    table = pa.table({k: cols[k] for k in schema.names}, schema=schema)
    return table, {"placeholders": placeholders, "stats": stats}


# --------------------------------------------------------------------------
# Splink model
# --------------------------------------------------------------------------

RESID_COLS = ["hr_user", "hr_screen", "hr_local"]


def _jw_max(cols_: list[str]) -> str:
    return "greatest(" + ", ".join(
        f"jaro_winkler_similarity({a}_l, {b}_r)" for a in cols_ for b in cols_) + ")"


ALNUM_SHARED = ("(list_has_any(handles_alnum_l, list_concat(handles_alnum_r, handles_trunc_r))"
                " OR list_has_any(handles_trunc_l, handles_alnum_r))")
LETTERS_SHARED = "list_has_any(handles_letters_l, handles_letters_r)"
# a truncated (15-char) variant may match a full handle, never another truncation
INFO_SHARED_BOTH = (
    "(list_has_any(handles_info_l, list_concat(handles_info_r, handles_info_trunc_r))"
    " OR list_has_any(handles_info_trunc_l, handles_info_r))")
INFO_LETTERS_SHARED = ("(list_has_any(handles_info_letters_l, handles_letters_r) "
                       "OR list_has_any(handles_letters_l, handles_info_letters_r))")
# handle similarity on the name-stripped residues, so that 'jameshernandez' ~
# 'jameshernandez6503' or 'jsmith' ~ 'jsmith77' (similar because the names are)
# does not count a second time next to the name comparisons
HANDLE_SIM = _jw_max(RESID_COLS)


def build_settings() -> SettingsCreator:
    mailbox = cl.ExactMatch("mailbox")

    first_name = cl.CustomComparison(
        output_column_name="first_name",
        comparison_description="first name: exact(TF) / nickname / JW>=0.92 / else",
        comparison_levels=[
            cll.NullLevel("first_name"),
            cll.ExactMatchLevel("first_name", term_frequency_adjustments=True),
            cll.ExactMatchLevel("first_canon").configure(
                label_for_charts="nickname-canonical equal"),
            cll.JaroWinklerLevel("first_name", 0.92),
            cll.ElseLevel(),
        ],
    )

    last_name = cl.CustomComparison(
        output_column_name="last_name",
        comparison_description="last name: exact(TF) / JW>=0.92 / initial / else",
        comparison_levels=[
            cll.CustomLevel("last_initial_l IS NULL OR last_initial_r IS NULL")
            .configure(is_null_level=True, label_for_charts="last name is NULL"),
            cll.ExactMatchLevel("last_name", term_frequency_adjustments=True),
            cll.JaroWinklerLevel("last_name", 0.92),
            cll.CustomLevel(
                "(last_name_l IS NULL OR last_name_r IS NULL) "
                "AND last_initial_l = last_initial_r",
                label_for_charts="last initial only, equal"),
            cll.ElseLevel(),
        ],
    )

    handle = cl.CustomComparison(
        output_column_name="handle",
        comparison_description="username / screen name / email local part, any-to-any",
        comparison_levels=[
            cll.CustomLevel("handles_alnum_l IS NULL OR handles_alnum_r IS NULL")
            .configure(is_null_level=True, label_for_charts="no handle"),
            cll.CustomLevel(INFO_SHARED_BOTH,
                            label_for_charts="handle equal, not name-derived (both)"),
            cll.CustomLevel(INFO_LETTERS_SHARED,
                            label_for_charts="handle letters equal, not name-derived"),
            # handle overlap explained by the name of at least one of the accounts
            # ('jameshernandez' for James Hernandez): the name comparisons already
            # carry this evidence, so weight 0 (null level, not trained)
            cll.CustomLevel(f"{ALNUM_SHARED} OR {LETTERS_SHARED}")
            .configure(is_null_level=True, label_for_charts="handle equal, name-derived"),
            cll.CustomLevel(f"{HANDLE_SIM} >= 0.92", label_for_charts="handle JW >= 0.92"),
            cll.CustomLevel(f"{HANDLE_SIM} >= 0.80", label_for_charts="handle JW >= 0.80"),
            cll.ElseLevel(),
        ],
    )

    blocking_rules = [
        block_on("mailbox"),
        block_on("handles_block", arrays_to_explode=["handles_block"]),
        block_on("last_name", "first_initial"),
        block_on("last_name", "first_canon"),
        block_on("handles_letters", arrays_to_explode=["handles_letters"]),
        block_on("handle_prefixes", arrays_to_explode=["handle_prefixes"]),
    ]

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[mailbox, first_name, last_name, handle],
        blocking_rules_to_generate_predictions=blocking_rules,
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=False,
        max_iterations=25,
        em_convergence=1e-4,
    )


def print_model(model: dict) -> None:
    print(f"  prior P(match) = {model['probability_two_random_records_match']:.3g}")
    for c in model["comparisons"]:
        print(f"  {c['output_column_name']}:")
        for lv in c["comparison_levels"]:
            label = lv.get("label_for_charts", lv["sql_condition"])[:48]
            if lv.get("is_null_level"):
                print(f"    {label:<50} (null level)")
                continue
            m, u = lv.get("m_probability"), lv.get("u_probability")
            w = math.log2(m / u) if m and u else float("nan")
            tf = " +TF" if lv.get("tf_adjustment_column") else ""
            ms = f"{m:.4g}" if m is not None else "None"
            us = f"{u:.4g}" if u is not None else "None"
            print(f"    {label:<50} m={ms:<10} u={us:<10} w={w:+6.2f}{tf}")


# --------------------------------------------------------------------------
# Evaluation helpers
# --------------------------------------------------------------------------

def c2(k: int) -> int:
    return k * (k - 1) // 2


class Evaluator:
    """Pairwise (cluster) evaluation with incremental union-find.

    Adding edges in descending probability order gives the clustered
    precision/recall at every threshold in one pass."""

    def __init__(self, person: list[str], pattern: list[str]):
        self.person = person
        self.pattern = pattern
        n = len(person)
        self.parent = list(range(n))
        self.size = [1] * n
        self.pcount = [{person[i]: 1} for i in range(n)]
        self.patcount = [{pattern[i]: 1} for i in range(n)]
        self.pred_pairs = 0
        self.tp = 0
        by_person = Counter(person)
        pat_of_person = {person[i]: pattern[i] for i in range(n)}
        self.true_pairs = sum(c2(k) for k in by_person.values())
        self.true_by_pat = Counter()
        for p, k in by_person.items():
            self.true_by_pat[pat_of_person[p]] += c2(k)
        self.tp_by_pat = Counter()
        self.pairs_by_patpair = Counter()  # predicted pairs by (pat_a, pat_b) sorted

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.pred_pairs += self.size[ra] * self.size[rb]
        pa_, pb_ = self.pcount[ra], self.pcount[rb]
        for p, k in pb_.items():
            j = pa_.get(p)
            if j:
                self.tp += j * k
                self.tp_by_pat[self.pattern_of_person(p)] += j * k
        for p, k in pb_.items():
            pa_[p] = pa_.get(p, 0) + k
        qa, qb = self.patcount[ra], self.patcount[rb]
        for x, i in qa.items():
            for y, j in qb.items():
                self.pairs_by_patpair[(x, y) if x <= y else (y, x)] += i * j
        for y, j in qb.items():
            qa[y] = qa.get(y, 0) + j
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        self.pcount[rb] = None
        self.patcount[rb] = None

    _pp: dict | None = None

    def pattern_of_person(self, p: str) -> str:
        if self._pp is None:
            self._pp = {self.person[i]: self.pattern[i] for i in range(len(self.person))}
        return self._pp[p]

    def metrics(self) -> tuple[float, float, float]:
        p = self.tp / self.pred_pairs if self.pred_pairs else 1.0
        r = self.tp / self.true_pairs if self.true_pairs else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    def per_pattern(self) -> list[tuple]:
        fp_touch = Counter()
        for (x, y), k in self.pairs_by_patpair.items():
            fp = k - (self.tp_by_pat[x] if x == y else 0)
            if fp <= 0:
                continue
            fp_touch[x] += fp
            if y != x:
                fp_touch[y] += fp
        rows = []
        for pat in sorted(set(self.pattern)):
            t = self.true_by_pat[pat]
            tp = self.tp_by_pat[pat]
            fp = fp_touch[pat]
            prec = tp / (tp + fp) if tp + fp else float("nan")
            rec = tp / t if t else float("nan")
            rows.append((pat, t, tp, fp, prec, rec))
        return rows

    def fp_patpairs(self) -> list[tuple]:
        out = []
        for (x, y), k in self.pairs_by_patpair.items():
            fp = k - (self.tp_by_pat[x] if x == y else 0)
            if fp > 0:
                out.append((f"{x} x {y}", fp))
        return sorted(out, key=lambda t: -t[1])


def fmt_prf(p, r, f=None):
    f = 2 * p * r / (p + r) if f is None and p + r else (f or 0.0)
    return f"P={p:.4f} R={r:.4f} F1={f:.4f}"


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("jsonl")
    ap.add_argument("labels")
    ap.add_argument("--threshold", type=float, default=0.9)
    ap.add_argument("--u-max-pairs", type=float, default=1e7)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--prior-recall", type=float, default=0.7,
                    help="assumed recall of the deterministic rules used to estimate "
                         "the prior P(match)")
    ap.add_argument("--em-max-pairs", type=float, default=3e6)
    ap.add_argument("--u-correction", action="store_true",
                    help="correct random-sampling u for the true matches in the sample "
                         "(identifier-like levels); off = plain Splink behaviour")
    ap.add_argument("--save-model", default=None)
    ap.add_argument("--verbose", action="store_true", help="Splink INFO logging")
    ap.add_argument("--dump-edges", default=None,
                    help="write all scored pairs to this parquet file (diagnostics)")
    args = ap.parse_args()

    # ---------------- load + preprocess
    accounts = load_accounts(args.jsonl)
    log(f"loaded {len(accounts):,} accounts from {args.jsonl}")
    table, info = preprocess(accounts)
    log("preprocessed; " + ", ".join(f"{k}: {v:,}" for k, v in info["stats"].items()))
    if info["placeholders"]:
        ph = ", ".join(f"'{f} {l}'({c})" for (f, l), (c, _) in
                       sorted(info["placeholders"].items(), key=lambda kv: -kv[1][0]))
        log(f"placeholder display names nulled ({len(info['placeholders'])}): {ph}")

    # ---------------- Splink setup
    db_api = DuckDBAPI()
    sdf = db_api.register(table, table_name="accounts")
    linker = Linker(sdf, build_settings(),
                    log_level=logging.INFO if args.verbose else logging.WARNING)
    con = db_api.duckdb_con

    # Blocking analysis (exact counts; cheap at this size)
    counts = linker.blocking_analysis.count_comparisons_from_blocking_rules(
        record_sample_proportion=1.0)
    n = len(accounts)
    log(f"blocking: {counts[-1]['cumulative_comparison_count']:,} comparisons "
        f"of {n * (n - 1) // 2:,} possible")
    for r in counts:
        print(f"    {r['match_key']}: {r['blocking_rule'][:70]:<70} "
              f"marginal={r['marginal_comparison_count']:>10,}")

    # ---------------- Training (unsupervised)
    deterministic = [
        block_on("mailbox"),
        "l.first_name = r.first_name AND l.last_name = r.last_name "
        "AND list_has_any(l.handles_info, r.handles_info)",
    ]
    linker.training.estimate_probability_two_random_records_match(
        deterministic, recall=args.prior_recall)
    log("prior estimated")
    linker.training.estimate_u_using_random_sampling(
        max_pairs=args.u_max_pairs, seed=args.seed)
    log("u estimated by random sampling")
    # EM #1 on same first + last name: trains mailbox and handle.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "last_name"), estimate_without_term_frequencies=True,
        max_pairs=args.em_max_pairs)
    log("EM #1 (block first + last name) done -> m for mailbox, handle")
    # EM #2 on same mailbox: trains first and last name.  Equal mailboxes imply an
    # equal email local part, i.e. a shared handle, so the handle comparison cannot
    # be trained here.  The list_has_any() filter is a no-op given equal mailboxes;
    # naming a handle column in the rule makes Splink leave the handle comparison
    # out of this session.
    linker.training.estimate_parameters_using_expectation_maximisation(
        "l.mailbox = r.mailbox AND list_has_any(l.handles_alnum, r.handles_alnum)",
        estimate_without_term_frequencies=True)
    log("EM #2 (block mailbox) done -> m for first, last")
    # Optional u de-contamination (--u-correction).  Random-sampling u assumes the
    # sampled pairs are non-matches, but for identifier-like levels (mailbox /
    # handle equal) the share of true matches in the sample (lambda * m) is of the
    # same size as u itself, which caps their weight near -log2(lambda).
    # Correction: u' = (u - lambda m) / (1 - lambda), floored at 5% of the raw u.
    # Without the flag the levels that would change are only reported.
    model = linker.misc.save_model_to_json()
    lam = model["probability_two_random_records_match"]
    changed = []
    for c in model["comparisons"]:
        for lv in c["comparison_levels"]:
            m, u = lv.get("m_probability"), lv.get("u_probability")
            if lv.get("is_null_level") or not m or not u:
                continue
            if lam * m > 0.05 * u:
                u_new = max((u - lam * m) / (1 - lam), 0.05 * u)
                changed.append(f"{c['output_column_name']}/"
                               f"{lv.get('label_for_charts', '')[:30]}: "
                               f"{u:.3g} -> {u_new:.3g}")
                lv["u_probability"] = u_new
    if changed and args.u_correction:
        log("u corrected for match contamination: " + "; ".join(changed))
        linker = Linker(sdf, model,
                        log_level=logging.INFO if args.verbose else logging.WARNING)
    elif changed:
        log("note: u of these levels is mostly true matches in the random sample "
            "(see --u-correction): " + "; ".join(changed))
    model = linker.misc.save_model_to_json(args.save_model, overwrite=True)
    print_model(model)

    # ---------------- Predict (all blocked pairs, for blocking recall + scan)
    df_pred = linker.inference.predict()
    pred_tbl = df_pred.physical_name
    n_pred = con.execute(f"select count(*) from {pred_tbl}").fetchall()[0][0]
    log(f"predicted {n_pred:,} blocked pairs")
    if args.dump_edges:
        con.execute(f"copy (select * from {pred_tbl}) "
                    f"to '{args.dump_edges}' (format parquet)").fetchall()

    # ---------------- Labels (evaluation only)
    uid_of = {u: i for i, u in enumerate(table.column("username").to_pylist())}
    person = [None] * n
    pattern = [None] * n
    missing = 0
    with open(args.labels, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            i = uid_of.get(row["username"])
            if i is None:
                missing += 1
                continue
            person[i] = row["person_id"]
            pattern[i] = row["pattern"]
    for i in range(n):  # unlabeled -> own singleton
        if person[i] is None:
            person[i] = f"__unlabeled_{i}"
            pattern[i] = "unlabeled"
    if missing:
        log(f"warning: {missing} label rows without an account")

    members = defaultdict(list)
    for i, p in enumerate(person):
        members[p].append(i)
    true_pairs = [(a, b) for ms in members.values() if len(ms) > 1
                  for a in ms for b in ms if a < b]
    tp_tbl = pa.table({"l": [a for a, _ in true_pairs], "r": [b for _, b in true_pairs],
                       "pattern": [pattern[a] for a, _ in true_pairs]})
    con.register("truth_pairs_arrow", tp_tbl)
    rows = con.execute(f"""
        select t.pattern, count(*) as n_true,
               count(p.unique_id_l) as n_blocked,
               count(*) filter (where p.match_probability >= {args.threshold}) as n_above
        from truth_pairs_arrow t
        left join {pred_tbl} p
          on least(p.unique_id_l, p.unique_id_r) = t.l
         and greatest(p.unique_id_l, p.unique_id_r) = t.r
        group by 1 order by 1""").fetchall()
    tot_true = sum(r[1] for r in rows)
    tot_blk = sum(r[2] for r in rows)
    print(f"\nBlocking recall (true pairs that fall in some block): "
          f"{tot_blk:,}/{tot_true:,} = {tot_blk / max(tot_true, 1):.4f}")
    for pat, nt, nb, na in rows:
        print(f"    {pat:<24} {nb:>7,}/{nt:<7,} = {nb / nt:.4f}   "
              f"(pairwise p>={args.threshold}: {na / nt:.4f})")
    mk = con.execute(f"""
        select p.match_key, count(*) from truth_pairs_arrow t
        join {pred_tbl} p
          on least(p.unique_id_l, p.unique_id_r) = t.l
         and greatest(p.unique_id_l, p.unique_id_r) = t.r
        group by 1 order by 1""").fetchall()
    print("    true pairs first found by rule: " + ", ".join(f"#{k}: {v:,}" for k, v in mk))

    # ---------------- Cluster at the chosen threshold with Splink
    df_clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        df_pred, threshold_match_probability=args.threshold)
    cl_rows = con.execute(
        f"select unique_id, cluster_id from {df_clusters.physical_name}").fetchall()
    cluster_of = dict(cl_rows)
    csize = Counter(cluster_of.values())
    cp = Counter((cluster_of[i], person[i]) for i in range(n))
    pred_pairs = sum(c2(k) for k in csize.values())
    tp = sum(c2(k) for k in cp.values())
    n_true = tot_true
    prec = tp / pred_pairs if pred_pairs else 1.0
    rec = tp / n_true if n_true else 1.0
    log(f"Splink clustering at {args.threshold}: {len(csize):,} clusters, "
        f"{sum(1 for k in csize.values() if k > 1):,} with >1 account, "
        f"largest {max(csize.values())}")

    # ---------------- Threshold scan with incremental union-find
    edges = con.execute(f"""
        select unique_id_l, unique_id_r, match_probability from {pred_tbl}
        where match_probability >= 1e-4 order by match_probability desc""").fetchall()
    ev = Evaluator(person, pattern)
    fixed = sorted({0.5, 0.9, 0.99, 0.999, args.threshold}, reverse=True)
    at_fixed = {}
    best_t = None  # lowest threshold with clustered precision >= 0.98
    snap_main = None
    i, m = 0, len(edges)

    def snapshot_fixed(upper_excl):
        nonlocal snap_main
        # thresholds t with next-edge-prob < t <= last processed prob
        while fixed and (upper_excl is None or upper_excl < fixed[0]):
            t = fixed.pop(0)
            at_fixed[t] = ev.metrics() + (ev.pred_pairs, ev.tp)
            if t == args.threshold:
                snap_main = (ev.per_pattern(), ev.fp_patpairs())

    while i < m:
        p = edges[i][2]
        snapshot_fixed(p)
        j = i
        while j < m and edges[j][2] == p:
            ev.union(edges[j][0], edges[j][1])
            j += 1
        i = j
        if ev.metrics()[0] >= 0.98:
            best_t = (p,) + ev.metrics() + (ev.pred_pairs, ev.tp)
    snapshot_fixed(None)

    # ---------------- Report
    print(f"\n=== Clustered pairwise evaluation at threshold {args.threshold} "
          f"(Splink connected components) ===")
    print(f"  predicted pairs {pred_pairs:,}  true pairs {n_true:,}  TP {tp:,}")
    print(f"  {fmt_prf(prec, rec)}")
    up = at_fixed[args.threshold]
    if (up[3], up[4]) != (pred_pairs, tp):
        print(f"  WARNING: union-find scan disagrees: pred={up[3]} tp={up[4]}")

    print("\n  per pattern (recall over true pairs of the pattern; precision = TP / "
          "(TP + false-positive pairs touching an account of that pattern)):")
    print(f"    {'pattern':<24}{'true':>8}{'TP':>8}{'FP':>8}{'P':>9}{'R':>9}")
    for pat, t, tpp, fpp, pp, rr in snap_main[0]:
        ps = f"{pp:.4f}" if pp == pp and t else "   -"
        rs = f"{rr:.4f}" if rr == rr else "   -"
        print(f"    {pat:<24}{t:>8,}{tpp:>8,}{fpp:>8,}{ps:>9}{rs:>9}")
    fpl = snap_main[1][:8]
    if fpl:
        print("  false-positive pairs by pattern of the two accounts: "
              + ", ".join(f"{k}: {v:,}" for k, v in fpl))

    print("\n=== Clustered P/R by threshold ===")
    for t in sorted(at_fixed):
        pp, rr, ff, npred, ntp = at_fixed[t]
        print(f"  t={t:<8} {fmt_prf(pp, rr, ff)}  (pred pairs {npred:,}, TP {ntp:,})")
    if best_t:
        t, pp, rr, ff, npred, ntp = best_t
        print(f"  lowest threshold with clustered precision >= 0.98: t={t:.6g}  "
              f"{fmt_prf(pp, rr, ff)}  (pred pairs {npred:,}, TP {ntp:,})")
    else:
        print("  clustered precision never reaches 0.98 at thresholds >= 1e-4")

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nwall time {time.time() - T0:.1f}s   peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
