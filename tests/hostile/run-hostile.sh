#!/usr/bin/env bash
# Hostile archives against the real binary: every case must end within the
# timeout with exit 1 (findings), never a crash (>= 128) or a hang (124),
# and its JSON report must carry the rule the case is about. --fail-on info
# makes any finding exit 1, whatever severity the catalog gives the rule.
#
#   run-hostile.sh SAFEPIP SOURCE_DIR SCRATCH_DIR
set -uo pipefail

bin=$1
src=$2
scratch=$3
limit=60

rm -rf "$scratch"
mkdir -p "$scratch"
python3 "$src/tests/hostile/make_hostile.py" "$scratch/in" || {
    echo "FAIL: could not generate the hostile inputs"
    exit 1
}

failures=0
while IFS=$'\t' read -r name rule; do
    out=$scratch/$name.json
    start=$(date +%s.%N)
    timeout "$limit" "$bin" scan --format json --fail-on info "$scratch/in/$name" </dev/null >"$out" 2>"$scratch/$name.err"
    rc=$?
    secs=$(python3 -c "print('%.2f' % ($(date +%s.%N) - $start))")

    why=
    if [ "$rc" -eq 124 ]; then
        why="timed out after ${limit}s"
    elif [ "$rc" -ge 128 ]; then
        why="killed by signal $((rc - 128))"
    elif [ "$rc" -ne 1 ]; then
        why="exit $rc, expected 1 (findings)"
    else
        # Prints nothing when the rule is there, else what was found instead.
        why=$(python3 - "$out" "$rule" <<'EOF'
import json, sys
try:
    report = json.load(open(sys.argv[1]))
except Exception as e:
    print("output is not JSON: %s" % e)
    sys.exit()
rules = {f.get("rule") for a in report.get("artifacts", []) for f in a.get("findings", [])}
if sys.argv[2] not in rules:
    print("no %s finding; found: %s" % (sys.argv[2], ", ".join(sorted(map(str, rules))) or "none"))
EOF
)
    fi
    if [ -n "$why" ]; then
        failures=$((failures + 1))
        printf 'FAIL %-24s %-26s %6ss  %s\n' "$name" "$rule" "$secs" "$why"
        sed -n '1,5s/^/    stderr: /p' "$scratch/$name.err"
    else
        printf 'ok   %-24s %-26s %6ss\n' "$name" "$rule" "$secs"
    fi
done <"$scratch/in/cases.tsv"

if [ "$failures" -ne 0 ]; then
    echo "$failures hostile case(s) failed"
    exit 1
fi
echo "all hostile cases passed"
