;; WASI 0.2.0 command component whose `run` traps (unreachable in function $boom).
;; Expected: status 134, the trap and a wasm backtrace naming $boom on stderr.
(component
  (core module $m
    (func $boom unreachable)
    (func (export "run") (result i32)
      (call $boom)
      (i32.const 0)))
  (core instance $i (instantiate $m))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run)))
