#!/usr/bin/python3
"""Writes the PEP 440 tables used by tests/unit/test_version.c.

The expected columns come from the packaging library (Debian's
python3-packaging 23.0, run with /usr/bin/python3), never from safepip.
Version parsing and order are also checked against the packaging 21.3 that
pip 23.2 vendors, when that pip is importable by another interpreter given
as PIP_PYTHON (default: python3 on PATH); any disagreement stops the run.

    /usr/bin/python3 tests/unit/data/gen_pep440.py

Files (tab-separated, '#' starts a comment line):
  pep440-normalize.txt  input, canonical, is_prerelease, is_postrelease,
                        public, base_version
  pep440-invalid.txt    one invalid version per line
  pep440-order.txt      versions in strictly ascending order, then lines
                        "= A B" for pairs that compare equal
  pep440-spec.txt       specifier set, version, contains (pre-releases as
                        the set decides), contains (pre-releases allowed)
  pep440-spec-invalid.txt  one invalid specifier set per line
  pep440-filter.txt     specifier set, candidates (space-separated),
                        --pre (0/1), kept candidates (space-separated)
"""
import itertools
import json
import os
import random
import subprocess
import sys

from packaging.specifiers import InvalidSpecifier, SpecifierSet, Specifier
from packaging.version import InvalidVersion, Version

HERE = os.path.dirname(os.path.abspath(__file__))
rnd = random.Random(440)


def valid(s):
    try:
        Version(s)
        return True
    except InvalidVersion:
        return False


# --- versions ---------------------------------------------------------------

RELEASES = ["0", "0.9", "1", "1.0", "1.0.0", "1.0.1", "1.1", "1.2.3", "2", "2.0.0.0", "10.0",
            "2013.10", "1.01", "0.0.1"]
PRES = ["", "a0", "a1", "b1", "b2", "rc1", "rc10", "c1"]
POSTS = ["", ".post0", ".post1", ".post12"]
DEVS = ["", ".dev0", ".dev1", ".dev456"]
LOCALS = ["", "+abc", "+1", "+abc.5", "+5.abc", "+abc.7", "+ubuntu.1.2"]
EPOCHS = ["", "1!", "2!"]

canon = set()
for e, r, pre, post, dev, loc in itertools.product(EPOCHS, RELEASES, PRES, POSTS, DEVS, LOCALS):
    if rnd.random() < 0.01 or (not e and not loc and rnd.random() < 0.1):
        canon.add(str(Version(e + r + pre + post + dev + loc)))
canon |= {str(Version(v)) for v in [
    "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
    "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5",
    "1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.1.dev1", "0!0", "0.0.0.0.1",
    "18446744073709551615", "1.18446744073709551615", "1!1.0.post18446744073709551615",
]}


def variants(v):
    """Other spellings of the canonical version v."""
    out = set()
    out.add(v.upper())
    out.add("v" + v)
    out.add("V" + v)
    out.add("  " + v + "\t")
    out.add(v.replace(".post", "-post").replace(".dev", "_dev"))
    out.add(v.replace(".post", "post").replace(".dev", "dev"))
    out.add(v.replace(".post", ".rev").replace("rc", "c"))
    out.add(v.replace(".post", "-r"))
    out.add(v.replace("a", "alpha", 1) if "+" not in v else v)
    out.add(v.replace("b", "beta", 1) if "+" not in v else v)
    out.add(v.replace("rc", "pre", 1).replace("+", "+"))
    out.add(v.replace("rc", "preview", 1))
    out.add(v.replace("rc", ".rc.", 1))
    out.add(v.replace("a", "-a", 1) if "+" not in v else v)
    if "+" in v:
        base, _, loc = v.partition("+")
        out.add(base + "+" + loc.replace(".", "-").upper())
        out.add(base.replace(".", "_", 0) + "+" + ".".join(
            "0" + p if p.isdigit() else p for p in loc.split(".")))
    if ".post" in v and "rc" not in v and "a" not in v.split("+")[0]:
        pre, _, rest = v.partition(".post")
        num = "".join(itertools.takewhile(str.isdigit, rest))
        out.add(pre + "-" + num + rest[len(num):])
    if v.endswith(".0") and all(c.isdigit() or c in ".!" for c in v):
        out.add(v[:-2])
    return sorted(x for x in out if x != v and valid(x))


