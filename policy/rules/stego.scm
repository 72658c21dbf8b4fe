; Steganography: code taken out of images. Appended payloads in image
; files themselves are found by the file checks (stego-image-payload).

; sink(<anything that reads an image>)
((call
   function: (_) @fn
   arguments: (argument_list . (_) @arg)) @match
 (#callee? @fn "eval" "exec" "compile" "execfile" "marshal.loads" "pickle.loads"
   "cPickle.loads" "dill.loads" "types.FunctionType" "os.system" "os.popen"
   "subprocess.run" "subprocess.call" "subprocess.Popen" "subprocess.check_output")
 (#match? @arg "\\.(png|PNG|jpe?g|JPE?G|gif|GIF|bmp|BMP|ico|ICO|webp|tiff?)['\"]|Image\\.open|\\.getdata\\(|\\.getpixel\\(|reveal\\(|stepic|Steganography")
 (#rule! "stego-exec"))

((call function: (_) @fn) @match
 (#callee? @fn "stegano.*" "steganography.*" "stegpy.*" "stepic.*" "lsb.reveal" "lsb.decode"
   "lsbsteg.*" "steganogan.*")
 (#rule! "stego-library"))

((import_statement
   name: [(dotted_name) @m (aliased_import name: (dotted_name) @m)]) @match
 (#match? @m "^(stegano|steganography|stegpy|stepic|lsbsteg|steganogan)(\\.|$)")
 (#detail! @m)
 (#rule! "stego-library"))
