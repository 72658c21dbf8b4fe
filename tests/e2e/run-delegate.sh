#!/usr/bin/env bash
# The delegate with the real pip in real virtual environments: wheels built
# here are installed offline from a per-run wheelhouse with hashes required;
# a wrong hash, a missing dependency pin and a poisoned environment
# (PIP_FIND_LINKS, PIP_INDEX_URL, PIP_CONFIG_FILE, a user pip.conf) all
# fail closed; root and non-venv targets are refused unless allowed; a
# non-root user installs; an sdist builds with its build requirement taken
# from the wheelhouse only; pip commands pass through with their exit codes.
# The resolver does not exist yet, so tests/unit/test_delegate's --driver
# mode plays its part (see that file).
# Args: SAFEPIP SOURCE_DIR SCRATCH_DIR
set -uo pipefail
SP=$1 SRC=$2 T=$3
DRV=$(dirname "$SP")/tests/test_delegate
rm -rf "$T" && mkdir -p "$T" && chmod 755 "$T"
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
PY3=$(command -v python3)
# Every pip and safepip run gets only this environment: the machine sets PIP_* variables.
CLEAN=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$T/home" "TMPDIR=$T/tmp"
       "XDG_CACHE_HOME=$T/cache" "LANG=C.UTF-8")
mkdir -p "$T/home" "$T/tmp"
run() { # want_rc description cmd... (output in $T/out)
    local want=$1 what=$2; shift 2
    "$@" >"$T/out" 2>&1; local rc=$?
    if [ "$want" = nonzero ] && [ "$rc" -ne 0 ] || [ "$rc" = "$want" ]; then
        ok "$what (exit $rc)"
    else
        bad "$what: exit $rc, want $want"; sed 's/^/  | /' "$T/out" | tail -15
    fi
}
has() { # description pattern: the last run's output matches
    if grep -qE -- "$2" "$T/out"; then ok "$1"; else bad "$1: no '$2' in:"
        sed 's/^/  | /' "$T/out" | tail -10; fi
}
imports() { # python module...: succeeds when every module imports
    local py=$1; shift
    "${CLEAN[@]}" "$py" -c "import sys; [__import__(m) for m in sys.argv[1:]]" "$@" 2>/dev/null
}
[ -x "$DRV" ] || { echo "FAIL: no driver at $DRV"; exit 1; }

# --- fixtures: three wheels, an sdist and the backend that builds it ---
W=$T/wheels && mkdir -p "$W" "$T/evil"
mk() { # kind name version [extra mkpkg args]: builds from a one-module tree
    local kind=$1 name=$2 ver=$3; shift 3
    mkdir -p "$T/src/$name"
    [ -e "$T/src/$name/$name.py" ] || echo "VALUE = '$name $ver'" > "$T/src/$name/$name.py"
    "$PY3" "$SRC/tests/support/mkpkg.py" "$kind" "$T/src/$name" "$W" --name "$name" \
        --version "$ver" "$@" >/dev/null || bad "mkpkg $name"
}
mk wheel alpha 1.0 --requires 'beta==2.0'
mk wheel beta 2.0
mk wheel gamma 1.0 && mv "$W/gamma-1.0-py3-none-any.whl" "$T/evil/"
mkdir -p "$T/src/tinybackend"
cat > "$T/src/tinybackend/tinybackend.py" <<'EOF'
"""A PEP 517 backend in the standard library: wheels the sdist's *.py files."""
import base64, hashlib, os, zipfile
def _meta():
    got = {}
    for line in open("PKG-INFO", encoding="utf-8"):
        if not line.strip():
            break
        k, _, v = line.partition(":")
        got[k.strip()] = v.strip()
    return got["Name"], got["Version"]
def get_requires_for_build_wheel(config_settings=None):
    return []
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name, version = _meta()
    dist = "%s-%s" % (name.replace("-", "_"), version)
    files = {f: open(f, "rb").read() for f in sorted(os.listdir(".")) if f.endswith(".py")}
    files[dist + ".dist-info/METADATA"] = (
        "Metadata-Version: 2.1\nName: %s\nVersion: %s\n\n" % (name, version)).encode()
    files[dist + ".dist-info/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: tinybackend\n"
                                        b"Root-Is-Purelib: true\nTag: py3-none-any\n\n")
    rec = "".join("%s,sha256=%s,%d\n" % (p, base64.urlsafe_b64encode(
        hashlib.sha256(d).digest()).rstrip(b"=").decode(), len(d)) for p, d in files.items())
    fn = dist + "-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, fn), "w") as z:
        for p, d in files.items():
            z.writestr(p, d)
        z.writestr(dist + ".dist-info/RECORD", rec + dist + ".dist-info/RECORD,,\n")
    return fn
EOF
mk wheel tinybackend 1.0
mkdir -p "$T/src/delta"
printf '[build-system]\nrequires = ["tinybackend==1.0"]\nbuild-backend = "tinybackend"\n' \
    > "$T/src/delta/pyproject.toml"
