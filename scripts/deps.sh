#!/usr/bin/env bash
# Installs what building and testing safepip needs and the machine lacks:
# Debian packages (only the missing ones) and the pinned tree-sitter-python
# grammar (npm tarball, sha256 checked, unpacked into third_party/, never
# committed). Idempotent: a second run does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Libraries (and tools that only come from Debian) by package name.
PKGS=(
    build-essential cmake pkg-config git ca-certificates
    libcurl4-openssl-dev libarchive-dev libzip-dev libtree-sitter-dev libcjson-dev
    libssl-dev libsqlite3-dev libxml2-dev libcmocka-dev
    bandit time clang libclang-rt-14-dev
    zsh fish python3-wheel nginx-light
    chromium
    # packaging: the man page, the .deb/.rpm and their checks (tests/packaging)
    scdoc lintian rpm bash-completion man-db groff-base file python3-yaml
)
# Tools by command: a machine may have them from elsewhere (NodeSource's
# nodejs ships npm and conflicts with Debian's npm; pyenv ships python3).
# command:package to install when the command is missing.
TOOLS=(npm:npm python3:python3 strace:strace)

missing=()
for p in "${PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
for t in "${TOOLS[@]}"; do
    command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t#*:}")
done
# The tests make virtual environments with the interpreter they find.
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    missing+=(python3-venv)
fi
# The report test validates SARIF with jsonschema in whichever python3 runs.
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import jsonschema' 2>/dev/null; then
    missing+=(python3-jsonschema)
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

scripts/fetch-sarif-schema.sh
exec scripts/fetch-grammar.sh
