#!/usr/bin/env bash
# safepip's resolver against pip's on the same generated indexes, in one run
# (issue 5; ARCHITECTURE.md section 7).
#
# usage: bench/resolve.sh [SEEDS] [SIZE]
#
# For each seed 1..SEEDS (default 6), tests/support/indexgen.py writes a
# wheel-only index of SIZE (default large: 28-36 projects of 3-6 releases,
# extras, markers, pre-releases, yanked files, conflicts) and a request,
# served over HTTPS by tests/support/indexserver.py (PEP 691 JSON with PEP 658
# metadata). Then, on the same request:
#   safepip  `safepip lock -r request.txt`: resolve from index metadata, then
#            fetch the pinned files to print their hashes (nothing installed)
#   pip      `pip install --dry-run --ignore-installed --report` (pip 23.2)
# each cold (empty caches) and warm (caches kept: HTTP revalidation, the
# artifact store), with env -i and PIP_CONFIG_FILE=/dev/null. Only seeds
# where both agree on success count. Prints the summed times and the ratios
# safepip / pip (lower is better).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SEEDS=${1:-6}
SIZE=${2:-large}
SAFEPIP=${SAFEPIP:-$ROOT/build/safepip}
PY=$(${PYTHON:-python3} -c 'import sys; print(sys.executable)')
W=$(mktemp -d)
server=
stop() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; server=; }
trap 'stop; rm -rf "$W"' EXIT
[ -x "$SAFEPIP" ] || { echo "bench: no safepip at $SAFEPIP (make build, or set SAFEPIP)" >&2; exit 2; }

now() { date +%s.%N; }
CLEAN=(env -i PATH=/usr/bin:/bin HOME="$W/home" PIP_CONFIG_FILE=/dev/null
       PIP_DISABLE_PIP_VERSION_CHECK=1)
run_safepip() { # cache idx url
    "${CLEAN[@]}" SAFEPIP_CACHE_DIR="$1" "$SAFEPIP" lock -q --python "$PY" \
        --cert "$W/certs/ca.pem" -i "$3" -r "$2/request.txt" -o "$W/lock.txt" 2>"$W/err"
}
run_pip() { # cache idx url
    "${CLEAN[@]}" PIP_CACHE_DIR="$1" "$PY" -m pip install -q --dry-run --ignore-installed \
        --report "$W/report.json" --cert "$W/certs/ca.pem" -i "$3" -r "$2/request.txt" \
        >/dev/null 2>"$W/err"
}
timed() { # fn cache idx url: prints seconds, or "fail"
    local t0 t1
    t0=$(now)
    if "$@"; then t1=$(now); echo "$t1 - $t0" | bc; else echo fail; fi
}

sp_cold=0 sp_warm=0 pip_cold=0 pip_warm=0 counted=0 skipped=0
for seed in $(seq 1 "$SEEDS"); do
    idx="$W/idx-$seed"
    "$PY" "$ROOT/tests/support/indexgen.py" --seed "$seed" --size "$SIZE" --out "$idx" >/dev/null
    rm -f "$W/port"
    "$PY" "$ROOT/tests/support/indexserver.py" --root "$idx" --tls "$W/certs" \
        --port-file "$W/port" >"$W/server.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
    url="https://127.0.0.1:$(cat "$W/port")/simple"
    a=$(timed run_safepip "$W/sp-$seed" "$idx" "$url")
    b=$(timed run_safepip "$W/sp-$seed" "$idx" "$url")
    c=$(timed run_pip "$W/pip-$seed" "$idx" "$url")
    d=$(timed run_pip "$W/pip-$seed" "$idx" "$url")
    stop
    if [ "$a" = fail ] || [ "$b" = fail ] || [ "$c" = fail ] || [ "$d" = fail ]; then
        skipped=$((skipped + 1)) # no solution, or one side failed: not a timing
        continue
    fi
    printf 'seed %-3s safepip cold %5.2f s warm %5.2f s   pip cold %5.2f s warm %5.2f s\n' \
        "$seed" "$a" "$b" "$c" "$d"
    sp_cold=$(echo "$sp_cold + $a" | bc); sp_warm=$(echo "$sp_warm + $b" | bc)
    pip_cold=$(echo "$pip_cold + $c" | bc); pip_warm=$(echo "$pip_warm + $d" | bc)
    counted=$((counted + 1))
done
[ "$counted" -gt 0 ] || { echo "bench: no seed resolved on both sides" >&2; exit 1; }
printf 'resolution of %d %s generated indexes (%d skipped: unsolvable or failed)\n' \
    "$counted" "$SIZE" "$skipped"
printf '  %-5s safepip %6.2f s   pip %6.2f s   safepip/pip %.2f\n' \
    cold "$sp_cold" "$pip_cold" "$(echo "$sp_cold / $pip_cold" | bc -l)" \
    warm "$sp_warm" "$pip_warm" "$(echo "$sp_warm / $pip_warm" | bc -l)"
