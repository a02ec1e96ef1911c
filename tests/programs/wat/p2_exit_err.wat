;; WASI 0.2.0 command component: `run` calls wasi:cli/exit@0.2.0 `exit(err)`.
;; Expected: no output, exit status 1. Imports the oldest 0.2 version.
(component
  (import "wasi:cli/exit@0.2.0" (instance $exit
    (export "exit" (func (param "status" (result))))))
  (core func $exit (canon lower (func $exit "exit")))
  (core module $m
    (import "wasi" "exit" (func $exit (param i32)))
    (func (export "run") (result i32)
      (call $exit (i32.const 1))  ;; 1 = err
      unreachable))
  (core instance $wasi (export "exit" (func $exit)))
  (core instance $i (instantiate $m (with "wasi" (instance $wasi))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run)))
