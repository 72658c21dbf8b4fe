#!/usr/bin/env bash
# The cost of advisory lookups next to the cost of a scan, in one run.
#
# usage: bench/advisories.sh
#
# Builds a synthetic OSV zip of RECORDS records in the real schema
# (tests/support/osvgen.py bench: about four records per package, ranges,
# explicit versions, CVSS vectors), syncs it into a scratch store, then
# measures, each as the median of RUNS runs of wall time:
#   (a) safepip --version                          process start-up alone
#   (b) safepip advisories show P==V               start-up + open + 1 lookup
#   (c) safepip advisories show P1==V1 ... PN==VN  start-up + open + N lookups
#   (d) safepip scan -q --format json WHEEL        a small wheel (5 modules)
# and prints the lookup cost per package, (c - b) / (N - 1), the cost of
# opening the store, b - a, and both against the scan of the small wheel,
# which is what every package of an install costs at least.
#
# environment:
#   RECORDS=N     synthetic records (default 20000, about PyPI's count)
#   LOOKUPS=N     packages looked up in (c) (default 2000)
#   RUNS=N        runs per measurement (default 5)
#   BUILD=DIR     build directory holding safepip (default build)
#   SAFEPIP=PATH  the binary (default $BUILD/safepip)
#
# Exit status: 0 measured, 1 a step failed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SAFEPIP=${SAFEPIP:-$BUILD/safepip}
RECORDS=${RECORDS:-20000}
LOOKUPS=${LOOKUPS:-2000}
RUNS=${RUNS:-5}
PY=python3

die() { echo "advisories bench: $*" >&2; exit 1; }
[ -x "$SAFEPIP" ] || die "no safepip at $SAFEPIP (build first, or set SAFEPIP)"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export SAFEPIP_ADVISORY_DB=$T/advisories.sqlite HOME=$T SAFEPIP_CACHE_DIR=$T/cache

# median wall seconds of RUNS runs of "$@" (output discarded)
median() {
    local i s e times=()
    for ((i = 0; i < RUNS; i++)); do
        s=$(date +%s%N)
        "$@" >/dev/null 2>&1 || die "failed: $*"
        e=$(date +%s%N)
        times+=("$(( e - s ))")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {printf "%.6f\n", a[int((NR + 1) / 2)] / 1e9}'
}

echo "writing $RECORDS synthetic records..." >&2
"$PY" "$ROOT/tests/support/osvgen.py" bench "$T/all.zip" --records "$RECORDS"
s=$(date +%s%N)
"$SAFEPIP" advisories sync -q --from "$T/all.zip" || die "sync failed"
e=$(date +%s%N)
sync_s=$(awk -v n=$(( e - s )) 'BEGIN {printf "%.3f", n / 1e9}')

# N distinct packages, each with a version inside its first range
mapfile -t ARGS < <("$PY" - "$LOOKUPS" "$RECORDS" <<'PY'
import sys
n, records = int(sys.argv[1]), int(sys.argv[2])
pkgs = max(1, records // 4)
for i in range(n):
    print("pkg-%05d==%d.0.%d" % (i % pkgs, 1 + i % 5, i % 7))
PY
)
"$SAFEPIP" advisories show "${ARGS[@]}" >"$T/show.txt" || die "show failed"
affected=$(grep -c ": [0-9]* advisor" "$T/show.txt" || true)

# a small wheel: five modules of ordinary code
mkdir -p "$T/src/small/small"
for m in a b c d e; do
    cat >"$T/src/small/small/$m.py" <<'PYSRC'
import json
import os


def load(path):
    with open(path) as fh:
        return json.load(fh)


def walk(root):
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(".json"):
                yield os.path.join(dirpath, f)


class Store:
    def __init__(self, root):
        self.root = root
        self.items = {}

    def refresh(self):
        for p in walk(self.root):
            self.items[p] = load(p)
        return len(self.items)
PYSRC
done
WHEEL=$("$PY" "$ROOT/tests/support/mkpkg.py" wheel "$T/src/small" "$T" --name small --version 1.0)

base=$(median "$SAFEPIP" --version)
one=$(median "$SAFEPIP" advisories show "${ARGS[0]}")
many=$(median "$SAFEPIP" advisories show "${ARGS[@]}")
scan=$(median "$SAFEPIP" scan -q --format json "$WHEEL")

awk -v base="$base" -v one="$one" -v many="$many" -v scan="$scan" -v n="$LOOKUPS" \
    -v records="$RECORDS" -v sync_s="$sync_s" -v affected="$affected" -v runs="$RUNS" '
BEGIN {
    per = (many - one) / (n - 1)
    open_ = one - base
    if (open_ < 0) open_ = 0
    printf "advisory store: %d synthetic records, synced in %s s\n", records, sync_s
    printf "medians of %d runs (wall):\n", runs
    printf "  %-44s %9.2f ms\n", "start-up (safepip --version)", base * 1000
    printf "  %-44s %9.2f ms\n", "advisories show, 1 package", one * 1000
    printf "  %-44s %9.2f ms\n", sprintf("advisories show, %d packages (%d affected)", n, affected), many * 1000
    printf "  %-44s %9.2f ms\n", "scan of a small wheel (5 modules)", scan * 1000
    printf "lookup per package:     %8.1f us\n", per * 1e6
    printf "opening the store:      %8.2f ms (once per run)\n", open_ * 1000
    printf "lookup / small-wheel scan: 1 : %.0f\n", (per > 0 ? scan / per : 0)
}'
