#!/usr/bin/env python3
"""Pairwise precision, recall and F1 of a duplicate report (JSON) against a labels file, overall and per pattern.

  python3 Scripts/evaluate-duplicates.py report.json labels.csv [--show-errors N]

A predicted pair is two accounts in one reported cluster; a true pair is two accounts of one person. Recall is
given per positive pattern (the pattern of the person), false positives per pattern of the two accounts involved.
"""
import argparse
import csv
import itertools
import json
from collections import Counter, defaultdict


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("report")
    parser.add_argument("labels")
    parser.add_argument("--show-errors", type=int, default=0)
    parser.add_argument("--accounts", help="the JSON Lines file, to show missed accounts in full")
    args = parser.parse_args()
    person, pattern = {}, {}
    with open(args.labels, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            person[row["username"]] = row["person_id"]
            pattern[row["username"]] = row["pattern"]
    with open(args.report, encoding="utf-8") as handle:
        report = json.load(handle)
    members_of = defaultdict(list)
    for username, person_id in person.items():
        members_of[person_id].append(username)
    true_pairs = set()
    for members in members_of.values():
        for a, b in itertools.combinations(sorted(members), 2):
            true_pairs.add((a, b))
    predicted = {}
    for cluster in report["clusters"]:
        names = sorted(m["username"] for m in cluster["members"])
        for a, b in itertools.combinations(names, 2):
            predicted[(a, b)] = cluster
    tp = sum(1 for p in predicted if p in true_pairs)
    fp = len(predicted) - tp
    fn = len(true_pairs) - tp
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print("accounts %d, clusters %d, true pairs %d, predicted pairs %d" % (
        report["accounts_scanned"], len(report["clusters"]), len(true_pairs), len(predicted)))
    print("overall: precision %.4f  recall %.4f  F1 %.4f  (tp %d, fp %d, fn %d)" % (precision, recall, f1, tp, fp, fn))
    found = Counter()
    total = Counter()
    for pair in true_pairs:
        kind = pattern[pair[0]]
        total[kind] += 1
        if pair in predicted:
            found[kind] += 1
    wrong = Counter()
    examples = defaultdict(list)
    for pair, cluster in predicted.items():
        if pair in true_pairs:
            continue
        kinds = tuple(sorted({pattern.get(pair[0], "?"), pattern.get(pair[1], "?")}))
        kind = kinds[0] if len(kinds) == 1 else "+".join(kinds)
        wrong[kind] += 1
        examples[kind].append((pair, cluster))
    print("\npattern                       true pairs   found   recall")
    for kind in sorted(total):
        print("%-28s %11d %7d   %.4f" % (kind, total[kind], found[kind], found[kind] / total[kind]))
    print("\nfalse-positive pairs by pattern of the accounts involved")
    for kind, count in wrong.most_common():
        print("%-40s %d" % (kind, count))
    if args.show_errors:
        by_user = {}
        for cluster in report["clusters"]:
            for member in cluster["members"]:
                by_user[member["username"]] = member
        print("\nfalse positives:")
        for kind, items in examples.items():
            for pair, cluster in items[: args.show_errors]:
                print(" ", kind, cluster["score"], cluster["reasons"])
                for name in pair:
                    m = by_user[name]
                    print("     ", name, m["email"], m["first_name"], m["last_name"], m["twitter_screen_name"], m["twitter_name"])
        print("\nmissed (false negatives):")
        missed = defaultdict(list)
        for pair in true_pairs:
            if pair not in predicted:
                missed[pattern[pair[0]]].append(pair)
        rows = {}
        if args.accounts:
            with open(args.accounts, encoding="utf-8") as handle:
                for line in handle:
                    row = json.loads(line)
                    rows[row["username"]] = row
        for kind, pairs in missed.items():
            for pair in sorted(pairs)[: args.show_errors]:
                print(" ", kind)
                for name in pair:
                    row = rows.get(name, {})
                    twitter = row.get("twitter") or {}
                    print("     ", name, row.get("email"), row.get("first_name"), row.get("last_name"),
                          twitter.get("screen_name"), twitter.get("name"))


if __name__ == "__main__":
    main()
