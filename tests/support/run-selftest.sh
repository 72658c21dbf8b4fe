#!/usr/bin/env bash
# Proves tests/support against the real pip and curl: the index server (PEP 503
# and PEP 691 pages, PEP 658 metadata, ranges, conditional requests, basic
# auth, TLS with client certificates, every fault kind, concurrency), the
# fixtures (wheels and sdists that pip installs offline; canaries that fire
# only when code runs) and indexgen (deterministic; pip agrees on which
# requests have a solution).
# Args: SAFEPIP SOURCE_DIR SCRATCH_DIR (the binary is not used here).
set -uo pipefail
SRC=$(realpath "$2") T=$3
rm -rf "$T" && mkdir -p "$T/home" "$T/idx" && T=$(realpath "$T")
S=$SRC/tests/support
for tool in curl openssl python3 sha256sum unzip; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing"; exit 1; }
done
# The interpreter itself, not a pyenv shim: the shims need variables env -i drops.
PY=$(python3 -c 'import sys; print(sys.executable)')
# This machine sets PIP_* variables (find-links, cert): pip and the servers run
# with none of them.
E=(env -i PATH=/usr/bin:/bin HOME="$T/home" PIP_CONFIG_FILE=/dev/null
   PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1)
fails=0 passes=0 pids=()
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
# checkx WHAT 'CONDITION': a condition with && or ||, evaluated as a whole (in a subshell).
checkx() { if (eval "$2"); then ok "$1"; else bad "$1"; fi; }
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT
jq_py() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# start NAME ARGS...: an index server; sets URL_NAME and PID_NAME.
start() {
    local name=$1; shift
    "${E[@]}" "$PY" "$S/indexserver.py" --port-file "$T/$name.port" "$@" \
        > "$T/$name.out" 2> "$T/$name.err" &
    local pid=$!
    pids+=("$pid")
    for _ in $(seq 100); do
        grep -q '^READY ' "$T/$name.out" 2>/dev/null && break
        sleep 0.1
    done
    local url
    url=$(sed -n 's/^READY //p' "$T/$name.out")
    if [ -z "$url" ]; then
        bad "server $name did not start"; cat "$T/$name.err"; exit 1
    fi
    [ "$(wc -l < "$T/$name.out")" -eq 1 ] && [ "${url##*:}" = "$(cat "$T/$name.port")" ] \
        && ok "server $name: one READY line, port file agrees ($url)" \
        || bad "server $name: READY line or port file wrong"
    printf -v "URL_$name" '%s' "$url"
    printf -v "PID_$name" '%s' "$pid"
}

# --- fixtures ----------------------------------------------------------------
cat > "$T/spec.json" <<EOF
[
 {"name": "alpha", "version": "1.0",
  "requires": ["beta>=1.0", "gamma-missing ; sys_platform == 'win32'"],
  "extras": {"fast": ["delta"]},
  "entry_points": {"console_scripts": {"alpha-cli": "alpha:main"}},
  "files": {"alpha/__init__.py": "def main():\n    print('alpha says hi')\n"}},
 {"name": "beta", "version": "1.0"},
 {"name": "beta", "version": "2.0"},
 {"name": "beta", "version": "3.0", "requires_python": ">=4"},
 {"name": "delta", "version": "1.0", "canary": "$T/canary-delta"},
 {"name": "Weird.Name_Pkg", "version": "0.1"},
 {"name": "sdcanary", "version": "1.0", "kind": "sdist", "canary": "$T/canary-sd",
  "requires": ["beta"]},
 {"name": "sddynamic", "version": "1.0", "kind": "sdist", "metadata_version": "2.2",
  "dynamic": ["Requires-Dist"], "requires": ["beta"]},
 {"name": "legacy-setup", "version": "1.0", "kind": "sdist", "setup_py": true,
  "requires": ["beta"], "canary": "$T/canary-setup"}
]
EOF
"${E[@]}" "$PY" "$S/fixtures.py" --out "$T/idx" "$T/spec.json" > "$T/fixtures.out" 2>&1 \
    && ok "fixtures built $(wc -l < "$T/fixtures.out") artifacts" \
    || { bad "fixtures.py failed"; cat "$T/fixtures.out"; exit 1; }
