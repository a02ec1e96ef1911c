;; WASI 0.2.3 command component with no imports: `run` returns `err`.
;; Exports wasi:cli/run@0.2.3. Expected: no output, status 1.
(component
  (core module $m
    (func (export "run") (result i32)
      (i32.const 1)))  ;; 1 = err
  (core instance $i (instantiate $m))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.3" (instance $run)))
