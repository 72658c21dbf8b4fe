((call function: (call function: (_) @fn)) @match (#callee? @fn "f") (#rule! "eval-dynamic"))
((call function: (subscript value: (_) @v)) @match (#rule! "eval-dynamic"))