echo '{"beta-2.0-py3-none-any.whl": {"yanked": "bad release",
       "upload-time": "2024-01-02T03:04:05Z"}}' > "$T/idx/index.json"
"${E[@]}" "$PY" "$S/fixtures.py" --out "$T/tools" --build-tools > "$T/tools.out" 2>&1 \
    && ok "build tools for setup.py sdists: $(cd "$T/tools" && echo *.whl)" \
    || { bad "fixtures.py --build-tools failed"; cat "$T/tools.out"; }
echo '[{"name": "x", "version": "1", "bogus": 1}]' > "$T/badspec.json"
"${E[@]}" "$PY" "$S/fixtures.py" --out "$T/bad" "$T/badspec.json" > "$T/bad.out" 2>&1
[ $? -eq 2 ] && grep -q "unknown keys" "$T/bad.out" && ok "fixtures rejects an unknown key" \
    || bad "fixtures accepted an unknown key: $(cat "$T/bad.out")"
ALPHA=alpha-1.0-py3-none-any.whl
ASIZE=$(stat -c %s "$T/idx/$ALPHA")
AHASH=$(sha256sum "$T/idx/$ALPHA" | cut -d' ' -f1)

# --- plain HTTP server: pages, negotiation, caching, ranges -------------------
start plain --root "$T/idx" --log "$T/plain.log"
U=$URL_plain
C=(curl -s --max-time 20)
JSON_V1=application/vnd.pypi.simple.v1+json
JSON_ACCEPT="Accept: $JSON_V1, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"

"${C[@]}" "$U/simple/" > "$T/root.html"
check "root page lists projects" grep -q '<a href="weird-name-pkg/">' "$T/root.html"
"${C[@]}" -H 'Accept: application/vnd.pypi.simple.v1+json' "$U/simple/" | \
    jq_py '",".join(p["name"] for p in d["projects"])' > "$T/root.txt"
check "root page as JSON" grep -q '^alpha,beta,delta,legacy-setup,' "$T/root.txt"

"${C[@]}" -D "$T/h" -H "$JSON_ACCEPT" "$U/simple/beta/" > "$T/beta.json"
check "pip's Accept gets JSON" grep -qi '^content-type: application/vnd.pypi.simple.v1+json' "$T/h"
check "pages say Vary: Accept" grep -qi '^vary: accept' "$T/h"
"$PY" - "$T/beta.json" "$T/idx" <<'PY' && ok "PEP 691/700 JSON fields" || bad "PEP 691/700 fields"
import hashlib, json, sys, zipfile
d = json.load(open(sys.argv[1]))
files = {f["filename"]: f for f in d["files"]}
assert d["meta"]["api-version"] == "1.1" and d["name"] == "beta", d
assert d["versions"] == ["1.0", "2.0", "3.0"], d["versions"]
for name, f in files.items():
    data = open(f"{sys.argv[2]}/{name}", "rb").read()
    assert f["hashes"]["sha256"] == hashlib.sha256(data).hexdigest(), name
    assert f["size"] == len(data) and f["url"] == "../../files/" + name, f
    dist = "-".join(name.split("-")[:2])
    meta = zipfile.ZipFile(f"{sys.argv[2]}/{name}").read(dist + ".dist-info/METADATA")
    assert f["core-metadata"] == {"sha256": hashlib.sha256(meta).hexdigest()}, f
    assert f["dist-info-metadata"] == f["core-metadata"], f
    assert f["upload-time"].endswith("Z"), f
assert files["beta-2.0-py3-none-any.whl"]["yanked"] == "bad release"
assert files["beta-2.0-py3-none-any.whl"]["upload-time"] == "2024-01-02T03:04:05Z"
assert files["beta-1.0-py3-none-any.whl"]["yanked"] is False
assert files["beta-3.0-py3-none-any.whl"]["requires-python"] == ">=4"
assert files["beta-1.0-py3-none-any.whl"]["requires-python"] is None
PY

"${C[@]}" -D "$T/h" "$U/simple/beta/" > "$T/beta.html"
check "no Accept gets HTML" grep -qi '^content-type: text/html' "$T/h"
check "HTML escapes data-requires-python" grep -q 'data-requires-python="&gt;=4"' "$T/beta.html"
check "HTML marks the yanked file" grep -q \
    'beta-2.0-py3-none-any.whl#sha256=[0-9a-f]\{64\}" data-yanked="bad release"' "$T/beta.html"
