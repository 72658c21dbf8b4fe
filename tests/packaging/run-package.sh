#!/usr/bin/env bash
# The packages as an administrator meets them: builds the .deb (and the .rpm
# where rpmbuild exists) with packaging/build-packages.sh, checks metadata,
# dependencies and contents, unpacks the .deb into a temporary root and runs
# the program from there, runs lintian, renders the man page, checks that
# the man page and the completions cover every command and option that
# --help shows, loads each completion in bash, zsh and fish and asks it for
# candidates, and tries the opt-in shell integration and the conffile.
# Args: SAFEPIP SOURCE_DIR SCRATCH_DIR
# The package build dir (SCRATCH_DIR/build) is kept between runs, so a
# second run rebuilds only what changed.
set -uo pipefail
SP=$1 SRC=$2 T=$3
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }
check() { # description cmd... : ok when cmd succeeds
    local what=$1; shift
    if "$@" >"$W/out" 2>&1; then ok "$what"; else
        bad "$what"; sed 's/^/  | /' "$W/out" | head -15; fi
}
W=$T/run
rm -rf "$W" && mkdir -p "$W" "$T/build"

for tool in cpack dpkg-deb dpkg-shlibdeps lintian scdoc man groff zsh fish; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "FAIL: '$tool' is missing (run scripts/deps.sh)"
        echo "0 passed, 1 failed"
        exit 1
    fi
done

# --- build ---
if "$SRC/packaging/build-packages.sh" -b "$T/build" -o "$W/dist" >"$W/built" 2>"$W/build.log"
then
    ok "packages built: $(xargs -n1 basename <"$W/built" | tr '\n' ' ')"
else
    bad "packaging/build-packages.sh failed"
    tail -30 "$W/build.log" | sed 's/^/  | /'
    echo "$passes passed, $fails failed"
    exit 1
fi
deb=$(grep '\.deb$' "$W/built" | head -1)
rpm=$(grep '\.rpm$' "$W/built" | head -1)
want_version=$("$SP" --version | sed -n 's/^safepip //p')

# --- .deb metadata ---
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = safepip ] && ok "Package: safepip" || bad "Package: $(field Package)"
[ "$(field Version)" = "$want_version-1" ] && ok "Version: $want_version-1" ||
    bad "Version: '$(field Version)', want '$want_version-1'"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] && ok "Architecture" ||
    bad "Architecture: $(field Architecture)"
maint=$(field Maintainer)
[[ $maint =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]] && ok "Maintainer: $maint" ||
    bad "Maintainer: '$maint'"
[ -n "$(field Section)" ] && [ "$(field Priority)" = optional ] && ok "Section, Priority" ||
    bad "Section '$(field Section)', Priority '$(field Priority)'"
desc=$(field Description)
[ "$(printf '%s\n' "$desc" | wc -l)" -ge 4 ] && ! grep -q '&[a-z]*;' <<<"$desc" &&
    ok "Description: $(head -1 <<<"$desc")" || bad "Description: $desc"

# Depends must name the package of every shared library the binary needs
# (dpkg-shlibdeps's job; checked here against readelf and dpkg -S).
dpkg-deb -x "$deb" "$W/root"
bin=$W/root/usr/bin/safepip
depends=$(field Depends)
for lib in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    path=$(ldd "$bin" | awk -v l="$lib" '$1 == l { print $3 }')
    pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1)
    [ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1)
    if [ -z "$pkg" ]; then
        bad "no Debian package owns $lib ($path)"
    elif [[ ", $depends," == *", $pkg "* || ", $depends," == *", $pkg,"* ]]; then
        ok "Depends has $pkg for $lib"
    else
        bad "Depends lacks $pkg for $lib: $depends"
    fi
done
for pkg in libcurl4 libarchive13 libzip4 libtree-sitter0 libcjson1 libssl3 libxml2; do
    [[ ", $depends" == *", $pkg "* ]] && ok "Depends has $pkg" || bad "Depends lacks $pkg: $depends"
done

# conffiles and the files themselves
dpkg-deb -e "$deb" "$W/control"
for f in /etc/safepip/policy.json /etc/safepip/shell.conf /etc/profile.d/safepip.sh; do
    grep -qx "$f" "$W/control/conffiles" && [ -f "$W/root$f" ] && ok "conffile $f" ||
        bad "conffile $f"