normalize = []
for v in sorted(canon):
    normalize.append(v)
    normalize.extend(sorted(variants(v))[:3])
normalize += ["1.0a", "1.0.a", "1.0-a", "1.0alpha", "1.0-alpha-", "1.0.post", "1.0-post",
              "1.0r", "1.0rev", "1.0-r", "1.0dev", "1.0-dev", "1.0.dev", "1.0_dev_1",
              "1.0a.post.dev", "1.0-1", "1.0-1.dev1", "1.0a1-1", "1.0a-1", "1.0+AbC.00",
              "1.0+1-2_3.4", "01.02.03", "1!01.0", "v1.0", "1.0rc", "1.0c", "1.0PREVIEW3",
              "1.0a.post", "1.0.post.dev", "\x0c1.0\x0b", "1.0+0", "1.0+00", "1.0+abc.0123",
              "1.0a-", "1.0a--1", "1.0a..post1", "1.0a-+x", "1.0.post-", "1.0.dev_", "1.0rc_.dev"]
normalize = [v for v in dict.fromkeys(normalize) if valid(v)]

invalid = ["", " ", "1.0-", "1.0.", ".1", "1..0", "a1", "1.0+", "1.0+abc.", "1.0+abc..1",
           "1.0+-abc", "1.0 1", "1.0_1", "1.0--1", "1.0a-x", "1.0.post-.", "1.0.dev-1-", "1.0dev..",
           "1!", "!1", "1!!2", "1.0b1b2", "1.0.post1.post2", "1.0.dev1.dev2", "1.0.dev1a1",
           "1.0.post1a1", "1.0+abc+def", "1.0-abc", "v", "vv1.0", "1.0 +abc", "1.0+ abc",
           "1.0a 1", "1,0", "1.0x", "foo", "1.0-dev-x", "french toast", "1.0+\u00e9",
           "1.0_r1_", "1.0-post-_", "1.0.", "1.0a1.", "1.0abc", "1.0rev-x", "1.0.*",
           "1.0\x00", "1!1.0!2", "1.0-1-1", "1.0+local version", "1.0a1-+", "1.0+_",
           "18446744073709551616"]
for s in invalid:
    if s.strip() and valid(s) and s != "18446744073709551616":
        sys.exit(f"gen: {s!r} is valid after all")

# --- order --------------------------------------------------------------------

ordered = sorted(sorted(canon), key=Version)  # sorted first: sets have no stable order
strict = []
for v in ordered:
    if strict and Version(strict[-1]) == Version(v):
        continue
    strict.append(v)
equal_pairs = []
for v in strict:
    for w in variants(v)[:2]:
        equal_pairs.append((v, w))
for a, b in [("1.0", "1.0.0"), ("1.0", "1.0.0.0"), ("1.0a1", "1.0alpha1"), ("1.0+ABC", "1.0+abc"),
             ("1.0+001", "1.0+1"), ("0!1.0", "1.0"), ("1.0-1", "1.0.post1"), ("1.0c1", "1.0rc1"),
             ("1.0+a-b_c", "1.0+a.b.c"), ("1.0.post", "1.0.post0"), ("1.0.dev", "1.0.dev0"),
             ("01.0", "1.0"), ("1.0+1.0", "1.0+01.00")]:
    equal_pairs.append((a, b))
for a, b in equal_pairs:
    assert Version(a) == Version(b), (a, b)

# --- specifiers ---------------------------------------------------------------