check "HTML announces PEP 658/714 metadata" grep -q \
    'data-core-metadata="sha256=[0-9a-f]\{64\}" data-dist-info-metadata="sha256=' "$T/beta.html"
"${C[@]}" -D "$T/h" -H 'Accept: application/vnd.pypi.simple.v1+html' "$U/simple/beta/" -o /dev/null
check "v1+html is answered as such" \
    grep -qi '^content-type: application/vnd.pypi.simple.v1+html' "$T/h"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -H 'Accept: application/xml' "$U/simple/beta/")
check "an unacceptable Accept gets 406" [ "$code" = 406 ]

"${C[@]}" -o /dev/null -D "$T/h" "$U/simple/Weird.Name_Pkg/"
check "non-normalised name redirects (301)" grep -q '^HTTP/1.1 301' "$T/h"
check "... to the normalised page" grep -qi '^location: /simple/weird-name-pkg/' "$T/h"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "$U/simple/no-such-project/")
check "unknown project is 404" [ "$code" = 404 ]

"${C[@]}" -D "$T/h" -o /dev/null -H "$JSON_ACCEPT" "$U/simple/alpha/"
etag=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p' "$T/h")
lastmod=$(sed -n 's/^[Ll]ast-[Mm]odified: *\(.*\)\r$/\1/p' "$T/h")
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -H "$JSON_ACCEPT" -H "If-None-Match: $etag" \
    "$U/simple/alpha/")
check "If-None-Match revalidates (304)" [ "$code" = 304 ]
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -H "If-None-Match: \"other\"" "$U/simple/alpha/")
check "a stale ETag gets the page (200)" [ "$code" = 200 ]
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -H "If-Modified-Since: $lastmod" "$U/simple/alpha/")
check "If-Modified-Since revalidates (304)" [ "$code" = 304 ]
code=$("${C[@]}" -o /dev/null -w '%{http_code}' \
    -H "If-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT" "$U/simple/alpha/")
check "an old If-Modified-Since gets the page (200)" [ "$code" = 200 ]

"${C[@]}" -D "$T/h" -H 'Range: bytes=0-9' "$U/files/$ALPHA" > "$T/part"
check "range: 206 with Content-Range" grep -q "^Content-Range: bytes 0-9/$ASIZE" "$T/h"
checkx "range: ten bytes" \
    '[ "$(stat -c %s "$T/part")" = 10 ] && cmp -s "$T/part" <(head -c 10 "$T/idx/$ALPHA")'
"${C[@]}" -D "$T/h" -H 'Range: bytes=-7' "$U/files/$ALPHA" > "$T/part"
check "suffix range: the last seven bytes" cmp -s "$T/part" <(tail -c 7 "$T/idx/$ALPHA")
check "suffix range: Content-Range" \
    grep -q "^Content-Range: bytes $((ASIZE - 7))-$((ASIZE - 1))/$ASIZE" "$T/h"
"${C[@]}" -D "$T/h" -o /dev/null -H "Range: bytes=$ASIZE-" "$U/files/$ALPHA"
check "unsatisfiable range: 416" grep -q '^HTTP/1.1 416' "$T/h"
check "unsatisfiable range: Content-Range bytes */size" \
    grep -q "^Content-Range: bytes \*/$ASIZE" "$T/h"
"${C[@]}" -v -o /dev/null -o /dev/null "$U/simple/alpha/" "$U/simple/beta/" 2> "$T/keepalive"
check "HTTP/1.1 keep-alive: the second request reuses the connection" \
    grep -qi 're-\?using existing connection' "$T/keepalive"
"${C[@]}" -I "$U/files/$ALPHA" > "$T/h"
check "files say Accept-Ranges: bytes" grep -q '^Accept-Ranges: bytes' "$T/h"
check "HEAD: full Content-Length, no body" grep -q "^Content-Length: $ASIZE" "$T/h"
"${C[@]}" "$U/files/$ALPHA" | cmp -s - "$T/idx/$ALPHA" && ok "GET /files/ serves the bytes" \
    || bad "GET /files/ serves other bytes"
