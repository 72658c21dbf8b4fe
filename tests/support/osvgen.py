#!/usr/bin/env python3
"""Writes OSV zips like osv.dev's per-ecosystem all.zip, for tests and benchmarks.

Each entry is one record in the real OSV schema (https://ossf.github.io/osv-schema/),
named ID.json, deflated, as osv.dev publishes them.

  osvgen.py fixture OUT.zip [--json FILE]...   the fixture records below, plus records
                                               from JSON files (one record or a list)
  osvgen.py records OUT.zip FILE...            only the records of the JSON files
  osvgen.py bench OUT.zip --records N          N synthetic records over N/4 packages
  osvgen.py truncate IN.zip OUT.zip            the first half of IN (no central directory)
  osvgen.py corrupt IN.zip OUT.zip             IN with the first entry's data damaged
  osvgen.py invalid OUT.zip                    the fixture plus an entry that is not JSON

Standard library only.
"""
import argparse
import json
import random
import struct
import sys
import zipfile

MODIFIED = "2024-05-01T00:00:00Z"


def rec(id_, affected, aliases=(), summary=None, severity=(), withdrawn=None,
        database_specific=None, published="2023-05-26T18:15:00Z"):
    r = {"schema_version": "1.6.0", "id": id_, "modified": MODIFIED, "published": published,
         "aliases": list(aliases), "affected": affected}
    if summary:
        r["summary"] = summary
        r["details"] = summary + "\n\nMore text that safepip does not keep."
    if severity:
        r["severity"] = [{"type": t, "score": s} for t, s in severity]
    if withdrawn:
        r["withdrawn"] = withdrawn
    if database_specific is not None:
        r["database_specific"] = database_specific
    r["references"] = [{"type": "ADVISORY", "url": "https://example.invalid/" + id_}]
    return r


def pypi(name, ranges=(), versions=None, **extra):
    a = {"package": {"ecosystem": "PyPI", "name": name, "purl": "pkg:pypi/" + name.lower()}}
    if ranges:
        a["ranges"] = list(ranges)
    if versions is not None:
        a["versions"] = list(versions)
    a.update(extra)
    return a


def eco(*events, kind="ECOSYSTEM"):
    """eco(("introduced", "0"), ("fixed", "1.2")) -> an OSV range."""
    return {"type": kind, "events": [{k: v} for k, v in events]}