done
dpkg-deb -c "$deb" | awk '{ print $1, $2, $6 }' >"$W/contents"
for f in usr/bin/safepip usr/share/man/man1/safepip.1.gz \
    usr/share/bash-completion/completions/safepip usr/share/zsh/vendor-completions/_safepip \
    usr/share/fish/vendor_completions.d/safepip.fish usr/share/fish/vendor_conf.d/safepip.fish \
    usr/share/safepip/default.json usr/share/safepip/strict.json \
    usr/share/safepip/permissive.json usr/share/safepip/schema.json \
    usr/share/doc/safepip/copyright usr/share/doc/safepip/changelog.Debian.gz \
    usr/share/doc/safepip/onboarding.md usr/share/doc/safepip/team.md; do
    grep -q " ./$f\$" "$W/contents" && ok "contains /$f" || bad "missing /$f"
done
grep -q '^-rwxr-xr-x root/root ./usr/bin/safepip$' "$W/contents" && ok "binary mode and owner" ||
    bad "binary: $(grep usr/bin/safepip "$W/contents")"
bad_owner=$(awk '$2 != "root/root"' "$W/contents")
[ -z "$bad_owner" ] && ok "every entry root/root" || bad "not root-owned: $bad_owner"
for f in default strict permissive schema; do
    cmp -s "$W/root/usr/share/safepip/$f.json" "$SRC/policy/$f.json" && ok "$f.json as shipped" ||
        bad "$f.json differs from policy/$f.json"
done
# (grep reads captured output: with pipefail, grep -q closing a pipe early fails it)
kind=$(file -b "$bin")
grep -q 'stripped' <<<"$kind" && ! grep -q 'not stripped' <<<"$kind" &&
    ok "binary stripped" || bad "binary: $(file -b "$bin")"

# --- `cmake --install` elsewhere: the same layout, nothing for /etc or Debian ---
# DESTDIR keeps this machine's /etc safe should the prefix check ever fail.
DESTDIR=$W/destdir cmake --install "$T/build" --prefix "$W/prefix" >"$W/out" 2>&1
rc=$?
(cd "$W/destdir$W/prefix" 2>/dev/null && find . -type f | sort) >"$W/prefix-files"
if [ $rc -eq 0 ] && [ ! -e "$W/destdir/etc" ] && grep -qx ./bin/safepip "$W/prefix-files" &&
    grep -qx ./share/man/man1/safepip.1.gz "$W/prefix-files" &&
    grep -qx ./share/safepip/strict.json "$W/prefix-files" &&
    ! grep -q 'lintian\|changelog.Debian' "$W/prefix-files"; then
    ok "cmake --install --prefix elsewhere: bin, man, share; no /etc, no Debian files"
else
    bad "cmake --install --prefix elsewhere (exit $rc)"; cat "$W/prefix-files" "$W/out" | head
fi

# --- the unpacked program runs, with its data embedded ---
export HOME=$W/home XDG_CACHE_HOME=$W/home/cache XDG_CONFIG_HOME=$W/home/config
mkdir -p "$HOME"
got=$(cd / && "$bin" --version 2>&1)
[ "$got" = "safepip $want_version" ] && ok "unpacked --version: $got" ||
    bad "unpacked --version: $got"
mkdir -p "$W/pkg/good/goodpkg" "$W/pkg/evil/evilpkg" "$W/wheels"
printf 'import json\n\ndef dump(x):\n    return json.dumps(x)\n' >"$W/pkg/good/goodpkg/__init__.py"
printf 'import base64\nexec(base64.b64decode("cHJpbnQoMSk="))\n' >"$W/pkg/evil/evilpkg/__init__.py"
good=$(python3 "$SRC/tests/support/mkpkg.py" wheel "$W/pkg/good" "$W/wheels" --name goodpkg \
    --version 1.0)
evil=$(python3 "$SRC/tests/support/mkpkg.py" wheel "$W/pkg/evil" "$W/wheels" --name evilpkg \
    --version 1.0)
(cd / && "$bin" scan -q --format json -o "$W/good.json" "$good") >"$W/out" 2>&1
rc=$?
name=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["artifacts"][0]["name"])' \
    "$W/good.json" 2>/dev/null)
[ $rc -eq 0 ] && [ "$name" = goodpkg ] && ok "unpacked scan of a clean wheel (exit 0, $name)" ||
    bad "unpacked scan of a clean wheel: exit $rc, name '$name'"
(cd / && "$bin" scan -q "$evil") >"$W/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q exec-decoded "$W/out" && ok "unpacked scan of a hostile wheel (exit 1)" ||
    { bad "unpacked scan of a hostile wheel: exit $rc"; head -5 "$W/out"; }

