;; A component importing WASI 0.2.0 (stdout, streams) with no `wasi:cli/run`, for `--invoke`:
;; `say(msg: string)` writes msg and a newline to stdout with
;; output-stream.blocking-write-and-flush and returns nothing.
;; Expected: `say("hi")` prints "hi\n", status 0.
(component
  (import "wasi:io/error@0.2.0" (instance $error
    (export "error" (type (sub resource)))))
  (alias export $error "error" (type $error))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (export "error" (type $e (eq $error)))
    (type $se (variant (case "last-operation-failed" (own $e)) (case "closed")))
    (export "stream-error" (type $stream-error (eq $se)))
    (export "output-stream" (type $out (sub resource)))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $out)) (param "contents" (list u8))
        (result (result (error $stream-error)))))))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (export "output-stream" (type $o (eq $output-stream)))
    (export "get-stdout" (func (result (own $o))))))

  (core module $libc
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 4096))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
      (global.set $heap (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "memory" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))

  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $write
    (canon lower (func $streams "[method]output-stream.blocking-write-and-flush")
      (memory $mem)))
  (core func $drop-stream (canon resource.drop $output-stream))

  (core module $main
    (import "libc" "memory" (memory 1))
    (import "wasi" "get-stdout" (func $get-stdout (result i32)))
    (import "wasi" "write" (func $write (param i32 i32 i32 i32)))
    (import "wasi" "drop" (func $drop (param i32)))
    (data (i32.const 0x10) "\n")
    ;; Writes, trapping unless the result<_, stream-error> at 0x20 is ok.
    (func $print (param $out i32) (param $ptr i32) (param $len i32)
      (call $write (local.get $out) (local.get $ptr) (local.get $len) (i32.const 0x20))
      (if (i32.load8_u (i32.const 0x20)) (then unreachable)))
    (func (export "say") (param $ptr i32) (param $len i32)
      (local $out i32)
      (local.set $out (call $get-stdout))
      (call $print (local.get $out) (local.get $ptr) (local.get $len))
      (call $print (local.get $out) (i32.const 0x10) (i32.const 1))
      (call $drop (local.get $out))))
  (core instance $main (instantiate $main
    (with "libc" (instance $libc))
    (with "wasi" (instance
      (export "get-stdout" (func $get-stdout))
      (export "write" (func $write))
      (export "drop" (func $drop-stream))))))

  (func $say (param "msg" string)
    (canon lift (core func $main "say") (memory $mem) (realloc $realloc)))
  (export "say" (func $say)))
