;; A preview0 (`wasi_unstable`) command: writes with p0 fd_write, then exits with the errno of
;; p0 fd_seek given an invalid whence (7 → EINVAL 28) plus 100 × the errno of p0 fd_seek on a
;; closed fd with p0's SET whence (2 → EBADF 8): status 28 + 800 = 828 → 828 & 0xff = 60.
(module
  (import "wasi_unstable" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "p0 hello\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 9))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))
    (call $exit
      (i32.add
        (call $seek (i32.const 1) (i64.const 0) (i32.const 7) (i32.const 32))
        (i32.mul (i32.const 100)
          (call $seek (i32.const 77) (i64.const 0) (i32.const 2) (i32.const 32)))))))
