#!/usr/bin/env bash
# End to end: a large wheel's METADATA is read by HTTP range requests when
# the index has no PEP 658 files, against a real index over TLS:
#   - a large wheel that the resolution rejects (backtracking) is never
#     downloaded: only parts of it, a small share of its size
#   - the wheel chosen is read by ranges, then downloaded whole for the scan,
#     and the lock is the same as with a server without range support
#   - a server without range support (200 with the whole file) is cut off
#     after its first answer and every wheel is fetched whole; -v says why
#   - PEP 503 HTML pages give no sizes: the first part's Content-Range does
#   - a server whose parts come from another copy of the file is caught when
#     the whole file arrives: the METADATA differs, nothing is locked
#   - small wheels are fetched whole (a range would cost more than it saves)
# Args: SAFEPIP SOURCE_DIR SCRATCH_DIR
set -uo pipefail
SP=$1 SRC=$2 T=$3
rm -rf "$T" && mkdir -p "$T/home" "$T/idx" "$T/alt" "$T/tmp" && chmod 755 "$T"
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
PY=$(python3 -c 'import sys; print(sys.executable)')

# --- the packages: two large wheels of one project, a small one, and a top ---
"$PY" - "$SRC/tests/support" "$T/idx" "$T/alt" <<'PY' || { echo "cannot build the fixtures"; exit 1; }
import base64, os, random, sys, zipfile
sys.path.insert(0, sys.argv[1])
import fixtures, mkpkg
idx, alt = sys.argv[2], sys.argv[3]
rnd = random.Random(7)
def blob(n):
    return base64.b64encode(rnd.randbytes(n)).decode()
def spec(version, requires, summary="a large wheel"):
    return {"name": "big", "version": version, "requires": requires, "summary": summary,
            "files": {"big/__init__.py": "VERSION = %r\n" % version,
                      "big/data.txt": blob(3 * 1024 * 1024)}}
# A wheel whose central directory is larger than the first request's tail:
# the directory, then METADATA, each take a round of their own.
wide = {"name": "wide", "version": "1.0",
        "files": {"wide/m%04d.py" % i: "D = %r\n" % blob(300) for i in range(3000)}}
wide["files"]["wide/__init__.py"] = ""
specs = [spec("2.0", ["missing-dep>=1"]), spec("1.0", []), wide,
         {"name": "small", "version": "1.0"},
         {"name": "top", "version": "1.0", "requires": ["big", "small", "wide"]}]
for s in specs:
    if s.get("name") == "big" and s["version"] == "1.0":
        big10 = s
    fixtures.build_wheel(s, idx)
# The same big 1.0 wheel with another Summary, padded to the same size with a
# zip comment: what a server mixing two copies of a file would serve in parts.
real = os.path.join(idx, "big-1.0-py3-none-any.whl")
name, entries = fixtures.wheel_entries(dict(big10, summary="x"))
out = os.path.join(alt, name)
mkpkg.write_zip(out, entries)
pad = os.path.getsize(real) - os.path.getsize(out)
assert 0 <= pad < 65536, pad
with zipfile.ZipFile(out, "a") as zf:
    zf.comment = b"p" * pad
assert os.path.getsize(out) == os.path.getsize(real)
PY
BIG2=big-2.0-py3-none-any.whl BIG1=big-1.0-py3-none-any.whl
SIZE2=$(stat -c %s "$T/idx/$BIG2")

