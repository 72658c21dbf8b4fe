#!/usr/bin/env bash
# What reading wheels' METADATA by range requests saves when the resolution
# backtracks over large wheels on an index without PEP 658 metadata files
# (issue 5). In one run, on the same index:
#   safepip          `safepip lock big`, the server answering range requests
#   safepip whole    the same, the server ignoring them (every wheel whole)
#   pip              `pip install --dry-run --ignore-installed --report`
#                    (pip 23.2 downloads each candidate wheel whole)
# The index: VERSIONS releases of one project, each a wheel of MB megabytes
# that does not compress; every release but the oldest needs a project that
# does not exist, so each resolver must reject them one by one. Each run is
# cold (empty caches). Prints wall seconds and the bytes the server sent, and
# the ratios safepip / pip. The server counts whole bodies: for "safepip
# whole" that includes the one range request answered with the whole file,
# which safepip cuts off at its headers, so the real figure is lower.
#
# usage: bench/ranges.sh [VERSIONS] [MB]      (default 6 releases of 20 MB)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VERSIONS=${1:-6}
MB=${2:-20}
SAFEPIP=${SAFEPIP:-$ROOT/build/safepip}
PY=$(${PYTHON:-python3} -c 'import sys; print(sys.executable)')
W=$(mktemp -d)
servers=()
trap 'kill "${servers[@]}" 2>/dev/null; rm -rf "$W"' EXIT
[ -x "$SAFEPIP" ] || { echo "bench: no safepip at $SAFEPIP (make build, or set SAFEPIP)" >&2; exit 2; }

"$PY" - "$ROOT/tests/support" "$W/idx" "$VERSIONS" "$MB" <<'PY'
import os, sys
sys.path.insert(0, sys.argv[1])
import fixtures
out, n, mb = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
os.makedirs(out)
for v in range(1, n + 1):
    # random bytes as hex text: deflated, a little over mb megabytes
    data = os.urandom(mb * 1024 * 1024).hex()
    fixtures.build_wheel({"name": "big", "version": f"{v}.0",
                          "requires": [] if v == 1 else ["absent-project>=1"],
                          "files": {"big/__init__.py": "", "big/blob.txt": data}}, out)
PY
total=$(du -cb "$W"/idx/*.whl | tail -1 | cut -f1)

serve() { # serve NAME [options]: sets URL and BASE
    rm -f "$W/$1.port"
    "$PY" "$ROOT/tests/support/indexserver.py" --root "$W/idx" --tls "$W/certs" --no-metadata \
        --port-file "$W/$1.port" "${@:2}" >"$W/$1.log" 2>&1 &
    servers+=("$!")
    for _ in $(seq 100); do [ -s "$W/$1.port" ] && break; sleep 0.05; done
    BASE="https://127.0.0.1:$(cat "$W/$1.port")"
    URL="$BASE/simple"
}
sent() { # bytes the server at $1 sent since its last reset
    "$PY" - "$1" "$W/certs/ca.pem" <<'PY'
import json, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
log = json.load(urllib.request.urlopen(sys.argv[1] + "/_stats", context=ctx))["log"]
print(sum(e["bytes"] for e in log if e["path"].startswith("/files/")))
PY
}
reset() {
    "$PY" - "$1" "$W/certs/ca.pem" <<'PY'
import ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_reset", data=b"", method="POST"),
                       context=ctx)
PY
}
CLEAN=(env -i PATH=/usr/bin:/bin HOME="$W/home" PIP_CONFIG_FILE=/dev/null
       PIP_DISABLE_PIP_VERSION_CHECK=1)
now() { date +%s.%N; }
measure() { # label base command...: prints "label seconds bytes"
    local label=$1 base=$2 t0 t1
    shift 2
    reset "$base"
    t0=$(now)
    "$@" >/dev/null 2>"$W/err" || { echo "bench: $label failed: $(head -c 400 "$W/err")" >&2; exit 1; }
    t1=$(now)
    echo "$label $(echo "$t1 - $t0" | bc) $(sent "$base")"
}

serve ranged
A=$BASE AURL=$URL
serve whole --no-ranges
B=$BASE BURL=$URL
r1=$(measure safepip "$A" "${CLEAN[@]}" SAFEPIP_CACHE_DIR="$W/c1" "$SAFEPIP" lock -q \
    --python "$PY" --cert "$W/certs/ca.pem" -i "$AURL" big)
r2=$(measure "safepip-whole" "$B" "${CLEAN[@]}" SAFEPIP_CACHE_DIR="$W/c2" "$SAFEPIP" lock -q \
    --python "$PY" --cert "$W/certs/ca.pem" -i "$BURL" big)
r3=$(measure pip "$A" "${CLEAN[@]}" PIP_CACHE_DIR="$W/c3" "$PY" -m pip install -q --dry-run \
    --ignore-installed --report "$W/report.json" --cert "$W/certs/ca.pem" -i "$AURL" big)

printf 'resolving big: %d releases, wheels of %.1f MB each (%.1f MB in all); only the oldest fits\n' \
    "$VERSIONS" "$(echo "$total / $VERSIONS / 1048576" | bc -l)" "$(echo "$total / 1048576" | bc -l)"
printf '  %-14s %8s %12s\n' "" seconds "MB sent"
for r in "$r1" "$r2" "$r3"; do
    set -- $r
    printf '  %-14s %8.2f %12.2f\n' "$1" "$2" "$(echo "$3 / 1048576" | bc -l)"
done
set -- $r1; st=$2 sb=$3
set -- $r3; pt=$2 pb=$3
printf 'safepip / pip: time %.2f, bytes %.3f\n' "$(echo "$st / $pt" | bc -l)" "$(echo "$sb / $pb" | bc -l)"
