;; A preview1 command that imports `triple` from module `lib` (given with
;; `--preload lib=preload_lib.wat`) and exits with status triple(5) = 15.
;; Expected: no output, exit status 15; without the preload: unknown import `lib::triple`.
(module
  (import "lib" "triple" (func $triple (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $exit (call $triple (i32.const 5)))))
