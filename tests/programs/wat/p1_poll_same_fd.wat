;; poll_oneoff with 20 001 fd_write subscriptions, all on fd 1 (stdout): more subscriptions
;; than the kernel takes pollfds under a typical RLIMIT_NOFILE. Every one must get its event,
;; in order (userdata = its index, no error, type fd_write); then prints "ok" and exits 0.
;; Exit 1: poll_oneoff failed; 2: wrong nevents; 3-5: an event's userdata, error or type.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  ;; nevents @0x100, iovec @0x200, message @0x300, subscriptions @0x10000 (48 bytes each),
  ;; events @0x110000 (32 bytes each).
  (memory (export "memory") 40)
  (data (i32.const 0x300) "ok\n")
  (global $n i32 (i32.const 20001))
  (global $subs i32 (i32.const 0x10000))
  (global $events i32 (i32.const 0x110000))
  (func (export "_start")
    (local $i i32) (local $at i32)
    (block $built
      (loop $next
        (br_if $built (i32.ge_u (local.get $i) (global.get $n)))
        (local.set $at (i32.add (global.get $subs) (i32.mul (local.get $i) (i32.const 48))))
        (i64.store (local.get $at) (i64.extend_i32_u (local.get $i)))
        (i32.store8 offset=8 (local.get $at) (i32.const 2))
        (i32.store offset=16 (local.get $at) (i32.const 1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (if (call $poll (global.get $subs) (global.get $events) (global.get $n) (i32.const 0x100))
      (then (call $exit (i32.const 1))))
    (if (i32.ne (i32.load (i32.const 0x100)) (global.get $n))
      (then (call $exit (i32.const 2))))
    (local.set $i (i32.const 0))
    (block $checked
      (loop $next
        (br_if $checked (i32.ge_u (local.get $i) (global.get $n)))
        (local.set $at (i32.add (global.get $events) (i32.mul (local.get $i) (i32.const 32))))
        (if (i64.ne (i64.load (local.get $at)) (i64.extend_i32_u (local.get $i)))
          (then (call $exit (i32.const 3))))
        (if (i32.load16_u offset=8 (local.get $at))
          (then (call $exit (i32.const 4))))
        (if (i32.ne (i32.load8_u offset=10 (local.get $at)) (i32.const 2))
          (then (call $exit (i32.const 5))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store (i32.const 0x200) (i32.const 0x300))
    (i32.store (i32.const 0x204) (i32.const 3))
    (drop (call $write (i32.const 1) (i32.const 0x200) (i32.const 1) (i32.const 0x100)))
    (call $exit (i32.const 0))))
