#!/usr/bin/env bash
# Points the Homebrew formula at a release tarball: sets its url and sha256.
#
#   packaging/homebrew/update-formula.sh TARBALL URL [FORMULA]
#
# TARBALL is the file as published at URL (e.g. made with
#   git archive --prefix=safepip-0.2.0/ -o safepip-0.2.0.tar.gz v0.2.0);
# FORMULA defaults to packaging/homebrew/safepip.rb. Only the formula's own
# url/sha256 lines change, not the grammar resource's.
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: update-formula.sh TARBALL URL [FORMULA]" >&2
    exit 2
fi
tarball=$1 url=$2 formula=${3:-$(dirname "$0")/safepip.rb}
[ -r "$tarball" ] || { echo "update-formula: cannot read '$tarball'" >&2; exit 1; }
case $url in
https://*) ;;
*) echo "update-formula: '$url' is not an https URL" >&2; exit 2 ;;
esac
sum=$(sha256sum "$tarball" | cut -d' ' -f1)
tmp=$(mktemp "$formula.XXXXXX")
trap 'rm -f "$tmp"' EXIT
# The formula's url and sha256 are the first ones, at two spaces of indent;
# the resource's are deeper.
awk -v url="$url" -v sum="$sum" '
    /^  url "/ && !u { print "  url \"" url "\""; u = 1; next }
    /^  sha256 "/ && !s { print "  sha256 \"" sum "\""; s = 1; next }
    { print }
    END { if (!u || !s) exit 1 }
' "$formula" >"$tmp" || { echo "update-formula: no url/sha256 line in '$formula'" >&2; exit 1; }
cat "$tmp" >"$formula" # keeps the file's mode
rm -f "$tmp"
trap - EXIT
echo "$formula: $url $sum"
