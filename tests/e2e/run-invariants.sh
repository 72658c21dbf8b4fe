#!/usr/bin/env bash
# Invariants 1 and 5 of the architecture, proved on the real binary with
# strace: scanning packages runs none of their code (no exec, and canary
# code that would leave a mark leaves none) and writes nothing to disk (no
# file-creating, renaming, linking or deleting system call at all).
# Args: SAFEPIP SOURCE_DIR SCRATCH_DIR
set -uo pipefail
SP=$(realpath "$1") SRC=$(realpath "$2") T=$3
rm -rf "$T" && mkdir -p "$T/pkg/canary" "$T/sd" "$T/dist" "$T/work" && T=$(realpath "$T")
command -v strace >/dev/null || { echo "FAIL: strace is missing (make deps installs it)"; exit 1; }
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }

MARK=$T/MARK-code-ran
canary="open('$MARK', 'w').write('ran')"
printf 'import os\n%s\n' "$canary" > "$T/pkg/canary/__init__.py"
printf 'import os; %s\n' "$canary" > "$T/pkg/canary-hook.pth"
printf 'from setuptools import setup\n%s\nsetup(name="canary")\n' "$canary" > "$T/sd/setup.py"
mkdir -p "$T/sd/canary" && cp "$T/pkg/canary/__init__.py" "$T/sd/canary/"
whl=$(python3 "$SRC/tests/support/mkpkg.py" wheel "$T/pkg" "$T/dist" --name canary --version 1.0)
sdist=$(python3 "$SRC/tests/support/mkpkg.py" sdist "$T/sd" "$T/dist" --name canary --version 1.0)
# An archive whose entries name places outside any extraction directory,
# and a wheel nested in a zip.
python3 - "$T/dist/escape.zip" "$whl" "$T" <<'PY'
import sys, zipfile
out, whl, t = sys.argv[1:]
with zipfile.ZipFile(out, "w") as z:
    z.writestr("../../../../" + t.lstrip("/") + "/escaped.py", "x = 1\n")
    z.writestr("/" + t.lstrip("/") + "/absolute.py", "x = 1\n")
    z.write(whl, "vendor/canary-1.0-py3-none-any.whl")
PY

# Run from an empty working directory with an empty TMPDIR: both must stay empty.
# LeakSanitizer cannot run under ptrace; the other tiers check leaks. The verdict
# cache is off: its database is the one file a scan may write (run-cache.sh).
(cd "$T/work" && SAFEPIP_NO_VERDICT_CACHE=1 TMPDIR=$T/work ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -o "$T/trace" \
    -e trace=execve,execveat,creat,open,openat,openat2,mkdir,mkdirat,rename,renameat,renameat2,link,linkat,symlink,symlinkat,unlink,unlinkat,truncate \
    "$SP" scan --format json "$whl" "$sdist" "$T/dist/escape.zip" > "$T/report.json" 2> "$T/err")
rc=$?
[ "$rc" -eq 1 ] && ok "scan finished with findings (exit $rc)" || { bad "scan exit $rc"; cat "$T/err"; }

[ ! -e "$MARK" ] && ok "no canary mark: no package code ran" || bad "package code ran: $MARK exists"
execs=$(grep -cE 'execve(at)?\(' "$T/trace")
[ "$execs" -eq 1 ] && ok "one exec in the whole run (safepip itself)" || { bad "$execs execs"; grep -E 'execve' "$T/trace"; }
writes=$(grep -E 'open(at2?)?\(' "$T/trace" | grep -E 'O_(WRONLY|RDWR|CREAT|TRUNC)' || true)
[ -z "$writes" ] && ok "no file opened for writing" || { bad "files opened for writing:"; echo "$writes"; }
other=$(grep -E '(creat|mkdir|mkdirat|rename|renameat2?|link|linkat|symlink|symlinkat|unlink|unlinkat|truncate)\(' "$T/trace" || true)
[ -z "$other" ] && ok "no file created, renamed, linked or removed" || { bad "file system changes:"; echo "$other"; }
[ -z "$(ls -A "$T/work")" ] && ok "working directory and TMPDIR still empty" || bad "left behind: $(ls -A "$T/work")"
[ ! -e "$T/escaped.py" ] && [ ! -e "$T/absolute.py" ] && ok "traversal entries not written" || bad "traversal entry written"

# The scan did see what it did not run.
python3 - "$T/report.json" <<'PY' && ok "report names the traversal, the .pth hook and the nested wheel" || bad "report incomplete"
import json, sys
d = json.load(open(sys.argv[1]))
rules = {f["rule"] for a in d["artifacts"] for f in a["findings"]}
paths = {f["path"] for a in d["artifacts"] for f in a["findings"]}
assert {"archive-traversal", "archive-absolute-path", "pth-exec"} <= rules, rules
assert any(p and "canary-1.0-py3-none-any.whl!/" in p for p in paths), paths
PY

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