def fixture():
    """The records the unit and e2e tests rely on; see tests/unit/test_advisory.c."""
    return [
        # A vulnerability with aliases and a CVSS v3.1 vector (6.1, medium).
        rec("PYSEC-2023-74",
            [pypi("requests", [eco(("introduced", "2.3.0"), ("fixed", "2.31.0"))],
                  versions=["2.3.0", "2.30.0"])],
            aliases=["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"],
            summary="Unintended leak of Proxy-Authorization header in requests",
            severity=[("CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N")]),
        # last_affected is inclusive; critical (9.8).
        rec("GHSA-demo-crit-0001",
            [pypi("Demo_Lib", [eco(("introduced", "1.0"), ("last_affected", "1.4"))])],
            aliases=["CVE-2024-0001"], summary="Remote code execution in demo-lib",
            severity=[("CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")]),
        # A malicious package: explicit versions only, MAL- id, origins.
        rec("MAL-2024-0001", [pypi("evil-pkg", versions=["0.1.0", "0.2.0"])],
            aliases=["GHSA-mal0-mal0-mal0"], summary="Malicious code in evil-pkg (PyPI)",
            database_specific={"malicious-packages-origins": [
                {"source": "ossf-package-analysis", "sha256": "00" * 32}]}),
        # Withdrawn: never matches.
        rec("PYSEC-2020-0001", [pypi("requests", [eco(("introduced", "0"))])],
            summary="withdrawn report", withdrawn="2021-01-01T00:00:00Z"),
        # No PyPI package at all: skipped.
        rec("GHSA-npm0-npm0-npm0",
            [{"package": {"ecosystem": "npm", "name": "left-pad"},
              "ranges": [eco(("introduced", "0"), ("fixed", "2.0.0"), kind="SEMVER")]}]),
        # PyPI next to another ecosystem; severity from GitHub's word, a v4 vector only.
        rec("GHSA-word-high-0001",
            [{"package": {"ecosystem": "npm", "name": "mixed"},
              "ranges": [eco(("introduced", "0"), kind="SEMVER")]},
             pypi("mixed", [eco(("introduced", "0"), ("fixed", "3.0"))])],
            summary="A high one without a v3 vector",
            severity=[("CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")],
            database_specific={"severity": "HIGH", "cwe_ids": ["CWE-79"]}),
        # Pre-releases: fixed in a release candidate; a limit on a second range.
        rec("PYSEC-2024-0002",
            [pypi("prelib", [eco(("introduced", "0"), ("fixed", "2.0rc1")),
                             eco(("introduced", "3.0a1"), ("limit", "3.0"))])],
            summary="pre-release fix"),
        # Epochs.
        rec("PYSEC-2024-0003",
            [pypi("epochlib", [eco(("introduced", "1!1.0"), ("fixed", "1!2.0"))])],
            severity=[("CVSS_V3", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H")]),
        # Several ranges, a GIT range (ignored), and a later introduced that reopens.
        rec("PYSEC-2024-0004",
            [pypi("multi", [eco(("introduced", "1.0"), ("fixed", "1.2"),
                                ("introduced", "1.5"), ("fixed", "1.6")),
                            {"type": "GIT", "repo": "https://example.invalid/multi.git",
                             "events": [{"introduced": "0"}, {"fixed": "abc123"}]},
                            eco(("introduced", "2.0"), ("fixed", "2.1"))])],
            severity=[("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N")]),
        # Several affected entries for one package in one record.
        rec("PYSEC-2024-0005",
            [pypi("split-lib", [eco(("introduced", "1.0"), ("fixed", "1.1"))]),
             pypi("Split_Lib", [eco(("introduced", "2.0"), ("fixed", "2.2"))])],
            severity=[("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H")]),
        # Invalid: a version that is not PEP 440 in an ECOSYSTEM range.
        rec("PYSEC-2024-9999", [pypi("badlib", [eco(("introduced", "not a version"))])]),
    ]


def bench_records(n, seed=1):
    rnd = random.Random(seed)
    out = []
    npkg = max(1, n // 4)
    for i in range(n):
        name = "pkg-%05d" % rnd.randrange(npkg)
        major = rnd.randrange(1, 6)
        ranges = [eco(("introduced", "%d.0" % major), ("fixed", "%d.%d.%d" % (major, rnd.randrange(1, 9), rnd.randrange(10))))]
        if rnd.random() < 0.3:
            ranges.append(eco(("introduced", "0"), ("last_affected", "0.%d" % rnd.randrange(1, 9))))
        versions = ["%d.0.%d" % (major, k) for k in range(rnd.randrange(0, 40))]
        sev = [("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:%s/S:U/C:H/I:%s/A:N" %
                (rnd.choice("NR"), rnd.choice("HLN")))] if rnd.random() < 0.6 else []
        out.append(rec("PYSEC-2099-%d" % i, [pypi(name, ranges, versions)],
                       aliases=["CVE-2099-%d" % i], summary="synthetic advisory %d" % i,
                       severity=sev))
    return out


def write(path, records, extra=()):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for r in records:
            z.writestr(r["id"] + ".json", json.dumps(r, indent=2))
        for name, data in extra:
            z.writestr(name, data)


def load_json(files):
    out = []
    for f in files:
        with open(f) as fh:
            v = json.load(fh)
        out.extend(v if isinstance(v, list) else [v])
    return out


def corrupt(src, dst):
    data = bytearray(open(src, "rb").read())
    # the first local header: signature, then fixed fields; damage the middle of its data
    sig, = struct.unpack_from("<I", data, 0)
    assert sig == 0x04034B50, "not a zip"
    csize, = struct.unpack_from("<I", data, 18)
    nlen, xlen = struct.unpack_from("<HH", data, 26)
    start = 30 + nlen + xlen
    for k in range(start + csize // 3, start + csize // 3 + 8):
        data[k] ^= 0x5A
    open(dst, "wb").write(bytes(data))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("fixture")
    p.add_argument("out")
    p.add_argument("--json", action="append", default=[])
    p = sub.add_parser("records")
    p.add_argument("out")
    p.add_argument("files", nargs="+")
    p = sub.add_parser("bench")
    p.add_argument("out")
    p.add_argument("--records", type=int, default=20000)
    for name in ("truncate", "corrupt"):
        p = sub.add_parser(name)
        p.add_argument("src")
        p.add_argument("out")
    p = sub.add_parser("invalid")
    p.add_argument("out")
    a = ap.parse_args()
    if a.cmd == "fixture":
        write(a.out, fixture() + load_json(a.json))
    elif a.cmd == "records":
        write(a.out, load_json(a.files))
    elif a.cmd == "bench":
        write(a.out, bench_records(a.records))
    elif a.cmd == "truncate":
        data = open(a.src, "rb").read()
        open(a.out, "wb").write(data[:len(data) // 2])
    elif a.cmd == "corrupt":
        corrupt(a.src, a.out)
    elif a.cmd == "invalid":
        write(a.out, fixture(), [("PYSEC-2024-BROKEN.json", '{"id": "PYSEC-2024-BROKEN", ')])
    return 0


if __name__ == "__main__":
    sys.exit(main())
