; Keyed root patterns: a call's function, an alternation with one capture
; per alternative, a call under a field, and shapes that must not be keyed.
((call function: (_) @f arguments: (argument_list) @match)
 (#callee? @f "os.system")
 (#rule! "os-system"))

([(keyword_argument name: (identifier) @k value: (_) @v)
  (default_parameter name: (identifier) @k value: (_) @v)] @match
 (#callee? @v "subprocess.run" "os.*")
 (#rule! "eval-dynamic"))

((assignment left: (_) @l right: (call function: (_) @fn)) @match
 (#callee? @fn "os.system" "sp.*")
 (#rule! "os-exec"))

((assignment left: (_) @l right: (_)? @l) @match
 (#callee? @l "os")
 (#rule! "os-exec"))

((assignment right: [(string) (binary_operator)] @v (#callee? @v "x")) @match
 (#rule! "os-exec"))

((subscript value: (_) @v @v) @match (#callee? @v "os.environ") (#rule! "capability-env"))
