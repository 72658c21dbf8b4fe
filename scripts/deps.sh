#!/usr/bin/env bash
# Installs what building and testing safepip needs and the machine lacks:
# Debian packages (only the missing ones) and the pinned tree-sitter-python
# grammar (npm tarball, sha256 checked, unpacked into third_party/, never
# committed). Idempotent: a second run does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build and runtime libraries, test tools (cmocka, bandit for the benchmark,
# clang's sanitizer runtime), and the interpreter the tests use.
PKGS=(
    build-essential cmake pkg-config git ca-certificates
    libcurl4-openssl-dev libarchive-dev libtree-sitter-dev libcjson-dev
    libssl-dev libsqlite3-dev libxml2-dev libcmocka-dev
    python3 python3-venv npm bandit time clang libclang-rt-14-dev
)

missing=()
for p in "${PKGS[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

exec scripts/fetch-grammar.sh
