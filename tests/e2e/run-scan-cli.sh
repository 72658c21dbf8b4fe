#!/usr/bin/env bash
# The scan command as a user meets it: help, version, usage errors, exit
# codes, JSON validity, the real wheels bundled with Python's ensurepip, and
# a built wheel whose RECORD was tampered with.
# Args: SAFEPIP SOURCE_DIR SCRATCH_DIR
set -uo pipefail
SP=$1 SRC=$2 T=$3
rm -rf "$T" && mkdir -p "$T"
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
expect_rc() { # want_rc description cmd...
    local want=$1 what=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"; local rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$what (exit $rc)"; else
        bad "$what: exit $rc, want $want"; sed 's/^/  | /' "$T/err" | head -5; fi
}
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

expect_rc 0 "--version" "$SP" --version
grep -q '^safepip [0-9]' "$T/out" && ok "version text" || bad "version text: $(cat "$T/out")"
expect_rc 0 "--help" "$SP" --help
grep -q 'scan' "$T/out" && ok "help lists scan" || bad "help lists scan"
expect_rc 0 "scan --help" "$SP" scan --help
grep -q -- '--fail-on' "$T/out" && ok "scan help documents --fail-on" || bad "scan help"
expect_rc 2 "no command" "$SP"
expect_rc 2 "unknown command" "$SP" frobnicate
expect_rc 2 "scan without targets" "$SP" scan
expect_rc 2 "unknown option" "$SP" scan --bogus x.py
expect_rc 2 "bad --fail-on" "$SP" scan --fail-on severe x.py
expect_rc 2 "bad --format" "$SP" scan --format yaml x.py
expect_rc 3 "missing target" "$SP" scan "$T/does-not-exist.whl"
grep -q "cannot scan '.*does-not-exist.whl'" "$T/err" && ok "missing target is named" || bad "missing target message: $(cat "$T/err")"

# A clean file passes; a dangerous one fails at the default --fail-on high.
printf 'import json\nprint(json.dumps({"a": 1}))\n' > "$T/clean.py"
expect_rc 0 "clean .py" "$SP" scan "$T/clean.py"
printf 'import base64\nexec(base64.b64decode(blob))\n' > "$T/evil.py"
expect_rc 1 "exec of decoded data fails the scan" "$SP" scan "$T/evil.py"
expect_rc 0 "--fail-on never" "$SP" scan --fail-on never "$T/evil.py"
expect_rc 1 "json output" "$SP" scan --format json -o "$T/r.json" "$T/evil.py"
[ "$(json_get "$T/r.json" "d['summary']['failed']")" = "True" ] && ok "json summary.failed" || bad "json summary"
expect_rc 0 "no colors when not a terminal" "$SP" scan --fail-on never "$T/evil.py"
grep -q $'\033\[' "$T/out" && bad "escape codes in piped output" || ok "no escape codes in piped output"
expect_rc 1 "--color always" "$SP" scan --color always "$T/evil.py"
grep -q $'\033\[' "$T/out" && ok "--color always colors" || bad "--color always gave no colors"

