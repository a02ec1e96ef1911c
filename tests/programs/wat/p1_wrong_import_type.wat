;; A module importing wasi_snapshot_preview1.fd_write with the wrong type (two
;; params instead of four). Loading it must fail before anything runs: one
;; `Error: ` line naming `wasi_snapshot_preview1::fd_write` and both types,
;; exit status 1 (a link error, not a trap).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const 0)))))