# No wildcard (nor ~=) with an epoch: packaging 23.0 splits "1!1a0" as one
# part there, a bug later releases fixed; test_version.c checks those by hand.
SPECS = [
    "", "==1.0", "==1.0.0", "==1", "!=1.0", "==1.0+abc", "==1.0+ABC", "!=1.0+abc", "===1.0",
    "===1.0.0", "===foo", ">=1.0", ">=1.0a1", ">=1.0.dev0", "<=1.0", "<=1.0rc1", ">1.0",
    ">1.0.post1", ">1.0a1", "<1.0", "<1.0a2", "<1.0.dev1", "<1.0.post1", ">1.0.dev0", "~=1.0",
    "~=1.0.0", "~=1.4.5", "~=1.0a1", "~=1.0.post1", "~=1.0.dev1", "~=2.2.0.0",
    "==1.*", "==1.0.*", "==1.0.0.*", "!=1.*", "!=1.0.*", "!=2.0.0.0.*",
    ">=1.0,<2.0", ">=1.0,!=1.5.*,<2", ">=1.0a1,<2", "~=1.4.2,!=1.4.5",
    ">= 1.0 , < 2.0", "==2.0.*,>=2.0.1", "<=2,>=1.0rc1", ">0.9,<1.1,!=1.0", "==1.0.*,!=1.0.1",
    "==0.*", "<1!0", ">=1!1.0", "==1.0.post1", "!=1.0a1", "<2.0.post1", ">2.0.dev5",
    "==v1.0", "== 1.0", "~=0.9", "==1.0.dev456", ">=1.0.post0",
    "==1.0+5", "!=1.0+abc.5", ">=1.0.0.0.0.0.1",
]
VERSIONS = sorted(sorted(set(strict[::12]) | {
    "0.9", "1.0", "1.0.0", "1.0.1", "1.1", "1.4.2", "1.4.5", "1.4.9", "1.5", "1.5.1", "1.9",
    "2.0", "2.0.1", "2.2", "2.2.0.1", "2.3", "1.0a1", "1.0a2", "1.0rc1", "1.0.dev0",
    "1.0.dev1", "1.0.post1", "1.0.post1.dev1", "1.0+abc", "1.0+abc.5", "1.0+5", "1.0.post1+abc",
    "1!1.0", "1!1.5", "1!2.0", "0.9.post1", "1.0.0a1", "1.0.0.post1", "1.1a1", "2.0a1",
    "2.0.post1", "2.0.dev5", "2.0.dev6", "1.0.0+abc", "0.0", "0.5", "1.0a1.post1",
}), key=Version)

def spec_pre(sp):
    """Specifier.prereleases, except that "===" of a non-version is False
    (packaging 23.0 raises there)."""
    try:
        return sp.prereleases
    except InvalidVersion:
        return False


def contains(ss, v, pre):
    """SpecifierSet.contains(v, prereleases=True if pre else None)."""
    allow = pre or any(spec_pre(sp) for sp in ss)
    got = (allow or not Version(v).is_prerelease) and all(
        sp.contains(v, prereleases=True) for sp in ss)
    try:
        assert got == ss.contains(v, prereleases=True if pre else None), (str(ss), v, pre)
    except InvalidVersion:
        pass
    return got


spec_rows = []
for s in SPECS:
    ss = SpecifierSet(s)
    for v in VERSIONS:
        if rnd.random() < 0.5 and s not in ("", "~=1.4.5", "==1.0.*", "~=1.0a1"):
            continue
        if ("*" in s or "~=" in s) and Version(v).epoch:
            continue  # the same packaging 23.0 bug, from the candidate's side
        spec_rows.append((s, v, int(contains(ss, v, False)), int(contains(ss, v, True))))

invalid_specs = [
    "1.0", "=1.0", "=>1.0", ">=", "==", "~=1", "~=1.*", ">=1.0.*", "<1.*", "<=1.0+abc",
    ">1.0+abc", "~=1.0+abc", "==1.0.*+abc", "==1.0.dev1.*", "==1.0+abc.*", ">=1.0,", ",>=1.0",
    ">=1.0,,<2", "==1.0 extra", ">=foo", "===", "=== foo bar", "==1.*.*", "!==1.0", "<>1.0",
    ">=1.0 <2.0", "==*", "==1.0.*.*", "~=1.0.*", ">= 1.0a-x", "==1..0", "~=", "><1.0",
    ">=1.0;", "!= 1.0.post-x", "==1.0a1.*", "==1.0.post1.*", "!=1.0rc1.*",
]
# Accepted by packaging but refused by safepip, on purpose (docs/requirements.md).
STRICTER = {"===": "=== with nothing to compare"}
for s in invalid_specs:
    if s in STRICTER:
        continue
    ok = True
    try:
        ss = SpecifierSet(s)
        for sp in ss:
            if sp.operator != "===":
                text = sp.version[:-2] if sp.version.endswith(".*") else sp.version
                Version(text)
        if ",," in s or s.startswith(",") or s.endswith(","):
            ok = False  # PEP 508 has no empty clause; SpecifierSet skips it
    except (InvalidSpecifier, InvalidVersion):
        ok = False
    if ok:
        sys.exit(f"gen: specifier {s!r} is valid after all")

