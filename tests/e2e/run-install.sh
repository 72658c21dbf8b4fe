#!/usr/bin/env bash
# `safepip install` end to end: the real binary, a real index server on
# 127.0.0.1 over TLS (tests/support/indexserver.py, throw-away CA), packages
# built here (tests/support/mkpkg.py), the real pip in real venvs.
#   - a clean package and its dependency are installed; the installed files
#     are the scanned ones (the audit log's hashes are the served files')
#   - a malicious sdist is blocked; `pip freeze` is the same before and after
#   - a canary sdist's code never runs: not at resolution, not when blocked
#   - a file swapped on the server after the index vouched for it is refused
#   - an installed dependency is kept, and its file is not fetched again
#   - requirement files with hashes, extras, markers and constraints
#   - root and non-venv targets are refused by the default policy
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
mkdir -p "$T/src/alpha/alpha" "$T/src/beta/beta" "$T/src/gamma/gamma" "$T/src/evil/evil" \
         "$T/src/canary/canary" "$T/src/delta/delta"
echo 'def hello(): return "alpha"' >"$T/src/alpha/alpha/__init__.py"
echo 'VALUE = 2' >"$T/src/beta/beta/__init__.py"
echo 'import beta' >"$T/src/gamma/gamma/__init__.py"
echo 'X = 1' >"$T/src/delta/delta/__init__.py"
cat >"$T/src/evil/evil/__init__.py" <<'PY'
import base64, os
exec(base64.b64decode(os.environ.get("PAYLOAD", "cHJpbnQoMSk=")))
PY
# The canary's setup.py leaves a mark if anything ever runs it.
echo 'X = 1' >"$T/src/canary/canary/__init__.py"
cat >"$T/src/canary/setup.py" <<PY
import base64
open("$T/CANARY", "w").write("ran")
exec(base64.b64decode("cHJpbnQoMSk="))
from setuptools import setup
setup(name="canary", version="1.0")
PY
MK wheel "$T/src/alpha" "$T/idx" --name alpha --version 1.0 --requires "beta>=2"
MK wheel "$T/src/beta" "$T/idx" --name beta --version 1.0
MK wheel "$T/src/beta" "$T/idx" --name beta --version 2.0
MK wheel "$T/src/beta" "$T/idx" --name beta --version 3.0rc1
MK wheel "$T/src/gamma" "$T/idx" --name gamma --version 1.0 --requires "beta" \
    --requires 'delta; extra == "more"' --requires 'nonexistent; python_version < "3"'
MK wheel "$T/src/delta" "$T/idx" --name delta --version 1.0
MK wheel "$T/src/evil" "$T/idx" --name evil --version 1.0
MK sdist "$T/src/canary" "$T/idx" --name canary --version 1.0
# setuptools and wheel: the canary's build requirements are resolved and gated too.
"$PY" "$SRC/tests/support/fixtures.py" --out "$T/idx" --build-tools >/dev/null ||
    { echo "cannot write the build tools"; exit 1; }

# --- the index ---
"$PY" "$SRC/tests/support/indexserver.py" --root "$T/idx" --tls "$T/certs" \
    --port-file "$T/port" >"$T/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
BASE="https://127.0.0.1:$(cat "$T/port")"
INDEX="$BASE/simple"
stats() { "$PY" - "$BASE" "$T/certs/ca.pem" <<'PY'
import json, ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
log = json.load(urllib.request.urlopen(sys.argv[1] + "/_stats", context=ctx))["log"]
print("\n".join(e["path"] for e in log))
PY
}
reset() { "$PY" - "$BASE" "$T/certs/ca.pem" "${1:-{\}}" <<'PY'
import ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_reset", data=b"", method="POST"), context=ctx)
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_faults", data=sys.argv[3].encode(), method="POST"), context=ctx)
PY
}

"$PY" -m venv "$T/venv" || exit 1
echo '{"install": {"allow_root": true}}' >"$T/root-ok.json"
CLEAN=(env -i "PATH=/usr/bin:/bin" "HOME=$T/home" "TMPDIR=$T/tmp" "SAFEPIP_CACHE_DIR=$T/cache"
       "XDG_STATE_HOME=$T/state")
POL=()
[ "$(id -u)" -eq 0 ] && POL=(--policy "$T/root-ok.json")
gate() { "${CLEAN[@]}" "$SP" install -q --python "$T/venv/bin/python" --cert "$T/certs/ca.pem" \
    -i "$INDEX" "${POL[@]}" "$@" >"$T/out" 2>&1; }
freeze() { "${CLEAN[@]}" "$T/venv/bin/python" -m pip freeze 2>/dev/null; }
expect() { # rc what
    local rc=$1 what=$2; shift 2
    if [ "$rc" -eq 0 ]; then ok "$what"; else bad "$what"; sed 's/^/  | /' "$T/out" | tail -15; fi
}

