# Sourced by the scan benchmarks: where the build is, how to complain, and
# which tree to measure. Set BENCH (the script's name for messages) first.
#
#   ROOT, BUILD (default build, relative to ROOT), SAFEPIP (default BUILD/safepip)
#   die MSG / say MSG        on standard error, prefixed with BENCH
#   bench_tree [TREE]        sets TREE: the argument, else python3's standard library
#   bench_corpus             sets FILES and BYTES: the tree's *.py files (symlinks not followed)
#   bench_tmp                sets tmp: a scratch directory removed on exit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
SAFEPIP=${SAFEPIP:-$BUILD/safepip}
# Every run scans for real: a verdict cached for an archive in the tree would answer instead.
export SAFEPIP_NO_VERDICT_CACHE=1

die() { echo "$BENCH: $*" >&2; exit 1; }
say() { echo "$BENCH: $*" >&2; }

bench_tree() {
    if [ $# -eq 1 ]; then
        TREE=$1
    else
        TREE=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])') \
            || die "cannot ask python3 for its standard library's path"
    fi
    [ -d "$TREE" ] || die "'$TREE' is not a directory"
    TREE=$(cd "$TREE" && pwd)
}

bench_corpus() {
    read -r FILES BYTES < <(find "$TREE" -type f -name '*.py' -printf '%s\n' |
        awk '{n++; b += $1} END {printf "%d %d\n", n, b}')
    [ "$FILES" -gt 0 ] || die "no *.py files below $TREE"
}

bench_tmp() {
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/$BENCH.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
