#!/usr/bin/env bash
# The verdict cache and `safepip cache`, end to end: the real binary, the
# real index server on 127.0.0.1 over TLS (tests/support/indexserver.py),
# packages built here, the real pip in real venvs, one cache directory.
#   - a cold install scans and stores; a warm one into a fresh venv scans
#     nothing (the --report JSON's "cache" counts and the summary line)
#   - a policy change after a cached scan changes the verdict, still
#     without scanning; a cached block stays a block
#   - --no-cache-dir and SAFEPIP_NO_VERDICT_CACHE=1 scan everything
#   - two installs at once sharing the cache both succeed
#   - a corrupted or foreign cache file is moved aside with a warning, the
#     install still succeeds, and the cache works again afterwards
#   - `safepip scan` of a local file uses the cache too
#   - `safepip cache info`, `prune --older-than`, `clean`, and bad usage
# Args: SAFEPIP SOURCE_DIR SCRATCH_DIR
set -uo pipefail
SP=$1 SRC=$2 T=$3
rm -rf "$T" && mkdir -p "$T/home" "$T/idx" "$T/tmp" && chmod 755 "$T"
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
PY=$(python3 -c 'import sys; print(sys.executable)')
MK() { "$PY" "$SRC/tests/support/mkpkg.py" "$@" >/dev/null || { echo "cannot build $*"; exit 1; }; }

# --- packages ---
mkdir -p "$T/src/alpha/alpha" "$T/src/beta/beta" "$T/src/mild/mild" "$T/src/evil/evil" \
         "$T/src/delta/delta"
echo 'def hello(): return "alpha"' >"$T/src/alpha/alpha/__init__.py"
echo 'VALUE = 2' >"$T/src/beta/beta/__init__.py"
echo 'X = 1' >"$T/src/delta/delta/__init__.py"
# A medium finding: the built-in policy warns, a stricter one blocks.
printf 'def run(expr):\n    return eval(expr)\n' >"$T/src/mild/mild/__init__.py"
cat >"$T/src/evil/evil/__init__.py" <<'PY'
import base64, os
exec(base64.b64decode(os.environ.get("PAYLOAD", "cHJpbnQoMSk=")))
PY
MK wheel "$T/src/alpha" "$T/idx" --name alpha --version 1.0 --requires "beta>=1"
MK wheel "$T/src/beta" "$T/idx" --name beta --version 1.0
MK wheel "$T/src/mild" "$T/idx" --name mild --version 1.0
MK wheel "$T/src/evil" "$T/idx" --name evil --version 1.0
MK wheel "$T/src/delta" "$T/idx" --name delta --version 1.0

"$PY" "$SRC/tests/support/indexserver.py" --root "$T/idx" --tls "$T/certs" \
    --port-file "$T/port" >"$T/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
INDEX="https://127.0.0.1:$(cat "$T/port")/simple"

BASE="https://127.0.0.1:$(cat "$T/port")"
# server_log [reset]: the paths requested since the last reset
server_log() { "$PY" - "$BASE" "$T/certs/ca.pem" "${1:-}" <<'PY'
import json, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
if sys.argv[3] == "reset":
    urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_reset", data=b"", method="POST"), context=ctx)
else:
    for e in json.load(urllib.request.urlopen(sys.argv[1] + "/_stats", context=ctx))["log"]:
        print(e["path"], e["status"])
PY
}
C="$T/cache"
echo '{"install": {"allow_root": true}}' >"$T/root-ok.json"
echo '{"install": {"allow_root": true}, "findings": {"rules": {"eval-dynamic": "block"}}}' \
    >"$T/strict.json"
echo '{"install": {"allow_root": true}, "findings": {"rules": {"eval-dynamic": "ignore"}}}' \
    >"$T/lenient.json"
CLEAN=(env -i "PATH=/usr/bin:/bin" "HOME=$T/home" "TMPDIR=$T/tmp" "SAFEPIP_CACHE_DIR=$C"
       "XDG_STATE_HOME=$T/state")
