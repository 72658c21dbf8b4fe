#!/usr/bin/env bash
# bench/scan-startup.sh: safepip scan on package-sized inputs, where start-up
# (catalog load and query compilation) weighs most: what every
# `safepip install` pays per package.
#
#   bench/scan-startup.sh
#
# Three targets, each scanned RUNS times (default 5) with GNU time; the
# medians of wall and user+system seconds are printed:
#   empty    one empty .py file (start-up alone)
#   wheel-5  a wheel of 5 modules, built here from the standard library's
#            json package (valid RECORD, so no RECORD findings)
#   pip      pip's wheel from ensurepip's _bundled directory of python3
# and then the same three with -j 1.
#
# environment: RUNS=N, BUILD=DIR (default build), SAFEPIP=PATH.
# Exit status: 0 done, 1 something missing or a scan failed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SAFEPIP=${SAFEPIP:-$BUILD/safepip}
# Every run scans for real: no verdict cache (it would answer an archive it has seen).
export SAFEPIP_NO_VERDICT_CACHE=1
RUNS=${RUNS:-5}
TIME=/usr/bin/time

die() { echo "scan-startup: $*" >&2; exit 1; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$RUNS'"
[ -x "$TIME" ] || die "$TIME is missing: apt-get install time"
[ -x "$SAFEPIP" ] || die "no safepip binary at $SAFEPIP: run 'make build' first"
command -v python3 >/dev/null || die "python3 not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scan-startup.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

: >"$tmp/empty.py"
python3 - "$tmp/jsonmini-1.0-py3-none-any.whl" <<'EOF' || die "cannot build the 5-module wheel"
import base64, hashlib, json, os, sys, zipfile
src = os.path.dirname(json.__file__)
names = ["__init__.py", "decoder.py", "encoder.py", "scanner.py", "tool.py"]
files = {f"jsonmini/{n}": open(os.path.join(src, n), "rb").read() for n in names}
di = "jsonmini-1.0.dist-info"
files[f"{di}/METADATA"] = b"Metadata-Version: 2.1\nName: jsonmini\nVersion: 1.0\n"
files[f"{di}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
def rec(p, b):
    h = base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()
    return f"{p},sha256={h},{len(b)}"
record = "\n".join(rec(p, b) for p, b in files.items()) + f"\n{di}/RECORD,,\n"
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for p, b in files.items():
        z.writestr(p, b)
    z.writestr(f"{di}/RECORD", record)
EOF
PIPWHL=$(python3 -c 'import ensurepip, glob, os; print((glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl")) or [""])[0])')
[ -n "$PIPWHL" ] || die "python3's ensurepip has no bundled pip wheel"

median() { sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo "safepip: $SAFEPIP ($("$SAFEPIP" --version | head -n 1)); $(nproc) cores; $RUNS runs each, medians"
printf '%-8s %-6s %9s %12s\n' target jobs wall_s cpu_s
for jobs in all 1; do
    for t in empty:"$tmp/empty.py" wheel-5:"$tmp/jsonmini-1.0-py3-none-any.whl" pip:"$PIPWHL"; do
        name=${t%%:*} path=${t#*:}
        : >"$tmp/times"
        for _ in $(seq "$RUNS"); do
            args=(scan -q --format json)
            [ "$jobs" = all ] || args+=(-j "$jobs")
            rc=0
            "$TIME" -f '%e %U %S' -o "$tmp/t" "$SAFEPIP" "${args[@]}" "$path" >"$tmp/out" 2>/dev/null || rc=$?
            [ "$rc" -le 1 ] || die "safepip scan $path failed (exit status $rc)"
            tail -n 1 "$tmp/t" >>"$tmp/times"
        done
        printf '%-8s %-6s %9.3f %12.3f\n' "$name" "$jobs" \
            "$(awk '{print $1}' "$tmp/times" | median)" \
            "$(awk '{print $2 + $3}' "$tmp/times" | median)"
    done
done