mk sdist delta 1.0
A="alpha==1.0=$W/alpha-1.0-py3-none-any.whl"
B="beta==2.0=$W/beta-2.0-py3-none-any.whl"
sha() { sha256sum "$1" | cut -d' ' -f1; }

# --- a real venv with pip ---
V=$T/venv
"${CLEAN[@]}" "$PY3" -m venv "$V" || { echo "FAIL: cannot make a venv"; exit 1; }
VP=$V/bin/python

# --- refusals (this runs as root) ---
if [ "$(id -u)" -eq 0 ]; then
    run 3 "root is refused" "${CLEAN[@]}" "$DRV" --driver install --python "$V" "$A" "$B"
    has "root refusal names the way out" "refusing to install as root.*python3 -m venv .venv && \. \.venv/bin/activate"
    imports "$VP" alpha && bad "alpha installed despite the refusal" || ok "nothing installed when refused"
fi
run 3 "a system interpreter is refused" "${CLEAN[@]}" "$DRV" --driver install --allow-root \
    --python /usr/bin/python3 "$A" "$B"
has "non-venv refusal names the interpreter" "refusing to install outside a virtual environment: '/usr/bin/python3'"
mkdir -p "$T/empty"
run 3 "no venv at all is refused" bash -c "cd '$T/empty' && $(printf '%q ' "${CLEAN[@]}") \
    '$DRV' --driver install --allow-root '$A'"
has "no-venv refusal gives the command" "no virtual environment to install into.*python3 -m venv"

# --- hashes and completeness, before anything is installed ---
run nonzero "a dependency missing from the lock fails (pip re-checks the set)" \
    "${CLEAN[@]}" "$DRV" --driver install --allow-root --python "$V" "$A"
has "pip names the unpinned dependency" "No matching distribution found for beta==2.0"
imports "$VP" alpha && bad "alpha installed without its dependency" || ok "alpha not installed without beta"

D=$("${CLEAN[@]}" "$DRV" --driver prepare "$A" "$B")
sed -i "s/$(sha "$W/alpha-1.0-py3-none-any.whl")/$(printf '0%.0s' {1..64})/" "$D/requirements.txt"
run nonzero "pip refuses a file whose hash is not the pinned one" \
    "${CLEAN[@]}" "$DRV" --driver run --allow-root --python "$V" --dir "$D"
has "pip says the hashes do not match" "DO NOT MATCH THE HASHES"
imports "$VP" alpha && bad "alpha installed with a wrong hash" || ok "nothing installed on a hash mismatch"
rm -rf "$D"

run 3 "a store file that no longer matches its scan is refused before pip runs" \
    "${CLEAN[@]}" "$DRV" --driver install --allow-root --python "$V" "$A#$(printf 'f%.0s' {1..64})" "$B"
has "the mismatch is named" "alpha-1.0-py3-none-any.whl.*no longer match"

# --- the real install ---
run 0 "alpha and beta install offline with hashes required" \
    "${CLEAN[@]}" "$DRV" --driver install --allow-root --python "$V" --fwd -v "$A" "$B"
has "pip read only the wheelhouse" "Looking in links: .*/wheelhouse"
grep -q "Looking in indexes" "$T/out" && bad "pip looked at an index" || ok "no index consulted"
[ "$("${CLEAN[@]}" "$VP" -c 'import alpha, beta; print(alpha.VALUE, "/", beta.VALUE)')" = "alpha 1.0 / beta 2.0" ] \
    && ok "installed modules import" || bad "installed modules do not import"
ls "$T/tmp" | grep -q safepip- && bad "wheelhouse left behind in TMPDIR" || ok "wheelhouse removed after the run"

# --- a poisoned environment: every way pip could learn of another source ---
D=$("${CLEAN[@]}" "$DRV" --driver prepare "$A" "$B")
echo "gamma==1.0 --hash=sha256:$(sha "$T/evil/gamma-1.0-py3-none-any.whl")" >> "$D/requirements.txt"
printf '[global]\nfind-links = %s\n' "$T/evil" > "$T/evil.conf"
mkdir -p "$T/home/.config/pip" && cp "$T/evil.conf" "$T/home/.config/pip/pip.conf"
POISON=("PIP_FIND_LINKS=$T/evil" "PIP_INDEX_URL=file://$T/evil" "PIP_EXTRA_INDEX_URL=file://$T/evil"
        "PIP_CONFIG_FILE=$T/evil.conf" "PIP_NO_INDEX=0" "PIP_REQUIRE_HASHES=0")
run nonzero "with PIP_FIND_LINKS, PIP_INDEX_URL, PIP_CONFIG_FILE and a pip.conf, pip still sees only the wheelhouse" \
    "${CLEAN[@]}" "${POISON[@]}" "$DRV" --driver run --allow-root --python "$V" --dir "$D"
has "the planted package is not found" "No matching distribution found for gamma"
imports "$VP" gamma && bad "gamma was installed from the poisoned environment" || ok "gamma not installed"
# Control: the same lock and environment with plain pip does take gamma from the planted source.
"${CLEAN[@]}" "${POISON[@]}" "$VP" -m pip install -q --no-index --find-links "$D/wheelhouse" \
    --require-hashes -r "$D/requirements.txt" >"$T/out" 2>&1
