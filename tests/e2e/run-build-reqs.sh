#!/usr/bin/env bash
# End to end: sdists' build requirements are resolved, fetched, scanned and
# judged like everything else, then handed to the real pip offline in the
# wheelhouse (not as install lines), against a real index over TLS:
#   - an sdist-only package with a build requirement installs offline; the
#     build requirement is scanned and not installed into the target
#   - a setup.py sdist (no pyproject.toml, Metadata 2.1) is resolved from its
#     literal install_requires and built with pip's default setuptools + wheel
#   - a malicious build requirement blocks the install, naming whose build
#     needs it, and no package code runs
#   - an sdist whose dependencies are dynamic stops with the way out
#   - --no-build-isolation: the target must have the build requirements
#   - a build requirement that is itself an sdist gets its own build
#     environment; cycles and chains too deep are refused
# Args: SAFEPIP SOURCE_DIR SCRATCH_DIR
set -uo pipefail
SP=$1 SRC=$2 T=$3
rm -rf "$T" && mkdir -p "$T/home" "$T/idx" "$T/tmp" && chmod 755 "$T"
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
PY=$(python3 -c 'import sys; print(sys.executable)')

# --- the packages ---
cat >"$T/spec.json" <<JSON
[
 {"name": "buildhelp", "version": "1.0"},
 {"name": "dep", "version": "1.0"},
 {"name": "sdonly", "version": "1.0", "kind": "sdist", "requires": ["dep>=1"],
  "build_requires": ["buildhelp>=1"]},
 {"name": "evilbuild", "version": "1.0", "files": {"evilbuild/__init__.py":
  "import base64, os\nexec(base64.b64decode(os.environ.get('P', 'cHJpbnQoMSk=')))\n"}},
 {"name": "sdevil", "version": "1.0", "kind": "sdist", "build_requires": ["evilbuild"],
  "canary": "$T/CANARY"},
 {"name": "legacy", "version": "1.0", "kind": "sdist", "setup_py": true, "requires": ["dep"],
  "extras": {"more": ["buildhelp"]}},
 {"name": "dyn", "version": "1.0", "kind": "sdist", "metadata_version": "2.2",
  "dynamic": ["Requires-Dist"], "requires": ["dep"], "canary": "$T/CANARY"},
 {"name": "nbi", "version": "1.0", "kind": "sdist", "build_requires": ["buildhelp>=1"]},
 {"name": "helpsd", "version": "1.0", "kind": "sdist", "build_requires": ["buildhelp"]},
 {"name": "outer", "version": "1.0", "kind": "sdist", "build_requires": ["helpsd"]},
 {"name": "cyca", "version": "1.0", "kind": "sdist", "build_requires": ["cycb"]},
 {"name": "cycb", "version": "1.0", "kind": "sdist", "build_requires": ["cyca"]},
 {"name": "ch1", "version": "1.0", "kind": "sdist", "build_requires": ["ch2"]},
 {"name": "ch2", "version": "1.0", "kind": "sdist", "build_requires": ["ch3"]},
 {"name": "ch3", "version": "1.0", "kind": "sdist", "build_requires": ["ch4"]},
 {"name": "ch4", "version": "1.0", "kind": "sdist", "build_requires": ["ch5"]},
 {"name": "ch5", "version": "1.0", "kind": "sdist"},
 {"name": "sdbad", "version": "1.0", "kind": "sdist", "build_requires": ["missingtool"],
  "files": {"sdbad/__init__.py": "import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n"}},
 {"name": "sdmiss", "version": "1.0", "kind": "sdist", "build_requires": ["missingtool"]}
]
JSON
"$PY" "$SRC/tests/support/fixtures.py" --out "$T/idx" "$T/spec.json" >/dev/null &&
    "$PY" "$SRC/tests/support/fixtures.py" --out "$T/idx" --build-tools >/dev/null ||
    { echo "cannot build the fixtures"; exit 1; }

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
reset() { "$PY" - "$BASE" "$T/certs/ca.pem" <<'PY'
import ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_reset", data=b"", method="POST"), context=ctx)
PY
}

"$PY" -m venv "$T/venv" || exit 1
# Fixtures are minutes old and setuptools has medium findings: this policy lets both
# through and still blocks malicious code. (setuptools' distutils-precedence.pth is its
# known shim, pth-exec-known, which no policy needs to waive.)
cat >"$T/policy.json" <<'JSON'
{"version": 1, "sdists": {"action": "allow"}, "release_age": {"minimum": "0 days"},
 "findings": {"severity": {"high": "warn", "medium": "ignore"}},
 "install": {"allow_root": true}}
JSON
CLEAN=(env -i "PATH=/usr/bin:/bin" "HOME=$T/home" "TMPDIR=$T/tmp" "SAFEPIP_CACHE_DIR=$T/cache"
       "XDG_STATE_HOME=$T/state" "PIP_NO_CACHE_DIR=1")
gate() { "${CLEAN[@]}" "$SP" install -q --yes --python "$T/venv/bin/python" \
    --cert "$T/certs/ca.pem" -i "$INDEX" --policy "$T/policy.json" "$@" >"$T/out" 2>&1; }
freeze() { "${CLEAN[@]}" "$T/venv/bin/python" -m pip freeze --all 2>/dev/null; }
# grep of the frozen list through a file: with pipefail, grep -q could break a pipe.
frozen() { freeze >"$T/fz"; grep -q "$@" "$T/fz"; }
expect() { # rc what
    local rc=$1 what=$2; shift 2
    if [ "$rc" -eq 0 ]; then ok "$what"; else bad "$what"; sed 's/^/  | /' "$T/out" | tail -15; fi
}
last_audit() { "$PY" -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])][-1]
print("\n".join(a["file"] for a in r["artifacts"]))' "$T/state/safepip/audit.jsonl"; }

