#!/usr/bin/env bash
# Known advisories end to end: the real binary, the TLS index server
# (tests/support/indexserver.py) serving packages and an OSV zip written by
# tests/support/osvgen.py, the real pip in a real venv.
#   - without data: one warning per run (not per package), install goes on
#   - sync over https; a damaged or missing download fails and keeps the old data
#   - an affected version warns (installed) or, per policy, blocks (not
#     installed), naming the advisory, its aliases and the fixed version
#   - a malicious release blocks; an exception by advisory id lets it through
#     until it expires
#   - scan and lock see the same advisories; stale or missing data per policy
# Args: SAFEPIP SOURCE_DIR SCRATCH_DIR
set -uo pipefail
SP=$1 SRC=$2 T=$3
rm -rf "$T" && mkdir -p "$T/home" "$T/idx" "$T/tmp" && chmod 755 "$T"
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
PY=$(python3 -c 'import sys; print(sys.executable)')
MK() { "$PY" "$SRC/tests/support/mkpkg.py" "$@" >/dev/null || { echo "cannot build $*"; exit 1; }; }
expect() { # status what
    if [ "$1" -eq 0 ]; then ok "$2"; else bad "$2"; sed 's/^/  | /' "$T/out" | tail -20; fi
}

# --- packages: nothing in them is suspicious; only the advisories speak ---
for p in vulnpkg malpkg cleanpkg; do
    mkdir -p "$T/src/$p/$p" && echo "VALUE = 1" >"$T/src/$p/$p/__init__.py"
done
MK wheel "$T/src/vulnpkg" "$T/idx" --name vulnpkg --version 1.0
MK wheel "$T/src/vulnpkg" "$T/idx" --name vulnpkg --version 1.1
MK wheel "$T/src/malpkg" "$T/idx" --name malpkg --version 0.1
MK wheel "$T/src/cleanpkg" "$T/idx" --name cleanpkg --version 1.0 --requires vulnpkg

