((assignment left: (identifier) @l right: (list (string)? @s)) @match
 (#eq? @l "zz_opt") (#rule! "eval-dynamic"))
((assignment left: [(identifier) (attribute)] right: [(integer) (_)] @r) @match
 (#rule! "eval-dynamic"))
((keyword_argument name: (identifier) @k value: (integer)) @match
 (#eq? @k "zz_port") (#rule! "eval-dynamic"))
([(pair value: (string) @match) (list (string (interpolation)) @match)
  (subscript subscript: (string (string_content) @c)) @match]
 (#rule! "eval-dynamic"))
((class_definition superclasses: (argument_list (attribute object: (identifier) attribute: (identifier)) @b)) @match
 (#rule! "eval-dynamic"))
