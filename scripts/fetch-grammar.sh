#!/usr/bin/env bash
# Fetches the tree-sitter-python grammar pinned below from the npm registry,
# checks the tarball's sha256 and unpacks its C sources into
# third_party/tree-sitter-python/. A system copy found by pkg-config wins.
#
# 0.23.6 generates parsers with ABI 14, which Debian 12's libtree-sitter
# 0.20.7 loads (it accepts ABI 13 and 14).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=0.23.6
SHA256=aab5b860d93dbf84b37fed532f7dacc0468ede5387d0c74911d68f964287662a
DEST=third_party/tree-sitter-python

if pkg-config --exists tree-sitter-python 2>/dev/null; then
    echo "grammar: using the system tree-sitter-python"
    exit 0
fi
if [ -f "$DEST/.verified-$VERSION" ]; then
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "grammar: fetching tree-sitter-python@$VERSION"
(cd "$tmp" && npm pack --silent "tree-sitter-python@$VERSION" >/dev/null 2>npm.log) || {
    cat "$tmp/npm.log" >&2
    echo "grammar: cannot fetch tree-sitter-python@$VERSION from npm (check the network or npm's registry setting)" >&2
    exit 1
}
tarball="$tmp/tree-sitter-python-$VERSION.tgz"
got=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ "$got" != "$SHA256" ]; then
    echo "grammar: sha256 mismatch for tree-sitter-python-$VERSION.tgz: got $got, want $SHA256" >&2
    exit 1
fi
tar -xzf "$tarball" -C "$tmp" package/src package/LICENSE
rm -rf "$DEST"
mkdir -p "$DEST"
cp -r "$tmp/package/src" "$tmp/package/LICENSE" "$DEST/"
touch "$DEST/.verified-$VERSION"
echo "grammar: tree-sitter-python@$VERSION unpacked into $DEST"
