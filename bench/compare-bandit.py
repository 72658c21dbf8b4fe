#!/usr/bin/env python3
"""Compare bandit's and safepip's findings on one tree, per bandit test id.

Called by bench/compare-bandit.sh, which runs the tools; this script only
reads their JSON reports (standard library only):

  compare-bandit.py --tree TREE --bandit BANDIT.json --safepip SCAN.json \
      --rules RULES.json --peers policy/rules/peers.tsv [--samples N] \
      [--record FILE --command CMD --date DATE --bandit-version V \
       --safepip-version V]

How a safepip finding meets a bandit test:
  * a rule covers the bandit tests named in its equivalents.bandit
    (`safepip rules --format json`);
  * a finding of a rule covering several tests goes to each of them that
    bandit reported on its line, else to the one whose name shares the most
    words with the finding's detail ("calls marshal.loads"; its source line
    when it has none), else to the first the rule names;
  * per test, safepip's findings are counted per location (file, line): two
    rules covering one test on one line count once;
  * a safepip finding and a bandit result of the same test agree ("both")
    when they are in the same file on the same line, or, failing that, when
    safepip's line is inside the lines bandit gives for the node
    (line_range: a call spread over several lines is one node to bandit,
    while safepip may report the argument it objects to).
Only files both tools read are compared: safepip's findings inside archives
(bandit does not open them) and in files bandit could not parse are counted
apart, in the totals.
"""

import argparse
import collections
import json
import os
import re
import sys

# safepip rules whose findings say a file was not (fully) scanned: a bandit
# result in such a file may be one safepip never got to.
INCOMPLETE_RULES = ("source-incomplete", "source-timeout", "source-too-large",
                    "source-parse-error")


def die(msg):
    sys.exit(f"compare-bandit: {msg}")


