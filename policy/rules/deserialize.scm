; Deserialization: pickle and its relatives, YAML loaders that build objects,
; XML parsers with entity expansion.

; Unpickling (and marshal, shelve, jsonpickle, pandas.read_pickle ...).
((call function: (_) @fn) @match
 (#callee? @fn "pickle.load" "pickle.loads" "pickle.Unpickler" "pickle._load" "pickle._loads"
   "cPickle.load" "cPickle.loads" "cPickle.Unpickler"
   "_pickle.load" "_pickle.loads" "_pickle.Unpickler"
   "dill.load" "dill.loads" "dill.Unpickler" "cloudpickle.load" "cloudpickle.loads"
   "joblib.load" "marshal.load" "marshal.loads" "shelve.open" "shelve.DbfilenameShelf"
   "jsonpickle.decode" "jsonpickle.unpickler.decode" "jsonpickle.unpickler.Unpickler"
   "pandas.read_pickle")
 (#rule! "pickle-load"))

; torch.load unpickles unless weights_only=True.
((call function: (_) @fn arguments: (argument_list) @args) @match
 (#callee? @fn "torch.load")
 (#not-has-kwarg? @args "weights_only")
 (#rule! "pickle-load"))

((call
   function: (_) @fn
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: (_) @v))) @match
 (#callee? @fn "torch.load")
 (#eq? @k "weights_only")
 (#not-eq? @v "True")
 (#rule! "pickle-load"))

; numpy.load(..., allow_pickle=True)
((call
   function: (_) @fn
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: (true)))) @match
 (#callee? @fn "numpy.load")
 (#eq? @k "allow_pickle")
 (#rule! "pickle-load"))

; yaml.load / yaml.load_all with no Loader: the unsafe default of PyYAML < 5.1.
((call function: (_) @fn arguments: (argument_list) @args) @match
 (#callee? @fn "yaml.load" "yaml.load_all")
 (#not-has-kwarg? @args "Loader")
 (#max-args? @args "1")
 (#rule! "yaml-unsafe-load"))

; yaml.load(..., Loader=<a loader that builds arbitrary objects>)
((call
   function: (_) @fn
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: (_) @l))) @match
 (#callee? @fn "yaml.load" "yaml.load_all" "yaml.add_constructor")
 (#eq? @k "Loader")
 (#callee? @l "yaml.Loader" "yaml.UnsafeLoader" "yaml.FullLoader"
   "yaml.CLoader" "yaml.CUnsafeLoader" "yaml.CFullLoader"
   "yaml.loader.Loader" "yaml.loader.UnsafeLoader" "yaml.loader.FullLoader"
   "yaml.cyaml.CLoader" "yaml.cyaml.CUnsafeLoader" "yaml.cyaml.CFullLoader")
 (#rule! "yaml-unsafe-load"))

; yaml.load(stream, yaml.Loader): the loader as second positional argument
((call
   function: (_) @fn
   arguments: (argument_list . (_) . (_) @l)) @match
 (#callee? @fn "yaml.load" "yaml.load_all")
 (#callee? @l "yaml.Loader" "yaml.UnsafeLoader" "yaml.FullLoader"
   "yaml.CLoader" "yaml.CUnsafeLoader" "yaml.CFullLoader"
   "yaml.loader.Loader" "yaml.loader.UnsafeLoader" "yaml.loader.FullLoader"
   "yaml.cyaml.CLoader" "yaml.cyaml.CUnsafeLoader" "yaml.cyaml.CFullLoader")
 (#rule! "yaml-unsafe-load"))

; Always unsafe spellings.
((call function: (_) @fn) @match
 (#callee? @fn "yaml.unsafe_load" "yaml.unsafe_load_all" "yaml.full_load" "yaml.full_load_all")
 (#rule! "yaml-unsafe-load"))

; ruamel.yaml's YAML(typ="unsafe")
((call
   function: (_) @fn
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: (string) @v))) @match
 (#callee? @fn "ruamel.yaml.YAML" "ruamel.yaml.main.YAML")
 (#eq? @k "typ")
 (#str-match? @v "^unsafe$")
 (#rule! "yaml-unsafe-load"))

; XML parsers of the standard library and lxml (not defusedxml).
((call function: (_) @fn) @match
 (#callee? @fn
   "xml.etree.ElementTree.parse" "xml.etree.ElementTree.iterparse"
   "xml.etree.ElementTree.fromstring" "xml.etree.ElementTree.XML"
   "xml.etree.ElementTree.XMLParser" "xml.etree.ElementTree.fromstringlist"
   "xml.etree.cElementTree.parse" "xml.etree.cElementTree.iterparse"
   "xml.etree.cElementTree.fromstring" "xml.etree.cElementTree.XML"
   "xml.etree.cElementTree.XMLParser"
   "xml.sax.parse" "xml.sax.parseString" "xml.sax.make_parser"
   "xml.sax.expatreader.create_parser"
   "xml.dom.expatbuilder.parse" "xml.dom.expatbuilder.parseString"
   "xml.dom.minidom.parse" "xml.dom.minidom.parseString"
   "xml.dom.pulldom.parse" "xml.dom.pulldom.parseString"
   "lxml.etree.parse" "lxml.etree.fromstring" "lxml.etree.XML" "lxml.etree.iterparse"
   "lxml.etree.RestrictedElement" "lxml.etree.GlobalParserTLS"
   "lxml.etree.getDefaultParser" "lxml.etree.check_docinfo")
 (#rule! "xml-unsafe"))

; lxml.etree.XMLParser(resolve_entities=True): external entities on purpose.
((call
   function: (_) @fn
   arguments: (argument_list
     (keyword_argument name: (identifier) @k value: (true)))) @match
 (#callee? @fn "lxml.etree.XMLParser")
 (#any-of? @k "resolve_entities" "load_dtd")
 (#rule! "xml-unsafe"))
