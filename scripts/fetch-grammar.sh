#!/usr/bin/env bash
# Fetches the tree-sitter grammars pinned below from the npm registry,
# checks each tarball's sha256 and unpacks its C sources into
# third_party/<grammar>/. A system copy found by pkg-config wins.
#
# tree-sitter-python 0.23.6 and @tree-sitter-grammars/tree-sitter-toml 0.7.0
# generate parsers with ABI 14, which Debian 12's libtree-sitter 0.20.7
# loads (it accepts ABI 13 and 14). Python is the scanner's language; TOML
# is how pyproject.toml is read (Debian has no C TOML library).
set -euo pipefail
cd "$(dirname "$0")/.."

# fetch PKGCONFIG-NAME NPM-SPEC TARBALL SHA256 DEST
fetch() {
    local pc=$1 spec=$2 tarball=$3 sha=$4 dest=$5 version=${2##*@}
    if pkg-config --exists "$pc" 2>/dev/null; then
        echo "grammar: using the system $pc"
        return 0
    fi
    if [ -f "$dest/.verified-$version" ]; then
        return 0
    fi
    local tmp
    tmp=$(mktemp -d)
    echo "grammar: fetching $spec"
    if ! (cd "$tmp" && npm pack --silent "$spec" >/dev/null 2>npm.log); then
        cat "$tmp/npm.log" >&2
        rm -rf "$tmp"
        echo "grammar: cannot fetch $spec from npm (check the network or npm's registry setting)" >&2
        return 1
    fi
    local got
    got=$(sha256sum "$tmp/$tarball" | cut -d' ' -f1)
    if [ "$got" != "$sha" ]; then
        rm -rf "$tmp"
        echo "grammar: sha256 mismatch for $tarball: got $got, want $sha" >&2
        return 1
    fi
    tar -xzf "$tmp/$tarball" -C "$tmp" package/src package/LICENSE
    rm -rf "$dest"
    mkdir -p "$dest"
    cp -r "$tmp/package/src" "$tmp/package/LICENSE" "$dest/"
    touch "$dest/.verified-$version"
    rm -rf "$tmp"
    echo "grammar: $spec unpacked into $dest"
}

fetch tree-sitter-python tree-sitter-python@0.23.6 tree-sitter-python-0.23.6.tgz \
    aab5b860d93dbf84b37fed532f7dacc0468ede5387d0c74911d68f964287662a \
    third_party/tree-sitter-python
fetch tree-sitter-toml @tree-sitter-grammars/tree-sitter-toml@0.7.0 \
    tree-sitter-grammars-tree-sitter-toml-0.7.0.tgz \
    b3a7834caf2e5266d09fc5df0b166a665412b9688b86ac02ab172c48bdab7e13 \
    third_party/tree-sitter-toml
