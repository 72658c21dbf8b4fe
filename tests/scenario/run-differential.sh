#!/usr/bin/env bash
# The resolver against the real pip: for each seed, tests/support/indexgen.py
# makes a random wheel-only index (extras, markers, pre-releases, yanked
# files, Requires-Python, conflicts that need backtracking), served over TLS
# by tests/support/indexserver.py; `safepip lock` and pip 23.2's
# `pip install --dry-run --ignore-installed --report` resolve the same
# request, and must agree: the same set of (name, version), or both fail.
#
# Args: safepip binary, source dir, scratch dir. SP_DIFF_SEEDS: how many
# seeds (default 12; `make test-long` runs 200), SP_DIFF_SIZE: small|large.
set -euo pipefail
BIN=$1 SRC=$2 S=$3
SEEDS=${SP_DIFF_SEEDS:-12}
SIZE=${SP_DIFF_SIZE:-small}
rm -rf "$S"
mkdir -p "$S/home" "$S/certs"

# The interpreter whose pip is the reference (pip 23.2 on this machine).
PY=$(python3 -c 'import sys; print(sys.executable)')
PIPV=$("$PY" -m pip --version | awk '{print $2}')
case "$PIPV" in
23.2*) ;;
*) echo "FAIL: the reference pip must be 23.2, '$PY' has $PIPV"; exit 1 ;;
esac
CLEAN=(env -i "PATH=/usr/bin:/bin" "HOME=$S/home" "PIP_CONFIG_FILE=/dev/null"
       "PIP_DISABLE_PIP_VERSION_CHECK=1" "SAFEPIP_CACHE_DIR=$S/cache")

SERVER=
stop() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null; SERVER=; }
trap stop EXIT

start() {
    rm -f "$S/port"
    "$PY" "$SRC/tests/support/indexserver.py" --root "$1" --tls "$S/certs" \
        --port-file "$S/port" >"$S/server.log" 2>&1 &
    SERVER=$!
    for _ in $(seq 100); do [ -s "$S/port" ] && return; sleep 0.05; done
    echo "FAIL: the index server did not start"; cat "$S/server.log"; exit 1
}

# "name==version" lines, names normalised, sorted.
pins_lock() {
    grep -E '^[A-Za-z0-9]' "$1" | sed 's/ .*//' |
        awk -F'==' '{ n = tolower($1); gsub(/[-_.]+/, "-", n); print n "==" $2 }' | sort
}
pins_report() {
    "$PY" - "$1" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
for i in sorted(r["install"], key=lambda i: i["metadata"]["name"].lower()):
    print("%s==%s" % (re.sub(r"[-_.]+", "-", i["metadata"]["name"]).lower(), i["metadata"]["version"]))
PY
}

agree=0 both_fail=0 backtracked=0
for seed in $(seq 1 "$SEEDS"); do
    idx="$S/idx-$seed"
    "$PY" "$SRC/tests/support/indexgen.py" --seed "$seed" --size "$SIZE" --out "$idx" >"$S/meta.json"
    start "$idx"
    url="https://127.0.0.1:$(cat "$S/port")/simple"
    set +e
    "${CLEAN[@]}" "$BIN" lock -q --python "$PY" --cert "$S/certs/ca.pem" -i "$url" \
        -r "$idx/request.txt" -o "$S/lock.txt" 2>"$S/safepip.err"
    src=$?
    "${CLEAN[@]}" "$PY" -m pip install -q --dry-run --ignore-installed --report "$S/report.json" \
        --cert "$S/certs/ca.pem" -i "$url" -r "$idx/request.txt" >/dev/null 2>"$S/pip.err"
    prc=$?
    set -e
    stop
    if [ $src -ne 0 ] && [ $prc -ne 0 ]; then
        both_fail=$((both_fail + 1))
        grep -q "cannot all be satisfied\|no version satisfies" "$S/safepip.err" || {
            echo "FAIL seed $seed: safepip failed without naming the conflict:"; cat "$S/safepip.err"; exit 1; }
        continue
    fi
    if [ $src -ne 0 ] || [ $prc -ne 0 ]; then
        echo "FAIL seed $seed: safepip exit $src, pip exit $prc"
        echo "--- request"; cat "$idx/request.txt"
        echo "--- safepip"; cat "$S/safepip.err"; [ -f "$S/lock.txt" ] && cat "$S/lock.txt"
        echo "--- pip"; tail -20 "$S/pip.err"
        exit 1
    fi
    if ! diff <(pins_lock "$S/lock.txt") <(pins_report "$S/report.json") >"$S/diff"; then
        echo "FAIL seed $seed: different pins (< safepip, > pip)"
        cat "$S/diff"; echo "--- request"; cat "$idx/request.txt"
        exit 1
    fi
    grep -q '"needs_backtracking": true' "$S/meta.json" && backtracked=$((backtracked + 1))
    agree=$((agree + 1))
    rm -f "$S/lock.txt" "$S/report.json"
done
echo "differential: $SEEDS seeds ($SIZE): $agree same pins ($backtracked needed backtracking), $both_fail both without a solution"
[ $agree -gt 0 ] || { echo "FAIL: no seed had a solution; the test proves nothing"; exit 1; }
