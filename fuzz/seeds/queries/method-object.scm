((call
   function: (attribute
     object: [(parenthesized_expression (binary_operator right: (string) @p))
              (call arguments: (argument_list (string) @p))]
     attribute: (identifier) @m)
   arguments: (argument_list . (string) @mode)) @match
 (#any-of? @m "write_text" "open")
 (#rule! "eval-dynamic"))
((call function: (_) @fn arguments: (argument_list (string) @match))
 (#callee? @fn "os.system") (#rule! "eval-dynamic"))
