;; A reactor for `eddy run --invoke NAME FILE ARGS...`.
;;
;; `_initialize` must run before the invoked export: it sets $offset from
;; 1000 to 0, so `add 2 3` prints 5 only if it ran (and 1005 if it did not).
;; It also writes nothing, so stdout holds exactly the printed result.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $offset (mut i32) (i32.const 1000))
  (global $offset64 (mut i64) (i64.const 1000))
  (func (export "_initialize")
    (global.set $offset (i32.const 0))
    (global.set $offset64 (i64.const 0)))
  (func (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (i32.add (local.get $a) (local.get $b)) (global.get $offset)))
  (func (export "add_i64") (param $a i64) (param $b i64) (result i64)
    (i64.add (i64.add (local.get $a) (local.get $b)) (global.get $offset64)))
  (func (export "add_f32") (param $a f32) (param $b f32) (result f32)
    (f32.add (local.get $a) (local.get $b)))
  (func (export "add_f64") (param $a f64) (param $b f64) (result f64)
    (f64.add (local.get $a) (local.get $b)))
  ;; Writes "side effect\n" to stdout and returns nothing.
  (data (i32.const 16) "side effect\n")
  (func (export "say")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 12))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
