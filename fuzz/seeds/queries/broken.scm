((call function: (_) @fn arguments: (nope)) @match (#callee? @fn "os.system") (#match? @fn "(") (#rule! "os-system"))
; a comment with "quotes" and (brackets
((call function: (_) @fn) @match (#callee? @fn "a\"b\\c" "x*") (#rule! "os-system"))