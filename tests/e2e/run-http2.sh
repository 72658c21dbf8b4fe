#!/usr/bin/env bash
# HTTP/2 where the index offers it: a static PEP 503 index served by nginx
# over TLS with HTTP/2 (the Python test server speaks HTTP/1.1 only).
# `safepip download` must fetch every page and file over HTTP/2 and check
# their hashes; with the server limited to HTTP/1.1 it must still work. A large
# wheel's METADATA is read by range requests over HTTP/2 (nginx answers 206).
# Skipped, with a message, only when nginx is not installed (make deps installs it).
# Args: SAFEPIP SOURCE_DIR SCRATCH_DIR
set -uo pipefail
SP=$1 SRC=$2 T=$3
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "SKIP: nginx is not installed (make deps)"; exit 77; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
rm -rf "$T" && mkdir -p "$T/home" "$T/tmp" "$T/www/files" "$T/ng/logs" && chmod 755 "$T"
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
PY=$(python3 -c 'import sys; print(sys.executable)')

mkdir -p "$T/src/alpha/alpha" "$T/src/beta/beta"
echo 'import beta' >"$T/src/alpha/alpha/__init__.py"
echo 'X = 1' >"$T/src/beta/beta/__init__.py"
"$PY" "$SRC/tests/support/mkpkg.py" wheel "$T/src/alpha" "$T/www/files" --name alpha --version 1.0 --requires beta >/dev/null
"$PY" "$SRC/tests/support/mkpkg.py" wheel "$T/src/beta" "$T/www/files" --name beta --version 1.0 >/dev/null
mkdir -p "$T/src/gamma/gamma"
echo 'X = 1' >"$T/src/gamma/gamma/__init__.py"
head -c 1500000 /dev/urandom | od -An -tx1 >"$T/src/gamma/gamma/blob.txt"
"$PY" "$SRC/tests/support/mkpkg.py" wheel "$T/src/gamma" "$T/www/files" --name gamma --version 1.0 >/dev/null
# The static index: one page per project, links with their sha256.
"$PY" - "$T/www" "$SRC/tests/support" <<'PY'
import hashlib, os, sys
www, support = sys.argv[1], sys.argv[2]
sys.path.insert(0, support)
import indexserver
indexserver.ensure_certs(os.path.join(www, "..", "certs"))
files = sorted(os.listdir(os.path.join(www, "files")))
projects = {}
for f in files:
    projects.setdefault(f.split("-")[0], []).append(f)
os.makedirs(os.path.join(www, "simple"), exist_ok=True)
with open(os.path.join(www, "simple", "index.html"), "w") as fh:
    fh.write("<!DOCTYPE html><html><body>" + "".join(
        f'<a href="{p}/">{p}</a>' for p in projects) + "</body></html>")
for p, fs in projects.items():
    os.makedirs(os.path.join(www, "simple", p), exist_ok=True)
    links = []
    for f in fs:
        h = hashlib.sha256(open(os.path.join(www, "files", f), "rb").read()).hexdigest()
        links.append(f'<a href="../../files/{f}#sha256={h}">{f}</a>')
    with open(os.path.join(www, "simple", p, "index.html"), "w") as fh:
        fh.write("<!DOCTYPE html><html><body>" + "".join(links) + "</body></html>")
