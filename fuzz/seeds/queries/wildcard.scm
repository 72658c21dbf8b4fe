((_ function: (_) @fn) @match (#callee? @fn "eval") (#rule! "eval-dynamic"))
("return" @match (#rule! "eval-dynamic"))