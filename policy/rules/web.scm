; Web application weaknesses: template escaping off, markup marked safe,
; SQL built by string formatting, Flask's debugger.

; jinja2.Environment() without autoescape=, or with autoescape=False
((call function: (_) @fn arguments: (argument_list) @args) @match
 (#callee? @fn "jinja2.Environment" "jinja2.environment.Environment"
   "jinja2.sandbox.SandboxedEnvironment")
 (#not-has-kwarg? @args "autoescape")
 (#rule! "jinja2-autoescape-false"))

((call
   function: (_) @fn
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: [(false) (none)]))) @match
 (#callee? @fn "jinja2.Environment" "jinja2.environment.Environment"
   "jinja2.sandbox.SandboxedEnvironment")
 (#eq? @k "autoescape")
 (#rule! "jinja2-autoescape-false"))

; mark_safe(<not a constant>), Markup(<not a constant>)
((call
   function: (_) @fn
   arguments: (argument_list . (_) @arg)) @match
 (#callee? @fn "django.utils.safestring.mark_safe" "django.utils.html.mark_safe"
   "django.utils.safestring.SafeString" "django.utils.safestring.SafeText"
   "markupsafe.Markup" "jinja2.Markup" "flask.Markup")
 (#not-literal? @arg)
 (#rule! "mark-safe"))

; cursor.execute(f"... {x}"), execute("..." % x), execute("..." + x), execute("...".format(x))
((call
   function: (_) @fn
   arguments: (argument_list .
     [(string (interpolation)) @q
      (binary_operator left: [(string) (concatenated_string)] operator: ["%" "+"]) @q
      (call function: (attribute object: [(string) (concatenated_string)] attribute: (identifier) @fmt)) @q])) @match
 (#match? @fn "\\.(execute|executemany|executescript|raw|read_sql|read_sql_query)$|^(text|read_sql|read_sql_query)$")
 (#match? @q "^[rRuUfFbB]{0,2}(\"\"\"|'''|\"|')[[:space:]]*([Ss][Ee][Ll][Ee][Cc][Tt]|[Ii][Nn][Ss][Ee][Rr][Tt]|[Uu][Pp][Dd][Aa][Tt][Ee]|[Dd][Ee][Ll][Ee][Tt][Ee]|[Dd][Rr][Oo][Pp]|[Cc][Rr][Ee][Aa][Tt][Ee]|[Aa][Ll][Tt][Ee][Rr]|[Ww][Ii][Tt][Hh]|[Rr][Ee][Pp][Ll][Aa][Cc][Ee]|[Mm][Ee][Rr][Gg][Ee]|[Tt][Rr][Uu][Nn][Cc][Aa][Tt][Ee])[[:space:]]")
 (#rule! "sql-string-format"))

; the same through an alias: from sqlalchemy import text as t; t(f"... {x}")
((call
   function: (_) @fn
   arguments: (argument_list .
     [(string (interpolation)) @q
      (binary_operator left: [(string) (concatenated_string)] operator: ["%" "+"]) @q
      (call function: (attribute object: [(string) (concatenated_string)] attribute: (identifier) @fmt)) @q])) @match
 (#callee? @fn "pandas.read_sql" "pandas.read_sql_query" "pandas.io.sql.read_sql"
   "sqlalchemy.text" "sqlalchemy.sql.text" "sqlalchemy.sql.expression.text")
 (#match? @q "^[rRuUfFbB]{0,2}(\"\"\"|'''|\"|')[[:space:]]*([Ss][Ee][Ll][Ee][Cc][Tt]|[Ii][Nn][Ss][Ee][Rr][Tt]|[Uu][Pp][Dd][Aa][Tt][Ee]|[Dd][Ee][Ll][Ee][Tt][Ee]|[Dd][Rr][Oo][Pp]|[Cc][Rr][Ee][Aa][Tt][Ee]|[Aa][Ll][Tt][Ee][Rr]|[Ww][Ii][Tt][Hh]|[Rr][Ee][Pp][Ll][Aa][Cc][Ee]|[Mm][Ee][Rr][Gg][Ee]|[Tt][Rr][Uu][Nn][Cc][Aa][Tt][Ee])[[:space:]]")
 (#rule! "sql-string-format"))

; app.run(debug=True): the Werkzeug debugger runs code sent by the browser
((call
   function: (attribute attribute: (identifier) @m) @fn
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: (true)))) @match
 (#eq? @m "run")
 (#eq? @k "debug")
 (#not-callee? @fn "asyncio.run" "asyncio.runners.run" "uvicorn.run" "anyio.run" "trio.run")
 (#rule! "flask-debug"))