def load_json(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        die(f"cannot read {what} '{path}': {e}")


def load_peers(path):
    """bandit test id -> (name, reason safepip has no rule, or None)."""
    tests = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip() or line.startswith("#"):
                    continue
                fields = line.rstrip("\r\n").split("\t")
                if len(fields) == 4 and fields[0] == "bandit":
                    tests[fields[1]] = (fields[2], None if fields[3] == "-" else fields[3])
    except OSError as e:
        die(f"cannot read '{path}': {e}")
    if not tests:
        die(f"'{path}' lists no bandit tests")
    return tests


def words(text):
    return set(w for w in re.split(r"[^a-z0-9]+", text.lower()) if len(w) > 1)


class Source:
    """Lines of the tree's files, read on demand for the samples."""

    def __init__(self, tree):
        self.tree = tree
        self.cache = {}

    def line(self, rel, n):
        if rel not in self.cache:
            try:
                with open(os.path.join(self.tree, rel), encoding="utf-8",
                          errors="replace") as f:
                    self.cache[rel] = f.read().split("\n")
            except OSError:
                self.cache[rel] = []
        lines = self.cache[rel]
        if not 1 <= n <= len(lines):
            return ""
        s = lines[n - 1].strip()
        s = "".join(c if c.isprintable() else "?" for c in s)
        return s if len(s) <= 110 else s[:107] + "..."


def bandit_results(report, tree):
    """(results as dicts with rel, line, lines, test; files read; files not parsed)."""
    if not isinstance(report, dict) or "results" not in report or "metrics" not in report:
        die("the bandit report has no results or metrics (is it bandit's -f json output?)")
    def rel(path):
        r = os.path.relpath(os.path.abspath(path), tree)
        if r.startswith(".." + os.sep) or r == "..":
            die(f"the bandit report names '{path}', outside '{tree}': "
                "a saved report (BANDIT_JSON) of another tree?")
        return r
    files = set(rel(k) for k in report["metrics"] if k != "_totals")
    errors = set(rel(e["filename"]) for e in report.get("errors", []) if "filename" in e)
    out = []
    for r in report["results"]:
        line = int(r["line_number"])
        lines = [int(x) for x in r.get("line_range") or [line]]
        out.append({"rel": rel(r["filename"]), "line": line,
                    "lines": set(range(min(lines + [line]), max(lines + [line]) + 1)),
                    "test": r["test_id"]})
    return out, files - errors, errors


def safepip_findings(report, tree):
    if not isinstance(report, dict) or not isinstance(report.get("artifacts"), list):
        die("the safepip report has no artifacts (is it 'safepip scan --format json' output?)")
    arts = report["artifacts"]
    if len(arts) != 1:
        die(f"the safepip report has {len(arts)} artifacts; expected one, the tree")
    if arts[0].get("error"):
        die(f"safepip could not scan the tree: {arts[0]['error']}")
    return arts[0]["findings"]


def pair(b_list, s_list):
    """Pairs one test's bandit results and safepip locations in one file.

    b_list: bandit results; s_list: (line, finding) per safepip location.
    Returns (both, bandit_only, safepip_only) as lists of (line, item).
    """
    b_left = list(b_list)
    s_left = []
    both = []
    for line, f in s_list:  # same line first
        k = next((i for i, b in enumerate(b_left) if b["line"] == line), None)
        if k is None:
            s_left.append((line, f))
        else:
            both.append((line, f))
            del b_left[k]
    s_only = []
    for line, f in s_left:  # then inside the node's lines
        k = next((i for i, b in enumerate(b_left) if line in b["lines"]), None)
        if k is None:
            s_only.append((line, f))
        else:
            both.append((line, f))
            del b_left[k]
    return both, [(b["line"], b) for b in b_left], s_only


def spread(items, n):
    """Up to n (rel, line, x) items from as many different files as possible."""
    by_file = collections.OrderedDict()
    for it in sorted(items, key=lambda t: (t[0], t[1])):
        by_file.setdefault(it[0], []).append(it)
    out = []
    while len(out) < n and any(by_file.values()):
        for rel in list(by_file):
            if by_file[rel] and len(out) < n:
                out.append(by_file[rel].pop(0))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tree", required=True)
    ap.add_argument("--bandit", required=True)
    ap.add_argument("--safepip", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--peers", required=True)
    ap.add_argument("--samples", type=int, default=3)
    ap.add_argument("--record")
    ap.add_argument("--command", default="bench/compare-bandit.sh")
    ap.add_argument("--date", default="")
    ap.add_argument("--bandit-version", default="bandit")
    ap.add_argument("--safepip-version", default="safepip")
    args = ap.parse_args()
    tree = os.path.abspath(args.tree)

    peers = load_peers(args.peers)
    rules = load_json(args.rules, "the rule catalog")
    covers = {}
    for r in rules.get("rules", []):
        ids = (r.get("equivalents") or {}).get("bandit")
        if ids:
            covers[r["id"]] = [x.strip() for x in ids.split(",") if x.strip()]
    if not covers:
        die("no rule names a bandit test ('safepip rules --format json' has no "
            "equivalents.bandit): an older safepip?")
    catalog = rules.get("catalog", "")

    b_all, b_files, b_unparsed = bandit_results(load_json(args.bandit, "bandit's report"), tree)
    s_all = safepip_findings(load_json(args.safepip, "safepip's report"), tree)

    # where each tool reported what, for the notes on samples
    b_at = collections.defaultdict(set)
    for b in b_all:
        for ln in b["lines"]:
            b_at[(b["rel"], ln)].add(b["test"])
    s_at = collections.defaultdict(set)
    incomplete = {}
    for f in s_all:
        if f.get("path") and f.get("line"):
            s_at[(f["path"], f["line"])].add(f["rule"])
        if f.get("path") and f["rule"] in INCOMPLETE_RULES:
            incomplete.setdefault(f["path"], f["rule"])

    # safepip findings by test, file and line (a location counts once per rule)
    outside = collections.Counter()   # why a finding is not compared
    s_loc = collections.defaultdict(lambda: collections.defaultdict(dict))
    uncovered_rules = collections.Counter()
    for f in s_all:
        cand = covers.get(f["rule"])
        if not cand:
            uncovered_rules[f["rule"]] += 1
            continue
        rel, line = f.get("path"), f.get("line")
        if not rel or not line:
            outside["no file and line"] += 1
            continue
        if "!" in rel:
            outside["inside archives (bandit does not open them)"] += 1
            continue
        if rel in b_unparsed:
            outside["in files bandit could not parse"] += 1
            continue
        if rel not in b_files:
            outside["in files bandit did not read"] += 1
            continue
        if len(cand) == 1:
            tests = cand
        else:
            tests = [t for t in cand if t in b_at.get((rel, line), ())]
            if not tests:
                text = words(f.get("detail") or f.get("snippet") or "")
                best = max(cand, key=lambda t: (len(words(peers.get(t, ("",))[0]) & text),
                                                -cand.index(t)))
                tests = [best]
        for t in tests:
            per_rule = s_loc[t][(rel, line)]
            per_rule.setdefault(f["rule"], []).append(f)

    b_by = collections.defaultdict(lambda: collections.defaultdict(list))
    for b in b_all:
        b_by[b["test"]][b["rel"]].append(b)

    src = Source(tree)
    tests = sorted(set(b_by) | set(s_loc))
    rows = []
    samples = {}
    for t in tests:
        s_by_file = collections.defaultdict(list)
        for (rel, line), per_rule in s_loc.get(t, {}).items():
            n = max(len(v) for v in per_rule.values())
            rule = sorted(per_rule)[0]
            first = per_rule[rule][0]
            what = re.sub(r" \(written .*\)$", "", first.get("detail") or rule)
            s_by_file[rel].extend([(line, {"rule": rule, "rules": sorted(per_rule),
                                           "what": what})] * n)
        both, b_only, s_only = [], [], []
        for rel in sorted(set(b_by.get(t, {})) | set(s_by_file)):
            bo, bb, ss = pair(b_by.get(t, {}).get(rel, []), sorted(s_by_file.get(rel, []),
                                                                    key=lambda x: x[0]))
            both += [(rel, ln, x) for ln, x in bo]
            b_only += [(rel, ln, x) for ln, x in bb]
            s_only += [(rel, ln, x) for ln, x in ss]
        nb = sum(len(v) for v in b_by.get(t, {}).values())
        ns = sum(len(v) for v in s_by_file.values())
        assert len(both) + len(b_only) == nb and len(both) + len(s_only) == ns
        rows.append((t, nb, ns, len(both), len(b_only), len(s_only)))
        samples[t] = (b_only, s_only)

    rules_of = collections.defaultdict(list)
    for rid, ids in sorted(covers.items()):
        for t in ids:
            rules_of[t].append(rid)

    # --- the table ---
    print(f"tree:    {tree}")
    print(f"tools:   {args.bandit_version}; {args.safepip_version}, catalog {catalog[:12]}")
    print(f"files:   {len(b_files)} read by both"
          + (f" ({len(b_unparsed)} more bandit could not parse)" if b_unparsed else ""))
    print()
    hdr = f"{'test':<6} {'name':<34} {'bandit':>7} {'safepip':>7} {'both':>6} " \
          f"{'b-only':>7} {'s-only':>7}  safepip rules"
    print(hdr)
    print("-" * len(hdr))
    tot = [0] * 5
    for t, nb, ns, bo, bx, sx in rows:
        name = peers.get(t, ("(not in peers.tsv)",))[0][:34]
        rl = ", ".join(rules_of.get(t, [])) or "none: " + ("explained in peers.tsv"
                                                            if peers.get(t, (0, 0))[1]
                                                            else "no rule")
        print(f"{t:<6} {name:<34} {nb:>7} {ns:>7} {bo:>6} {bx:>7} {sx:>7}  {rl}")
        tot = [a + b for a, b in zip(tot, (nb, ns, bo, bx, sx))]
    print("-" * len(hdr))
    print(f"{'total':<41} {tot[0]:>7} {tot[1]:>7} {tot[2]:>6} {tot[3]:>7} {tot[4]:>7}")

    # --- the samples ---
    n = max(args.samples, 0)
    for t, nb, ns, bo, bx, sx in rows:
        if not (bx or sx) or not n:
            continue
        print(f"\n{t} {peers.get(t, ('?',))[0]}: bandit only {bx}, safepip only {sx}")
        b_only, s_only = samples[t]
        if b_only:
            near = sum(1 for rel, ln, _ in b_only if s_at.get((rel, ln)))
            print(f"  bandit only: {near} of {bx} on lines where safepip reported other rules")
        if s_only:
            seen = collections.Counter(x["what"] for _, _, x in s_only)
            print("  safepip only, by what it saw: "
                  + ", ".join(f"{w} {k}" for w, k in seen.most_common(5))
                  + (", ..." if len(seen) > 5 else ""))
        for rel, ln, _ in spread(b_only, n):
            note = []
            other = s_at.get((rel, ln))
            if other:
                note.append("safepip there: " + ", ".join(sorted(other)))
            if rel in incomplete:
                note.append(f"safepip: {incomplete[rel]} in this file")
            print(f"  bandit only   {rel}:{ln}: {src.line(rel, ln)}"
                  + (f"   [{'; '.join(note)}]" if note else ""))
        for rel, ln, x in spread(s_only, n):
            note = [" ".join(x["rules"]) + (f": {x['what']}" if x["what"] != x["rule"] else "")]
            other = b_at.get((rel, ln))
            if other:
                note.append("bandit there: " + ", ".join(sorted(other)))
            text = src.line(rel, ln)
            if "nosec" in text.lower():
                note.append("'# nosec': bandit skips the line")
            print(f"  safepip only  {rel}:{ln}: {text}   [{'; '.join(note)}]")

    # --- totals ---
    b_explained = sum(r[1] for r in rows if not rules_of.get(r[0]))
    print()
    print(f"bandit:  {len(b_all)} results; {b_explained} of them are of tests no safepip rule "
          "covers on purpose (peers.tsv says why)")
    compared = sum(len(v) for d in s_loc.values() for pr in d.values() for v in pr.values())
    print(f"safepip: {len(s_all)} findings; {sum(uncovered_rules.values())} of rules with no "
          f"bandit equivalent (not compared), {sum(outside.values())} other not compared"
          + (":" if outside else ""))
    for why, k in sorted(outside.items()):
        print(f"           {k} {why}")
    if incomplete:
        print(f"         {len(incomplete)} files safepip did not fully scan: "
              + ", ".join(f"{p} ({r})" for p, r in sorted(incomplete.items())[:5])
              + (" ..." if len(incomplete) > 5 else ""))
    print(f"agreement: {tot[2]} locations both reported; bandit only {tot[3]}, "
          f"safepip only {tot[4]} (of {compared} compared safepip findings)")

    if args.record:
        third = sum(1 for f in b_files
                    if f.split(os.sep, 1)[0] in ("site-packages", "dist-packages"))
        write_record(args, tree, rows, len(b_files), third, catalog)


def clean(s):
    return re.sub(r"[\t\r\n]+", " ", s).strip()


def write_record(args, tree, rows, nfiles, third, catalog):
    """The measured run as policy/rules/bandit-compare-run.tsv (docs/rules.md shows it)."""
    lines = [
        "# The run of bench/compare-bandit.sh that docs/rules.md shows, written by it",
        "# (RECORD=FILE); do not edit by hand: rerun the command. Lines:",
        "# run<TAB>KEY<TAB>VALUE, and count<TAB>TEST<TAB>BANDIT<TAB>SAFEPIP<TAB>BOTH<TAB>"
        "BANDIT_ONLY<TAB>SAFEPIP_ONLY.",
        f"run\tcommand\t{clean(args.command)}",
        f"run\ttree\t{clean(tree)} ({nfiles} files read by both tools"
        + (f", {third} of them installed packages in its site-packages)" if third else ")"),
        f"run\tdate\t{clean(args.date) or '-'}",
        f"run\tbandit\t{clean(args.bandit_version)}",
        f"run\tsafepip\t{clean(args.safepip_version)}, catalog {catalog[:12]}",
    ]
    for t, nb, ns, bo, bx, sx in rows:
        lines.append(f"count\t{t}\t{nb}\t{ns}\t{bo}\t{bx}\t{sx}")
    try:
        with open(args.record, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    except OSError as e:
        die(f"cannot write '{args.record}': {e}")
    print(f"compare-bandit: recorded the counts in {args.record}", file=sys.stderr)


if __name__ == "__main__":
    main()
