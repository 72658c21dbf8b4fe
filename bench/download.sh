#!/usr/bin/env bash
# safepip's downloader against pip download, on the same local index, in one
# run (ARCHITECTURE.md section 7).
#
# usage: bench/download.sh [COUNT]
#
# Builds COUNT wheels (default 30, 20 to 50 is the intended range) of mixed
# sizes (20 kB to 6 MB of incompressible data) with tests/support/mkpkg.py,
# serves them over HTTPS with tests/support/indexserver.py (its throw-away
# CA), then times, cold each time:
#   (a) sp-fetch: every project page (PEP 691 JSON) and every wheel, hashes
#       checked, into a fresh store: what a gated install downloads
#   (b) pip download --no-deps -d D -i URL/simple NAME==VER ... with env -i,
#       PIP_CONFIG_FILE=/dev/null, --no-cache-dir, the same CA
# and prints both, the files and MB fetched, and the ratio pip / safepip.
# Both results are checked: every wheel present, with the right sha256.
#
# environment:
#   RUNS=N          run each side N times and take the median (default 1)
#   BUILD=DIR       build directory holding bench/sp-fetch (default build)
#   SPFETCH=PATH    the sp-fetch binary (default $BUILD/bench/sp-fetch)
#   PYTHON=PATH     the python whose pip is measured (default python3 on PATH)
#   JOBS=N          sp-fetch's total parallelism (default 10, pip's per host is 6)
#
# Exit status: 0 both ran and fetched everything, 1 a failure, 2 bad usage.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SPFETCH=${SPFETCH:-$BUILD/bench/sp-fetch}
PYTHON=${PYTHON:-$(command -v python3 || true)}
RUNS=${RUNS:-1}
JOBS=${JOBS:-10}
COUNT=${1:-30}

die() { echo "download: $*" >&2; exit 1; }
say() { echo "download: $*" >&2; }

case ${1:-} in
    -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
esac
[ $# -le 1 ] || { echo "usage: bench/download.sh [COUNT]" >&2; exit 2; }
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || { echo "download: COUNT must be a positive integer" >&2; exit 2; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "download: RUNS must be a positive integer" >&2; exit 2; }
[ -x "$SPFETCH" ] || die "no sp-fetch at $SPFETCH: build first (bench/CMakeLists.txt builds it)"
[ -n "$PYTHON" ] && [ -x "$PYTHON" ] || die "python3 not found"
"$PYTHON" -m pip --version >/dev/null 2>&1 || die "$PYTHON has no pip"
command -v openssl >/dev/null || die "openssl not found (the test server makes its CA with it)"

WORK=$(mktemp -d /tmp/sp-bench-download-XXXXXX)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# --- the wheels ---
say "building $COUNT wheels in $WORK"
mkdir -p "$WORK/root" "$WORK/src"
"$PYTHON" - "$COUNT" "$WORK" "$ROOT/tests/support/mkpkg.py" <<'EOF'
import os, subprocess, sys
count, work, mkpkg = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sizes = [20_000, 100_000, 500_000, 2_000_000, 6_000_000]
for i in range(count):
    name = f"benchpkg{i:03d}"
    src = os.path.join(work, "src", name)
    os.makedirs(os.path.join(src, name))
    with open(os.path.join(src, name, "__init__.py"), "w") as fh:
        fh.write(f"VALUE = {i}\n")
    with open(os.path.join(src, name, "data.bin"), "wb") as fh:
        fh.write(os.urandom(sizes[i % len(sizes)]))
    subprocess.run([sys.executable, mkpkg, "wheel", src, os.path.join(work, "root"),
                    "--name", name, "--version", "1.0"], check=True, stdout=subprocess.DEVNULL)
EOF
WHEELS=$(ls "$WORK/root"/*.whl | wc -l)
[ "$WHEELS" -eq "$COUNT" ] || die "built $WHEELS wheels, expected $COUNT"
MB=$(du -cb "$WORK/root"/*.whl | awk 'END {printf "%.1f", $1 / 1e6}')

# --- the index ---
env -i PATH=/usr/bin:/bin "$PYTHON" "$ROOT/tests/support/indexserver.py" --root "$WORK/root" \
    --tls "$WORK/certs" >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 100); do grep -q '^READY ' "$WORK/server.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^READY ' "$WORK/server.out" || die "the index server did not start: $(cat "$WORK/server.err")"
BASE=$(sed -n 's/^READY //p' "$WORK/server.out")
CA=$WORK/certs/ca.pem

: >"$WORK/list"
: >"$WORK/expected"
REQS=()
for w in "$WORK/root"/*.whl; do
    f=$(basename "$w")
    name=${f%%-*}
    sha=$(sha256sum "$w" | cut -d' ' -f1)
    echo "$BASE/simple/$name/" >>"$WORK/list"
    echo "$BASE/files/$f $sha" >>"$WORK/list"
    echo "$sha  $f" >>"$WORK/expected"
    REQS+=("$name==1.0")
done

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# --- the runs ---
: >"$WORK/t-safepip"
: >"$WORK/t-pip"
for run in $(seq "$RUNS"); do
    say "run $run/$RUNS: sp-fetch"
    t0=$(now)
    "$SPFETCH" --store "$WORK/store-$run" --cert "$CA" -j "$JOBS" "$WORK/list" >"$WORK/sp.out" \
        || die "sp-fetch failed: $(cat "$WORK/sp.out")"
    t1=$(now)
    echo "$t1 - $t0" | bc -l >>"$WORK/t-safepip"
    while read -r sha f; do
        [ -f "$WORK/store-$run/${sha:0:2}/${sha:2:2}/$sha" ] || die "sp-fetch did not store $f"
    done <"$WORK/expected"
    rm -rf "$WORK/store-$run"

    say "run $run/$RUNS: pip download"
    t0=$(now)
    env -i PATH=/usr/bin:/bin HOME="$WORK/home" PIP_CONFIG_FILE=/dev/null \
        "$PYTHON" -m pip download --no-deps --no-cache-dir --disable-pip-version-check -q \
        -d "$WORK/pip-$run" -i "$BASE/simple" --cert "$CA" "${REQS[@]}" \
        >"$WORK/pip.out" 2>&1 || die "pip download failed: $(tail -5 "$WORK/pip.out")"
    t1=$(now)
    echo "$t1 - $t0" | bc -l >>"$WORK/t-pip"
    (cd "$WORK/pip-$run" && sha256sum -c --quiet "$WORK/expected") \
        || die "pip's files do not match"
    rm -rf "$WORK/pip-$run"
done

S=$(median <"$WORK/t-safepip")
P=$(median <"$WORK/t-pip")
printf '\n%-28s %8s\n' "tool ($COUNT wheels, $MB MB)" "wall s"
printf '%-28s %8.2f\n' "safepip (sp-fetch -j $JOBS)" "$S"
printf '%-28s %8.2f\n' "pip download" "$P"
printf '\npip / safepip: %.2fx\n' "$(echo "$P / $S" | bc -l)"
if [ "$RUNS" -gt 1 ]; then
    range() { sort -g "$1" | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.2f-%.2f", lo, hi}'; }
    printf 'ranges: safepip %s s, pip %s s\n' "$(range "$WORK/t-safepip")" "$(range "$WORK/t-pip")"
fi
