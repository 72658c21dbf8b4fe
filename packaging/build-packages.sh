#!/usr/bin/env bash
# Builds safepip's .deb (and .rpm where rpmbuild exists) from a clean release
# configuration: prefix /usr, the distribution's hardening flags
# (dpkg-buildflags) when present, no tests, stripped binary.
#
#   packaging/build-packages.sh [-b BUILD_DIR] [-o OUT_DIR] [GENERATOR...]
#
# GENERATOR is DEB, RPM or TGZ (default: DEB, plus RPM when rpmbuild is
# installed). BUILD_DIR defaults to build-package/, OUT_DIR to BUILD_DIR/dist; a
# second run reuses BUILD_DIR and rebuilds only what changed. Prints the
# path of each package it wrote.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=$src/build-package
out=
usage() {
    echo "usage: packaging/build-packages.sh [-b BUILD_DIR] [-o OUT_DIR] [DEB|RPM|TGZ...]" >&2
    exit 2
}
while getopts b:o:h opt; do
    case $opt in
    b) build=$OPTARG ;;
    o) out=$OPTARG ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
gens=("$@")
if [ ${#gens[@]} -eq 0 ]; then
    gens=(DEB)
    command -v rpmbuild >/dev/null 2>&1 && gens+=(RPM)
fi
for g in "${gens[@]}"; do
    case $g in
    DEB | RPM | TGZ) ;;
    *) echo "build-packages: unknown generator '$g' (DEB, RPM or TGZ)" >&2; exit 2 ;;
    esac
done

# The grammar is compiled into the binary; fetch it (pinned, checked) if missing.
"$src/scripts/fetch-grammar.sh" >&2

# Hardening as Debian builds its own packages: fortify, stack protector,
# relro/now, PIE. Without dpkg-buildflags (another distribution), the
# compiler's defaults.
cflags= ldflags=
if command -v dpkg-buildflags >/dev/null 2>&1; then
    export DEB_BUILD_MAINT_OPTIONS=hardening=+all
    cflags="$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
    ldflags=$(dpkg-buildflags --get LDFLAGS)
fi
# As cache values, not CFLAGS/LDFLAGS, so a reused build dir takes them too.
cmake -S "$src" -B "$build" "-DCMAKE_C_FLAGS=$cflags" "-DCMAKE_EXE_LINKER_FLAGS=$ldflags" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
    -DSP_TESTS=OFF -DSP_FUZZ=OFF -DSP_SANITIZE=OFF >&2
cmake --build "$build" -j"${SP_JOBS:-2}" >&2

[ -n "$out" ] || out=$build/dist
mkdir -p "$out"
out=$(cd "$out" && pwd) # cpack runs in the build dir
for g in "${gens[@]}"; do
    log=$build/cpack-$g.log
    if ! (cd "$build" && cpack -G "$g" -B "$out") >"$log" 2>&1; then
        cat "$log" >&2
        echo "build-packages: cpack -G $g failed (log: $log)" >&2
        exit 1
    fi
    sed -n 's/^CPack: - package: \(.*\) generated\.$/\1/p' "$log"
done