# --- the conffile: valid, loosens nothing, and its examples are valid too ---
check "policy check of the shipped /etc/safepip/policy.json" \
    "$bin" policy check "$W/root/etc/safepip/policy.json"
"$bin" policy show --format json --policy builtin:default >"$W/builtin.json" 2>/dev/null
"$bin" policy show --format json --policy "$W/root/etc/safepip/policy.json" >"$W/sys.json" 2>&1
python3 - "$W/builtin.json" "$W/sys.json" >"$W/out" 2>&1 <<'EOF'
import json, sys
def values(path):
    # Each setting comes with its layer, which differs; compare the values.
    return {s["path"]: s["value"] for s in json.load(open(path))["settings"]}
a, b = values(sys.argv[1]), values(sys.argv[2])
diff = {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}
print(diff)
sys.exit(1 if diff else 0)
EOF
[ $? -eq 0 ] && ok "the shipped system policy changes no setting" ||
    { bad "the shipped system policy changes settings"; head -5 "$W/out"; }
python3 - "$W/root/etc/safepip/policy.json" "$W/examples.json" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
lines = text.splitlines()
start = next(i for i, l in enumerate(lines) if "Examples" in l)
body = [l.split("//", 1)[1][3:] for l in lines[start + 1:] if re.match(r"\s*//   ", l)]
end = max(i for i, l in enumerate(lines) if l.strip() == "}")
out = lines[:start] + [","] + body + lines[end:]
open(sys.argv[2], "w").write("\n".join(out) + "\n")
EOF
check "the conffile's commented examples, enabled, are a valid policy" \
    "$bin" policy check "$W/examples.json"
"$bin" policy show --policy "$W/examples.json" >"$W/out" 2>&1
grep -q 'sdists.action *"block"' "$W/out" && ok "enabled examples take effect" ||
    bad "enabled examples: $(grep sdists "$W/out")"

# --- lintian: no errors, no warnings ---
lintian --fail-on error,warning -I "$deb" >"$W/lintian" 2>&1
rc=$?
grep -v 'running with root privileges' "$W/lintian" | sed 's/^/  lintian: /'
[ $rc -eq 0 ] && ok "lintian: no errors or warnings" || bad "lintian (exit $rc)"

# --- rpm ---
if [ -n "$rpm" ]; then
    q() { rpm -qp --queryformat "$1" "$rpm" 2>/dev/null; }
    [ "$(q '%{NAME} %{VERSION}')" = "safepip $want_version" ] && ok "rpm name and version" ||
        bad "rpm: $(q '%{NAME} %{VERSION}')"
    rpm -qpR "$rpm" >"$W/rpm-requires" 2>/dev/null
    for lib in libcurl.so.4 libarchive.so.13 libtree-sitter.so.0 libcjson.so.1 libcrypto.so.3 \
        libxml2.so.2; do
        grep -q "^$lib" "$W/rpm-requires" && ok "rpm requires $lib" || bad "rpm lacks $lib"
    done
    grep -qx /etc/safepip/policy.json <<<"$(rpm -qpc "$rpm" 2>/dev/null)" &&
        ok "rpm: policy.json is %config" || bad "rpm: policy.json is not %config"
    rpm -qpl "$rpm" >"$W/rpm-files" 2>/dev/null
    grep -qx /usr/bin/safepip "$W/rpm-files" && grep -qx /usr/share/man/man1/safepip.1.gz \
        "$W/rpm-files" && ok "rpm has the binary and the man page" || bad "rpm files"
    grep -q 'changelog.Debian\|lintian' "$W/rpm-files" && bad "rpm has Debian-only files" ||
        ok "rpm has no Debian-only files"
    grep -qx '/usr/share/bash-completion\|/etc/profile.d\|/usr/share/zsh' "$W/rpm-files" &&
        bad "rpm claims a directory other packages own" || ok "rpm owns only its directories"
else
    echo "note: rpmbuild not installed; the .rpm was not built (apt-get install rpm)"
fi

# --- man page ---
man=$W/root/usr/share/man/man1/safepip.1.gz
MANWIDTH=80 man --warnings -E UTF-8 -l "$man" >"$W/man.txt" 2>"$W/man.err"
[ $? -eq 0 ] && [ ! -s "$W/man.err" ] && [ "$(wc -l <"$W/man.txt")" -gt 200 ] &&
    ok "man -l renders $(wc -l <"$W/man.txt") lines, no warnings" ||
    { bad "man -l"; head -5 "$W/man.err"; }
