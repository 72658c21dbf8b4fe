#!/usr/bin/env bash
# safepip against bandit, and against the bare tree-sitter-python parse, on
# one tree of Python sources, in one run (ARCHITECTURE.md section 7).
#
# usage: bench/scan-vs-bandit.sh [TREE]
#
# TREE defaults to the standard library of python3 on PATH
# (sysconfig.get_paths()["stdlib"]). Nothing is copied: every tool reads TREE
# in place. Measured, each with GNU time (/usr/bin/time: wall s, peak RSS):
#   (a) sp-tsparse TREE                                  bare parse, 1 thread
#   (b) safepip scan -q --format json -j 1 TREE          one scan thread
#   (c) safepip scan -q --format json TREE               one thread per core
#   (d) bandit -r -q -f json TREE                        Debian's bandit
# then a table (files and MB are those of TREE's *.py files, MB = 10^6 bytes)
# and the ratios the targets are stated in. With RUNS > 1 the table shows
# medians and the range of each row follows it.
#
# environment:
#   RUNS=N          run each tool N times and take the median (default 1)
#   BUILD=DIR       build directory holding safepip and bench/sp-tsparse
#                   (default build, as in the Makefile)
#   SAFEPIP=PATH    the safepip binary (default $BUILD/safepip)
#   TSPARSE=PATH    the bare-parse tool (default $BUILD/bench/sp-tsparse)
#   BANDIT=PATH     bandit (default: bandit on PATH)
#
# Exit status: 0 all tools ran and produced their output, 1 a tool failed or
# is missing, 2 bad usage. bandit's and safepip's "findings" exit status 1 is
# not a failure; a missing or malformed report is.
set -euo pipefail

BENCH=scan-vs-bandit
. "$(dirname "$0")/common.sh"
TSPARSE=${TSPARSE:-$BUILD/bench/sp-tsparse}
BANDIT=${BANDIT:-bandit}
RUNS=${RUNS:-1}
TIME=/usr/bin/time

case ${1:-} in
    -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
esac
[ $# -le 1 ] || { echo "usage: bench/scan-vs-bandit.sh [TREE]" >&2; exit 2; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "scan-vs-bandit: RUNS must be a positive integer, not '$RUNS'" >&2; exit 2; }

# --- what we need ---
[ -x "$TIME" ] || die "$TIME is missing (GNU time measures wall time and peak RSS): apt-get install time"
"$TIME" -f '%e %M' -o /dev/null true 2>/dev/null \
    || die "$TIME is not GNU time (no -f/-o): apt-get install time"
[ -x "$SAFEPIP" ] || die "no safepip binary at $SAFEPIP: run 'make build' first"
[ -x "$TSPARSE" ] || die "no sp-tsparse at $TSPARSE: run 'make build' first (bench/CMakeLists.txt builds it)"
command -v "$BANDIT" >/dev/null || die "bandit not found: apt-get install bandit"
command -v python3 >/dev/null || die "python3 not found: apt-get install python3"

bench_tree "$@"
bench_tmp

# --- the corpus: every *.py file, as the tools find them (symlinks not followed) ---
bench_corpus
MB=$(awk -v b="$BYTES" 'BEGIN {printf "%.2f", b / 1e6}')
NPROC=$(nproc)
say "tree $TREE: $FILES *.py files, $MB MB; $NPROC cores; $RUNS run(s) of each tool"
for sub in site-packages dist-packages; do
    if [ -d "$TREE/$sub" ]; then
        n=$(find "$TREE/$sub" -type f -name '*.py' | wc -l)
        say "note: $TREE/$sub is part of the tree ($n of the $FILES files are installed third-party packages)"
    fi
done

# Others may rebuild safepip while bandit runs: note which binary this is, check it at the end.
SP_SHA=$(sha256sum "$SAFEPIP" | cut -c1-12)
SP_VERSION=$("$SAFEPIP" --version 2>/dev/null | head -n 1) || SP_VERSION="(--version failed)"
say "safepip: $SAFEPIP ($SP_VERSION, sha256 $SP_SHA...)"

# Anything else running skews every number. The machine's busy CPU time over
# the run (/proc/stat) less the CPU time of the tools measured here is what
# other processes used; it is reported at the end.
busy_jiffies() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat; }
HZ=$(getconf CLK_TCK)
b0=$(busy_jiffies); sleep 1; b1=$(busy_jiffies)
if awk -v b="$((b1 - b0))" -v hz="$HZ" 'BEGIN {exit !(b / hz > 0.1)}'; then
    say "warning: the machine is busy before the run ($(awk -v b="$((b1 - b0))" -v hz="$HZ" \
        'BEGIN {printf "%.0f", b / hz * 100}')% of a core); other work skews the timings"