filter_rows = []
CAND_SETS = [
    ["1.0", "2.0b1"], ["2.0b1"], ["2.0b1", "2.0.dev1"], ["1.0", "1.1", "2.0rc1", "2.0"],
    ["0.9", "1.0a1", "1.0"], ["1.0.post1", "1.0", "1.0+local"], ["3.0a1", "3.0b1"],
]
for s in ["", ">=1.0", ">=1.0a1", "<2", "==2.0b1", "!=2.0b1", "~=1.0", "==1.*", ">=3"]:
    ss = SpecifierSet(s)
    for cands in CAND_SETS:
        for pre in (0, 1):
            kept = list(ss.filter(cands, prereleases=True if pre else None))
            filter_rows.append((s, " ".join(cands), pre, " ".join(kept)))

# --- cross-check with pip's vendored packaging ----------------------------------

probe = r'''
import json, sys
from pip._vendor.packaging.version import Version, InvalidVersion
data = json.load(sys.stdin)
out = {"norm": [], "valid": [], "order": []}
for v in data["normalize"]:
    out["norm"].append(str(Version(v)))
for v in data["invalid"]:
    try:
        Version(v); out["valid"].append(v)
    except InvalidVersion:
        pass
vs = [Version(v) for v in data["strict"]]
out["order"] = all(a < b for a, b in zip(vs, vs[1:]))
print(json.dumps(out))
'''
pip_python = os.environ.get("PIP_PYTHON", "python3")
try:
    res = subprocess.run([pip_python, "-c", probe], capture_output=True, text=True,
                         input=json.dumps({"normalize": normalize, "invalid": invalid,
                                           "strict": strict}))
    pip = json.loads(res.stdout) if res.returncode == 0 else None
except OSError:
    pip = None
if pip is None:
    print("gen: pip's vendored packaging not found; cross-check skipped", file=sys.stderr)
else:
    if pip["norm"] != [str(Version(v)) for v in normalize]:
        sys.exit("gen: pip's packaging normalises differently")
    if [v for v in pip["valid"] if v != "18446744073709551616"]:
        sys.exit(f"gen: pip's packaging accepts {pip['valid']}")
    if not pip["order"]:
        sys.exit("gen: pip's packaging orders differently")

# --- write ----------------------------------------------------------------------

HEADER = "# Generated by gen_pep440.py from the packaging library; do not edit.\n"


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n") \
        .replace("\x0b", "\\v").replace("\x0c", "\\f").replace("\x00", "\\0")


def write(name, lines):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(HEADER)
        for line in lines:
            f.write(line + "\n")


def yn(b):
    return "1" if b else "0"


rows = []
for v in normalize:
    p = Version(v)
    rows.append("\t".join([esc(v), str(p), yn(p.is_prerelease), yn(p.is_postrelease), p.public,
                           p.base_version]))
write("pep440-normalize.txt", rows)
# "18446744073709551616" is valid PEP 440 but beyond safepip's 64-bit numbers.
write("pep440-invalid.txt", [esc(v) for v in invalid])
write("pep440-order.txt", strict + ["= %s %s" % (esc(a), esc(b)) for a, b in equal_pairs
                                    if " " not in a + b and "\t" not in a + b])
write("pep440-spec.txt", ["\t".join([s, v, str(a), str(b)]) for s, v, a, b in spec_rows])
write("pep440-spec-invalid.txt", [esc(s) for s in invalid_specs])
write("pep440-filter.txt", ["\t".join([s, c, str(p), k]) for s, c, p, k in filter_rows])
print(f"gen: {len(rows)} normalize, {len(invalid)} invalid, {len(strict)} ordered, "
      f"{len(equal_pairs)} equal, {len(spec_rows)} spec, {len(invalid_specs)} invalid specs, "
      f"{len(filter_rows)} filter", file=sys.stderr)
