#!/usr/bin/env bash
# `safepip scan NAME[==VERSION]`: packages named rather than files are resolved
# for the target environment, fetched from a real index (TLS, 127.0.0.1) with
# their hashes checked, and scanned; nothing is installed or saved.
# Args: SAFEPIP SOURCE_DIR SCRATCH_DIR
set -uo pipefail
SP=$1 SRC=$2 T=$3
rm -rf "$T" && mkdir -p "$T/home" "$T/idx" "$T/tmp" && chmod 755 "$T"
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
PY=$(python3 -c 'import sys; print(sys.executable)')
MK() { "$PY" "$SRC/tests/support/mkpkg.py" "$@" >/dev/null || { echo "cannot build $*"; exit 1; }; }

mkdir -p "$T/src/alpha/alpha" "$T/src/beta/beta" "$T/src/evil/evil"
echo 'import beta' >"$T/src/alpha/alpha/__init__.py"
echo 'X = 1' >"$T/src/beta/beta/__init__.py"
cat >"$T/src/evil/evil/__init__.py" <<'PY'
import base64
exec(base64.b64decode("cHJpbnQoMSk="))
PY
MK wheel "$T/src/alpha" "$T/idx" --name alpha --version 1.0 --requires beta
MK wheel "$T/src/alpha" "$T/idx" --name alpha --version 2.0 --requires beta
MK wheel "$T/src/beta" "$T/idx" --name beta --version 1.0
MK wheel "$T/src/evil" "$T/idx" --name evil --version 1.0
# A wheel changed after its RECORD was written (trojanised after the build): the wheel
# checks must run on files fetched into the store too, where they are named by hash.
MK wheel "$T/src/beta" "$T/idx" --name trojan --version 1.0 --tamper beta/__init__.py

"$PY" "$SRC/tests/support/indexserver.py" --root "$T/idx" --tls "$T/certs" \
    --port-file "$T/port" >"$T/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
INDEX="https://127.0.0.1:$(cat "$T/port")/simple"
"$PY" -m venv --without-pip "$T/venv" || exit 1
S() { env -i "PATH=/usr/bin:/bin" "HOME=$T/home" "TMPDIR=$T/tmp" "SAFEPIP_CACHE_DIR=$T/cache" \
      "XDG_STATE_HOME=$T/state" "PIP_CERT=$T/certs/ca.pem" "PIP_CONFIG_FILE=/dev/null" \
      "VIRTUAL_ENV=$T/venv" "$SP" scan "$@"; }
names() { "$PY" -c 'import json,sys; print(" ".join(sorted(a["name"] + "==" + a["version"] for a in json.load(open(sys.argv[1]))["artifacts"])))' "$1"; }
before=$(ls "$T/venv/lib"/python3*/site-packages | sort)

S --format json --index-url "$INDEX" alpha==1.0 --no-deps >"$T/out.json" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && [ "$(names "$T/out.json")" = "alpha==1.0" ] && ok "scan alpha==1.0 --no-deps: one artifact" \
    || { bad "no-deps: rc=$rc $(names "$T/out.json" 2>&1)"; cat "$T/err"; }
S --format json --index-url "$INDEX" alpha >"$T/out.json" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && [ "$(names "$T/out.json")" = "alpha==2.0 beta==1.0" ] && ok "scan alpha: the newest, with its dependency" \
    || { bad "with deps: rc=$rc $(names "$T/out.json" 2>&1)"; cat "$T/err"; }
S --index-url "$INDEX" evil >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q 'exec-decoded' "$T/out" && ok "a malicious package fails the scan (exit 1) with its finding" \
    || { bad "evil: rc=$rc"; cat "$T/out" "$T/err"; }
# pip's -f is --find-links, so by name the format is --format only.
S --format sarif -o "$T/out.sarif" --index-url "$INDEX" evil >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q '"exec-decoded"' "$T/out.sarif" && ok "-o FILE with --format sarif" || bad "sarif -o: rc=$rc"
S --index-url "$INDEX" nosuchpkg >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 3 ] && grep -q 'nosuchpkg' "$T/err" && ok "an unknown package is an error naming it" || { bad "unknown: rc=$rc"; cat "$T/err"; }
# a file served with other bytes than the index vouched for is refused
"$PY" - "https://127.0.0.1:$(cat "$T/port")" "$T/certs/ca.pem" <<'PY'
import ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
body = b'{"/files/beta-1.0-py3-none-any.whl": {"kind": "corrupt"}}'
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_faults", data=body, method="POST"), context=ctx)
PY
rm -rf "$T/cache"
S --index-url "$INDEX" beta >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 3 ] && grep -qi 'hash mismatch' "$T/err" && ok "a file that does not match the index is refused" || { bad "tampered: rc=$rc"; cat "$T/err"; }
S --format json --index-url "$INDEX" trojan >"$T/out.json" 2>"$T/err"; rc=$?
if [ $rc -eq 1 ] && "$PY" -c '
import json, sys
a = json.load(open(sys.argv[1]))["artifacts"][0]
assert a["kind"] == "wheel" and a["target"] == "trojan-1.0-py3-none-any.whl", (a["kind"], a["target"])
assert any(f["rule"] == "record-mismatch" for f in a["findings"]), [f["rule"] for f in a["findings"]]
' "$T/out.json"; then ok "a fetched wheel gets the wheel checks (RECORD mismatch found)"
else bad "trojan: rc=$rc"; cat "$T/err"; fi
env -i "PATH=/usr/bin:/bin" "HOME=$T/home" "TMPDIR=$T/tmp" "SAFEPIP_CACHE_DIR=$T/cache" \
    "XDG_STATE_HOME=$T/state" "PIP_CERT=$T/certs/ca.pem" "PIP_CONFIG_FILE=/dev/null" \
    "$SP" download -d "$T/dl" --index-url "$INDEX" trojan >"$T/out" 2>&1; rc=$?
[ $rc -eq 10 ] && grep -q 'record-mismatch' "$T/out" && [ ! -e "$T/dl/trojan-1.0-py3-none-any.whl" ] &&
    ok "the gate blocks the trojanised wheel (exit 10), nothing saved" || { bad "gate trojan: rc=$rc"; tail -5 "$T/out"; }

# local files keep working, and a file wins over a same-named package
cp "$T/idx/beta-1.0-py3-none-any.whl" "$T/"
(cd "$T" && S -q beta-1.0-py3-none-any.whl >/dev/null 2>&1); rc=$?
[ $rc -eq 0 ] && ok "a local file is scanned as a file" || bad "local file: rc=$rc"
after=$(ls "$T/venv/lib"/python3*/site-packages | sort)
[ "$before" = "$after" ] && ok "nothing was installed" || bad "the venv changed"
[ -z "$(ls "$T" | grep -c '^alpha-' | grep -v '^0$')" ] && ok "nothing was saved" || bad "files saved in the working directory"

echo "scan-remote: $passes passed, $fails failed"
[ $fails -eq 0 ]
