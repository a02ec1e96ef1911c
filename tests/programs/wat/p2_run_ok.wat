;; WASI 0.2.9 command component with no imports: `run` returns `ok`.
;; Expected: no output, status 0.
(component
  (core module $m
    (func (export "run") (result i32)
      (i32.const 0)))  ;; 0 = ok
  (core instance $i (instantiate $m))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.9" (instance $run)))
