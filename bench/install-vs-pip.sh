#!/usr/bin/env bash
# A gated install against a plain pip install of the same 30-package tree
# from the same local index, in one run (ARCHITECTURE.md section 7).
#
# usage: bench/install-vs-pip.sh [PACKAGES]
#
# Builds PACKAGES wheels (default 30) with tests/support/fixtures.py: pkg0
# depends on pkg1 and two later ones, each pkgN on pkgN+1 and two more, so the whole tree is
# pulled by `pkg0`. Serves them over HTTPS (tests/support/indexserver.py,
# throw-away CA). Then, each into a fresh venv:
#   cold  safepip install with an empty cache      pip install with an empty cache
#   warm  safepip install again, cache kept          pip install again, cache kept
# Both run with env -i and PIP_CONFIG_FILE=/dev/null. Prints the times and
# the ratios safepip / pip (lower is better; the targets are cold <= 1.3 and
# warm <= 1.0). Exit status 0 when both installed the whole tree.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-30}
SAFEPIP=${SAFEPIP:-$ROOT/build/safepip}
PY=$(${PYTHON:-python3} -c 'import sys; print(sys.executable)')
W=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$W"' EXIT

"$PY" - "$N" >"$W/spec.json" <<'PY'
import json, random, sys
n = int(sys.argv[1]); rnd = random.Random(7)
spec = []
for i in range(n):
    later = list(range(i + 1, n))
    # the next one always (so pkg0 pulls the whole tree), two more at random
    deps = later[:1] + rnd.sample(later[1:], max(0, min(len(later) - 1, 2)))
    body = "\n".join("def f%d(x):\n    return x * %d\n" % (k, k) for k in range(200))
    spec.append({"name": "pkg%d" % i, "version": "1.0",
                 "requires": ["pkg%d>=1.0" % d for d in deps],
                 "files": {"pkg%d/__init__.py" % i: body}})
print(json.dumps(spec))
PY
mkdir -p "$W/idx"
"$PY" "$ROOT/tests/support/fixtures.py" --out "$W/idx" "$W/spec.json" >/dev/null
"$PY" "$ROOT/tests/support/indexserver.py" --root "$W/idx" --tls "$W/certs" \
    --port-file "$W/port" >"$W/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
INDEX="https://127.0.0.1:$(cat "$W/port")/simple"
echo '{"install": {"allow_root": true}}' >"$W/root.json"
POL=()
[ "$(id -u)" -eq 0 ] && POL=(--policy "$W/root.json")

now() { date +%s.%N; }
run_safepip() { # cache venv
    env -i PATH=/usr/bin:/bin HOME="$W/home" SAFEPIP_CACHE_DIR="$1" XDG_STATE_HOME="$W/state" \
        "$SAFEPIP" install -q -q --python "$2/bin/python" --cert "$W/certs/ca.pem" -i "$INDEX" \
        "${POL[@]}" pkg0 >"$W/out" 2>&1 || { cat "$W/out"; exit 1; }
}
run_pip() { # cache venv
    env -i PATH=/usr/bin:/bin HOME="$W/home" PIP_CONFIG_FILE=/dev/null PIP_CACHE_DIR="$1" \
        PIP_DISABLE_PIP_VERSION_CHECK=1 "$2/bin/python" -m pip install -q \
        --cert "$W/certs/ca.pem" -i "$INDEX" pkg0 >"$W/out" 2>&1 || { cat "$W/out"; exit 1; }
}
time_one() { # fn cache: seconds to install into a fresh venv
    local v="$W/venv-$RANDOM$RANDOM" t0 t1
    "$PY" -m venv "$v"
    t0=$(now); "$1" "$2" "$v"; t1=$(now)
    [ "$("$v/bin/python" -m pip freeze 2>/dev/null | grep -c '^pkg')" -eq "$N" ] ||
        { echo "bench: $1 did not install all $N packages" >&2; cat "$W/out" >&2; "$v/bin/python" -m pip freeze >&2; exit 1; }
    rm -rf "$v"
    echo "$t1 - $t0" | bc
}
sp_cold=$(time_one run_safepip "$W/sp-cache")
sp_warm=$(time_one run_safepip "$W/sp-cache")
pip_cold=$(time_one run_pip "$W/pip-cache")
pip_warm=$(time_one run_pip "$W/pip-cache")
printf 'install of %d packages (pkg0 and its tree), local HTTPS index\n' "$N"
printf '  %-6s safepip %6.2f s   pip %6.2f s   safepip/pip %.2f\n' \
    cold "$sp_cold" "$pip_cold" "$(echo "$sp_cold / $pip_cold" | bc -l)" \
    warm "$sp_warm" "$pip_warm" "$(echo "$sp_warm / $pip_warm" | bc -l)"