serve() { # serve NAME [server options]: starts an index, sets INDEX and BASE
    local name=$1
    shift
    rm -f "$T/$name.port"
    "$PY" "$SRC/tests/support/indexserver.py" --root "$T/idx" --tls "$T/certs" --no-metadata \
        --port-file "$T/$name.port" "$@" >"$T/$name.log" 2>&1 &
    SERVERS+=("$!")
    for _ in $(seq 100); do [ -s "$T/$name.port" ] && break; sleep 0.05; done
    BASE="https://127.0.0.1:$(cat "$T/$name.port")"
    INDEX="$BASE/simple"
}
SERVERS=()
trap 'kill "${SERVERS[@]}" 2>/dev/null' EXIT
# The requests a server saw: "path range status bytes", one per line.
requests() { "$PY" - "$1" "$T/certs/ca.pem" <<'PY'
import json, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
for e in json.load(urllib.request.urlopen(sys.argv[1] + "/_stats", context=ctx))["log"]:
    print(e["path"], (e["range"] or "-").replace(" ", ""), e["status"], e["bytes"])
PY
}
run() { # run CACHE ARGS...: safepip with a clean pip environment and its own cache
    local cache=$1
    shift
    env -i PATH="$PATH" HOME="$T/home" TMPDIR="$T/tmp" SAFEPIP_CACHE_DIR="$T/$cache" \
        PIP_CERT="$T/certs/ca.pem" "$SP" "$@"
}

# --- 1. ranges: the rejected wheel is never downloaded ---
serve ranged
A=$BASE
run c1 lock top --index-url "$INDEX" >"$T/lock1.txt" 2>"$T/lock1.err"
rc=$?
requests "$A" >"$T/req1.txt"
if [ $rc -eq 0 ] && grep -q '^big==1.0' "$T/lock1.txt" && grep -q '^small==1.0' "$T/lock1.txt"; then
    ok "ranges: the lock backtracks to big 1.0"
else
    bad "ranges: lock rc=$rc: $(head -c 600 "$T/lock1.err") $(head -5 "$T/lock1.txt")"
