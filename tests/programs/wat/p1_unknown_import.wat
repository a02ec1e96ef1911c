;; A module importing a function that wasi_snapshot_preview1 does not have.
;; Loading it must fail before anything runs: one `Error: ` line naming
;; `wasi_snapshot_preview1::not_a_real_function`, exit status 1.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "not_a_real_function"
    (func $nope (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "must not run\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 13))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (drop (call $nope (i32.const 0)))))