POLICY=$T/root-ok.json
newvenv() { rm -rf "$1" && "$PY" -m venv "$1" || exit 1; }
# gate VENV OUT [args...]: install into VENV, output to OUT, report to OUT.json
gate() {
    local venv=$1 out=$2; shift 2
    "${CLEAN[@]}" "$SP" install --yes --python "$venv/bin/python" --cert "$T/certs/ca.pem" \
        -i "$INDEX" --policy "$POLICY" --report "$out.json" "$@" >"$out" 2>&1
}
# counts OUT.json: "scanned hits misses stores enabled"
counts() { "$PY" - "$1.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["cache"]
print(c["scanned"], c["hits"], c["misses"], c["stores"], str(c["enabled"]).lower())
PY
}
verdict() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["verdict"])' "$1.json"; }
expect() { # rc what [output file]
    local rc=$1 what=$2 out=${3:-$T/out}
    if [ "$rc" -eq 0 ]; then ok "$what"; else bad "$what"; sed 's/^/  | /' "$out" | tail -15; fi
}
frozen() { "${CLEAN[@]}" "$1/bin/python" -m pip freeze 2>/dev/null | grep -qx "$2"; }

# 1. cold, then warm into a fresh venv: the second scans nothing.
newvenv "$T/vdry" # never installed into: dry runs resolve every file
newvenv "$T/v1"
gate "$T/v1" "$T/out" alpha; rc=$?
[ $rc -eq 0 ] && [ "$(counts "$T/out")" = "2 0 2 2 true" ] && frozen "$T/v1" alpha==1.0
expect $? "cold install of alpha and beta scans 2 and stores 2 (exit $rc, $(counts "$T/out"))"
grep -qx "scanned 2 artifacts, 0 from the verdict cache" "$T/out"
expect $? "the summary line says 2 scanned"
newvenv "$T/v2"
server_log reset
gate "$T/v2" "$T/out" alpha; rc=$?
server_log >"$T/requests"
[ $rc -eq 0 ] && [ "$(counts "$T/out")" = "0 2 0 0 true" ] && frozen "$T/v2" alpha==1.0 &&
    frozen "$T/v2" beta==1.0
expect $? "warm install into a fresh venv scans nothing: 2 from the cache (exit $rc, $(counts "$T/out"))"
grep -qx "scanned 0 artifacts, 2 from the verdict cache" "$T/out"
expect $? "the summary line says 2 from the verdict cache"
# Pages are revalidated (304); metadata pinned by its hash and the wheels are not asked for.
[ "$(grep -c '^/simple/.* 304$' "$T/requests")" -eq 2 ] && [ "$(wc -l <"$T/requests")" -eq 2 ]
expect $? "the warm install asks the index only whether the 2 pages changed" "$T/requests"
gate "$T/v2" "$T/out" -q --force-reinstall alpha; rc=$?
! grep -q "verdict cache" "$T/out"
expect $? "-q hides the summary line (exit $rc)"

# 2. the policy decides afresh on every run; the findings come from the cache.
newvenv "$T/v3"
gate "$T/v3" "$T/out" mild; rc=$?
[ $rc -eq 0 ] && [ "$(verdict "$T/out")" = warn ] && [ "$(counts "$T/out")" = "1 0 1 1 true" ]
expect $? "mild installs with a warning on its first scan (exit $rc)"
"${CLEAN[@]}" "$T/v3/bin/python" -m pip uninstall -y -q mild >/dev/null 2>&1
POLICY=$T/strict.json gate "$T/v3" "$T/out" mild; rc=$?
[ $rc -eq 10 ] && [ "$(counts "$T/out")" = "0 1 0 0 true" ] && ! frozen "$T/v3" mild==1.0 &&
    grep -q "eval-dynamic" "$T/out"
