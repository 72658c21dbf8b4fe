#!/usr/bin/env bash
# pip's configuration, end to end through the safepip binary against real
# servers on 127.0.0.1: where the index comes from (PIP_INDEX_URL, PIP_CONFIG_FILE,
# the user's and the venv's pip.conf, the command line, in pip's order),
# credentials (in the URL, in ~/.netrc; never printed or logged), CA bundles
# (PIP_CERT, REQUESTS_CA_BUNDLE, SSL_CERT_FILE), client certificates, and
# proxies (HTTPS_PROXY, --proxy, NO_PROXY) through a real CONNECT proxy.
# Args: SAFEPIP SOURCE_DIR SCRATCH_DIR
set -uo pipefail
SP=$1 SRC=$2 T=$3
rm -rf "$T" && mkdir -p "$T/home/.config/pip" "$T/idx" "$T/tmp" && chmod 755 "$T"
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
PY=$(python3 -c 'import sys; print(sys.executable)')
SECRET=s3cr3t-Zq7 PSECRET=pr0xy-Kw2

mkdir -p "$T/src/alpha/alpha"
echo 'X = 1' >"$T/src/alpha/alpha/__init__.py"
"$PY" "$SRC/tests/support/mkpkg.py" wheel "$T/src/alpha" "$T/idx" --name alpha --version 1.0 >/dev/null || exit 1

PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null' EXIT
serve() { # name, extra args...
    local name=$1; shift
    "$PY" "$SRC/tests/support/indexserver.py" --root "$T/idx" --tls "$T/certs" \
        --port-file "$T/$name.port" "$@" >"$T/$name.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do [ -s "$T/$name.port" ] && break; sleep 0.05; done
    [ -s "$T/$name.port" ] || { echo "FAIL: server $name did not start"; cat "$T/$name.log"; exit 1; }
}
serve plain
serve auth --auth "u:$SECRET"
serve mtls --client-ca
"$PY" "$SRC/tests/support/proxy.py" --port-file "$T/proxy.port" --auth "pu:$PSECRET" --log "$T/proxy.log" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$T/proxy.port" ] && break; sleep 0.05; done
GOOD="https://127.0.0.1:$(cat "$T/plain.port")/simple"
AUTHED="https://127.0.0.1:$(cat "$T/auth.port")/simple"
MTLS="https://127.0.0.1:$(cat "$T/mtls.port")/simple"
PROXY="http://pu:$PSECRET@127.0.0.1:$(cat "$T/proxy.port")"
DEAD="https://127.0.0.1:9/simple"
CA="$T/certs/ca.pem"
cat "$T/certs/client.pem" "$T/certs/client.key" >"$T/client-with-key.pem"
"$PY" -m venv --without-pip "$T/venv" || exit 1

