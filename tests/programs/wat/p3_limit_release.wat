;; WASI 0.3 limits: cancelling a wait and dropping streams and futures mid-way gives their
;; host state back at once. 10 000 rounds, each of which
;; 1. starts `wait-for(10 s)` (lowered async), cancels it (`subtask.cancel`: the status is
;;    CANCELLED-BEFORE-RETURNED, 4) and drops the subtask;
;; 2. makes a `stream<u8>` (`stream.new`), hands its readable end to
;;    `wasi:cli/stdout@0.3.0.write-via-stream`, drops the writable end unwritten and the
;;    returned future unread;
;; 3. takes `wasi:cli/stdin@0.3.0.read-via-stream` and drops the stream and future unread.
;; Each round holds at most two host objects at once (a stream and its future): under a
;; limit of 2 units (`Limits::max_resources`) the run only finishes if each is released when
;; dropped or cancelled. Exit status 0; 11 if a cancel did not report status 4.
(component
  (import "wasi:cli/types@0.3.0" (instance $types
    (type $ec (enum "io" "illegal-byte-sequence" "pipe"))
    (export "error-code" (type (eq $ec)))))
  (alias export $types "error-code" (type $error-code))
  (type $bytes (stream u8))
  (type $outcome (future (result (error $error-code))))
  (import "wasi:clocks/monotonic-clock@0.3.0" (instance $clock
    (export "wait-for" (func async (param "how-long" u64)))))
  (import "wasi:cli/stdout@0.3.0" (instance $stdout
    (export "error-code" (type $e (eq $error-code)))
    (export "write-via-stream"
      (func (param "data" (stream u8)) (result (future (result (error $e))))))))
  (import "wasi:cli/stdin@0.3.0" (instance $stdin
    (export "error-code" (type $e (eq $error-code)))
    (export "read-via-stream"
      (func (result (tuple (stream u8) (future (result (error $e)))))))))
  (import "wasi:cli/exit@0.3.0" (instance $exit
    (export "exit-with-code" (func (param "status-code" u8)))))

  (core module $Mem (memory (export "mem") 1))
  (core instance $mem (instantiate $Mem))

  (core func $wait-for (canon lower (func $clock "wait-for") async))
  (core func $write-via-stream (canon lower (func $stdout "write-via-stream")))
  (core func $read-via-stream
    (canon lower (func $stdin "read-via-stream") (memory (core memory $mem "mem"))))
  (core func $exit (canon lower (func $exit "exit-with-code")))
  (core func $subtask-cancel (canon subtask.cancel))
  (core func $subtask-drop (canon subtask.drop))
  (core func $stream-new (canon stream.new $bytes))
  (core func $drop-writable (canon stream.drop-writable $bytes))
  (core func $drop-stream (canon stream.drop-readable $bytes))
  (core func $drop-future (canon future.drop-readable $outcome))
  (core func $task-return (canon task.return (result (result))))

  (core module $Main
    (import "mem" "mem" (memory 1))
    (import "wasi" "wait-for" (func $wait-for (param i64) (result i32)))
    (import "wasi" "write-via-stream" (func $write-via-stream (param i32) (result i32)))
    (import "wasi" "read-via-stream" (func $read-via-stream (param i32)))
    (import "wasi" "exit" (func $exit (param i32)))
    (import "cm" "subtask-cancel" (func $subtask-cancel (param i32) (result i32)))
    (import "cm" "subtask-drop" (func $subtask-drop (param i32)))
    (import "cm" "stream-new" (func $stream-new (result i64)))
    (import "cm" "drop-writable" (func $drop-writable (param i32)))
    (import "cm" "drop-stream" (func $drop-stream (param i32)))
    (import "cm" "drop-future" (func $drop-future (param i32)))
    (import "cm" "task-return" (func $task-return (param i32)))

    (func (export "run") (result i32)
      (local $i i32) (local $task i32) (local $ends i64)
      (loop $again
        ;; 1. A started wait, cancelled.
        (local.set $task (i32.shr_u (call $wait-for (i64.const 10000000000)) (i32.const 4)))
        (if (i32.ne (call $subtask-cancel (local.get $task)) (i32.const 4))
          (then (call $exit (i32.const 11))))
        (call $subtask-drop (local.get $task))
        ;; 2. A stdout stream ended unwritten; its future dropped.
        (local.set $ends (call $stream-new))
        (call $drop-future
          (call $write-via-stream (i32.wrap_i64 (local.get $ends))))
        (call $drop-writable (i32.wrap_i64 (i64.shr_u (local.get $ends) (i64.const 32))))
        ;; 3. A stdin stream and its future, dropped unread (the pair is written at 0).
        (call $read-via-stream (i32.const 0))
        (call $drop-stream (i32.load (i32.const 0)))
        (call $drop-future (i32.load (i32.const 4)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $again (i32.lt_u (local.get $i) (i32.const 10000))))
      (call $task-return (i32.const 0))
      (i32.const 0))
    (func (export "callback") (param i32 i32 i32) (result i32) unreachable))

  (core instance $main (instantiate $Main
    (with "mem" (instance $mem))
    (with "wasi" (instance
      (export "wait-for" (func $wait-for))
      (export "write-via-stream" (func $write-via-stream))
      (export "read-via-stream" (func $read-via-stream))
      (export "exit" (func $exit))))
    (with "cm" (instance
      (export "subtask-cancel" (func $subtask-cancel))
      (export "subtask-drop" (func $subtask-drop))
      (export "stream-new" (func $stream-new))
      (export "drop-writable" (func $drop-writable))
      (export "drop-stream" (func $drop-stream))
      (export "drop-future" (func $drop-future))
      (export "task-return" (func $task-return))))))

  (func $run async (result (result))
    (canon lift (core func $main "run") async (callback (core func $main "callback"))))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.3.0" (instance $run-inst)))