# 1. an sdist-only package: its build requirement is gated, put in the
#    wheelhouse, used by pip's isolated build offline, and not installed.
gate sdonly; rc=$?
expect $(( rc != 0 )) "an sdist-only package installs through the gate (exit $rc)"
freeze >"$T/freeze"
grep -qx "sdonly==1.0" "$T/freeze" && grep -qx "dep==1.0" "$T/freeze" &&
    ! grep -q "^buildhelp==" "$T/freeze"
expect $? "sdonly and dep are installed, the build requirement buildhelp is not"
last_audit >"$T/arts"
grep -qx "buildhelp-1.0-py3-none-any.whl" "$T/arts" && grep -qx "sdonly-1.0.tar.gz" "$T/arts"
expect $? "the build requirement was scanned and judged with the rest (audit log)"
stats >"$T/log" # to a file: with pipefail, grep -q would break stats' pipe
grep -q "/files/buildhelp-1.0-py3-none-any.whl" "$T/log"
expect $? "the build requirement came from the index once, through safepip"

# 2. a setup.py sdist: dependencies from its literal install_requires, built
#    with pip's default build requirements (setuptools>=40.8.0, wheel).
gate legacy; rc=$?
expect $(( rc != 0 )) "a setup.py sdist installs through the gate (exit $rc)"
last_audit >"$T/arts"
frozen -x "legacy==1.0" && grep -q "^setuptools-" "$T/arts" &&
    grep -q "^wheel-" "$T/arts" && ! frozen "^wheel=="
expect $? "legacy installed; setuptools and wheel scanned for its build, wheel not installed"

# 3. a malicious build requirement blocks the install and names who needed it.
freeze >"$T/before"
rm -f "$T/CANARY"
gate sdevil; rc=$?
freeze >"$T/after"
[ $rc -eq 10 ] && cmp -s "$T/before" "$T/after" && [ ! -e "$T/CANARY" ]
expect $? "an sdist with a malicious build requirement is blocked (exit $rc), nothing ran"
grep -q "'evilbuild 1.0' is a build requirement (to build sdevil 1.0)" "$T/out"
expect $? "the block names the build requirement and whose build needs it"

# 3b. a build environment that cannot be had: a malicious sdist is still judged (blocked,
# exit 10, with a note), a clean one stops with the error naming what is missing (exit 3).
gate sdbad; rc=$?
[ $rc -eq 10 ] && grep -q "exec-decoded" "$T/out" && grep -q "note: cannot set up the build environment of 'sdbad 1.0'" "$T/out"
expect $? "a malicious sdist whose build requirements cannot be had is blocked, not an error (exit $rc)"
gate sdmiss; rc=$?
[ $rc -eq 3 ] && grep -q "missingtool" "$T/out" && ! frozen -i '^sdmiss=='
expect $? "a clean sdist whose build requirements cannot be had stops, naming them (exit $rc)"

# 4. dependencies that only a build would tell: stop, with the way out.
gate dyn; rc=$?
[ $rc -eq 3 ] && grep -q "cannot know what 'dyn-1.0.tar.gz' depends on" "$T/out" &&
    grep -q -- "--only-binary" "$T/out" && [ ! -e "$T/CANARY" ]
expect $? "an sdist with dynamic dependencies stops with the way out (exit $rc)"

# 5. --no-build-isolation: the target must already have the build requirements.
"${CLEAN[@]}" "$T/venv/bin/python" -m pip uninstall -y -q buildhelp >/dev/null 2>&1
gate --no-build-isolation nbi; rc=$?
[ $rc -eq 3 ] && grep -q "cannot build 'nbi 1.0' without build isolation: it needs 'buildhelp>=1'" "$T/out"
expect $? "--no-build-isolation without the build requirement in the target fails (exit $rc)"
gate buildhelp && gate --no-build-isolation nbi; rc=$?
expect $(( rc != 0 )) "--no-build-isolation with the build requirement installed works (exit $rc)"
frozen -x "nbi==1.0"
expect $? "nbi installed"

# 6. a build requirement that is an sdist: built in its own environment.
reset
gate outer; rc=$?
expect $(( rc != 0 )) "a build requirement that is an sdist is built too (exit $rc)"
freeze >"$T/freeze"
last_audit >"$T/arts"
grep -qx "outer==1.0" "$T/freeze" && ! grep -q "^helpsd==" "$T/freeze" &&
    grep -qx "helpsd-1.0.tar.gz" "$T/arts" && grep -qx "buildhelp-1.0-py3-none-any.whl" "$T/arts"
expect $? "outer installed; helpsd and its own build requirement scanned, not installed"

# 7. cycles and chains too deep are refused before anything runs.
gate cyca; rc=$?
[ $rc -eq 3 ] && grep -q "a cycle" "$T/out"
expect $? "a cycle of sdist build requirements is refused (exit $rc)"
gate ch1; rc=$?
[ $rc -eq 3 ] && grep -q "nest more than" "$T/out" && ! frozen "^ch"
expect $? "build requirements nested too deep are refused (exit $rc)"

# 8. lock keeps build requirements out of the install lines.
"${CLEAN[@]}" "$SP" lock -q --python "$T/venv/bin/python" --cert "$T/certs/ca.pem" \
    -i "$INDEX" sdonly >"$T/out" 2>&1; rc=$?
[ $rc -eq 0 ] && grep -q "^sdonly==1.0" "$T/out" && ! grep -q "^buildhelp==" "$T/out"
expect $? "lock pins sdonly and dep, not its build requirement (exit $rc)"

echo "build-reqs e2e: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