imports "$VP" gamma && ok "control: plain pip installs gamma from that environment" \
    || { bad "control: plain pip did not take the bait"; tail -5 "$T/out"; }
rm -rf "$D" "$T/home/.config"

# --- pass-through ---
SPENV=("${CLEAN[@]}" "VIRTUAL_ENV=$V")
run 0 "safepip list" "${SPENV[@]}" "$SP" list
has "list shows alpha" "^alpha +1\.0"
run 0 "safepip freeze" "${SPENV[@]}" "$SP" freeze
has "freeze pins gamma" "^gamma==1\.0$"
run 1 "safepip show of a missing package keeps pip's exit code" "${SPENV[@]}" "$SP" show no-such-dist
run 0 "safepip uninstall -y gamma" "${SPENV[@]}" "$SP" uninstall -y gamma
imports "$VP" gamma && bad "gamma still there after uninstall" || ok "gamma uninstalled"
run 0 "safepip show --files alpha" "${SPENV[@]}" "$SP" show alpha
has "show names alpha" "^Name: alpha"
run 3 "safepip download goes through the gate, not to pip" "${SPENV[@]}" "$SP" download --no-index alpha
has "download resolves itself" "no version satisfies alpha"
run 2 "safepip wheel is refused" "${SPENV[@]}" "$SP" wheel alpha
run 0 "pass-through finds ./.venv" bash -c "cd '$T' && ln -sfn venv .venv && \
    $(printf '%q ' "${CLEAN[@]}") '$SP' list"
has "./.venv list shows beta" "^beta +2\.0"
rm -f "$T/.venv"

# --- an sdist built with its build requirement from the wheelhouse only ---
run 0 "sdist delta builds with tinybackend from the wheelhouse" \
    "${CLEAN[@]}" "$DRV" --driver install --allow-root --python "$V" \
    "delta==1.0=$W/delta-1.0.tar.gz" --build "tinybackend==1.0=$W/tinybackend-1.0-py3-none-any.whl"
imports "$VP" delta && ok "delta installed" || bad "delta not installed"
imports "$VP" tinybackend && bad "the build requirement was installed into the target" \
    || ok "the build requirement stayed in the build environment"
run nonzero "without its build requirement in the wheelhouse the sdist cannot build" \
    "${CLEAN[@]}" "$DRV" --driver install --allow-root --python "$V" --fwd --force-reinstall \
    "delta==1.0=$W/delta-1.0.tar.gz"
has "the build environment did not find it elsewhere" "No matching distribution found for tinybackend==1.0"

# --- --create-venv ---
mkdir -p "$T/proj"
run 0 "--create-venv makes ./.venv and installs into it" bash -c "cd '$T/proj' && \
    $(printf '%q ' "${CLEAN[@]}") '$DRV' --driver install --allow-root --create-venv '$A' '$B'"
imports "$T/proj/.venv/bin/python" alpha beta && ok "alpha in the new ./.venv" || bad "alpha not in ./.venv"

# --- a normal user: no --allow-root needed ---
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && [ -x /usr/bin/python3 ]; then
    # Outside the source and build trees, which may sit under a directory
    # only root can enter (a clone in a mktemp -d): nobody gets its own
    # copies of the driver and the wheels.
    # ($A and $B are "name==version=/path" specs for the driver.)
    NB=$(mktemp -d) && mkdir -p "$NB/home" "$NB/tmp" &&
        cp "$DRV" "/${A#*=/}" "/${B#*=/}" "$NB/" &&
        chown -R nobody:nogroup "$NB" && chmod 755 "$NB"
    DRV_NB=$NB/$(basename "$DRV")
    A_NB="${A%%=/*}=$NB/$(basename "/${A#*=/}")" B_NB="${B%%=/*}=$NB/$(basename "/${B#*=/}")"
    AS_NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups env -i
               "PATH=/usr/bin:/bin" "HOME=$NB/home" "TMPDIR=$NB/tmp" "XDG_CACHE_HOME=$NB/cache")
    if "${AS_NOBODY[@]}" /usr/bin/python3 -m venv "$NB/venv" >"$T/out" 2>&1; then
        run 0 "a normal user installs without --allow-root" \
            "${AS_NOBODY[@]}" "$DRV_NB" --driver install --python "$NB/venv" "$A_NB" "$B_NB"
        [ "$(stat -c %U "$NB/venv/lib/"python3*/site-packages/alpha.py)" = nobody ] \
            && ok "files belong to the user" || bad "installed files not owned by nobody"
        run 3 "a normal user is still refused a system interpreter" \
            "${AS_NOBODY[@]}" "$DRV_NB" --driver install --python /usr/bin/python3 "$A_NB" "$B_NB"
    else
        bad "cannot make a venv as nobody"; tail -3 "$T/out"
    fi
    rm -rf "$NB"
else
    echo "skip: non-root path (needs root, setpriv and /usr/bin/python3)"
fi

echo "delegate e2e: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
