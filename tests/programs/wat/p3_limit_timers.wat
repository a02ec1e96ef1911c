;; WASI 0.3 limits: every waiting `wasi:clocks/monotonic-clock@0.3.0.wait-for` holds one unit
;; of the instance's budget (`Limits::max_resources`) until it fires or is cancelled. `run`
;; starts 1 000 waits of 10 s (lowered async) without waiting for any. Under a limit of 100
;; the 101st traps ("resource limit: cannot create another wait-for timer: ..."); under the
;; default limit all start, and `run` returns err (exit status 1) at once.
(component
  (import "wasi:clocks/monotonic-clock@0.3.0" (instance $clock
    (export "wait-for" (func async (param "how-long" u64)))))
  (core func $wait-for (canon lower (func $clock "wait-for") async))
  (core func $task-return (canon task.return (result (result))))
  (core module $Main
    (import "wasi" "wait-for" (func $wait-for (param i64) (result i32)))
    (import "cm" "task-return" (func $task-return (param i32)))
    (func (export "run") (result i32)
      (local $i i32)
      (loop $again
        ;; STARTED (1) each time: the timer is waiting.
        (if (i32.ne (i32.and (call $wait-for (i64.const 10000000000)) (i32.const 0xf))
                    (i32.const 1))
          (then unreachable))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $again (i32.lt_u (local.get $i) (i32.const 1000))))
      ;; result::err, then EXIT.
      (call $task-return (i32.const 1))
      (i32.const 0))
    (func (export "callback") (param i32 i32 i32) (result i32) unreachable))
  (core instance $main (instantiate $Main
    (with "wasi" (instance (export "wait-for" (func $wait-for))))
    (with "cm" (instance (export "task-return" (func $task-return))))))
  (func $run async (result (result))
    (canon lift (core func $main "run") async (callback (core func $main "callback"))))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.3.0" (instance $run-inst)))
