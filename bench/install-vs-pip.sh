#!/usr/bin/env bash
# A gated install against a plain pip install of the same 30-package tree
# from the same local index, in one run (ARCHITECTURE.md section 7).
#
# usage: [RUNS=N] [SAFEPIP=path] bench/install-vs-pip.sh [PACKAGES]
#
# Builds PACKAGES wheels (default 30) with tests/support/fixtures.py: pkg0
# depends on pkg1 and two later ones, each pkgN on pkgN+1 and two more, so the whole tree is
# pulled by `pkg0`. Serves them over HTTPS (tests/support/indexserver.py,
# throw-away CA). Then, each into a fresh venv:
#   cold  safepip install with an empty cache      pip install with an empty cache
#   warm  safepip install again, cache kept          pip install again, cache kept
# Both run with env -i and PIP_CONFIG_FILE=/dev/null. The warm safepip run
# must take every verdict from the verdict cache (its --report says how many
# it scanned; the script stops if that is not 0). With RUNS > 1 the four
# installs are repeated, each time from empty caches, and medians are shown.
# Prints the times, the CPU time (user+system, children included: steadier
# than wall time on a shared machine) and the ratios safepip / pip (lower is
# better; the targets are cold <= 1.3 and warm <= 1.0). Exit status 0 when
# every install installed the whole tree.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-30}
RUNS=${RUNS:-1}
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

run_safepip() { # cache venv
    env -i PATH=/usr/bin:/bin HOME="$W/home" SAFEPIP_CACHE_DIR="$1" XDG_STATE_HOME="$W/state" \
        "$SAFEPIP" install -q -q --python "$2/bin/python" --cert "$W/certs/ca.pem" -i "$INDEX" \
        --report "$W/report.json" "${POL[@]}" pkg0 >"$W/out" 2>&1 || { cat "$W/out"; exit 1; }
}
run_pip() { # cache venv
    env -i PATH=/usr/bin:/bin HOME="$W/home" PIP_CONFIG_FILE=/dev/null PIP_CACHE_DIR="$1" \
        PIP_DISABLE_PIP_VERSION_CHECK=1 "$2/bin/python" -m pip install -q \
        --cert "$W/certs/ca.pem" -i "$INDEX" pkg0 >"$W/out" 2>&1 || { cat "$W/out"; exit 1; }
}
time_one() { # fn cache: "wall cpu" seconds to install into a fresh venv
    local v="$W/venv-$RANDOM$RANDOM"
    "$PY" -m venv "$v"
    local TIMEFORMAT='%R %U %S' # bash's time: wall, then the CPU of the run and its children
    { time "$1" "$2" "$v"; } 2>"$W/time"
    [ "$("$v/bin/python" -m pip freeze 2>/dev/null | grep -c '^pkg')" -eq "$N" ] ||
        { echo "bench: $1 did not install all $N packages" >&2; cat "$W/out" >&2; "$v/bin/python" -m pip freeze >&2; exit 1; }
    rm -rf "$v"
    awk '{ printf "%.3f %.3f\n", $1, $2 + $3 }' "$W/time"
}
scanned() { "$PY" -c 'import json,sys; c=json.load(open(sys.argv[1]))["cache"]; print(c["scanned"], c["hits"])' "$W/report.json"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$W/results"
for run in $(seq "$RUNS"); do
    rm -rf "$W/sp-cache" "$W/pip-cache"
    echo "sp_cold $(time_one run_safepip "$W/sp-cache")" >>"$W/results"
    echo "sp_warm $(time_one run_safepip "$W/sp-cache")" >>"$W/results"
    read -r sc hits < <(scanned)
    [ "$sc" -eq 0 ] && [ "$hits" -eq "$N" ] ||
        { echo "bench: the warm safepip run scanned $sc artifacts ($hits from the cache)" >&2; exit 1; }
    echo "pip_cold $(time_one run_pip "$W/pip-cache")" >>"$W/results"
    echo "pip_warm $(time_one run_pip "$W/pip-cache")" >>"$W/results"
done
pick() { awk -v k="$1" -v f="$2" '$1 == k { print $f }' "$W/results" | median; }
printf 'install of %d packages (pkg0 and its tree), local HTTPS index, median of %d run(s)\n' "$N" "$RUNS"
for phase in cold warm; do
    sw=$(pick "sp_$phase" 2) sc=$(pick "sp_$phase" 3) pw=$(pick "pip_$phase" 2) pc=$(pick "pip_$phase" 3)
    printf '  %-5s safepip %6.2f s (cpu %5.2f s)   pip %6.2f s (cpu %5.2f s)   safepip/pip %.2f (cpu %.2f)\n' \
        "$phase" "$sw" "$sc" "$pw" "$pc" "$(echo "$sw / $pw" | bc -l)" "$(echo "$sc / $pc" | bc -l)"
done
printf '  the warm safepip runs scanned 0 artifacts: all %d verdicts from the verdict cache\n' "$N"
printf '  load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