"${C[@]}" "$U/files/$ALPHA.metadata" > "$T/alpha.metadata"
unzip -p "$T/idx/$ALPHA" alpha-1.0.dist-info/METADATA | cmp -s - "$T/alpha.metadata" \
    && ok "PEP 658: .metadata is the wheel's METADATA" || bad "PEP 658 metadata differs"
mhash=$(sha256sum "$T/alpha.metadata" | cut -d' ' -f1)
"${C[@]}" "$U/simple/alpha/" | grep -q "data-core-metadata=\"sha256=$mhash\"" \
    && ok "PEP 658: announced hash matches" || bad "PEP 658: announced hash differs"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "$U/files/sdcanary-1.0.tar.gz.metadata")
check "no .metadata for an sdist (404)" [ "$code" = 404 ]
"${C[@]}" -H 'Accept: application/vnd.pypi.simple.v1+json' "$U/simple/sddynamic/" | \
    jq_py 'd["files"][0]["core-metadata"]' > "$T/x"
check "sdists announce no metadata" grep -qx False "$T/x"

# --- faults --------------------------------------------------------------------
fault() {
    "${C[@]}" -X POST --data-binary "$1" "$U/_faults" > "$T/fault.out"
    grep -q faults "$T/fault.out" || bad "fault table refused: $(cat "$T/fault.out")"
}
BETA=beta-1.0-py3-none-any.whl
fault "{\"/files/$ALPHA\": {\"kind\": \"status\", \"code\": 503, \"times\": 2, \"retry_after\": 7},
        \"/files/$BETA\": {\"kind\": \"status\", \"code\": 429}}"
for i in 1 2 3; do
    "${C[@]}" -D "$T/h$i" -o /dev/null "$U/files/$ALPHA"
done
checkx "status fault: 503 twice" \
    'grep -q "^HTTP/1.1 503" "$T/h1" && grep -q "^HTTP/1.1 503" "$T/h2"'
check "status fault: Retry-After" grep -q '^Retry-After: 7' "$T/h1"
check "status fault: normal after 'times'" grep -q '^HTTP/1.1 200' "$T/h3"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "$U/files/$BETA")
code2=$("${C[@]}" -o /dev/null -w '%{http_code}' "$U/files/$BETA")
checkx "status fault: 429 forever" '[ "$code" = 429 ] && [ "$code2" = 429 ]'

fault "{\"/files/$ALPHA\": {\"kind\": \"truncate\"}}"
"${C[@]}" -D "$T/h" "$U/files/$ALPHA" > "$T/trunc"; rc=$?
check "truncate: curl sees a short body (exit 18)" [ "$rc" = 18 ]
check "truncate: full Content-Length announced" grep -q "^Content-Length: $ASIZE" "$T/h"
check "truncate: half the body arrived" [ "$(stat -c %s "$T/trunc")" = $((ASIZE / 2)) ]

fault "{\"/files/$ALPHA\": {\"kind\": \"corrupt\"}}"
"${C[@]}" "$U/files/$ALPHA" > "$T/corrupt"
check "corrupt: same size" [ "$(stat -c %s "$T/corrupt")" = "$ASIZE" ]
chash=$(sha256sum < "$T/corrupt" | cut -d' ' -f1)
check "corrupt: hash no longer matches" [ "$chash" != "$AHASH" ]
check "corrupt: exactly one byte differs" [ "$(cmp -l "$T/corrupt" "$T/idx/$ALPHA" | wc -l)" = 1 ]

fault "{\"/files/$ALPHA\": {\"kind\": \"slow\", \"seconds\": 1}}"
t=$("${C[@]}" -o "$T/slow" -w '%{time_total}' "$U/files/$ALPHA")
check "slow: took at least 0.9 s ($t s)" "$PY" -c "import sys; sys.exit(float('$t') < 0.9)"
check "slow: body intact" cmp -s "$T/slow" "$T/idx/$ALPHA"

fault "{\"/files/$ALPHA\": {\"kind\": \"redirect\", \"location\": \"$U/files/$BETA\"}}"
"${C[@]}" -D "$T/h" -o /dev/null "$U/files/$ALPHA"
check "redirect: 302" grep -q '^HTTP/1.1 302' "$T/h"
check "redirect: Location" grep -q "^Location: $U/files/$BETA" "$T/h"
fault '{"/simple/alpha/": {"kind": "redirect", "location": "/simple/beta/", "code": 307}}'
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "$U/simple/alpha/")
check "redirect: given code" [ "$code" = 307 ]