# --- advisories: the osvgen fixture plus two records about these packages ---
cat >"$T/recs.json" <<'JSON'
[
 {"schema_version": "1.6.0", "id": "PYSEC-2099-1", "modified": "2099-01-01T00:00:00Z",
  "aliases": ["CVE-2099-0001", "GHSA-vuln-vuln-vuln"], "summary": "Path traversal in vulnpkg",
  "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],
  "affected": [{"package": {"ecosystem": "PyPI", "name": "VulnPkg"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.1"}]}]}]},
 {"schema_version": "1.6.0", "id": "MAL-2099-1", "modified": "2099-01-01T00:00:00Z",
  "summary": "Malicious code in malpkg (PyPI)",
  "database_specific": {"malicious-packages-origins": [{"source": "test"}]},
  "affected": [{"package": {"ecosystem": "PyPI", "name": "malpkg"}, "versions": ["0.1"]}]}
]
JSON
"$PY" "$SRC/tests/support/osvgen.py" fixture "$T/idx/osvdata-1.0.zip" --json "$T/recs.json" || exit 1

"$PY" "$SRC/tests/support/indexserver.py" --root "$T/idx" --tls "$T/certs" \
    --port-file "$T/port" >"$T/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
BASE="https://127.0.0.1:$(cat "$T/port")"
INDEX="$BASE/simple"
ZIPURL="$BASE/files/osvdata-1.0.zip"
faults() { "$PY" - "$BASE" "$T/certs/ca.pem" "$1" <<'PY'
import ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
urllib.request.urlopen(urllib.request.Request(sys.argv[1] + "/_faults", data=sys.argv[3].encode(), method="POST"), context=ctx)
PY
}

"$PY" -m venv "$T/venv" || exit 1
DB="$T/data/advisories.sqlite"
CLEAN=(env -i "PATH=/usr/bin:/bin" "HOME=$T/home" "TMPDIR=$T/tmp" "SAFEPIP_CACHE_DIR=$T/cache"
       "XDG_STATE_HOME=$T/state" "SAFEPIP_ADVISORY_DB=$DB")
pol() { # name json-members: a policy file that also allows root (the tests may run as root)
    echo "{\"install\": {\"allow_root\": true}${2:+, $2}}" >"$T/$1.json"
}
pol base ""
SPX() { "${CLEAN[@]}" "$SP" "$@" >"$T/out" 2>&1; }
gate() { # policy-name args...
    local p=$1; shift
    SPX install --python "$T/venv/bin/python" --cert "$T/certs/ca.pem" -i "$INDEX" \
        --policy "$T/$p.json" "$@"
}
installed() { "$T/venv/bin/python" -m pip freeze 2>/dev/null >"$T/freeze"; grep -qx "$1" "$T/freeze"; }

# 1. no data yet: one warning for the run, however many packages; the install goes on.
gate base cleanpkg; rc=$?
[ $rc -eq 0 ] && [ "$(grep -c 'no advisory data' "$T/out")" -eq 1 ] && grep -q "advisories sync" "$T/out"
expect $? "without data: one warning for two packages, installed (exit $rc)"
"$T/venv/bin/python" -m pip uninstall -y -q cleanpkg vulnpkg >/dev/null 2>&1

# 2. sync over https; info shows source, age and counts.
SPX advisories sync --from "$ZIPURL" --cert "$T/certs/ca.pem"; rc=$?
[ $rc -eq 0 ] && grep -q "imported 10 advisories (2 about malicious packages)" "$T/out" &&
    grep -q "skipped PYSEC-2024-9999.json" "$T/out"
expect $? "sync over https imports the records and names the invalid one (exit $rc)"
SPX advisories info; rc=$?
[ $rc -eq 0 ] && grep -q "source: *$ZIPURL" "$T/out" && grep -q "(0 minutes ago)" "$T/out" &&
    grep -q "advisories: 10, 2 of them" "$T/out"
expect $? "info gives the source, the age and the counts (exit $rc)"
SPX advisories show vulnpkg==1.0 vulnpkg==1.1 malpkg==0.1; rc=$?
[ $rc -eq 0 ] && grep -q "PYSEC-2099-1  high (CVSS 7.5)  fixed in 1.1" "$T/out" &&
    grep -q "aliases: CVE-2099-0001, GHSA-vuln-vuln-vuln" "$T/out" &&
    grep -q "vulnpkg 1.1: no known advisory" "$T/out" && grep -q "MAL-2099-1  malicious package" "$T/out"
expect $? "show: ids, aliases, severity, fixed version (exit $rc)"

# 3. failed syncs keep the old data: a damaged download, a 404, a missing file, http.
cp "$DB" "$T/db.before"
faults "{\"/files/osvdata-1.0.zip\": {\"kind\": \"corrupt\"}}"
SPX advisories sync --from "$ZIPURL" --cert "$T/certs/ca.pem"; rc1=$?
faults '{}'
SPX advisories sync --from "$BASE/files/osvdata-9.9.zip" --cert "$T/certs/ca.pem"; rc2=$?
SPX advisories sync --from "$T/nothing.zip"; rc3=$?
grep -q "no such file" "$T/out"; nf=$?
SPX advisories sync --from "http://127.0.0.1:1/all.zip"; rc4=$?
cmp -s "$DB" "$T/db.before" && [ $rc1 -eq 3 ] && [ $rc2 -eq 3 ] && [ $rc3 -eq 3 ] && [ $nf -eq 0 ] &&
    [ $rc4 -eq 3 ] && [ -z "$(ls "$T/data" | grep -v '^advisories.sqlite$')" ]
expect $? "failed syncs (corrupt $rc1, 404 $rc2, missing $rc3, http $rc4) leave the data untouched"
SPX advisories show vulnpkg==1.0
grep -q "PYSEC-2099-1" "$T/out"
expect $? "the old data still answers after the failed syncs"

# 4. an affected version, blocked by a policy: named with its aliases and fix; not installed.
pol block-high '"advisories": {"severity": {"high": "block"}}'
gate block-high vulnpkg==1.0; rc=$?
[ $rc -eq 10 ] && grep -q "block  PYSEC-2099-1: a known vulnerability: PYSEC-2099-1 (CVE-2099-0001, GHSA-vuln-vuln-vuln), high severity (CVSS 7.5)" "$T/out" &&
    grep -q "fixed in 1.1" "$T/out" && ! installed "vulnpkg==1.0"
expect $? "a policy blocking high vulnerabilities blocks vulnpkg 1.0 (exit $rc)"

# 5. the default policy warns and installs.
gate base -y vulnpkg==1.0; rc=$?
[ $rc -eq 0 ] && grep -q "warn   PYSEC-2099-1" "$T/out" && grep -q "fixed in 1.1" "$T/out" &&
    installed "vulnpkg==1.0" && ! grep -q "no advisory data" "$T/out"
expect $? "the default policy warns about vulnpkg 1.0 and installs it (exit $rc)"
gate base vulnpkg==1.1; rc=$?
[ $rc -eq 0 ] && ! grep -q "PYSEC-2099-1" "$T/out" && installed "vulnpkg==1.1"
expect $? "the fixed version installs without a word about it (exit $rc)"

# 6. malware blocks; an exception naming it lets it through until it expires.
gate base malpkg; rc=$?
[ $rc -eq 10 ] && grep -q "block  MAL-2099-1: a known malicious package" "$T/out" && ! installed "malpkg==0.1"
expect $? "a malicious release is blocked by the default policy (exit $rc)"
exc() { echo "\"exceptions\": [{\"package\": \"malpkg\", \"rules\": [\"$1\"], \"reason\": \"false report, SEC-9\", \"owner\": \"sec@example.com\", \"expires\": \"$2\"}]"; }
pol wildcard "$(exc '*' 2099-12-31)"
gate wildcard malpkg; rc=$?
[ $rc -eq 10 ]
expect $? "an exception for \"*\" does not waive an advisory (exit $rc)"
pol expired "$(exc MAL-2099-1 2020-01-01)"
gate expired malpkg; rc=$?
[ $rc -eq 10 ] && grep -q "expired on 2020-01-01" "$T/out" && ! installed "malpkg==0.1"
expect $? "an expired exception no longer applies, and says so (exit $rc)"
pol waived "$(exc MAL-2099-1 2099-12-31)"
gate waived malpkg; rc=$?
[ $rc -eq 0 ] && grep -q "waived by the exception" "$T/out" && installed "malpkg==0.1"
expect $? "an exception by advisory id lets it through until it expires (exit $rc)"

# 7. scan and lock see the same advisories.
SPX scan --policy "$T/base.json" "$T/idx/vulnpkg-1.0-py3-none-any.whl"; rc=$?
grep -q "PYSEC-2099-1" "$T/out" && grep -q "verdict: warn" "$T/out"
expect $? "scan of the wheel gives the advisory in its verdict (exit $rc)"
SPX lock --python "$T/venv/bin/python" --cert "$T/certs/ca.pem" -i "$INDEX" --policy "$T/base.json" malpkg; rc=$?
[ $rc -eq 10 ] && grep -q "malpkg 0.1: block: a known malicious package: MAL-2099-1" "$T/out" &&
    grep -q "no lock was written" "$T/out"
expect $? "lock refuses a malicious pin (exit $rc)"
SPX lock --python "$T/venv/bin/python" --cert "$T/certs/ca.pem" -i "$INDEX" --policy "$T/base.json" cleanpkg 'vulnpkg==1.0'; rc=$?
[ $rc -eq 0 ] && grep -q "vulnpkg 1.0: warn: a known vulnerability: PYSEC-2099-1" "$T/out" &&
    grep -q "^vulnpkg==1.0" "$T/out"
expect $? "lock warns about a vulnerable pin and writes the lock (exit $rc)"

# 8. the data's age and absence, per policy.
"$PY" - "$DB" <<'PY'
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE meta SET value = ? WHERE key = 'synced_at'", (str(int(time.time()) - 9 * 86400),))
c.commit()
PY
SPX advisories info
grep -q "(9 days ago)" "$T/out"
expect $? "info shows the data's age"
gate base --dry-run cleanpkg; rc=$?
[ $rc -eq 0 ] && [ "$(grep -c 'the advisory data is 9 days old' "$T/out")" -eq 1 ]
expect $? "data older than max_age: one warning (exit $rc)"
pol stale '"advisories": {"max_age": "2 days", "stale": "block"}'
gate stale --dry-run cleanpkg; rc=$?
[ $rc -eq 10 ] && grep -q "blocked: the advisory data is 9 days old; the policy allows 2 days" "$T/out"
expect $? "a policy can block on stale data (exit $rc)"
pol missing '"advisories": {"missing": "block"}'
SAFEPIP_ADVISORY_DB=$T/none.sqlite
CLEAN=(env -i "PATH=/usr/bin:/bin" "HOME=$T/home" "TMPDIR=$T/tmp" "SAFEPIP_CACHE_DIR=$T/cache"
       "XDG_STATE_HOME=$T/state" "SAFEPIP_ADVISORY_DB=$T/none.sqlite")
gate missing --dry-run cleanpkg; rc=$?
[ $rc -eq 10 ] && grep -q "blocked: no advisory data" "$T/out"
expect $? "a policy can block when there is no data (exit $rc)"

echo "advisories e2e: $passes passed, $fails failed"
[ $fails -eq 0 ]
