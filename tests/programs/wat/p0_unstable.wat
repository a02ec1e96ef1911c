;; A preview0 (`wasi_unstable`) command: writes with p0 fd_write, then prints the errno of p0
;; fd_seek given an invalid whence (7 → EINVAL 28) and the errno of p0 fd_seek on a closed fd
;; with p0's SET whence (2 → EBADF 8), one line each, and exits with p0 proc_exit(3).
;; Expected: "p0 hello\nseek bad whence: 28\nseek closed fd: 8\n", status 3.
(module
  (import "wasi_unstable" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "p0 hello\n")
  (data (i32.const 80) "seek bad whence: ")
  (data (i32.const 112) "seek closed fd: ")
  ;; Writes LEN bytes at PTR to stdout (iovec at 0, nwritten at 16).
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16))))
  ;; Writes the decimal N (0..99) and a newline, built at 48.
  (func $print_num (param $n i32)
    (if (i32.ge_u (local.get $n) (i32.const 10))
      (then
        (i32.store8 (i32.const 48) (i32.add (i32.const 48) (i32.div_u (local.get $n) (i32.const 10))))
        (i32.store8 (i32.const 49) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
        (i32.store8 (i32.const 50) (i32.const 10))
        (call $print (i32.const 48) (i32.const 3)))
      (else
        (i32.store8 (i32.const 48) (i32.add (i32.const 48) (local.get $n)))
        (i32.store8 (i32.const 49) (i32.const 10))
        (call $print (i32.const 48) (i32.const 2)))))
  (func (export "_start")
    (local $bad_whence i32) (local $closed i32)
    (call $print (i32.const 64) (i32.const 9))
    (local.set $bad_whence (call $seek (i32.const 1) (i64.const 0) (i32.const 7) (i32.const 32)))
    (local.set $closed (call $seek (i32.const 77) (i64.const 0) (i32.const 2) (i32.const 32)))
    (call $print (i32.const 80) (i32.const 17))
    (call $print_num (local.get $bad_whence))
    (call $print (i32.const 112) (i32.const 16))
    (call $print_num (local.get $closed))
    (call $exit (i32.const 3))))