fi
read -r n2 whole2 bytes2 < <(awk -v f="/files/$BIG2" '$1 == f { n++; if ($2 == "-") w++; b += $4 }
    END { print n + 0, w + 0, b + 0 }' "$T/req1.txt")
if [ "$n2" -ge 1 ] && [ "$whole2" -eq 0 ] && [ "$bytes2" -gt 0 ] && [ $((bytes2 * 10)) -lt "$SIZE2" ]; then
    ok "ranges: big 2.0 ($SIZE2 bytes) read in $n2 range request(s), $bytes2 bytes, never whole"
else
    bad "ranges: big 2.0: $n2 requests, $whole2 whole, $bytes2 of $SIZE2 bytes: $(grep big "$T/req1.txt")"
fi
if awk -v f="/files/$BIG1" '$1 == f && $2 == "-" && $3 == 200' "$T/req1.txt" | grep -q . &&
    awk -v f="/files/$BIG1" '$1 == f && $2 != "-" && $3 == 206' "$T/req1.txt" | grep -q .; then
    ok "ranges: big 1.0 read by ranges, then downloaded whole for the scan"
else
    bad "ranges: big 1.0 requests: $(grep "$BIG1" "$T/req1.txt")"
fi
if awk '$1 ~ /small-1.0/ && $2 != "-"' "$T/req1.txt" | grep -q .; then
    bad "ranges: a small wheel was read by ranges: $(grep small "$T/req1.txt")"
else
    ok "ranges: the small wheel is fetched whole"
fi

WIDE=wide-1.0-py3-none-any.whl
SIZEW=$(stat -c %s "$T/idx/$WIDE")
read -r nw bytesw < <(awk -v f="/files/$WIDE" '$1 == f && $2 != "-" { n++; b += $4 }
    END { print n + 0, b + 0 }' "$T/req1.txt")
if [ "$nw" -ge 3 ] && [ $((bytesw * 2)) -lt "$SIZEW" ]; then
    ok "ranges: a directory larger than the tail takes $nw rounds, $bytesw of $SIZEW bytes"
else
    bad "ranges: wide: $nw range requests, $bytesw of $SIZEW bytes: $(grep wide "$T/req1.txt")"
fi

# A second run: the chosen wheel is in the store, so it needs no request at all.
run c1 lock top --index-url "$INDEX" >"$T/lock1b.txt" 2>"$T/lock1b.err"
rc=$?
requests "$A" >"$T/req1b.txt"
n1b=$(awk -v f="/files/$BIG1" '$1 == f' "$T/req1b.txt" | wc -l)
if [ $rc -eq 0 ] && cmp -s "$T/lock1.txt" "$T/lock1b.txt" && [ "$n1b" -eq "$(awk -v f="/files/$BIG1" '$1 == f' "$T/req1.txt" | wc -l)" ]; then
    ok "ranges: a second run reads big 1.0 from the store (no new request)"
else
    bad "ranges: second run rc=$rc, big 1.0 requests now $n1b: $(diff "$T/lock1.txt" "$T/lock1b.txt" | head -5)"
fi

# --- 2. a server without range support: the same lock, files whole ---
serve noranges --no-ranges
B=$BASE
run c2 lock top --index-url "$INDEX" >"$T/lock2.txt" 2>"$T/lock2.err"
rc=$?
requests "$B" >"$T/req2.txt"
if [ $rc -eq 0 ] && diff <(grep -v '^#\|^ *--hash\|^$' "$T/lock1.txt") \
    <(grep -v '^#\|^ *--hash\|^$' "$T/lock2.txt") >/dev/null && cmp -s <(grep -- --hash "$T/lock1.txt") <(grep -- --hash "$T/lock2.txt"); then
    ok "no ranges: the same lock, hashes included"
else
    bad "no ranges: rc=$rc: $(head -c 600 "$T/lock2.err") $(diff "$T/lock1.txt" "$T/lock2.txt" | head)"
fi
refused=$(awk '$2 != "-"' "$T/req2.txt" | wc -l)
whole=$(awk -v f="/files/$BIG2" '$1 == f && $2 == "-" && $3 == 200' "$T/req2.txt" | wc -l)
if [ "$refused" -le 1 ] && [ "$whole" -eq 1 ]; then
    ok "no ranges: $refused refused range request, then every wheel whole"
else
    bad "no ranges: $refused range requests, big 2.0 whole $whole times: $(cat "$T/req2.txt")"
fi

# With -v, each wheel read whole instead says why.
run c2b lock -v top --index-url "$INDEX" >/dev/null 2>"$T/lock2v.err"
if grep -q "reading 'big-2.0-py3-none-any.whl' whole for its METADATA: cannot fetch part" "$T/lock2v.err" ||
    grep -q "reading 'big-1.0-py3-none-any.whl' whole for its METADATA: cannot fetch part" "$T/lock2v.err"; then
    ok "no ranges: -v says why a wheel is read whole"
else
    bad "no ranges: -v: $(grep -i whole "$T/lock2v.err" | head -3)"
fi

# --- 3. pages without sizes (PEP 503 HTML): the size comes from the first part ---
serve html --html-only
C=$BASE
run c4 lock top --index-url "$INDEX" >"$T/lock4.txt" 2>"$T/lock4.err"
rc=$?
requests "$C" >"$T/req4.txt"
whole4=$(awk -v f="/files/$BIG2" '$1 == f && $2 == "-"' "$T/req4.txt" | wc -l)
if [ $rc -eq 0 ] && cmp -s "$T/lock1.txt" "$T/lock4.txt" && [ "$whole4" -eq 0 ]; then
    ok "html pages: sizes unknown, the same lock, big 2.0 never whole"
else
    bad "html pages: rc=$rc, big 2.0 whole $whole4 times: $(head -c 400 "$T/lock4.err")"
fi

# --- 4. parts from another copy: caught when the whole file arrives ---
serve mixed --ranges-from "$T/alt"
run c3 lock top --index-url "$INDEX" >"$T/lock3.txt" 2>"$T/lock3.err"
rc=$?
if [ $rc -ne 0 ] && grep -q "METADATA inside 'big-1.0-py3-none-any.whl' differs" "$T/lock3.err" &&
    ! grep -q '^big==' "$T/lock3.txt"; then
    ok "mixed copies: refused (exit $rc) naming the file"
else
    bad "mixed copies: rc=$rc: $(head -c 600 "$T/lock3.err") $(head -3 "$T/lock3.txt")"
fi

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