expect $? "a stricter policy blocks the cached mild without scanning it (exit $rc, $(counts "$T/out"))"
POLICY=$T/lenient.json gate "$T/v3" "$T/out" mild; rc=$?
[ $rc -eq 0 ] && [ "$(verdict "$T/out")" = allow ] && [ "$(counts "$T/out")" = "0 1 0 0 true" ]
expect $? "a lenient policy allows it, still from the cache (exit $rc, $(verdict "$T/out"))"
gate "$T/v3" "$T/out" evil; rc=$?
gate "$T/v3" "$T/out2" evil; rc2=$?
[ $rc -eq 10 ] && [ $rc2 -eq 10 ] && [ "$(counts "$T/out2")" = "0 1 0 0 true" ] &&
    grep -q "exec-decoded" "$T/out2" && ! frozen "$T/v3" evil==1.0
expect $? "evil is blocked when scanned and blocked again from the cache (exit $rc, $rc2)" "$T/out2"

# 3. turned off: pip's --no-cache-dir, or the environment.
gate "$T/v3" "$T/out" --dry-run --no-cache-dir alpha; rc=$?
[ $rc -eq 0 ] && [ "$(counts "$T/out")" = "2 0 0 0 false" ]
expect $? "--no-cache-dir scans everything again (exit $rc, $(counts "$T/out"))"
CLEAN+=("SAFEPIP_NO_VERDICT_CACHE=1")
gate "$T/v3" "$T/out" --dry-run alpha; rc=$?
[ $rc -eq 0 ] && [ "$(counts "$T/out")" = "2 0 0 0 false" ]
expect $? "SAFEPIP_NO_VERDICT_CACHE=1 scans everything again (exit $rc)"
unset 'CLEAN[${#CLEAN[@]}-1]'

# 4. two installs at once, sharing a cache that has neither package yet.
rm -f "$C"/verdicts.sqlite*
newvenv "$T/v4"; newvenv "$T/v5"
gate "$T/v4" "$T/outa" alpha delta & pa=$!
gate "$T/v5" "$T/outb" alpha delta & pb=$!
wait $pa; ra=$?; wait $pb; rb=$?
[ $ra -eq 0 ] && [ $rb -eq 0 ] && frozen "$T/v4" delta==1.0 && frozen "$T/v5" alpha==1.0 &&
    [ -z "$(grep -h warning "$T/outa" "$T/outb" | grep -v 'no advisory data')" ]
expect $? "two concurrent installs sharing the cache both succeed (exit $ra, $rb)" "$T/outb"
newvenv "$T/v6"
gate "$T/v6" "$T/out" alpha delta; rc=$?
[ $rc -eq 0 ] && [ "$(counts "$T/out")" = "0 3 0 0 true" ]
expect $? "what they stored serves the next install (exit $rc, $(counts "$T/out"))"

# 5. a damaged cache file: moved aside, rebuilt, the install goes on.
head -c 20000 /dev/urandom >"$C/verdicts.sqlite"
rm -f "$C/verdicts.sqlite-wal" "$C/verdicts.sqlite-shm"
newvenv "$T/v7"
gate "$T/v7" "$T/out" alpha; rc=$?
aside=$(ls "$C" | grep -c '^verdicts.sqlite.aside-')
[ $rc -eq 0 ] && [ "$aside" -eq 1 ] && grep -q "warning: the verdict cache .* moved to '.*aside-" "$T/out" &&
    [ "$(counts "$T/out")" = "2 0 2 2 true" ] && frozen "$T/v7" alpha==1.0
expect $? "a corrupted cache file is set aside with a warning and rebuilt (exit $rc)"
gate "$T/vdry" "$T/out" --dry-run alpha; rc=$?
[ $rc -eq 0 ] && [ "$(counts "$T/out")" = "0 2 0 0 true" ] && [ -z "$(grep warning "$T/out" | grep -v 'no advisory data')" ]
expect $? "the rebuilt cache serves the next run (exit $rc, $(counts "$T/out"))"
# Another program's database in its place: kept aside, not touched.
rm -f "$C"/verdicts.sqlite*
"$PY" -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("create table t(x)"); c.commit()' \
    "$C/verdicts.sqlite"
gate "$T/vdry" "$T/out" --dry-run alpha; rc=$?
[ $rc -eq 0 ] && grep -q "belongs to another program" "$T/out" &&
    "$PY" -c 'import sqlite3,sys,glob; c=sqlite3.connect(glob.glob(sys.argv[1] + ".aside-*")[0]); c.execute("select x from t")' \
    "$C/verdicts.sqlite"
