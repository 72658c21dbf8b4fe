#!/usr/bin/env bash
# Fetches the SARIF 2.1.0 JSON schema (OASIS's final "rtm.5" text, JSON
# Schema draft-04) for the test that validates `safepip scan --format
# sarif`. PyPI is out of reach, so it comes from an npm package that ships
# it, pinned by version and tarball sha256 like the grammar; it lands in
# third_party/sarif/ and is never committed.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE=@microsoft/jest-sarif
VERSION=1.0.0-beta.0
SHA256=748e2c3d1a842e7bb258416685c7ea3a0da40005b72267b2052c2856d48ad102
MEMBER=package/lib/schemas/sarif-2.1.0-rtm.5.json
SCHEMA_SHA256=2d99159ae54a3eea97f81781cff48780548657c35949f4b7f25e99a2ba4de4f8
DEST=third_party/sarif
OUT=$DEST/sarif-schema-2.1.0.json

if [ -f "$OUT" ] && [ "$(sha256sum "$OUT" | cut -d' ' -f1)" = "$SCHEMA_SHA256" ]; then
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "sarif: fetching the SARIF 2.1.0 schema from $PACKAGE@$VERSION"
(cd "$tmp" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null 2>npm.log) || {
    cat "$tmp/npm.log" >&2
    echo "sarif: cannot fetch $PACKAGE@$VERSION from npm (check the network or npm's registry setting)" >&2
    exit 1
}
tarball=$(ls "$tmp"/*.tgz)
got=$(sha256sum "$tarball" | cut -d' ' -f1)
if [ "$got" != "$SHA256" ]; then
    echo "sarif: sha256 mismatch for $(basename "$tarball"): got $got, want $SHA256" >&2
    exit 1
fi
tar -xzf "$tarball" -C "$tmp" "$MEMBER"
got=$(sha256sum "$tmp/$MEMBER" | cut -d' ' -f1)
if [ "$got" != "$SCHEMA_SHA256" ]; then
    echo "sarif: sha256 mismatch for the schema in the tarball: got $got" >&2
    exit 1
fi
mkdir -p "$DEST"
cp "$tmp/$MEMBER" "$OUT"
echo "sarif: schema saved as $OUT"