zcat "$man" | groff -ww -man -Tutf8 -z >"$W/groff.err" 2>&1
[ ! -s "$W/groff.err" ] && ok "groff -ww: no warnings" || { bad "groff -ww"; head "$W/groff.err"; }
# The roff source, unescaped, must name every command and every option that
# the help of each command shows (hyphenation would split them in the text).
zcat "$man" | sed 's/\\-/-/g; s/\\f[BIRP]//g; s/\\(\*\*/*/g' >"$W/man.roff"
# commands: "  name   summary" lines under "commands:" in safepip --help
"$bin" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { on = 0 }
    on && /^  [a-z]/ { if ($1 !~ /\./) print $1 }' >"$W/commands"
[ -s "$W/commands" ] || bad "no commands found in safepip --help"
help_opts() { # options at the start of help lines, less the refused ones
    "$bin" "$@" --help 2>&1 | awk '/safepip refuses:/ { skip = 1 } /^$/ { skip = 0 }
        !skip && match($0, /^ +(-[A-Za-z0-9], +)?--[a-z][a-z0-9-]*/) {
            s = substr($0, RSTART, RLENGTH); sub(/^ +(-[A-Za-z0-9], +)?/, "", s); print s }'
}
missing=
sed -n '/^\.SH COMMANDS/,/^\.SH OPTIONS/p' "$W/man.roff" >"$W/man.commands"
while read -r cmd; do
    grep -q "^$cmd\b" "$W/man.commands" || missing+=" $cmd"
    for o in $(help_opts "$cmd"); do
        grep -q -- "$o\b" "$W/man.roff" || missing+=" $cmd:$o"
    done
done <"$W/commands"
for o in $(help_opts policy explain); do
    grep -q -- "$o\b" "$W/man.roff" || missing+=" policy-explain:$o"
done
[ -z "$missing" ] && ok "man page covers $(wc -l <"$W/commands") commands and their options" ||
    bad "man page lacks:$missing"
sed -n '/^EXIT STATUS/,/^ENVIRONMENT/p' "$W/man.txt" | tr -d ' ' >"$W/man.exit"
missing=
for code in 0 1 2 3 10 11 12; do
    grep -qx "$code" "$W/man.exit" || missing+=" exit:$code"
done
[ -z "$missing" ] && ok "man page lists exit codes 0-3, 10-12" || bad "man page lacks:$missing"

# --- completions: loaded from where each shell looks, from the unpacked root ---
export PATH=$W/root/usr/bin:$PATH
comp_bash() { # words... : the candidates bash would offer for the last word
    bash --norc --noprofile -c '
        source "$1"; shift
        complete -p safepip >/dev/null || exit 3
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
        _safepip
        printf "%s\n" "${COMPREPLY[@]}"' _ \
        "$W/root/usr/share/bash-completion/completions/safepip" "$@"
}
comp_fish() { # line : the candidates fish would offer
    fish --no-config -c "set -p fish_complete_path $W/root/usr/share/fish/vendor_completions.d
        complete -C'$1'" | cut -f1
}
comp_zsh() { # words... : the candidates _safepip would offer (compsys stubbed)
    zsh -f "$SRC/tests/packaging/zsh-complete.zsh" "$W/root/usr/share/zsh/vendor-completions" "$@"
}
expect_comp() { # shell want words...
    local sh=$1 want=$2; shift 2
    local got
    case $sh in
    bash) got=$(comp_bash "$@") ;;
    zsh) got=$(comp_zsh "$@") ;;
    fish) got=$(comp_fish "$*") ;;
    esac
    if grep -qx -- "$want" <<<"$got"; then ok "$sh: '$*' offers $want"; else
        bad "$sh: '$*' does not offer $want: $(tr '\n' ' ' <<<"$got" | head -c 300)"; fi
}
refuse_comp() { # shell unwanted words...
    local sh=$1 unwanted=$2; shift 2
    local got
    case $sh in
    bash) got=$(comp_bash "$@") ;;
    zsh) got=$(comp_zsh "$@") ;;
    fish) got=$(comp_fish "$*") ;;
    esac
    if grep -qx -- "$unwanted" <<<"$got"; then bad "$sh: '$*' offers $unwanted"; else
        ok "$sh: '$*' does not offer $unwanted"; fi
}
bash -n "$W/root/usr/share/bash-completion/completions/safepip" && ok "bash: completion parses" ||
    bad "bash -n"