n=0
# Runs `safepip download alpha` in a clean environment plus the given VAR=value words,
# then the given safepip options; a fresh cache and state each time. Output in $T/out.
DL() {
    local envs=() n_env
    while [ $# -gt 0 ] && [[ "$1" == *=* ]] && [[ "$1" != -* ]]; do envs+=("$1"); shift; done
    n=$((n + 1))
    rm -rf "$T/dest"
    env -i "PATH=/usr/bin:/bin" "HOME=$T/home" "TMPDIR=$T/tmp" "SAFEPIP_CACHE_DIR=$T/cache$n" \
        "XDG_STATE_HOME=$T/state" "${envs[@]}" "$SP" download -d "$T/dest" "$@" alpha \
        >"$T/out" 2>&1
}
got() { [ -f "$T/dest/alpha-1.0-py3-none-any.whl" ]; }
expect_ok() { # description, DL args...
    local what=$1; shift
    DL "$@"; local rc=$?
    if [ $rc -eq 0 ] && got; then ok "$what"; else bad "$what: rc=$rc"; tail -5 "$T/out"; fi
}
expect_fail() { # description, DL args...
    local what=$1; shift
    DL "$@"; local rc=$?
    if [ $rc -ne 0 ] && ! got && [ -s "$T/out" ]; then ok "$what"; else bad "$what: rc=$rc"; tail -5 "$T/out"; fi
}

# --- where the index comes from, in pip's order ---
expect_ok "PIP_INDEX_URL and PIP_CERT" "PIP_INDEX_URL=$GOOD" "PIP_CERT=$CA"
printf '[global]\nindex-url = %s\ncert = %s\n' "$GOOD" "$CA" >"$T/pip-good.conf"
printf '[global]\nindex-url = %s\ncert = %s\ntimeout = 2\nretries = 0\n' "$DEAD" "$CA" >"$T/pip-dead.conf"
expect_ok "PIP_CONFIG_FILE" "PIP_CONFIG_FILE=$T/pip-good.conf"
cp "$T/pip-good.conf" "$T/home/.config/pip/pip.conf"
expect_ok "the user's pip.conf" 
cp "$T/pip-dead.conf" "$T/home/.config/pip/pip.conf"
expect_fail "a dead index from the user's pip.conf is used (and fails)"
cp "$T/pip-good.conf" "$T/venv/pip.conf"
expect_ok "the venv's pip.conf beats the user's" "VIRTUAL_ENV=$T/venv"
expect_fail "PIP_CONFIG_FILE beats the venv's" "VIRTUAL_ENV=$T/venv" "PIP_CONFIG_FILE=$T/pip-dead.conf"
expect_ok "PIP_INDEX_URL beats every file" "PIP_CONFIG_FILE=$T/pip-dead.conf" "PIP_INDEX_URL=$GOOD"
expect_ok "--index-url beats PIP_INDEX_URL" "PIP_INDEX_URL=$DEAD" "PIP_CERT=$CA" "PIP_RETRIES=0" --index-url "$GOOD"
rm -f "$T/home/.config/pip/pip.conf" "$T/venv/pip.conf"
expect_ok "PIP_CONFIG_FILE=os.devnull disables files" "PIP_CONFIG_FILE=/dev/null" "PIP_INDEX_URL=$GOOD" "PIP_CERT=$CA"

# --- CA bundles ---
# As with pip, a cert from a config file (this machine's /etc/pip.conf has one) wins over
# these variables, so config files are turned off for them.
NOCONF=PIP_CONFIG_FILE=/dev/null
expect_ok "REQUESTS_CA_BUNDLE" "$NOCONF" "PIP_INDEX_URL=$GOOD" "REQUESTS_CA_BUNDLE=$CA"
expect_ok "SSL_CERT_FILE" "$NOCONF" "PIP_INDEX_URL=$GOOD" "SSL_CERT_FILE=$CA"
expect_ok "PIP_CERT beats REQUESTS_CA_BUNDLE" "$NOCONF" "PIP_INDEX_URL=$GOOD" "PIP_CERT=$CA" "REQUESTS_CA_BUNDLE=/nonexistent.pem"
expect_fail "an unknown CA is refused" "$NOCONF" "PIP_INDEX_URL=$GOOD" "PIP_RETRIES=0"
grep -qi "certificate" "$T/out" && ok "the refusal names the certificate" || bad "no certificate in: $(tail -2 "$T/out")"

# --- credentials ---
expect_fail "an index that needs credentials, without them" "PIP_CERT=$CA" "PIP_RETRIES=0" --index-url "$AUTHED"
expect_ok "credentials in the URL" "PIP_CERT=$CA" --index-url "https://u:$SECRET@${AUTHED#https://}"
printf 'machine 127.0.0.1 login u password %s\n' "$SECRET" >"$T/home/.netrc"
chmod 600 "$T/home/.netrc"
expect_ok "credentials from ~/.netrc" "PIP_CERT=$CA" --index-url "$AUTHED"
rm -f "$T/home/.netrc"
expect_fail "wrong credentials in the URL" "PIP_CERT=$CA" "PIP_RETRIES=0" --index-url "https://u:wrong-$SECRET@${AUTHED#https://}"
if grep -rqs -- "$SECRET" "$T/out" "$T/state" "$T"/cache*/http 2>/dev/null; then
    bad "a password was printed or stored"; grep -rls -- "$SECRET" "$T/out" "$T/state" "$T"/cache* | head
else ok "no password in output, audit log or HTTP cache"; fi

# --- client certificates ---
expect_fail "a server that wants a client certificate, without one" "PIP_CERT=$CA" "PIP_RETRIES=0" --index-url "$MTLS"
expect_ok "--client-cert" "PIP_CERT=$CA" --index-url "$MTLS" --client-cert "$T/client-with-key.pem"
expect_ok "PIP_CLIENT_CERT" "PIP_CERT=$CA" "PIP_CLIENT_CERT=$T/client-with-key.pem" --index-url "$MTLS"

# --- proxies ---
: >"$T/proxy.log"
expect_ok "HTTPS_PROXY with credentials" "PIP_CERT=$CA" "HTTPS_PROXY=$PROXY" --index-url "$GOOD"
grep -q "^CONNECT 127.0.0.1:$(cat "$T/plain.port")$" "$T/proxy.log" && ok "the download went through the proxy" \
    || bad "proxy log: $(cat "$T/proxy.log")"
: >"$T/proxy.log"
expect_ok "--proxy" "PIP_CERT=$CA" --proxy "$PROXY" --index-url "$GOOD"
grep -q "^CONNECT " "$T/proxy.log" && ok "--proxy is used" || bad "--proxy not used"
: >"$T/proxy.log"
expect_ok "NO_PROXY exempts the index host" "PIP_CERT=$CA" "HTTPS_PROXY=$PROXY" "NO_PROXY=127.0.0.1" --index-url "$GOOD"
[ ! -s "$T/proxy.log" ] && ok "nothing went through the proxy" || bad "proxy used despite NO_PROXY"
expect_fail "wrong proxy credentials" "PIP_CERT=$CA" "PIP_RETRIES=0" "HTTPS_PROXY=http://pu:bad@127.0.0.1:$(cat "$T/proxy.port")" --index-url "$GOOD"
if grep -q -- "$PSECRET" "$T/out"; then bad "proxy password printed"; else ok "proxy password not printed"; fi

# --- a local --find-links directory, no index ---
mkdir -p "$T/links"
cp "$T/idx/alpha-1.0-py3-none-any.whl" "$T/links/"
expect_ok "--no-index --find-links DIR" --no-index --find-links "$T/links"
expect_ok "PIP_FIND_LINKS and PIP_NO_INDEX" "PIP_FIND_LINKS=$T/links" "PIP_NO_INDEX=1"
printf 'alpha==1.0 --hash=sha256:%064d\n' 0 >"$T/wrong-hash.txt"
DL --no-index --find-links "$T/links" -r "$T/wrong-hash.txt"; rc=$?
if [ $rc -eq 3 ] && grep -q "hash mismatch for 'alpha-1.0-py3-none-any.whl'" "$T/out" && [ ! -e "$T/dest" ]; then
    ok "a local file that does not match its --hash is refused, nothing saved"
else bad "local wrong hash: rc=$rc"; tail -3 "$T/out"; fi

echo "config: $passes passed, $fails failed"
[ $fails -eq 0 ]
