;; The reactor benchmark's WASI 0.3-style component (benches/reactor): async-lifted exports
;; with a callback, written out so each call is exactly the canonical ABI's steps.
;;   add(a: s32, b: s32) -> s32    task.return(a + b) at once, then EXIT: the trivial
;;                                 async call.
;;   delayed(x: u32, ms: u32) -> u64
;;                                 wait-for(ms ms) lowered async; the task WAITs on its own
;;                                 waitable set, and the callback, on the SUBTASK RETURNED
;;                                 event, returns 2x + 1 (x and the set kept in memory at
;;                                 the subtask's handle).
;; Imports only `wasi:clocks/monotonic-clock@0.3.0.wait-for`.
(component
  (import "wasi:clocks/monotonic-clock@0.3.0" (instance $clock
    (export "wait-for" (func async (param "how-long" u64)))))

  (core func $wait-for (canon lower (func $clock "wait-for") async))
  (core func $set-new (canon waitable-set.new))
  (core func $set-drop (canon waitable-set.drop))
  (core func $join (canon waitable.join))
  (core func $subtask-drop (canon subtask.drop))
  (core func $return-s32 (canon task.return (result s32)))
  (core func $return-u64 (canon task.return (result u64)))

  (core module $M
    (import "cm" "wait-for" (func $wait-for (param i64) (result i32)))
    (import "cm" "set-new" (func $set-new (result i32)))
    (import "cm" "set-drop" (func $set-drop (param i32)))
    (import "cm" "join" (func $join (param i32 i32)))
    (import "cm" "subtask-drop" (func $subtask-drop (param i32)))
    (import "cm" "return-s32" (func $return-s32 (param i32)))
    (import "cm" "return-u64" (func $return-u64 (param i64)))

    (func (export "add") (param i32 i32) (result i32)
      (call $return-s32 (i32.add (local.get 0) (local.get 1)))
      (i32.const 0))
    (func (export "add-callback") (param i32 i32 i32) (result i32) unreachable)

    ;; A waiting task's record, 8 bytes at subtask-handle × 8: x, then its waitable set.
    (memory 16)
    (func (export "delayed") (param $x i32) (param $ms i32) (result i32)
      (local $status i32) (local $set i32) (local $task i32)
      (local.set $status
        (call $wait-for (i64.mul (i64.extend_i32_u (local.get $ms)) (i64.const 1000000))))
      (if (i32.eq (i32.and (local.get $status) (i32.const 0xf)) (i32.const 2))
        (then
          (call $return-u64 (call $result (local.get $x)))
          (return (i32.const 0))))
      (local.set $task (i32.shr_u (local.get $status) (i32.const 4)))
      (local.set $set (call $set-new))
      (call $join (local.get $task) (local.get $set))
      (i32.store (i32.shl (local.get $task) (i32.const 3)) (local.get $x))
      (i32.store offset=4 (i32.shl (local.get $task) (i32.const 3)) (local.get $set))
      ;; WAIT (2) on this set.
      (i32.or (i32.const 2) (i32.shl (local.get $set) (i32.const 4))))
    (func $result (param $x i32) (result i64)
      (i64.add (i64.mul (i64.extend_i32_u (local.get $x)) (i64.const 2)) (i64.const 1)))
    ;; Called with SUBTASK (1), the subtask's handle, RETURNED (2): drop it and its set,
    ;; answer, EXIT.
    (func (export "delayed-callback") (param $event i32) (param $task i32) (param $state i32)
      (result i32)
      (local $at i32)
      (if (i32.ne (local.get $event) (i32.const 1)) (then unreachable))
      (if (i32.ne (local.get $state) (i32.const 2)) (then unreachable))
      (local.set $at (i32.shl (local.get $task) (i32.const 3)))
      (call $subtask-drop (local.get $task))
      (call $set-drop (i32.load offset=4 (local.get $at)))
      (call $return-u64 (call $result (i32.load (local.get $at))))
      (i32.const 0)))

  (core instance $i (instantiate $M
    (with "cm" (instance
      (export "wait-for" (func $wait-for))
      (export "set-new" (func $set-new))
      (export "set-drop" (func $set-drop))
      (export "join" (func $join))
      (export "subtask-drop" (func $subtask-drop))
      (export "return-s32" (func $return-s32))
      (export "return-u64" (func $return-u64))))))

  (func $add async (param "a" s32) (param "b" s32) (result s32)
    (canon lift (core func $i "add") async (callback (core func $i "add-callback"))))
  (func $delayed async (param "x" u32) (param "ms" u32) (result u64)
    (canon lift (core func $i "delayed") async (callback (core func $i "delayed-callback"))))
  (export "add" (func $add))
  (export "delayed" (func $delayed)))
