;; WASI 0.3 through the async built-ins: one `wasi:clocks/monotonic-clock@0.3.0.wait-for`,
;; lowered `async`, pinned down step by step. `run` (wasi:cli/run@0.3.0) is lifted async
;; with a callback, but never returns to it: it waits in `waitable-set.wait` itself.
;;
;; 1. wait-for(50 ms) returns STARTED (1) with a subtask handle (status = handle << 4 | 1).
;; 2. The subtask joins a new waitable set; waitable-set.wait gives one event: SUBTASK (1)
;;    for that handle, payload RETURNED (2). Then subtask.drop, waitable-set.drop.
;; 3. At least 50 ms passed on the monotonic clock (`now`).
;; 4. wait-for(0) returns RETURNED (2) at once, with no subtask (the host's future is ready
;;    on its first poll).
;; Then task.return(ok): exit status 0. A failed step exits with its own status
;; (exit-with-code 10 + step), so the test names the step that went wrong.
(component
  (import "wasi:clocks/monotonic-clock@0.3.0" (instance $clock
    (export "now" (func (result u64)))
    (export "wait-for" (func async (param "how-long" u64)))))
  (import "wasi:cli/exit@0.3.0" (instance $exit
    (export "exit-with-code" (func (param "status-code" u8)))))

  ;; The memory waitable-set.wait writes its event into.
  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))

  (core func $now (canon lower (func $clock "now")))
  (core func $wait-for (canon lower (func $clock "wait-for") async))
  (core func $exit (canon lower (func $exit "exit-with-code")))
  (core func $set-new (canon waitable-set.new))
  (core func $set-wait (canon waitable-set.wait (memory (core memory $mem "mem"))))
  (core func $set-drop (canon waitable-set.drop))
  (core func $join (canon waitable.join))
  (core func $subtask-drop (canon subtask.drop))
  (core func $task-return (canon task.return (result (result))))

  (core module $Main
    (import "mem" "mem" (memory 1))
    (import "wasi" "now" (func $now (result i64)))
    (import "wasi" "wait-for" (func $wait-for (param i64) (result i32)))
    (import "wasi" "exit" (func $exit (param i32)))
    (import "cm" "set-new" (func $set-new (result i32)))
    (import "cm" "set-wait" (func $set-wait (param i32 i32) (result i32)))
    (import "cm" "set-drop" (func $set-drop (param i32)))
    (import "cm" "join" (func $join (param i32 i32)))
    (import "cm" "subtask-drop" (func $subtask-drop (param i32)))
    (import "cm" "task-return" (func $task-return (param i32)))

    ;; Exits with status `code` unless `ok`.
    (func $check (param $ok i32) (param $code i32)
      (if (i32.eqz (local.get $ok)) (then (call $exit (local.get $code)))))

    (func (export "run") (result i32)
      (local $t0 i64) (local $status i32) (local $task i32) (local $set i32)
      (local.set $t0 (call $now))
      ;; 1. 50 ms: started, with a handle.
      (local.set $status (call $wait-for (i64.const 50000000)))
      (call $check (i32.eq (i32.and (local.get $status) (i32.const 0xf)) (i32.const 1))
        (i32.const 11))
      (local.set $task (i32.shr_u (local.get $status) (i32.const 4)))
      (call $check (i32.ne (local.get $task) (i32.const 0)) (i32.const 11))
      ;; 2. One SUBTASK event for it: returned.
      (local.set $set (call $set-new))
      (call $join (local.get $task) (local.get $set))
      (call $check (i32.eq (call $set-wait (local.get $set) (i32.const 0)) (i32.const 1))
        (i32.const 12))
      (call $check (i32.eq (i32.load (i32.const 0)) (local.get $task)) (i32.const 12))
      (call $check (i32.eq (i32.load (i32.const 4)) (i32.const 2)) (i32.const 12))
      (call $subtask-drop (local.get $task))
      (call $set-drop (local.get $set))
      ;; 3. The time passed.
      (call $check
        (i64.ge_u (i64.sub (call $now) (local.get $t0)) (i64.const 50000000))
        (i32.const 13))
      ;; 4. A zero wait: returned at once, no handle.
      (call $check (i32.eq (call $wait-for (i64.const 0)) (i32.const 2)) (i32.const 14))
      ;; result::ok, then EXIT (0): the callback is never called.
      (call $task-return (i32.const 0))
      (i32.const 0))

    (func (export "callback") (param i32 i32 i32) (result i32) unreachable))

  (core instance $main (instantiate $Main
    (with "mem" (instance $mem))
    (with "wasi" (instance
      (export "now" (func $now))
      (export "wait-for" (func $wait-for))
      (export "exit" (func $exit))))
    (with "cm" (instance
      (export "set-new" (func $set-new))
      (export "set-wait" (func $set-wait))
      (export "set-drop" (func $set-drop))
      (export "join" (func $join))
      (export "subtask-drop" (func $subtask-drop))
      (export "task-return" (func $task-return))))))

  (func $run async (result (result))
    (canon lift (core func $main "run") async (callback (core func $main "callback"))))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.3.0" (instance $run-inst)))