fi

# Warm the page cache so the first tool does not pay for the disk alone.
say "warming the page cache..."
find "$TREE" -type f -name '*.py' -print0 | xargs -0 -r cat >/dev/null

# The safepip rows must come from the binary named in the report.
check_binary() {
    [ "$(sha256sum "$SAFEPIP" | cut -c1-12)" = "$SP_SHA" ] ||
        die "$SAFEPIP was rebuilt during the run (before $1); rerun when the build is quiet"
}

# measure NAME OK_CODES CMD...: runs CMD under /usr/bin/time with stdout in
# $tmp/NAME.out and stderr in $tmp/NAME.err; records "wall_s rss_kib user_s sys_s"
# in $tmp/NAME.times (one line per run). Any exit status not in OK_CODES fails.
measure() {
    local name=$1 ok=$2 rc b0 t0
    shift 2
    b0=$(busy_jiffies)
    t0=$(date +%s.%N)
    set +e
    "$TIME" -f '%e %M %U %S' -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    rc=$?
    set -e
    if [[ " $ok " != *" $rc "* ]]; then
        say "$name failed (exit status $rc): $*"
        if [ -s "$tmp/$name.err" ]; then
            say "its last lines on standard error:"
            tail -n 20 "$tmp/$name.err" >&2
        fi
        exit 1
    fi
    # GNU time writes "Command exited with non-zero status N" first; the numbers are last.
    tail -n 1 "$tmp/$name.time" >>"$tmp/$name.times"
    # CPU seconds others used while it ran, and its wall seconds, for the report
    awk -v b0="$b0" -v b1="$(busy_jiffies)" -v hz="$HZ" -v t0="$t0" -v t1="$(date +%s.%N)" \
        '{o = (b1 - b0) / hz - ($3 + $4); if (o < 0) o = 0; printf "%.2f %.2f\n", o, t1 - t0}' \
        "$tmp/$name.time" | tail -n 1 | tee -a "$tmp/other" >>"$tmp/$name.other"
    echo "$rc" >"$tmp/$name.rc"
}

# check_safepip NAME: the report is complete JSON, every target was read,
# and exit status 1 is explained by findings at or above --fail-on.
check_safepip() {
    local name=$1
    python3 - "$tmp/$name.out" "$(cat "$tmp/$name.rc")" >"$tmp/$name.check" <<'EOF' || die "$name: bad report (see above)"
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        r = json.load(f)
except (OSError, ValueError) as e:
    sys.exit(f"scan-vs-bandit: the safepip report is not JSON: {e}")
rc = int(sys.argv[2])
arts = r.get("artifacts")
if not isinstance(arts, list) or not arts:
    sys.exit("scan-vs-bandit: the safepip report lists no artifacts")
for a in arts:
    if a.get("error"):
        sys.exit(f"scan-vs-bandit: safepip could not scan {a.get('target')}: {a['error']}")
failed = r.get("summary", {}).get("failed")
if rc == 1 and failed is not True:
    sys.exit("scan-vs-bandit: safepip exited 1 but its report does not say it failed")
print(sum(a.get("sources", 0) for a in arts), sum(a.get("source_bytes", 0) for a in arts),
      r.get("summary", {}).get("findings", 0))
EOF
}

check_bandit() {
    python3 - "$tmp/bandit.out" >"$tmp/bandit.check" <<'EOF' || die "bandit: no usable report (see above)"
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        r = json.load(f)
except (OSError, ValueError) as e:
    sys.exit(f"scan-vs-bandit: bandit produced no JSON report: {e}")
if "results" not in r or "metrics" not in r:
    sys.exit("scan-vs-bandit: bandit's report has no results or metrics")
scanned = len([k for k in r["metrics"] if k != "_totals"])
print(scanned, len(r.get("errors", [])), len(r["results"]))
EOF
}

check_tsparse() {
    awk '$1 == "files" {f = $2} $1 == "parse_seconds" {p = $2} END {exit !(f > 0 && p > 0)}' \
        "$tmp/tsparse.out" || die "sp-tsparse printed no results"
    awk '$1 == "parse_seconds" {print $2}' "$tmp/tsparse.out" >>"$tmp/tsparse.parse"
    awk '$1 == "files" {f = $2} $1 == "error_trees" {e = $2} END {print f, e}' \
        "$tmp/tsparse.out" >"$tmp/tsparse.check"
}

