;; wasi:random for components, imported at three versions at once (random@0.2.0,
;; insecure@0.2.3, insecure-seed@0.2.12) together with wasi:cli/exit at two (0.2.0 and
;; 0.2.12). Checks, in order (the status is the number of the first that fails):
;;   1 insecure-seed returns the same value twice
;;   2 two get-random-u64 differ
;;   3 two get-insecure-random-u64 differ
;;   4 get-random-bytes(16) returns 16 bytes, not all zero
;;   5 get-insecure-random-bytes(5) returns 5 bytes
;; then exit-with-code(42). Expected: status 42, no output.
(component
  (import "wasi:random/random@0.2.0" (instance $random
    (export "get-random-bytes" (func (param "len" u64) (result (list u8))))
    (export "get-random-u64" (func (result u64)))))
  (import "wasi:random/insecure@0.2.3" (instance $insecure
    (export "get-insecure-random-bytes" (func (param "len" u64) (result (list u8))))
    (export "get-insecure-random-u64" (func (result u64)))))
  (import "wasi:random/insecure-seed@0.2.12" (instance $seed
    (export "insecure-seed" (func (result (tuple u64 u64))))))
  (import "wasi:cli/exit@0.2.0" (instance $exit0
    (export "exit" (func (param "status" (result))))))
  (import "wasi:cli/exit@0.2.12" (instance $exit12
    (export "exit-with-code" (func (param "status-code" u8)))))

  (core module $libc
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 4096))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
      (global.set $heap (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "memory" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))
  (core func $bytes
    (canon lower (func $random "get-random-bytes") (memory $mem) (realloc $realloc)))
  (core func $u64 (canon lower (func $random "get-random-u64")))
  (core func $ibytes
    (canon lower (func $insecure "get-insecure-random-bytes") (memory $mem) (realloc $realloc)))
  (core func $iu64 (canon lower (func $insecure "get-insecure-random-u64")))
  (core func $seed (canon lower (func $seed "insecure-seed") (memory $mem)))
  (core func $exit (canon lower (func $exit0 "exit")))
  (core func $exit-with-code (canon lower (func $exit12 "exit-with-code")))
  (core module $main
    (import "libc" "memory" (memory 1))
    (import "wasi" "bytes" (func $bytes (param i64 i32)))
    (import "wasi" "u64" (func $u64 (result i64)))
    (import "wasi" "ibytes" (func $ibytes (param i64 i32)))
    (import "wasi" "iu64" (func $iu64 (result i64)))
    (import "wasi" "seed" (func $seed (param i32)))
    (import "wasi" "exit" (func $exit (param i32)))
    (import "wasi" "exit-with-code" (func $exit-with-code (param i32)))
    (func $fail_unless (param $ok i32) (param $code i32)
      (if (i32.eqz (local.get $ok)) (then (call $exit-with-code (local.get $code)))))
    (func (export "run") (result i32)
      (local $p i32)
      ;; 1: the seed is constant
      (call $seed (i32.const 0x100))
      (call $seed (i32.const 0x110))
      (call $fail_unless
        (i32.and (i64.eq (i64.load (i32.const 0x100)) (i64.load (i32.const 0x110)))
                 (i64.eq (i64.load (i32.const 0x108)) (i64.load (i32.const 0x118))))
        (i32.const 1))
      ;; 2, 3: two draws differ
      (call $fail_unless (i64.ne (call $u64) (call $u64)) (i32.const 2))
      (call $fail_unless (i64.ne (call $iu64) (call $iu64)) (i32.const 3))
      ;; 4: 16 secure bytes, not all zero
      (call $bytes (i64.const 16) (i32.const 0x200))
      (local.set $p (i32.load (i32.const 0x200)))
      (call $fail_unless
        (i32.and (i32.eq (i32.load offset=4 (i32.const 0x200)) (i32.const 16))
                 (i64.ne (i64.or (i64.load (local.get $p)) (i64.load offset=8 (local.get $p)))
                         (i64.const 0)))
        (i32.const 4))
      ;; 5: 5 insecure bytes
      (call $ibytes (i64.const 5) (i32.const 0x200))
      (call $fail_unless (i32.eq (i32.load offset=4 (i32.const 0x200)) (i32.const 5))
        (i32.const 5))
      (call $exit-with-code (i32.const 42))
      ;; not reached: exit(err) would be status 1
      (call $exit (i32.const 1))
      (i32.const 1)))
  (core instance $wasi
    (export "bytes" (func $bytes))
    (export "u64" (func $u64))
    (export "ibytes" (func $ibytes))
    (export "iu64" (func $iu64))
    (export "seed" (func $seed))
    (export "exit" (func $exit))
    (export "exit-with-code" (func $exit-with-code)))
  (core instance $main (instantiate $main
    (with "libc" (instance $libc))
    (with "wasi" (instance $wasi))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.12" (instance $run)))
