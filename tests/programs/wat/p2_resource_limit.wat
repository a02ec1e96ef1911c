;; Resource-table exhaustion (WASI 0.2): calls wasi:cli/stdout.get-stdout 2 097 152 times
;; without dropping a handle, so the instance holds one more output-stream per call. The host
;; must stop it with a trap, not grow until it runs out of memory: the engine's store-wide cap
;; on live component handles (100 000 in wasmtime 48) comes before Eddy's own resource-table
;; limit (`Limits::max_resources`, 1 048 576). Prints nothing; if every call succeeds, run
;; returns err (status 1).
(component
  (import "wasi:io/streams@0.2.0" (instance $streams
    (export "output-stream" (type (sub resource)))))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (export "output-stream" (type $o (eq $output-stream)))
    (export "get-stdout" (func (result (own $o))))))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core module $main
    (import "wasi" "get-stdout" (func $get-stdout (result i32)))
    (func (export "run") (result i32)
      (local $i i32)
      (loop $again
        (drop (call $get-stdout))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $again (i32.lt_u (local.get $i) (i32.const 2097152))))
      (i32.const 1)))
  (core instance $wasi (export "get-stdout" (func $get-stdout)))
  (core instance $main (instantiate $main (with "wasi" (instance $wasi))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run)))