fault "{\"/files/$ALPHA\": {\"kind\": \"oversize\", \"bytes\": 100}}"
"${C[@]}" -D "$T/h" "$U/files/$ALPHA" > "$T/over"
check "oversize: Content-Length says size + N" grep -q "^Content-Length: $((ASIZE + 100))" "$T/h"
checkx "oversize: size + N bytes, the real ones first" \
    '[ "$(stat -c %s "$T/over")" = $((ASIZE + 100)) ] &&
     cmp -s <(head -c "$ASIZE" "$T/over") "$T/idx/$ALPHA"'

fault '{"/simple/alpha/": {"kind": "bad-json"}, "/simple/beta/": {"kind": "bad-html"}}'
"${C[@]}" -D "$T/h" -H "$JSON_ACCEPT" "$U/simple/alpha/" > "$T/badjson"
check "bad-json: JSON content type" grep -qi "^content-type: $JSON_V1" "$T/h"
checkx "bad-json: does not parse" \
    '! "$PY" -c "import json, sys; json.load(sys.stdin)" < "$T/badjson" 2>/dev/null'
"${C[@]}" -D "$T/h" "$U/simple/beta/" > "$T/badhtml"
checkx "bad-html: HTML content type, unclosed" \
    'grep -qi "^content-type: text/html" "$T/h" && ! grep -q "</html>" "$T/badhtml"'

fault "{\"/files/$ALPHA\": {\"kind\": \"swap\", \"file\": \"$BETA\"}}"
"${C[@]}" "$U/files/$ALPHA" | cmp -s - "$T/idx/$BETA" && ok "swap: another file's bytes" \
    || bad "swap: served bytes are not the other file's"
"${C[@]}" -X POST --data-binary '{"/x": {"kind": "nonsense"}}' -o /dev/null -w '%{http_code}' \
    "$U/_faults" > "$T/code"
check "an unknown fault kind is refused (400)" grep -qx 400 "$T/code"

# Concurrency: ten parallel requests held for a second each.
fault "{\"/files/$ALPHA\": {\"kind\": \"hold\", \"seconds\": 1.5}}"
"${C[@]}" -X POST "$U/_reset" -o /dev/null
cpids=()
for i in $(seq 10); do "${C[@]}" -o "$T/held$i" "$U/files/$ALPHA" & cpids+=($!); done
for p in "${cpids[@]}"; do wait "$p"; done
"${C[@]}" "$U/_stats" > "$T/stats.json"
mc=$(jq_py 'd["max_concurrent"]' < "$T/stats.json")
check "hold: max_concurrent >= 10 (got $mc)" [ "$mc" -ge 10 ]
check "hold: every held request answered" cmp -s "$T/held10" "$T/idx/$ALPHA"
fault '{}'

# Statistics.
"${C[@]}" -X POST "$U/_reset" -o /dev/null
"${C[@]}" -o /dev/null -H 'Range: bytes=5-' "$U/files/$ALPHA"
"${C[@]}" -o /dev/null "$U/simple/beta/"
"${C[@]}" "$U/_stats" > "$T/stats.json"
"$PY" - "$T/stats.json" "$ALPHA" <<'PY' && ok "/_stats counts and logs requests" \
    || bad "/_stats wrong: $(cat "$T/stats.json")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["requests"] == 2 and len(d["log"]) == 2, d
a, b = d["log"]
assert (a["method"], a["path"], a["status"], a["range"], a["auth"]) == \
    ("GET", "/files/" + sys.argv[2], 206, "bytes=5-", False), a
assert (b["path"], b["status"], b["format"], b["range"]) == ("/simple/beta/", 200, "html", None), b
PY
check "--log writes one line per request" grep -q "^GET /simple/beta/ 200$" "$T/plain.log"