# The wheels Python itself bundles are real, popular packages: they must
# scan to the end, with metadata read and RECORD verified.
bundled=$(python3 -c 'import ensurepip, os; print(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled"))')
for whl in "$bundled"/*.whl; do
    "$SP" scan -q --format json -o "$T/e.json" "$whl" 2>"$T/err"; rc=$?
    name=$(json_get "$T/e.json" "d['artifacts'][0]['name']")
    srcs=$(json_get "$T/e.json" "d['artifacts'][0]['sources']")
    rec=$(json_get "$T/e.json" "[f['rule'] for f in d['artifacts'][0]['findings'] if f['rule'].startswith('record-')]")
    if [ "$rc" -le 1 ] && [ "$name" != "None" ] && [ "$srcs" -gt 50 ] && [ "$rec" = "[]" ]; then
        ok "$(basename "$whl"): $name, $srcs sources, RECORD intact (exit $rc)"
    else
        bad "$(basename "$whl"): rc=$rc name=$name sources=$srcs record=$rec"; cat "$T/err"
    fi
done

# A real wheel whose file changed after RECORD was written.
mkdir -p "$T/pkg/demo"
printf 'def hello():\n    return "hi"\n' > "$T/pkg/demo/__init__.py"
good=$(python3 "$SRC/tests/support/mkpkg.py" wheel "$T/pkg" "$T/dist" --name demo --version 1.0)
expect_rc 0 "built wheel is clean" "$SP" scan "$good"
tampered=$(python3 "$SRC/tests/support/mkpkg.py" wheel "$T/pkg" "$T/dist2" --name demo --version 1.0 --tamper demo/__init__.py)
expect_rc 1 "tampered wheel fails" "$SP" scan --format json -o "$T/t.json" "$tampered"
[ "$(json_get "$T/t.json" "[f['path'] for f in d['artifacts'][0]['findings'] if f['rule']=='record-mismatch']")" = "['demo/__init__.py']" ] \
    && ok "record-mismatch names the file" || bad "record-mismatch: $(cat "$T/t.json" | head -40)"

# Several targets: each is reported, the worst decides.
expect_rc 1 "several targets" "$SP" scan --format json -o "$T/m.json" "$good" "$T/evil.py" "$T/clean.py"
[ "$(json_get "$T/m.json" "d['summary']['artifacts']")" = "3" ] && ok "three artifacts reported" || bad "artifact count"

# docs/rules.md is generated from the catalog and must not be stale.
"$SP" rules --format markdown > "$T/rules.md"
if diff -q "$T/rules.md" "$SRC/docs/rules.md" >/dev/null; then ok "docs/rules.md is current"; else
    bad "docs/rules.md is stale: run 'build/safepip rules --format markdown > docs/rules.md'"; fi

# safepip explain RULE-ID: one entry, in each format; no id or an unknown one is a usage error.
"$SP" explain eval-dynamic >"$T/ex.txt"; rc=$?
[ $rc -eq 0 ] && grep -q '^eval-dynamic ' "$T/ex.txt" && grep -q 'CWE-95' "$T/ex.txt" &&
    grep -q 'covers: bandit B307' "$T/ex.txt" && [ "$(grep -c '^[a-z]' "$T/ex.txt")" -eq 1 ] \
    && ok "explain prints the one entry" || bad "explain eval-dynamic: rc=$rc $(head -5 "$T/ex.txt")"
expect_rc 2 "explain without a rule id" "$SP" explain
expect_rc 2 "explain of an unknown rule" "$SP" explain no-such-rule
"$SP" explain --format json eval-dynamic pth-exec >"$T/ex.json" &&
    [ "$(json_get "$T/ex.json" "sorted(r['id'] for r in d['rules'])")" = "['eval-dynamic', 'pth-exec']" ] &&
    [ "$(json_get "$T/ex.json" "[r['equivalents']['bandit'] for r in d['rules'] if r['id'] == 'eval-dynamic']")" = "['B307, B102']" ] \
    && ok "explain --format json: the rules named, with peers' ids" || bad "explain json: $(head -c 400 "$T/ex.json")"
"$SP" rules --format json >"$T/all.json" &&
    [ "$(json_get "$T/all.json" "all(r['examples']['flagged'] and r['examples']['aliased'] for r in d['rules'] if not r['builtin'])")" = "True" ] \
    && ok "rules --format json carries every query rule's examples" || bad "rules json examples"
"$SP" explain --format markdown eval-dynamic >"$T/ex.md" && head -1 "$T/ex.md" | grep -qx '## eval-dynamic' &&
    grep -q '^Flagged through an alias:' "$T/ex.md" && ! grep -q '^# Rules' "$T/ex.md" \
    && ok "explain --format markdown: the rule's section of docs/rules.md" || bad "explain markdown: $(head -3 "$T/ex.md")"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
