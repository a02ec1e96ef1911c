;; WASI 0.2.12 command component: `run` calls wasi:cli/exit@0.2.12 `exit-with-code(7)`.
;; Expected: no output, exit status 7.
(component
  (import "wasi:cli/exit@0.2.12" (instance $exit
    (export "exit-with-code" (func (param "status-code" u8)))))
  (core func $exit_with_code (canon lower (func $exit "exit-with-code")))
  (core module $m
    (import "wasi" "exit-with-code" (func $exit_with_code (param i32)))
    (func (export "run") (result i32)
      (call $exit_with_code (i32.const 7))
      unreachable))
  (core instance $wasi (export "exit-with-code" (func $exit_with_code)))
  (core instance $i (instantiate $m (with "wasi" (instance $wasi))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.12" (instance $run)))