zsh -n "$W/root/usr/share/zsh/vendor-completions/_safepip" && ok "zsh: completion parses" ||
    bad "zsh -n"
fish -n "$W/root/usr/share/fish/vendor_completions.d/safepip.fish" &&
    ok "fish: completion parses" || bad "fish -n"
# bash-completion's own loader finds the file by the command's name, in
# $XDG_DATA_DIRS/bash-completion/completions, as it would in /usr/share.
if [ -r /usr/share/bash-completion/bash_completion ]; then
    got=$(XDG_DATA_DIRS=$W/root/usr/share bash --norc --noprofile -c '
        source /usr/share/bash-completion/bash_completion
        _completion_loader safepip; complete -p safepip' 2>&1)
    [[ $got == *"-F _safepip safepip" ]] && ok "bash-completion loads it on demand" ||
        bad "bash-completion's loader: $got"
else
    bad "bash-completion is not installed (run scripts/deps.sh)"
fi
got=$(zsh -f -c "fpath=($W/root/usr/share/zsh/vendor-completions \$fpath)
    autoload -Uz compinit && compinit -u -d $W/zcompdump && print -r -- \$_comps[safepip]" 2>&1)
[ "$got" = _safepip ] && ok "zsh: compinit binds _safepip to safepip" || bad "zsh compinit: $got"
for sh in bash zsh fish; do
    # The shell-specific spelling of "the word being completed is empty".
    e=''
    [ $sh = fish ] && e=' '
    expect_comp $sh scan safepip sc
    expect_comp $sh shell-init safepip sh
    expect_comp $sh --fail-on safepip scan --fa
    expect_comp $sh json safepip scan --format "$e"
    expect_comp $sh --python safepip install --py
    refuse_comp $sh --python-version safepip install --python
    expect_comp $sh uv safepip install --installer "$e"
    expect_comp $sh fish safepip shell-init "$e"
    expect_comp $sh explain safepip policy "$e"
    expect_comp $sh --no-deps safepip policy explain --no-d
    expect_comp $sh exec-decoded safepip rules exec-d
    expect_comp $sh markdown safepip rules --format "$e"
    # Every command and every option --help shows is offered.
    missing=
    while read -r cmd; do
        if [ $sh = fish ]; then got=$(comp_fish "safepip ")
        else got=$(comp_$sh safepip ''); fi
        grep -qx -- "$cmd" <<<"$got" || missing+=" $cmd"
        if [ $sh = fish ]; then got=$(comp_fish "safepip $cmd -")
        else got=$(comp_$sh safepip "$cmd" -); fi
        for o in $(help_opts "$cmd"); do
            grep -qx -- "$o" <<<"$got" || missing+=" $cmd:$o"
        done
    done <"$W/commands"
    [ -z "$missing" ] && ok "$sh: every command and option of --help is completed" ||
        bad "$sh: not completed:$missing"
done

# --- the opt-in shell integration (conf path pointed at a scratch copy) ---
for v in no yes; do
    printf '# test\nSAFEPIP_SHELL_INIT=%s\n' "$v" >"$W/shell-$v.conf"
    sed "s|/etc/safepip/shell.conf|$W/shell-$v.conf|g" "$W/root/etc/profile.d/safepip.sh" \
        >"$W/profile-$v.sh"
    sed "s|/etc/safepip/shell.conf|$W/shell-$v.conf|g" \
        "$W/root/usr/share/fish/vendor_conf.d/safepip.fish" >"$W/conf-$v.fish"
    got=$(bash --norc --noprofile -i -c ". '$W/profile-$v.sh'; type -t pip || echo none" \
        2>/dev/null | tail -1)
    # Without the functions, pip is whatever PATH has, or nothing.
    if [ $v = yes ]; then [ "$got" = function ]; else [ "$got" != function ]; fi &&
        ok "profile.d, bash, $v: pip is $got" || bad "profile.d, bash, $v: pip is $got"
    got=$(zsh -f -i -c ". '$W/profile-$v.sh'; whence -w pip" 2>/dev/null | tail -1)
    if [ $v = yes ]; then [ "$got" = "pip: function" ]; else [ "$got" != "pip: function" ]; fi &&
        ok "profile.d, zsh, $v: $got" || bad "profile.d, zsh, $v: $got"
    got=$(fish --no-config -i -c "source '$W/conf-$v.fish'; functions -q pip; and echo function
        or echo none" 2>/dev/null | tail -1)
    if [ $v = yes ]; then [ "$got" = function ]; else [ "$got" = none ]; fi &&
        ok "vendor_conf.d, fish, $v: pip is $got" || bad "vendor_conf.d, fish, $v: pip is $got"
done
got=$(bash --norc --noprofile -c ". '$W/profile-yes.sh'; type -t pip || echo none" 2>&1)
[ "$got" != function ] && ok "profile.d: non-interactive shells are left alone" ||
    bad "profile.d in a non-interactive shell: $got"
dash -c ". '$W/profile-yes.sh'" >"$W/out" 2>&1 && [ ! -s "$W/out" ] &&
    ok "profile.d: silent under dash" || bad "profile.d under dash: $(cat "$W/out")"

# --- Homebrew formula, pre-commit hooks, CI examples ---
formula=$SRC/packaging/homebrew/safepip.rb
# Every "fetch NAME SPEC TARBALL SHA256 DEST" of fetch-grammar.sh, as "tarball sha256" lines.
pins=$(sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$SRC/scripts/fetch-grammar.sh" |
    awk '$1 == "fetch" {print $4, $5}')
pin_ok=yes
while read -r tarball sum; do
    [ -n "$tarball" ] || continue
    base=${tarball#tree-sitter-grammars-}
    grep -q "/$base\"" "$formula" && grep -q "sha256 \"$sum\"" "$formula" || pin_ok=no
done <<<"$pins"
gs=$(printf '%s\n' "$pins" | head -1 | cut -d' ' -f2)
[ -n "$pins" ] && [ $pin_ok = yes ] &&
    ok "formula pins the grammars of fetch-grammar.sh ($(printf '%s\n' "$pins" | cut -d' ' -f1 | tr '\n' ' '))" ||
    bad "formula's grammar pins differ from fetch-grammar.sh: $pins"
missing=
for dep in curl libarchive tree-sitter cjson openssl@3 sqlite libxml2; do
    grep -q "depends_on \"$dep\"$" "$formula" || missing+=" $dep"
done
[ -z "$missing" ] && ok "formula depends on the libraries safepip links" ||
    bad "formula lacks:$missing"
cp "$formula" "$W/formula.rb"
printf 'release' >"$W/release.tar.gz"
sum=$(sha256sum "$W/release.tar.gz" | cut -d' ' -f1)
"$SRC/packaging/homebrew/update-formula.sh" "$W/release.tar.gz" \
    https://example.com/safepip-9.9.tar.gz "$W/formula.rb" >/dev/null 2>&1
[ "$(diff "$formula" "$W/formula.rb" | grep -c '^>')" = 2 ] &&
    grep -q "^  sha256 \"$sum\"" "$W/formula.rb" && grep -q "sha256 \"$gs\"" "$W/formula.rb" &&
    ok "update-formula.sh sets the formula's url and sha256, not the grammar's" ||
    bad "update-formula.sh: $(diff "$formula" "$W/formula.rb")"
if command -v ruby >/dev/null 2>&1; then
    check "formula is valid Ruby" ruby -c "$formula"
fi
if python3 -c 'import yaml' 2>/dev/null; then
    python3 - "$SRC" >"$W/out" 2>&1 <<'EOF'
import sys, yaml
src = sys.argv[1]
hooks = yaml.safe_load(open(src + "/.pre-commit-hooks.yaml"))
hook = next(h for h in hooks if h["id"] == "safepip-audit")
cmd = (hook["entry"] + " " + " ".join(hook.get("args", []))).split()
assert cmd[:2] == ["safepip", "audit"] and "-r" in cmd, cmd
assert hook["language"] == "system" and hook.get("pass_filenames") is False, hook
gh = yaml.safe_load(open(src + "/packaging/ci/github-actions.yml"))
steps = [s.get("run", "") for j in gh["jobs"].values() for s in j["steps"]]
assert any("safepip install" in s for s in steps), steps
gl = yaml.safe_load(open(src + "/packaging/ci/gitlab-ci.yml"))
assert any("safepip install" in " ".join(j.get("script", [])) for j in gl.values()
           if isinstance(j, dict)), gl
print("hooks and CI examples parse")
EOF
    [ $? -eq 0 ] && ok "pre-commit hook and CI examples parse and call safepip" ||
        { bad "pre-commit hook or CI examples"; tail -3 "$W/out"; }
fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
