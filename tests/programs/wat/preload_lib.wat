;; A library module for `--preload lib=preload_lib.wat`: exports `triple(x) = 3x`.
;; No imports, no `_start`: run by the test of preload_main.wat.
(module
  (func (export "triple") (param i32) (result i32)
    (i32.mul (local.get 0) (i32.const 3))))
