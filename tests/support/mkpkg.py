#!/usr/bin/env python3
"""Builds real wheels and sdists from a source tree, with the standard
library only (no pip, setuptools or network), for tests and the demo.

    mkpkg.py wheel SRC_DIR OUT_DIR --name N --version V [--tag py3-none-any]
                   [--purelib true|false] [--requires 'dep>=1' ...]
                   [--console-script name=mod:func ...] [--no-record]
                   [--tamper PATH]     # change a file after RECORD is written
    mkpkg.py sdist SRC_DIR OUT_DIR --name N --version V [--requires ...]

A wheel gets METADATA, WHEEL, entry_points.txt and a RECORD with correct
sha256 hashes (PEP 376/427); an sdist is NAME-VERSION/ with PKG-INFO
(Metadata 2.2) plus the tree. Prints the path of the file it wrote.
"""
import argparse
import base64
import hashlib
import io
import os
import re
import sys
import tarfile
import time
import zipfile

FIXED_TIME = (2024, 1, 1, 0, 0, 0)


def normalize(name):
    return re.sub(r"[-_.]+", "_", name).lower()


def record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def metadata(args):
    lines = ["Metadata-Version: 2.2", f"Name: {args.name}", f"Version: {args.version}",
             "Summary: test fixture built by safepip's tests", "License: MIT"]
    lines += [f"Requires-Dist: {r}" for r in args.requires]
    return ("\n".join(lines) + "\n\n").encode()


def tree_files(src):
    out = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            if f.endswith(".pyc") or "__pycache__" in root:
                continue
            full = os.path.join(root, f)
            out.append((os.path.relpath(full, src).replace(os.sep, "/"), full))
    return out


def record_for(info_dir, entries):
    """RECORD bytes for (archive path, bytes) entries, itself listed last."""
    record = io.StringIO()
    for rel, data in entries:
        record.write(f"{rel},{record_hash(data)},{len(data)}\n")
    record.write(f"{info_dir}/RECORD,,\n")
    return record.getvalue().encode()


def write_zip(out, entries):
    """A reproducible zip (fixed times and modes) of (archive path, bytes) entries."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, data in entries:
            zi = zipfile.ZipInfo(rel, FIXED_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zf.writestr(zi, data)


def build_wheel(args):
    dist = f"{normalize(args.name)}-{args.version}"
    info = f"{dist}.dist-info"
    entries = []
    for rel, full in tree_files(args.src):
        with open(full, "rb") as fh:
            entries.append((rel, fh.read()))
    entries.append((f"{info}/METADATA", metadata(args)))
    wheel = (f"Wheel-Version: 1.0\nGenerator: safepip-tests\n"
             f"Root-Is-Purelib: {args.purelib}\nTag: {args.tag}\n\n").encode()
    entries.append((f"{info}/WHEEL", wheel))
    if args.console_script:
        ep = "[console_scripts]\n" + "".join(f"{c.split('=')[0]} = {c.split('=', 1)[1]}\n"
                                             for c in args.console_script)
        entries.append((f"{info}/entry_points.txt", ep.encode()))
    if args.no_record:
        entries_out = entries
    else:
        entries_out = entries + [(f"{info}/RECORD", record_for(info, entries))]
    if args.tamper:
        entries_out = [(r, d + b"\n# changed after RECORD was written\n" if r == args.tamper
                        else d) for r, d in entries_out]
    out = os.path.join(args.out, f"{dist}-{args.tag}.whl")
    write_zip(out, entries_out)
    return out


def build_sdist(args):
    base = f"{normalize(args.name)}-{args.version}"
    out = os.path.join(args.out, f"{base}.tar.gz")
    with tarfile.open(out, "w:gz", format=tarfile.PAX_FORMAT) as tf:
        def add(rel, data):
            ti = tarfile.TarInfo(f"{base}/{rel}")
            ti.size = len(data)
            ti.mtime = 1704067200
            ti.mode = 0o644
            tf.addfile(ti, io.BytesIO(data))
        add("PKG-INFO", metadata(args))
        for rel, full in tree_files(args.src):
            with open(full, "rb") as fh:
                add(rel, fh.read())
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("kind", choices=["wheel", "sdist"])
    p.add_argument("src")
    p.add_argument("out")
    p.add_argument("--name", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--tag", default="py3-none-any")
    p.add_argument("--purelib", default="true")
    p.add_argument("--requires", action="append", default=[])
    p.add_argument("--console-script", action="append", default=[])
    p.add_argument("--no-record", action="store_true")
    p.add_argument("--tamper")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    print(build_wheel(args) if args.kind == "wheel" else build_sdist(args))


if __name__ == "__main__":
    sys.exit(main())
