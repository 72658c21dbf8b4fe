#!/usr/bin/env bash
# bandit and safepip on one tree of Python sources: per bandit test id, how
# many findings each reported and where they disagree (issue 3, item 6).
#
# usage: bench/compare-bandit.sh [TREE]
#
# TREE defaults to the standard library of python3 on PATH
# (sysconfig.get_paths()["stdlib"]), as bench/scan-vs-bandit.sh; the benign
# corpus of Debian's python3-* packages is another good tree:
#   bench/compare-bandit.sh /usr/lib/python3/dist-packages
# It runs, once each and reading TREE in place:
#   safepip rules --format json         which bandit tests each rule covers
#   safepip scan -q --format json TREE  safepip's findings
#   bandit -r -q -f json -o FILE TREE   bandit's (slow: about 0.3 MB/s)
# and bench/compare-bandit.py prints one row per bandit test id: bandit's
# count, safepip's, both at the same place, bandit only, safepip only (the
# script's header says how findings are matched); then, for each test with
# disagreements, sample locations of each kind with their source line; then
# the totals. docs/rules.md ("Where safepip and bandit disagree") explains
# the disagreements of the recorded run.
#
# environment:
#   BANDIT_JSON=FILE  bandit's report: read it when FILE exists (no bandit
#                     run), else run bandit and keep its report there
#   SAMPLES=N         sample locations of each kind per test (default 3)
#   RECORD=FILE       also write the counts and the run's facts to FILE, the
#                     data docs/rules.md shows (policy/rules/bandit-compare-run.tsv)
#   BUILD=DIR         build directory holding safepip (default build)
#   SAFEPIP=PATH      the safepip binary (default $BUILD/safepip)
#   BANDIT=PATH       bandit (default: bandit on PATH)
#
# Exit status: 0 compared, 1 a tool failed or is missing, 2 bad usage.
# Findings are not failures: bandit's and safepip's exit status 1 is expected.
set -euo pipefail

BENCH=compare-bandit
. "$(dirname "$0")/common.sh"
BANDIT=${BANDIT:-bandit}
SAMPLES=${SAMPLES:-3}
BANDIT_JSON=${BANDIT_JSON:-}
RECORD=${RECORD:-}

case ${1:-} in
    -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
esac
[ $# -le 1 ] || { echo "usage: bench/compare-bandit.sh [TREE]" >&2; exit 2; }
[[ $SAMPLES =~ ^[0-9]+$ ]] || { say "SAMPLES must be a number, not '$SAMPLES'"; exit 2; }

[ -x "$SAFEPIP" ] || die "no safepip binary at $SAFEPIP: run 'make build' first"
command -v python3 >/dev/null || die "python3 not found: apt-get install python3"
if [ -z "$BANDIT_JSON" ] || [ ! -e "$BANDIT_JSON" ]; then
    command -v "$BANDIT" >/dev/null || die "bandit not found: apt-get install bandit"
fi

bench_tree "$@"
bench_tmp
bench_corpus
say "tree $TREE: $FILES *.py files, $(awk -v b="$BYTES" 'BEGIN {printf "%.1f", b / 1e6}') MB"

SP_VERSION=$("$SAFEPIP" --version 2>/dev/null | head -n 1) || die "$SAFEPIP --version failed"
DATE=$(date -u +%Y-%m-%d)

say "running safepip rules --format json..."
"$SAFEPIP" rules --format json >"$tmp/rules.json" || die "safepip rules --format json failed"

say "running safepip scan on the tree..."
set +e
"$SAFEPIP" scan -q --format json "$TREE" >"$tmp/safepip.json" 2>"$tmp/safepip.err"
rc=$?
set -e
if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
    tail -n 20 "$tmp/safepip.err" >&2
    die "safepip scan failed (exit status $rc)"
fi

if [ -n "$BANDIT_JSON" ] && [ -e "$BANDIT_JSON" ]; then
    say "reading bandit's saved report $BANDIT_JSON (no bandit run)"
    BAN_REPORT=$BANDIT_JSON
    BAN_VERSION="bandit (saved report $(date -u -r "$BANDIT_JSON" +%Y-%m-%d))"
    if command -v "$BANDIT" >/dev/null; then
        BAN_VERSION=$("$BANDIT" --version 2>/dev/null | head -n 1) || true
    fi
else
    BAN_REPORT=${BANDIT_JSON:-$tmp/bandit.json}
    BAN_VERSION=$("$BANDIT" --version 2>/dev/null | head -n 1) || die "$BANDIT --version failed"
    say "running $BAN_VERSION -r on the tree (slow: about 0.3 MB/s, so minutes on a large tree)..."
    set +e
    "$BANDIT" -r -q -f json -o "$BAN_REPORT" "$TREE" >"$tmp/bandit.out" 2>"$tmp/bandit.err"
    rc=$?
    set -e
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
        tail -n 20 "$tmp/bandit.err" >&2
        rm -f "$BAN_REPORT"
        die "bandit failed (exit status $rc)"
    fi
    [ -z "$BANDIT_JSON" ] ||
        say "bandit's report is kept in $BANDIT_JSON (BANDIT_JSON=$BANDIT_JSON reuses it)"
fi
BAN_PY=$(python3 - "$(command -v "$BANDIT" || true)" <<'EOF' || true
import re, subprocess, sys
# the interpreter bandit runs on: its #! line names it
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        first = f.readline()
    py = first[2:].strip().split()[0] if first.startswith("#!") else ""
    if py:
        print(subprocess.run([py, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                             capture_output=True, text=True, timeout=30).stdout.strip())
except (OSError, IndexError, subprocess.SubprocessError):
    pass
EOF
)
[ -z "$BAN_PY" ] || BAN_VERSION="$BAN_VERSION on Python $BAN_PY"

CMD="${RECORD:+RECORD=$RECORD }${BANDIT_JSON:+BANDIT_JSON=$BANDIT_JSON }bench/compare-bandit.sh"
[ $# -eq 0 ] || CMD="$CMD $TREE"
say "comparing..."
python3 "$ROOT/bench/compare-bandit.py" --tree "$TREE" --bandit "$BAN_REPORT" \
    --safepip "$tmp/safepip.json" --rules "$tmp/rules.json" --peers "$ROOT/policy/rules/peers.tsv" \
    --samples "$SAMPLES" --date "$DATE" --command "$CMD" --bandit-version "$BAN_VERSION" \
    --safepip-version "$SP_VERSION" ${RECORD:+--record "$RECORD"}