for run in $(seq 1 "$RUNS"); do
    [ "$RUNS" -eq 1 ] || say "--- run $run of $RUNS ---"
    say "running sp-tsparse (bare tree-sitter-python parse, 1 thread)..."
    measure tsparse "0" "$TSPARSE" "$TREE"
    check_tsparse
    say "running safepip scan -j 1..."
    check_binary "safepip -j 1, run $run"
    measure safepip1 "0 1" "$SAFEPIP" scan -q --format json -j 1 "$TREE"
    check_safepip safepip1
    say "running safepip scan (all $NPROC cores)..."
    check_binary "safepip, run $run"
    measure safepipN "0 1" "$SAFEPIP" scan -q --format json "$TREE"
    check_safepip safepipN
    check_binary "the check after safepip, run $run"
    say "running bandit (slow; several minutes on a large tree)..."
    measure bandit "0 1" "$BANDIT" -r -q -f json "$TREE"
    check_bandit
done

# median FILE COLUMN: the median of one column (the mean of the middle two for an even count)
median() {
    awk -v c="$2" '{print $c}' "$1" | sort -g |
        awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

T_PARSE=$(median "$tmp/tsparse.parse" 1)
T_TSP=$(median "$tmp/tsparse.times" 1);   M_TSP=$(median "$tmp/tsparse.times" 2)
T_SP1=$(median "$tmp/safepip1.times" 1);  M_SP1=$(median "$tmp/safepip1.times" 2)
T_SPN=$(median "$tmp/safepipN.times" 1);  M_SPN=$(median "$tmp/safepipN.times" 2)
T_BAN=$(median "$tmp/bandit.times" 1);    M_BAN=$(median "$tmp/bandit.times" 2)

read -r TSP_FILES TSP_ERRTREES <"$tmp/tsparse.check"
read -r SP_SOURCES SP_BYTES SP_FINDINGS <"$tmp/safepipN.check"
read -r BAN_FILES BAN_ERRORS BAN_ISSUES <"$tmp/bandit.check"

echo
echo "tree:  $TREE"
echo "safepip: $SAFEPIP ($SP_VERSION, binary sha256 $SP_SHA...)"
echo "files: $FILES *.py files, $MB MB (MB = 10^6 bytes); cores: $NPROC; runs: $RUNS (median shown)"
echo
awk -v mb="$MB" -v files="$FILES" \
    -v tparse="$T_PARSE" -v ttsp="$T_TSP" -v mtsp="$M_TSP" \
    -v tsp1="$T_SP1" -v msp1="$M_SP1" -v tspn="$T_SPN" -v mspn="$M_SPN" \
    -v tban="$T_BAN" -v mban="$M_BAN" -v nproc="$NPROC" '
function row(tool, s, kib) {
    if (s <= 0) s = 0.001  # /usr/bin/time has 10 ms resolution
    printf "%-36s %7d %9.2f %9.2f %9.2f %9s\n", tool, files, mb, s, mb / s,
        kib == "" ? "-" : sprintf("%.1f", kib * 1024 / 1e6)
}
BEGIN {
    printf "%-36s %7s %9s %9s %9s %9s\n", "tool", "files", "MB", "seconds", "MB/s", "peak MB"
    row("tree-sitter parse only, 1 thread", tparse, "")
    row("sp-tsparse wall (read+parse), 1 thr", ttsp, mtsp)
    row("safepip scan -j 1", tsp1, msp1)
    row("safepip scan (" nproc " cores)", tspn, mspn)
    row("bandit -r", tban, mban)
}'
if [ "$RUNS" -gt 1 ]; then
    echo
    echo "range over the $RUNS runs (seconds, min - max):"
    for pair in "tsparse.parse:parse only" "tsparse.times:sp-tsparse wall" "safepip1.times:safepip -j 1" \
                "safepipN.times:safepip ($NPROC cores)" "bandit.times:bandit"; do
        sort -g "$tmp/${pair%%:*}" | awk -v l="${pair#*:}" \
            'NR == 1 {lo = $1} {hi = $1} END {printf "  %-22s %9.2f - %.2f\n", l, lo, hi}'
    done
fi
echo
awk -v tparse="$T_PARSE" -v ttsp="$T_TSP" -v tsp1="$T_SP1" -v tspn="$T_SPN" -v tban="$T_BAN" \
    -v nproc="$NPROC" '
function nz(x) { return x > 0 ? x : 0.001 }
BEGIN {
    speedup = nz(tban) / nz(tspn)
    share = nz(tparse) / nz(tsp1) * 100
    share_wall = nz(ttsp) / nz(tsp1) * 100
    scaling = nz(tsp1) / nz(tspn)
    v_speed = speedup >= 50 ? "met" : "NOT met"
    v_share = share >= 70 ? "met" : "NOT met"
    printf "safepip (%d cores) vs bandit:                 %.1fx faster (target >= 50x: %s)\n",
        nproc, speedup, v_speed
    printf "safepip -j 1 vs bare parse (parse only):     %.0f%% of its MB/s (target >= 70%%: %s)\n",
        share, v_share
    printf "safepip -j 1 vs sp-tsparse (read+parse wall): %.0f%% of its MB/s\n", share_wall
    printf "safepip %d cores vs -j 1:                     %.2fx (%.0f%% of linear)\n",
        nproc, scaling, scaling / nproc * 100
}'
echo
echo "checks: sp-tsparse parsed $TSP_FILES files ($TSP_ERRTREES with syntax errors);" \
     "safepip scanned $SP_SOURCES sources ($SP_BYTES bytes, .py and .pyw), $SP_FINDINGS findings;"
echo "        bandit scanned $BAN_FILES files, could not parse $BAN_ERRORS, reported $BAN_ISSUES issues"
if [ "$(cut -d' ' -f1,3 "$tmp/safepip1.check")" != "$SP_SOURCES $SP_FINDINGS" ]; then
    say "warning: safepip -j 1 and -j $NPROC disagree (sources findings): $(cut -d' ' -f1,3 "$tmp/safepip1.check") vs $SP_SOURCES $SP_FINDINGS"
fi
if [ "$SP_SOURCES" -gt "$FILES" ]; then
    awk -v n=$((SP_SOURCES - FILES)) -v b=$((SP_BYTES - BYTES)) -v t="$T_SP1" -v bp="$T_PARSE" -v mb="$MB" 'BEGIN {
        printf "note:   safepip also scanned %d sources (%.2f MB) that are not *.py files of the tree:\n", n, b / 1e6
        printf "        .pyw files and sources inside archives (bundled wheels); they cost it time but are\n"
        printf "        not in its MB. On all it scanned, -j 1 ran at %.2f MB/s, %.0f%% of bare parse.\n",
            (mb + b / 1e6) / t, (mb + b / 1e6) / t / (mb / bp) * 100 }'