PY
chmod -R a+rX "$T/www" "$T/certs"

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# proto: "ssl http2" or "ssl" (HTTP/1.1 only)
start_nginx() {
    local user=""
    [ "$(id -u)" -eq 0 ] && user="user root;"
    cat >"$T/ng/nginx.conf" <<CONF
$user
daemon on;
pid $T/ng/nginx.pid;
error_log $T/ng/logs/error.log;
events { worker_connections 64; }
http {
    log_format proto '\$server_protocol \$status \$request_uri';
    access_log $T/ng/logs/access.log proto;
    client_body_temp_path $T/ng/tmp; proxy_temp_path $T/ng/tmp; fastcgi_temp_path $T/ng/tmp;
    uwsgi_temp_path $T/ng/tmp; scgi_temp_path $T/ng/tmp;
    types { text/html html; application/octet-stream whl; }
    server {
        listen 127.0.0.1:$PORT $1;
        ssl_certificate $T/certs/server.pem;
        ssl_certificate_key $T/certs/server.key;
        root $T/www;
        index index.html;
    }
}
CONF
    mkdir -p "$T/ng/tmp"
    : >"$T/ng/logs/access.log"
    "$NGINX" -p "$T/ng" -c "$T/ng/nginx.conf" 2>"$T/ng/start.err" || { cat "$T/ng/start.err"; return 1; }
    for _ in $(seq 50); do
        "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
stop_nginx() { [ -s "$T/ng/nginx.pid" ] && kill "$(cat "$T/ng/nginx.pid")" 2>/dev/null; sleep 0.2; rm -f "$T/ng/nginx.pid"; }
trap stop_nginx EXIT

CLEAN=(env -i "PATH=/usr/bin:/bin" "HOME=$T/home" "TMPDIR=$T/tmp" "SAFEPIP_CACHE_DIR=$T/cache"
       "XDG_STATE_HOME=$T/state" "PIP_CERT=$T/certs/ca.pem")
INDEX="https://127.0.0.1:$PORT/simple"

if start_nginx "ssl http2"; then
    "${CLEAN[@]}" "$SP" download -q -d "$T/out" --index-url "$INDEX" alpha >"$T/out.log" 2>&1; rc=$?
    if [ $rc -eq 0 ] && [ -f "$T/out/alpha-1.0-py3-none-any.whl" ] && [ -f "$T/out/beta-1.0-py3-none-any.whl" ]; then
        ok "download through an HTTP/2 index"
    else
        bad "download over HTTP/2: rc=$rc"; cat "$T/out.log"
    fi
    n2=$(grep -c '^HTTP/2.0 200 ' "$T/ng/logs/access.log")
    n1=$(grep -vc '^HTTP/2.0 ' "$T/ng/logs/access.log")
    # two pages and two files at least, every one of them over HTTP/2
    if [ "$n2" -ge 4 ] && [ "$n1" -eq 0 ]; then ok "every request used HTTP/2 ($n2 requests)"
    else bad "protocols: $n2 over HTTP/2, $n1 otherwise"; cat "$T/ng/logs/access.log"; fi
    # gamma is large and the pages give no size: its METADATA comes by ranges, then the file whole
    "${CLEAN[@]}" "$SP" download -q -d "$T/out" --index-url "$INDEX" gamma >"$T/out.log" 2>&1; rc=$?
    if [ $rc -eq 0 ] && [ -f "$T/out/gamma-1.0-py3-none-any.whl" ] &&
        grep -q '^HTTP/2.0 206 /files/gamma-1.0-py3-none-any.whl' "$T/ng/logs/access.log" &&
        grep -q '^HTTP/2.0 200 /files/gamma-1.0-py3-none-any.whl' "$T/ng/logs/access.log"; then
        ok "a large wheel's METADATA by range requests over HTTP/2 (206), then the file"
    else
        bad "ranges over HTTP/2: rc=$rc"; cat "$T/out.log"; grep gamma "$T/ng/logs/access.log"
    fi
    stop_nginx
else
    bad "nginx did not start"; cat "$T/ng/logs/error.log" 2>/dev/null
fi

if start_nginx "ssl"; then
    rm -rf "$T/cache" "$T/out"
    "${CLEAN[@]}" "$SP" download -q -d "$T/out" --index-url "$INDEX" alpha >"$T/out.log" 2>&1; rc=$?
    if [ $rc -eq 0 ] && [ -f "$T/out/beta-1.0-py3-none-any.whl" ] && grep -q '^HTTP/1.1 200 ' "$T/ng/logs/access.log"; then
        ok "an HTTP/1.1-only index still works"
    else
        bad "HTTP/1.1: rc=$rc"; cat "$T/out.log" "$T/ng/logs/access.log"
    fi
    stop_nginx
else
    bad "nginx did not start (HTTP/1.1)"
fi

echo "http2: $passes passed, $fails failed"
[ $fails -eq 0 ]