# --- TLS and basic auth, with the real pip -----------------------------------
start secure --root "$T/idx" --tls "$T/certs" --auth user:s3cret
SU=${URL_secure/https:\/\//https://user:s3cret@}
checkx "TLS: CA, server and client certificates made" \
    'for f in ca.pem ca.key server.pem server.key client.pem client.key; do
         test -s "$T/certs/$f" || exit 1; done'
openssl x509 -in "$T/certs/server.pem" -noout -ext subjectAltName > "$T/san" 2>&1
checkx "TLS: SAN has IP:127.0.0.1 and DNS:localhost" \
    'grep -q "IP Address:127.0.0.1" "$T/san" && grep -q "DNS:localhost" "$T/san"'
CS=(curl -s --max-time 20 --cacert "$T/certs/ca.pem")
"${CS[@]}" -D "$T/h" -o /dev/null "$URL_secure/simple/"
check "auth: 401 without credentials" grep -q '^HTTP/1.1 401' "$T/h"
check "auth: WWW-Authenticate: Basic" grep -qi '^WWW-Authenticate: Basic' "$T/h"
code=$("${CS[@]}" -o /dev/null -w '%{http_code}' -u user:wrong "$URL_secure/simple/")
check "auth: wrong password is 401" [ "$code" = 401 ]
code=$("${CS[@]}" -o /dev/null -w '%{http_code}' -u user:s3cret "$URL_secure/simple/")
check "auth + TLS: 200 with credentials, verified against ca.pem" [ "$code" = 200 ]
code=$("${CS[@]}" -o /dev/null -w '%{http_code}' "$URL_secure/_stats")
check "auth: control routes need none" [ "$code" = 200 ]
curl -s --max-time 20 -o /dev/null "$URL_secure/simple/"; rc=$?
check "TLS: an unknown CA is refused (curl exit $rc)" [ "$rc" = 60 ]

"${E[@]}" "$PY" -m venv "$T/venv" > "$T/venv.out" 2>&1 \
    || { bad "cannot make a venv"; cat "$T/venv.out"; }
VPY=$T/venv/bin/python
PIP=("${E[@]}" "$VPY" -m pip --no-cache-dir)
"${PIP[@]}" download --no-deps -d "$T/dl" --cert "$T/certs/ca.pem" --index-url "$SU/simple/" alpha \
    > "$T/pip-dl.out" 2>&1
check "pip download over TLS + auth (JSON)" cmp -s "$T/dl/$ALPHA" "$T/idx/$ALPHA"
"${CS[@]}" "$URL_secure/_stats" | jq_py 'any(e["path"] == "/simple/alpha/" and e["status"] == 200
    and e["format"] == "json" and e["auth"] and e["auth_ok"] for e in d["log"])' > "$T/x"
check "pip asked for JSON, with credentials" grep -qx True "$T/x"
"${PIP[@]}" install --cert "$T/certs/ca.pem" --index-url "$SU/simple/" 'alpha[fast]' \
    > "$T/pip-install.out" 2>&1 || { bad "pip install alpha[fast]"; tail -5 "$T/pip-install.out"; }
"${E[@]}" "$VPY" -m pip list --format freeze 2>/dev/null | sort > "$T/freeze"
checkx "pip install: alpha 1.0, beta 1.0 (2.0 yanked, 3.0 needs Python 4), delta" \
    'for p in alpha==1.0 beta==1.0 delta==1.0; do grep -qx "$p" "$T/freeze" || exit 1; done'
checkx "pip install: a false marker pulled nothing in" '! grep -q gamma "$T/freeze"'
"${E[@]}" "$T/venv/bin/alpha-cli" > "$T/cli.out" 2>&1
check "console script from entry_points works" grep -q 'alpha says hi' "$T/cli.out"
check "wheel canary: nothing ran at install" test ! -e "$T/canary-delta"
"${E[@]}" "$VPY" -c 'import delta'
check "wheel canary: fires on import" grep -q '^delta import' "$T/canary-delta"

"${CS[@]}" -u user:s3cret -o "$T/sdcanary.tar.gz" "$URL_secure/files/sdcanary-1.0.tar.gz"
check "sdist: downloading runs nothing" test -s "$T/sdcanary.tar.gz" -a ! -e "$T/canary-sd"
checkx "sdist: PKG-INFO, pyproject.toml with an in-tree backend" \
    'tar xzOf "$T/sdcanary.tar.gz" sdcanary-1.0/PKG-INFO sdcanary-1.0/pyproject.toml \
         | grep -q "^backend-path = \[\".\"\]"'