fi
OTHER=$(awk '{o += $1; w += $2} END {p = w > 0 ? o / w * 100 : 0; printf "%.1f %.1f", o, p}' "$tmp/other")
read -r OTHER_S OTHER_PCT <<<"$OTHER"
echo "        other processes used $OTHER_S CPU seconds during the run (${OTHER_PCT}% of one core on average)"
for name in tsparse safepip1 safepipN bandit; do
    awk -v n="$name" -v np="$NPROC" '{o += $1; w += $2} END {
        p = w > 0 ? o / w * 100 : 0
        label = n == "tsparse" ? "sp-tsparse" : n == "safepip1" ? "safepip -j 1" : n == "safepipN" ? "safepip (" np " cores)" : "bandit"
        if (p > 5 && o > 0.5) printf "scan-vs-bandit: warning: while %s ran, other processes used %.0f%% of a core; its row is skewed (rerun on a quiet machine)\n", label, p
    }' "$tmp/$name.other" >&2
done
if [ "$(sha256sum "$SAFEPIP" | cut -c1-12)" != "$SP_SHA" ]; then
    say "note: $SAFEPIP was rebuilt after its last measured run; the rows above are from sha256 $SP_SHA..."
fi
if [ "$SP_SOURCES" -lt "$FILES" ]; then
    say "warning: safepip scanned $SP_SOURCES sources, fewer than the $FILES *.py files"
fi
if awk -v a="$T_SP1" -v b="$T_SPN" -v c="$T_TSP" 'BEGIN {exit !(a < 1 || b < 1 || c < 1)}'; then
    say "warning: some runs took under a second; /usr/bin/time counts in 10 ms steps, so use a larger tree"
fi
if [ "$TSP_FILES" != "$FILES" ]; then
    say "warning: sp-tsparse parsed $TSP_FILES files, find counted $FILES"
fi
