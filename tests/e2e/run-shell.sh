#!/usr/bin/env bash
# `safepip shell-init` in real bash, zsh and fish: with the functions loaded,
# pip/pip3/python -m pip/python3 -mpip install, download and wheel reach
# safepip (a fake on PATH that records its arguments), with arguments
# intact and exit codes passed back; everything else reaches the real
# command; `command pip` bypasses the functions; python itself still works;
# completions load and complete. Also: shell/safepip.* are up to date.
# Args: SAFEPIP SOURCE_DIR SCRATCH_DIR
set -uo pipefail
SP=$1 SRC=$2 T=$3
rm -rf "$T" && mkdir -p "$T/fake" "$T/bin" "$T/home"
fails=0 passes=0
ok() { passes=$((passes + 1)); echo "ok: $*"; }
bad() { fails=$((fails + 1)); echo "FAIL: $*"; }

for s in bash zsh fish; do
    if "$SP" shell-init $s | cmp -s - "$SRC/shell/safepip.$s"; then ok "shell/safepip.$s is current"
    else bad "shell/safepip.$s is stale: safepip shell-init $s > shell/safepip.$s"; fi
done
"$SP" shell-init tcsh >/dev/null 2>&1; [ $? -eq 2 ] && ok "unknown shell: exit 2" || bad "unknown shell"
"$SP" shell-init >/dev/null 2>&1; [ $? -eq 2 ] && ok "no shell: exit 2" || bad "no shell"

# Fakes that record "name:arg|arg|..." and exit with $FAKE_RC.
for c in safepip pip pip3 uv; do
    cat > "$T/fake/$c" <<'EOF2'
#!/bin/sh
out="$(basename "$0"):" sep=
for a in "$@"; do out="$out$sep$a"; sep='|'; done
printf '%s\n' "$out" >> "$LOG"
exit "${FAKE_RC:-0}"
EOF2
    chmod +x "$T/fake/$c"
done
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
ln -s "$PY" "$T/bin/python" && ln -s "$PY" "$T/bin/python3"
SPDIR=$(cd "$(dirname "$SP")" && pwd)
ENVV=(env -i "PATH=$T/fake:$T/bin:/usr/bin:/bin" "HOME=$T/home" "LANG=C.UTF-8" "SP=$SP")

expected() {
    cat <<EOF2
safepip:install|x|a b|*
safepip:download|y
safepip:install|-v|--log|f.txt|-r|r.txt
pip:list
pip:install|z
safepip:install|--python|$T/bin/python|q
safepip:wheel|--python|$T/bin/python3|.
real-pip-list:ok
1
rc:3
safepip:install|--installer|uv|a
uv:--version
uv:pip|list
pip3:--version
safepip:install|fail
rc:5
EOF2
}

# The same session in each shell's syntax.
posix_session='
eval "$("$SP" shell-init SHELL)" || exit 9
pip install x "a b" "*"
pip3 download y
pip -v --log f.txt install -r r.txt
pip list
command pip install z
python -m pip install q
python3 -mpip wheel .
python -m pip list >/dev/null 2>&1 && echo real-pip-list:ok >> "$LOG"
python -c "print(1)" >> "$LOG"
python -c "import sys; sys.exit(3)"; echo "rc:$?" >> "$LOG"
uv pip install a
uv --version
uv pip list
pip3 --version
FAKE_RC=5 pip install fail; echo "rc:$?" >> "$LOG"
'
fish_session='
"$SP" shell-init fish | source; or exit 9
pip install x "a b" "*"
pip3 download y
pip -v --log f.txt install -r r.txt
pip list
command pip install z
python -m pip install q
python3 -mpip wheel .
python -m pip list >/dev/null 2>&1; and echo real-pip-list:ok >> "$LOG"
python -c "print(1)" >> "$LOG"
python -c "import sys; sys.exit(3)"; echo "rc:$status" >> "$LOG"
uv pip install a
uv --version
uv pip list
pip3 --version
FAKE_RC=5 pip install fail; echo "rc:$status" >> "$LOG"
'
expected > "$T/want"
for s in bash zsh fish; do
    if ! command -v $s >/dev/null; then bad "$s is not installed (scripts/deps.sh installs it)"; continue; fi
    LOG=$T/log.$s && : > "$LOG"
    if [ $s = fish ]; then session=$fish_session; else session=${posix_session//SHELL/$s}; fi
    (cd "$T" && "${ENVV[@]}" "LOG=$LOG" $s -c "$session") >"$T/out.$s" 2>&1
    rc=$?
    if [ $rc -eq 0 ] && diff -u "$T/want" "$LOG" >"$T/diff.$s"; then
        ok "$s: every route as expected"
    else
        bad "$s: exit $rc"; sed 's/^/  | /' "$T/diff.$s" "$T/out.$s" | head -30
    fi
done

# Completions: load without error and complete.
out=$("${ENVV[@]}" bash -c 'eval "$("$SP" shell-init bash)"; complete -p safepip >/dev/null || exit 1
    COMP_WORDS=(safepip sh); COMP_CWORD=1; _safepip_complete; echo "${COMPREPLY[*]}"
    COMP_WORDS=(safepip shell-init ""); COMP_CWORD=2; _safepip_complete; echo "${COMPREPLY[*]}"' 2>&1)
[ "$out" = $'shell-init show\nbash zsh fish' ] && ok "bash completion" || bad "bash completion: $out"
out=$("${ENVV[@]}" zsh -c 'autoload -Uz compinit && compinit -u -D
    eval "$("$SP" shell-init zsh)" && print -r -- ${_comps[safepip]}' 2>&1)
[ "$out" = _safepip ] && ok "zsh completion registered" || bad "zsh completion: $out"
out=$("${ENVV[@]}" zsh -c 'eval "$("$SP" shell-init zsh)" && echo loaded' 2>&1)
[ "$out" = loaded ] && ok "zsh functions load without compinit" || bad "zsh without compinit: $out"
out=$("${ENVV[@]}" fish -c '"$SP" shell-init fish | source; complete -C "safepip shell-"
    complete -C "safepip shell-init "' 2>&1 | cut -f1 | tr '\n' ' ')
[ "$out" = "shell-init bash fish zsh " ] && ok "fish completion" || bad "fish completion: $out"
for s in bash zsh fish; do
    "$SP" shell-init $s > "$T/init.$s"
    $s -n "$T/init.$s" 2>"$T/err" && ok "$s -n accepts the text" || { bad "$s -n"; cat "$T/err"; }
done

echo "shell e2e: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