"${PIP[@]}" install --cert "$T/certs/ca.pem" --index-url "$SU/simple/" sdcanary sddynamic \
    > "$T/pip-sd.out" 2>&1 || { bad "pip install sdists"; tail -5 "$T/pip-sd.out"; }
check "sdist: built offline and installed" "${E[@]}" "$VPY" -c 'import sdcanary, sddynamic'
check "sdist canary: fired at build" grep -q '^sdcanary build' "$T/canary-sd"
"${PIP[@]}" install --cert "$T/certs/ca.pem" --index-url "$SU/simple/" --find-links "$T/tools" \
    legacy-setup > "$T/pip-setup.out" 2>&1 \
    || { bad "pip install legacy-setup"; tail -5 "$T/pip-setup.out"; }
check "setup.py sdist: built offline with the build tools" "${E[@]}" "$VPY" -c 'import legacy_setup'
check "setup.py canary: fired in setup.py" grep -q '^legacy-setup setup.py' "$T/canary-setup"

# --- client certificates -------------------------------------------------------
start mtls --root "$T/idx" --tls "$T/certs" --client-ca
"${CS[@]}" -o /dev/null "$URL_mtls/simple/"; rc=$?
check "client-ca: refused without a client certificate (curl exit $rc)" [ "$rc" != 0 ]
code=$("${CS[@]}" -o /dev/null -w '%{http_code}' --cert "$T/certs/client.pem" \
    --key "$T/certs/client.key" "$URL_mtls/simple/")
check "client-ca: 200 with client.pem" [ "$code" = 200 ]

# --- HTML only, no metadata: pip through PEP 503 ---------------------------------
start html --root "$T/idx" --html-only --no-metadata
"${C[@]}" -D "$T/h" -H "$JSON_ACCEPT" "$URL_html/simple/alpha/" > "$T/alpha.html"
check "--html-only: HTML despite a JSON Accept" grep -qi '^content-type: text/html' "$T/h"
checkx "--no-metadata: nothing announced" '! grep -q data-core-metadata "$T/alpha.html"'
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "$URL_html/files/$ALPHA.metadata")
check "--no-metadata: .metadata is 404" [ "$code" = 404 ]
"${PIP[@]}" download -d "$T/dl-html" --index-url "$URL_html/simple/" alpha > "$T/pip-html.out" 2>&1
checkx "pip download through HTML: alpha and beta 1.0 only" \
    '[ "$(cd "$T/dl-html" && echo *)" = "$ALPHA $BETA" ]'
"${C[@]}" "$URL_html/_stats" | \
    jq_py 'sorted({e["format"] for e in d["log"] if e["format"]})' > "$T/x"
check "pip read HTML pages" grep -qx "\['html'\]" "$T/x"

# --- indexgen ------------------------------------------------------------------
for seed in 3 20; do
    G=$T/gen$seed
    "${E[@]}" "$PY" "$S/indexgen.py" --seed "$seed" --out "$G" > /dev/null 2>&1
    "${E[@]}" "$PY" "$S/indexgen.py" --seed "$seed" --out "$G.again" > /dev/null 2>&1
    check "indexgen seed $seed: deterministic" diff -r "$G" "$G.again"
    start "gen$seed" --root "$G"
    gu=URL_gen$seed
    "${PIP[@]}" install --dry-run --ignore-installed --report "$G.report.json" \
        --index-url "${!gu}/simple/" -r "$G/request.txt" > "$G.pip.out" 2>&1
    rc=$?
    want=$(jq_py 'd["solvable"]' < "$G/meta.json")
    if [ "$want" = True ]; then
        check "indexgen seed $seed: solvable, and pip resolves it" [ "$rc" = 0 ]
    else
        check "indexgen seed $seed: no solution, and pip finds none" [ "$rc" != 0 ]
    fi
done

# --- shutdown --------------------------------------------------------------------
kill -TERM "$PID_plain"
for _ in $(seq 50); do kill -0 "$PID_plain" 2>/dev/null || break; sleep 0.1; done
wait "$PID_plain"; rc=$?
check "SIGTERM: the server exits cleanly (status $rc)" [ "$rc" = 0 ]

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