expect $? "a foreign SQLite file is moved aside intact (exit $rc)"

# 6. scan uses the cache for local files.
W=$(ls "$T/idx"/mild-*.whl)
"${CLEAN[@]}" "$SP" scan -q --format json "$W" >"$T/s1.json" 2>"$T/out"; r1=$?
"${CLEAN[@]}" "$SP" scan -q --format json "$W" >"$T/s2.json" 2>"$T/out"; r2=$?
"$PY" - "$T/s1.json" "$T/s2.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
assert (a["cache"]["scanned"], b["cache"]["scanned"], b["cache"]["hits"]) == (1, 0, 1), (a["cache"], b["cache"])
for d in (a, b):
    del d["cache"]
assert a == b, "a cached scan reports what the fresh scan did"
PY
expect $? "scan of a local wheel: the second run is from the cache, with the same report (exit $r1, $r2)"

# 7. safepip cache info / prune / clean.
"${CLEAN[@]}" "$SP" cache info >"$T/out" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "artifacts  $C/artifacts" "$T/out" && grep -q "http       $C/http" "$T/out" &&
    grep -q "verdicts   $C/verdicts.sqlite" "$T/out" && [ "$(grep -c ' entr' "$T/out")" -eq 3 ]
expect $? "cache info shows the three caches with their entries (exit $rc)"
"${CLEAN[@]}" "$SP" cache prune --older-than 1d >"$T/out" 2>&1; rc=$?
[ $rc -eq 0 ] && [ "$(grep -c 'nothing removed' "$T/out")" -eq 3 ]
expect $? "prune --older-than 1d removes nothing fresh (exit $rc)"
# Age everything by ten days, then use alpha's files again: only they survive.
find "$C/artifacts" "$C/http" -type f -exec touch -d '10 days ago' {} +
"$PY" - "$C/verdicts.sqlite" <<'PY'
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
c.execute("update verdicts set used = ?", (int(time.time()) - 10 * 86400,))
c.commit()
PY
gate "$T/vdry" "$T/out" --dry-run alpha; rc=$?
"${CLEAN[@]}" "$SP" cache prune --older-than=2d >"$T/out" 2>&1; rc2=$?
"${CLEAN[@]}" "$SP" cache info >"$T/info" 2>&1
[ $rc -eq 0 ] && [ $rc2 -eq 0 ] && [ "$(grep -c 'removed [1-9]' "$T/out")" -ge 2 ] &&
    grep -A1 "verdicts " "$T/info" | grep -q "2 entries" &&
    grep -A1 "artifacts " "$T/info" | grep -q "2 entries"
expect $? "prune removes what was not used within 2d and keeps what was (exit $rc, $rc2)" "$T/info"
gate "$T/vdry" "$T/out" --dry-run alpha; rc=$?
[ $rc -eq 0 ] && [ "$(counts "$T/out")" = "0 2 0 0 true" ]
expect $? "what prune kept still serves (exit $rc, $(counts "$T/out"))"
"${CLEAN[@]}" "$SP" cache clean >"$T/out" 2>&1; rc=$?
"${CLEAN[@]}" "$SP" cache info >"$T/info" 2>&1
[ $rc -eq 0 ] && [ "$(grep -c 'empty' "$T/info")" -eq 3 ] && ! ls "$C" | grep -q aside
expect $? "clean empties all three caches and the files set aside (exit $rc)" "$T/info"
for args in "prune" "prune --older-than" "prune --older-than 3x" "prune --older-than 0d" \
            "frob" "info extra" "clean --older-than 1d"; do
    # shellcheck disable=SC2086
    "${CLEAN[@]}" "$SP" cache $args >"$T/out" 2>&1; rc=$?
    [ $rc -eq 2 ] && grep -q "safepip cache" "$T/out"
    expect $? "'cache $args' is a usage error (exit $rc)"
done
"${CLEAN[@]}" "$SP" cache --help >"$T/out" 2>&1 && grep -q "prune --older-than DURATION" "$T/out"
expect $? "cache --help describes the actions"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