# 1. clean package and dependency; the installed bytes are the served bytes.
gate alpha; rc=$?
expect $(( rc != 0 )) "alpha installs (exit $rc)"
freeze >"$T/freeze"
grep -qx "alpha==1.0" "$T/freeze" && grep -qx "beta==2.0" "$T/freeze"
expect $? "alpha 1.0 and beta 2.0 (newest final, not 3.0rc1) installed"
"$PY" - "$T/state/safepip/audit.jsonl" "$T/idx" <<'PY'
import hashlib, json, os, sys
rec = [json.loads(l) for l in open(sys.argv[1])][-1]
served = {f: hashlib.sha256(open(os.path.join(sys.argv[2], f), "rb").read()).hexdigest()
          for f in os.listdir(sys.argv[2])}
assert rec["outcome"] == "installed", rec
assert {a["file"]: a["sha256"] for a in rec["artifacts"]} == \
    {a["file"]: served[a["file"]] for a in rec["artifacts"]}, rec
assert len(rec["artifacts"]) == 2
PY
expect $? "the audit log records the scanned files with the served hashes"

# 2. an installed dependency is kept and not fetched again.
reset
gate gamma; rc=$?
expect $(( rc != 0 )) "gamma installs next to the kept beta (exit $rc)"
stats >"$T/log"
! grep -q "beta-" "$T/log"
expect $? "beta's file is not fetched again"
grep -q "kept: beta 2.0" "$T/out" || ! grep -q . "$T/out"
freeze | grep -qx "gamma==1.0"
expect $? "gamma 1.0 installed"

# 3. a malicious package is blocked and nothing changes.
freeze >"$T/before"
gate evil; rc=$?
freeze >"$T/after"
[ $rc -eq 10 ] && cmp -s "$T/before" "$T/after"
expect $? "evil is blocked with exit 10 and the venv is unchanged (exit $rc)"
grep -q "exec-decoded" "$T/out"
expect $? "the block names the rule (exec-decoded)"

"${CLEAN[@]}" "$SP" policy explain --python "$T/venv/bin/python" --cert "$T/certs/ca.pem" \
    -i "$INDEX" evil >"$T/out" 2>&1; rc=$?
[ $rc -eq 10 ] && grep -q "exec-decoded" "$T/out" && grep -q 'findings.categories.malicious says block \[built-in\]' "$T/out"
expect $? "policy explain gives the rule, the setting and the layer (exit $rc)"

# 4. the canary sdist: resolved from PKG-INFO, blocked, never run.
gate canary; rc=$?
[ $rc -eq 10 ] && [ ! -e "$T/CANARY" ]
expect $? "the canary sdist is blocked and its setup.py never ran (exit $rc)"

# 5. a file replaced on the server after the index listed it.
reset '{"/files/delta-1.0-py3-none-any.whl": {"kind": "swap", "file": "beta-1.0-py3-none-any.whl"}}'
rm -rf "$T/cache/artifacts"
gate delta; rc=$?
[ $rc -eq 3 ] && grep -qE "(hash|size) mismatch" "$T/out" && ! freeze | grep -q "^delta=="
expect $? "a swapped file is refused (hash or size mismatch, exit $rc), nothing installed"
ls "$T/cache/artifacts" 2>/dev/null | grep -v tmp | grep -q . && find "$T/cache/artifacts" -type f -newer "$T/before" | grep -q "$(sha256sum "$T/idx/beta-1.0-py3-none-any.whl" | cut -c1-64)" && bad "the swapped bytes were stored" || ok "the swapped bytes were not stored"
reset

# 6. requirement files: hashes, extras, markers, constraints.
h=$(sha256sum "$T/idx/delta-1.0-py3-none-any.whl" | cut -c1-64)
printf 'gamma[more]\ndelta==1.0 --hash=sha256:%s\nalpha ; python_version < "3"\n' "$h" >"$T/req.txt"
printf 'beta<3\n' >"$T/cons.txt"
gate -r "$T/req.txt" -c "$T/cons.txt"; rc=$?
freeze | grep -qx "delta==1.0"
expect $(( rc != 0 || $? )) "a requirements file with a hash, an extra, a false marker and a constraint (exit $rc)"
printf 'delta==1.0 --hash=sha256:%s\n' "$(printf 0%.0s $(seq 64))" >"$T/badreq.txt"
gate --force-reinstall -r "$T/badreq.txt"; rc=$?
[ $rc -eq 3 ] && grep -q "hash mismatch for 'delta-1.0" "$T/out"
expect $? "a wrong --hash pin fails before pip runs (exit $rc)"

# 7. refusals: root under the default policy, and a target that is not a venv.
if [ "$(id -u)" -eq 0 ]; then
    "${CLEAN[@]}" "$SP" install -q --python "$T/venv/bin/python" --cert "$T/certs/ca.pem" \
        -i "$INDEX" alpha >"$T/out" 2>&1; rc=$?
    [ $rc -eq 12 ] && grep -q "root" "$T/out"
    expect $? "root is refused by the default policy (exit $rc)"
fi
"${CLEAN[@]}" "$SP" install -q --python "$PY" --cert "$T/certs/ca.pem" -i "$INDEX" \
    "${POL[@]}" alpha >"$T/out" 2>&1; rc=$?
[ $rc -eq 12 ] && grep -q "venv" "$T/out"
expect $? "a target outside a virtual environment is refused (exit $rc)"

echo "install e2e: $passes passed, $fails failed"
[ $fails -eq 0 ]
