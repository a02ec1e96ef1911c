;; A preview1 command calling `proc_exit(N)`, N the decimal argv[1] (optionally with a leading
;; `-`, wrapping as an i32: `-1` is 4294967295 as the u32 the call takes). Prints nothing.
;; Without argv[1] it exits 0.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; 0: argc, 4: argv_buf size, 64: argv pointers, 4096: argv_buf.
  (func (export "_start")
    (local $p i32) (local $c i32) (local $n i32) (local $neg i32)
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (if (i32.gt_u (i32.load (i32.const 0)) (i32.const 1000)) (then unreachable))
    (drop (call $args_get (i32.const 64) (i32.const 4096)))
    (if (i32.lt_u (i32.load (i32.const 0)) (i32.const 2))
      (then (call $proc_exit (i32.const 0))))
    (local.set $p (i32.load (i32.const 68)))
    (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 45)) ;; '-'
      (then
        (local.set $neg (i32.const 1))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))))
    (block $done
      (loop $digits
        (local.set $c (i32.load8_u (local.get $p)))
        (br_if $done (i32.lt_u (local.get $c) (i32.const 48)))
        (br_if $done (i32.gt_u (local.get $c) (i32.const 57)))
        (local.set $n
          (i32.add (i32.mul (local.get $n) (i32.const 10))
                   (i32.sub (local.get $c) (i32.const 48))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $digits)))
    (if (local.get $neg) (then (local.set $n (i32.sub (i32.const 0) (local.get $n)))))
    (call $proc_exit (local.get $n))))
