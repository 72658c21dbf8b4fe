#!/usr/bin/env bash
# The demo: safepip's gate in front of a real pip, end to end, on this
# machine only. It builds three packages from demo/ (standard library only):
#   tidyformat   a clean wheel that depends on colorhelper (also clean)
#   tidyformatt  a look-alike sdist whose setup.py downloads and runs code
# serves them from a local index on 127.0.0.1 over TLS (a throw-away CA),
# makes a fresh virtual environment, and asks safepip to install each.
# tidyformat and its dependency are installed; tidyformatt is blocked with
# its reasons and the environment is left as it was. The script fails if
# either outcome is different.
set -uo pipefail
cd "$(dirname "$0")/.."
SAFEPIP=${SAFEPIP:-$PWD/build/safepip}
PY=$(python3 -c 'import sys; print(sys.executable)')
out=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$out"; }
trap cleanup EXIT
mkdir -p "$out/index" "$out/home"

mk() { "$PY" tests/support/mkpkg.py "$@" >/dev/null || { echo "demo: cannot build $*" >&2; exit 1; }; }
mk wheel demo/clean "$out/index" --name tidyformat --version 1.0.0 --requires "colorhelper>=1.0"
mk wheel demo/colorhelper "$out/index" --name colorhelper --version 1.2.0
mk sdist demo/malicious "$out/index" --name tidyformatt --version 1.0.0

"$PY" tests/support/indexserver.py --root "$out/index" --tls "$out/certs" \
    --port-file "$out/port" >"$out/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do [ -s "$out/port" ] && break; sleep 0.05; done
[ -s "$out/port" ] || { echo "demo: the index server did not start" >&2; cat "$out/server.log"; exit 1; }
index="https://127.0.0.1:$(cat "$out/port")/simple"
"$PY" -m venv "$out/venv" || exit 1

# safepip refuses to install as root; a demo run in a root container says
# so in its own policy file, which the demo shows.
policy=()
if [ "$(id -u)" -eq 0 ]; then
    printf '{\n  // the demo runs as root in containers: allow it here only\n  "install": {"allow_root": true}\n}\n' >"$out/demo-policy.json"
    policy=(--policy "$out/demo-policy.json")
fi
# A clean environment: the demo must not depend on this machine's PIP_* settings.
run() { env -i PATH=/usr/bin:/bin HOME="$out/home" SAFEPIP_CACHE_DIR="$out/cache" \
    "$SAFEPIP" install --python "$out/venv/bin/python" --cert "$out/certs/ca.pem" \
    -i "$index" "${policy[@]}" "$@"; }

status=0
echo "==> safepip install tidyformat   (index $index, venv $out/venv)"
run tidyformat
rc=$?
echo "==> exit $rc"
if [ $rc -ne 0 ] || ! "$out/venv/bin/python" -c 'import tidyformat; print(tidyformat.headline("installed"))'; then
    echo "demo: the clean package was not installed" >&2
    status=1
fi
before=$("$out/venv/bin/python" -m pip freeze 2>/dev/null)
echo
echo "==> safepip install tidyformatt   (one letter more: a look-alike)"
run tidyformatt
rc=$?
echo "==> exit $rc (10: blocked by the policy)"
after=$("$out/venv/bin/python" -m pip freeze 2>/dev/null)
if [ $rc -ne 10 ] || [ "$before" != "$after" ]; then
    echo "demo: the malicious package was not blocked, or the environment changed" >&2
    status=1
fi
echo
[ $status -eq 0 ] && echo "demo: tidyformat and colorhelper installed; tidyformatt blocked; venv unchanged by the block"
exit $status
