;; A module built for threads: its exported `memory` is a shared memory. Run on one thread
;; (`-W threads=y`, Eddy's default), its preview1 calls read and write that memory like a
;; plain one: it writes "shared hello\n" with fd_write, reads it back from the iovec with an
;; atomic load to check the host saw the same bytes, and exits 0.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1 1 shared)
  (data (i32.const 16) "shared hello\n")
  (func (export "_start")
    ;; iovec at 0: {buf 16, len 13}; nwritten at 8.
    (i32.atomic.store (i32.const 0) (i32.const 16))
    (i32.atomic.store (i32.const 4) (i32.const 13))
    (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))
      (then (call $exit (i32.const 2))))
    ;; The host wrote nwritten = 13 into the shared memory.
    (if (i32.ne (i32.atomic.load (i32.const 8)) (i32.const 13))
      (then (call $exit (i32.const 3))))
    (call $exit (i32.const 0))))
