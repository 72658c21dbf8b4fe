#!/usr/bin/env bash
# The demo: builds a clean wheel and a malicious sdist from demo/ (standard
# library only, nothing downloaded) and runs safepip's gate on both. The
# clean one passes; the malicious one is stopped, with the reason.
set -uo pipefail
cd "$(dirname "$0")/.."
SAFEPIP=${SAFEPIP:-build/safepip}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

clean=$(python3 tests/support/mkpkg.py wheel demo/clean "$out" --name tidyformat --version 1.0.0)
bad=$(python3 tests/support/mkpkg.py sdist demo/malicious "$out" --name tidyformatt --version 1.0.0)

status=0
for pkg in "$clean" "$bad"; do
    echo "==> safepip scan $(basename "$pkg")"
    "$SAFEPIP" scan "$pkg"
    rc=$?
    case $rc in
        0) echo "==> $(basename "$pkg"): allowed (nothing at or above high)" ;;
        1) echo "==> $(basename "$pkg"): BLOCKED (findings at or above high, listed above)" ;;
        *) echo "==> $(basename "$pkg"): error (exit $rc)"; status=1 ;;
    esac
    echo
done
# The demo itself fails if the gate lets the malicious package through or
# stops the clean one.
"$SAFEPIP" scan -q "$clean" >/dev/null || { echo "demo: the clean package was not allowed" >&2; status=1; }
"$SAFEPIP" scan -q "$bad" >/dev/null && { echo "demo: the malicious package was not blocked" >&2; status=1; }
exit $status
