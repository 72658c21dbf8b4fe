; Files: shell start-up files written, archives extracted without a filter,
; insecure temporary names, world-writable permissions.
;
; A shell start-up path is recognised on the string's source text (so
; f-strings count too): ~/.bashrc, .bash_profile, .profile, .zshrc, ...,
; /etc/profile, /etc/profile.d/, /etc/bash.bashrc, fish's config directory
; and the PowerShell profile.

; open(<rc path>, "a"), open(expanduser("~/.bashrc"), "w"), open(home + "/.zshrc", "a")
((call
   function: (_) @fn
   arguments: (argument_list .
     [(string) @p
      (call arguments: (argument_list (string) @p))
      (binary_operator right: (string) @p)
      (parenthesized_expression (binary_operator right: (string) @p))]
     . (string) @mode)) @match
 (#callee? @fn "open" "io.open" "codecs.open")
 (#match? @p "([/~'\"]\\.(bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zprofile|zshenv|zlogin|cshrc|tcshrc|kshrc|mkshrc)['\"]|/etc/(profile|bash\\.bashrc|bashrc|zshrc|zsh/zshrc|zprofile|zshenv)['\"]|/etc/profile\\.d/|\\.config/fish/|PowerShell_profile\\.ps1)")
 (#match? @mode "^[rRbBuU]?['\"][^'\"]*[wax+]")
 (#rule! "shell-rc-write"))

((call
   function: (_) @fn
   arguments: (argument_list .
     [(string) @p
      (call arguments: (argument_list (string) @p))
      (binary_operator right: (string) @p)
      (parenthesized_expression (binary_operator right: (string) @p))]
     (keyword_argument name: (identifier) @k value: (string) @mode))) @match
 (#callee? @fn "open" "io.open" "codecs.open")
 (#eq? @k "mode")
 (#match? @p "([/~'\"]\\.(bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zprofile|zshenv|zlogin|cshrc|tcshrc|kshrc|mkshrc)['\"]|/etc/(profile|bash\\.bashrc|bashrc|zshrc|zsh/zshrc|zprofile|zshenv)['\"]|/etc/profile\\.d/|\\.config/fish/|PowerShell_profile\\.ps1)")
 (#match? @mode "^[rRbBuU]?['\"][^'\"]*[wax+]")
 (#rule! "shell-rc-write"))

; (Path.home() / ".bashrc").write_text(...), Path("~/.zshrc").expanduser().write_text(...)
((call
   function: (attribute
     object: [
       (parenthesized_expression (binary_operator right: (string) @p))
       (call arguments: (argument_list (string) @p))
       (call function: (attribute object: (call arguments: (argument_list (string) @p))))]
     attribute: (identifier) @m)) @match
 (#any-of? @m "write_text" "write_bytes")
 (#match? @p "([/~'\"]\\.(bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zprofile|zshenv|zlogin|cshrc|tcshrc|kshrc|mkshrc)['\"]|/etc/(profile|bash\\.bashrc|bashrc|zshrc|zsh/zshrc|zprofile|zshenv)['\"]|/etc/profile\\.d/|\\.config/fish/|PowerShell_profile\\.ps1)")
 (#rule! "shell-rc-write"))

; (Path.home() / ".bashrc").open("a")
((call
   function: (attribute
     object: [
       (parenthesized_expression (binary_operator right: (string) @p))
       (call arguments: (argument_list (string) @p))
       (call function: (attribute object: (call arguments: (argument_list (string) @p))))]
     attribute: (identifier) @m)
   arguments: (argument_list . (string) @mode)) @match
 (#eq? @m "open")
 (#match? @p "([/~'\"]\\.(bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zprofile|zshenv|zlogin|cshrc|tcshrc|kshrc|mkshrc)['\"]|/etc/(profile|bash\\.bashrc|bashrc|zshrc|zsh/zshrc|zprofile|zshenv)['\"]|/etc/profile\\.d/|\\.config/fish/|PowerShell_profile\\.ps1)")
 (#match? @mode "^[rRbBuU]?['\"][^'\"]*[wax+]")
 (#rule! "shell-rc-write"))

; shutil.copy(src, "~/.bashrc"), os.replace(tmp, expanduser("~/.zshrc"))
((call
   function: (_) @fn
   arguments: (argument_list . (_) .
     [(string) @p
      (call arguments: (argument_list (string) @p))
      (binary_operator right: (string) @p)])) @match
 (#callee? @fn "shutil.copy" "shutil.copy2" "shutil.copyfile" "shutil.move"
   "os.rename" "os.replace" "os.symlink" "os.link")
 (#match? @p "([/~'\"]\\.(bashrc|bash_profile|bash_login|bash_logout|profile|zshrc|zprofile|zshenv|zlogin|cshrc|tcshrc|kshrc|mkshrc)['\"]|/etc/(profile|bash\\.bashrc|bashrc|zshrc|zsh/zshrc|zprofile|zshenv)['\"]|/etc/profile\\.d/|\\.config/fish/|PowerShell_profile\\.ps1)")
 (#rule! "shell-rc-write"))

; os.system("echo ... >> ~/.bashrc"), subprocess.run(["sh", "-c", "... | tee -a ~/.zshrc"])
((call
   function: (_) @fn
   arguments: (argument_list . [(string) @s (list (string) @s)])) @match
 (#callee? @fn "os.system" "os.popen" "subprocess.run" "subprocess.call"
   "subprocess.check_call" "subprocess.check_output" "subprocess.Popen"
   "subprocess.getoutput" "subprocess.getstatusoutput")
 (#match? @s "(>>?|tee[[:space:]]+(-a[[:space:]]+)?)[[:space:]]*[^[:space:]|;&]*(\\.(bashrc|bash_profile|bash_login|profile|zshrc|zprofile|zshenv)|/etc/profile)")
 (#rule! "shell-rc-write"))

; tar.extractall() without filter= (or with filter="fully_trusted"). Receivers that
; look like zip files are left out: zipfile sanitises member names itself.
((call
   function: (attribute object: (_) @obj attribute: (identifier) @m) @fn
   arguments: (argument_list) @args) @match
 (#eq? @m "extractall")
 (#not-has-kwarg? @args "filter")
 (#not-match? @obj "[Zz][Ii][Pp]|^zf$|^z$")
 (#not-callee? @fn "libcst.*")
 (#rule! "archive-extractall"))

((call
   function: (attribute attribute: (identifier) @m)
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: (string) @v))) @match
 (#any-of? @m "extractall" "extract")
 (#eq? @k "filter")
 (#str-match? @v "^fully_trusted$")
 (#rule! "archive-extractall"))

; tar.extract(member) on something that looks like a tar file
((call
   function: (attribute object: (_) @obj attribute: (identifier) @m)
   arguments: (argument_list) @args) @match
 (#eq? @m "extract")
 (#match? @obj "([Tt]ar|TAR|^tf$|^t$)")
 (#not-has-kwarg? @args "filter")
 (#rule! "archive-extractall"))

; shutil.unpack_archive extracts tar files with the same lack of checks
((call function: (_) @fn arguments: (argument_list) @args) @match
 (#callee? @fn "shutil.unpack_archive")
 (#not-has-kwarg? @args "filter")
 (#rule! "archive-extractall"))

; tempfile.mktemp: a name, not a file; someone else can create it first.
((call function: (_) @fn) @match
 (#callee? @fn "tempfile.mktemp" "os.tempnam" "os.tmpnam")
 (#rule! "tempfile-mktemp"))

; chmod to world-writable
((call
   function: (_) @fn
   arguments: (argument_list . (_) . (_) @mode)) @match
 (#callee? @fn "os.chmod" "os.lchmod" "os.fchmod")
 (#match? @mode "^0[oO]?[0-7]*[2367]$|S_IWOTH|S_IRWXO")
 (#rule! "chmod-permissive"))

((call
   function: (attribute attribute: (identifier) @m)
   arguments: (argument_list . (_) @mode)) @match
 (#any-of? @m "chmod" "lchmod")
 (#match? @mode "^0[oO]?[0-7]*[2367]$|S_IWOTH|S_IRWXO")
 (#rule! "chmod-permissive"))
