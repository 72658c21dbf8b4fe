#!/bin/bash
# Golden tests: scan each case under tests/golden/cases and compare the
# findings with the case's .expected file.
#
#   run-golden.sh SAFEPIP SOURCE_DIR SCRATCH_DIR
#
# A case is a .py file (scanned as an ordinary module) or a directory
# (scanned as a source tree, so setup.py and __init__.py get their install-
# and import-time roles). Its expected findings are in cases/<case>.expected,
# one per line, "RULE_ID LINE SEVERITY" (line 0 for a finding about a whole
# file, such as an image), sorted by line then rule id; lines
# starting with '#' (notes, kept by SP_GOLDEN_UPDATE) and blank lines are
# ignored.
#
# SP_GOLDEN_UPDATE=1 rewrites the expected files from what the scanner
# reports instead of comparing (review the diff before committing it).
set -u

if [ $# -ne 3 ]; then
	echo "usage: $0 SAFEPIP SOURCE_DIR SCRATCH_DIR" >&2
	exit 2
fi
bin=$1
src=$2
scratch=$3
cases=$src/tests/golden/cases

mkdir -p "$scratch" || exit 2
# absolute paths: the cases are scanned from inside the cases directory
case "$bin" in */*) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;; esac
scratch=$(cd "$scratch" && pwd)
cases=$(cd "$cases" && pwd) || exit 2
command -v python3 >/dev/null || { echo "run-golden: python3 is needed" >&2; exit 2; }

failed=0
ran=0
cd "$cases" || exit 2
for entry in *; do
	case "$entry" in
	*.expected) continue ;;
	*.py) name=${entry%.py} ;;
	*) [ -d "$entry" ] || continue; name=$entry ;;
	esac
	ran=$((ran + 1))
	expected=$cases/$name.expected
	json=$scratch/$name.json
	got=$scratch/$name.got
	want=$scratch/$name.want

	"$bin" scan -q --format json "$entry" >"$json" 2>"$scratch/$name.stderr"
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then
		echo "FAIL $name: safepip exited $rc" >&2
		cat "$scratch/$name.stderr" >&2
		failed=$((failed + 1))
		continue
	fi
	if ! python3 - "$json" >"$got" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    doc = json.load(f)
rows = []
for a in doc["artifacts"][:1]:
    for x in a["findings"]:
        rows.append((x["line"] or 0, x["rule"], x["severity"]))
rows.sort(key=lambda r: (r[0], r[1]))
for line, rule, sev in rows:
    print(rule, line, sev)
EOF
	then
		echo "FAIL $name: cannot read the JSON report ($json)" >&2
		failed=$((failed + 1))
		continue
	fi

	if [ "${SP_GOLDEN_UPDATE:-}" = 1 ]; then
		# keep the file's leading comment lines
		{ [ -f "$expected" ] && grep '^#' "$expected"; cat "$got"; } >"$scratch/$name.new"
		mv "$scratch/$name.new" "$expected"
		echo "updated $name.expected"
		continue
	fi
	if [ ! -f "$expected" ]; then
		echo "FAIL $name: no $name.expected (run with SP_GOLDEN_UPDATE=1 and review it)" >&2
		failed=$((failed + 1))
		continue
	fi
	grep -v -e '^#' -e '^[[:space:]]*$' "$expected" >"$want"
	if diff -u --label "$name.expected" --label "$name (scanned)" "$want" "$got"; then
		echo "ok   $name"
	else
		echo "FAIL $name" >&2
		failed=$((failed + 1))
	fi
done

if [ $ran -eq 0 ]; then
	echo "run-golden: no cases in $cases" >&2
	exit 1
fi
echo "$ran golden cases, $failed failed"
[ $failed -eq 0 ]
