#!/usr/bin/env bash
# The policy as a user meets it: `policy show` and `policy check`, the
# layers found on disk (user config, .safepip.json upward from the working
# directory, --policy), an enforced layer that a project tries to loosen,
# verdicts in `scan` output and --fail-on block, and the shipped policies
# against policy/schema.json (when python3 has jsonschema).
# Args: SAFEPIP SOURCE_DIR SCRATCH_DIR
set -uo pipefail
SP=$1 SRC=$(cd "$2" && pwd) T=$3
case "$SP" in /*) ;; *) SP=$(cd "$(dirname "$SP")" && pwd)/$(basename "$SP") ;; esac
rm -rf "$T" && mkdir -p "$T" && T=$(cd "$T" && pwd)
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
# No user or project policy from the machine running the tests.
export HOME=$T/home XDG_CONFIG_HOME=$T/xdg
mkdir -p "$HOME" "$XDG_CONFIG_HOME/safepip" "$T/work/sub/dir"
cd "$T/work/sub/dir" || exit 1

expect_rc 0 "policy --help" "$SP" policy --help
expect_rc 2 "policy without a subcommand" "$SP" policy
expect_rc 2 "unknown subcommand" "$SP" policy frob
expect_rc 3 "policy explain resolves (nothing to find with --no-index)" "$SP" policy explain --no-index requests
grep -q "no version satisfies requests" "$T/err" && ok "explain names what it could not find" || bad "explain message: $(cat "$T/err")"
expect_rc 0 "policy show" "$SP" policy show
grep -q '^  \$.sdists.action .*"warn"  \[built-in\]' "$T/out" && ok "show names the built-in layer" \
    || bad "show text: $(head -20 "$T/out")"
expect_rc 0 "policy show --format json" "$SP" policy show --format json
cp "$T/out" "$T/show.json"
[ "$(json_get "$T/show.json" "[s['layer'] for s in d['settings'] if s['path']=='\$.yanked']")" = "['built-in']" ] \
    && ok "json show: value and layer" || bad "json show: $(head -c 400 "$T/show.json")"
expect_rc 2 "show: bad format" "$SP" policy show --format yaml

# check: shipped files pass; malformed ones name file, line and JSON path
expect_rc 0 "check shipped policies" "$SP" policy check "$SRC/policy/default.json" \
    "$SRC/policy/strict.json" "$SRC/policy/permissive.json" builtin:strict
printf '{\n  // a typo two lines down\n  "sdists": {\n    "acton": "block"\n  }\n}\n' > "$T/typo.json"
expect_rc 2 "check a malformed file" "$SP" policy check "$T/typo.json"
grep -q "typo.json' line 4 at \$.sdists.acton: unknown key" "$T/err" && ok "error has file, line, path" \
    || bad "check message: $(cat "$T/err")"
printf '{"findings": {"rules": {"no-such-rule": "block"}}}' > "$T/unknown-rule.json"
expect_rc 0 "check: unknown rule id is a warning" "$SP" policy check "$T/unknown-rule.json"
grep -q "unknown rule id 'no-such-rule'" "$T/err" && ok "unknown rule id reported" || bad "lint: $(cat "$T/err")"
expect_rc 3 "check: missing file" "$SP" policy check "$T/nope.json"
expect_rc 2 "check: one bad among good" "$SP" policy check "$SRC/policy/default.json" "$T/typo.json"

# layers on disk: an enforced user policy, a project file two levels up
printf '{"enforced": true, "sdists": {"action": "block"}}\n' > "$XDG_CONFIG_HOME/safepip/policy.json"
printf '{\n  "yanked": "block",\n  "sdists": {"action": "allow"}\n}\n' > "$T/work/.safepip.json"
expect_rc 0 "show with user and project layers" "$SP" policy show
grep -q 'user .*(enforced)' "$T/out" && grep -q '^  project .*work/.safepip.json' "$T/out" \
    && ok "layers listed" || bad "layers: $(head -6 "$T/out")"
grep -q '\$.yanked .*\[project\]' "$T/out" && grep -q '\$.sdists.action .*"block"  \[user, enforced\]' "$T/out" \
    && ok "project value and enforced value" || bad "values: $(cat "$T/out")"
grep -q "work/.safepip.json' line 3 at \$.sdists.action cannot loosen the enforced user layer" "$T/err" \
    && ok "loosening attempt reported" || bad "no loosening warning: $(cat "$T/err")"
expect_rc 0 "check the layers that load" "$SP" policy check
grep -q "ok: .*work/.safepip.json (project)" "$T/out" && ok "check lists layers" || bad "check: $(cat "$T/out")"
printf '{"yanked": 3}\n' > "$T/work/.safepip.json"
expect_rc 2 "a malformed project file stops show" "$SP" policy show
expect_rc 2 "a malformed project file stops scan" "$SP" scan "$SRC/tests/golden/cases/clean_util.py"
rm -f "$T/work/.safepip.json" "$XDG_CONFIG_HOME/safepip/policy.json"

# scan: verdicts and reasons
printf 'import os\nos.system("ls")\n' > "$T/weak.py"
printf 'import base64\nexec(base64.b64decode(blob))\n' > "$T/evil.py"
expect_rc 0 "scan: medium finding passes --fail-on high" "$SP" scan "$T/weak.py"
grep -q "verdict: warn" "$T/out" && grep -q "warn   os-system: 1 finding" "$T/out" \
    && ok "text verdict and reason" || bad "text verdict: $(cat "$T/out")"
expect_rc 1 "scan --fail-on warn" "$SP" scan --fail-on warn "$T/weak.py"
expect_rc 0 "scan --fail-on block, verdict warn" "$SP" scan --fail-on block "$T/weak.py"
expect_rc 1 "scan --policy builtin:strict --fail-on block" "$SP" scan --policy builtin:strict \
    --fail-on block "$T/weak.py"
expect_rc 1 "scan json" "$SP" scan --format json -o "$T/r.json" "$T/evil.py" "$T/weak.py"
[ "$(json_get "$T/r.json" "[a['verdict']['action'] for a in d['artifacts']]")" = "['block', 'warn']" ] \
    && ok "json verdict per artifact" || bad "json verdicts: $(head -c 600 "$T/r.json")"
[ "$(json_get "$T/r.json" "d['summary']['verdict']")" = "block" ] && ok "json overall verdict" || bad "overall verdict"
[ "$(json_get "$T/r.json" "[f['policy'] for f in d['artifacts'][0]['findings'] if f['rule']=='exec-decoded']")" = "['block']" ] \
    && ok "json finding policy action" || bad "finding policy"
[ "$(json_get "$T/r.json" "d['artifacts'][0]['verdict']['reasons'][0]['setting']")" = '$.findings.categories.malicious' ] \
    && ok "json reason names the setting" || bad "reason setting: $(json_get "$T/r.json" "d['artifacts'][0]['verdict']")"
printf '{"findings": {"rules": {"os-system": "block"}}, "exceptions": [{"package": "x", "rules": ["*"], "reason": "r", "owner": "o", "expires": "2001-01-01"}]}' > "$T/p.json"
expect_rc 1 "scan --policy FILE blocks" "$SP" scan --policy "$T/p.json" --fail-on block "$T/weak.py"
expect_rc 2 "scan --policy malformed" "$SP" scan --policy "$T/typo.json" "$T/weak.py"
expect_rc 3 "scan --policy missing" "$SP" scan --policy "$T/nope.json" "$T/weak.py"
expect_rc 3 "unreadable target blocks" "$SP" scan --format json -o "$T/m.json" "$T/missing.whl"
[ "$(json_get "$T/m.json" "d['artifacts'][0]['verdict']['reasons'][0]['id']")" = "policy-scan-error" ] \
    && ok "scan error is a block reason" || bad "scan error verdict"

# a wheel whose name imitates a popular one
mkdir -p "$T/pkg/reqeusts"
printf 'def get(url):\n    return url\n' > "$T/pkg/reqeusts/__init__.py"
squat=$(python3 "$SRC/tests/support/mkpkg.py" wheel "$T/pkg" "$T/dist" --name reqeusts --version 1.0)
expect_rc 0 "typosquat wheel scans" "$SP" scan --format json -o "$T/s.json" "$squat"
[ "$(json_get "$T/s.json" "[(r['id'], r['action']) for r in d['artifacts'][0]['verdict']['reasons']]")" \
    = "[('policy-typosquat', 'warn')]" ] && ok "typosquat warns by default" \
    || bad "typosquat verdict: $(json_get "$T/s.json" "d['artifacts'][0]['verdict']")"
expect_rc 1 "typosquat blocks under strict" "$SP" scan --policy builtin:strict --fail-on block "$squat"
grep -q "looks like the popular 'requests'" "$T/out" && ok "typosquat reason names requests" \
    || bad "typosquat text: $(cat "$T/out")"

# policy/schema.json accepts the shipped policies and rejects a typo
if python3 -c 'import jsonschema' 2>/dev/null; then
    if python3 - "$SRC" <<'PY'
import json, sys, jsonschema
src = sys.argv[1]
def strip(t):
    out, i, s = [], 0, False
    while i < len(t):
        c = t[i]
        if s:
            out.append(c)
            if c == '\\':
                out.append(t[i + 1]); i += 2; continue
            s = c != '"'; i += 1; continue
        if c == '"':
            s = True
        elif t.startswith('//', i):
            i = t.find('\n', i) if '\n' in t[i:] else len(t); continue
        elif t.startswith('/*', i):
            j = t.index('*/', i) + 2; out.append('\n' * t[i:j].count('\n')); i = j; continue
        out.append(c); i += 1
    return ''.join(out)
schema = json.load(open(src + '/policy/schema.json'))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
for name in ('default', 'strict', 'permissive'):
    doc = json.loads(strip(open('%s/policy/%s.json' % (src, name)).read()))
    errs = [e.message for e in v.iter_errors(doc)]
    assert not errs, (name, errs)
assert list(v.iter_errors({"sdists": {"acton": "block"}}))
PY
    then ok "schema accepts the shipped policies"; else bad "schema check"; fi
else
    ok "schema check skipped (no python3 jsonschema)"
fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
