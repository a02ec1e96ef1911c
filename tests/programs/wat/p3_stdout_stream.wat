;; WASI 0.3 stdout through the stream built-ins, pinned down: `stream.new` makes a
;; `stream<u8>`; its readable end goes to `wasi:cli/stdout@0.3.0.write-via-stream`, which
;; returns a `future<result<_, error-code>>`; `stream.write` writes "hello from a stream\n"
;; (20 bytes) to the writable end (waiting in `waitable-set.wait` for the STREAM_WRITE event
;; if the write is BLOCKED); `stream.drop-writable` ends the stream; `future.read` of the
;; future gives `ok` (waiting for FUTURE_READ if blocked). `run` (wasi:cli/run@0.3.0) is
;; lifted async with a callback it never returns to.
;;
;; Exit status 0 when every step went as above; else 10 + the step:
;; 11 stream.write did not complete all 20 bytes; 12 future.read gave no value or `err`.
(component
  (import "wasi:cli/stdout@0.3.0" (instance $stdout
    (type $ec (enum "io" "illegal-byte-sequence" "pipe"))
    (export "error-code" (type $error-code (eq $ec)))
    (export "write-via-stream"
      (func (param "data" (stream u8)) (result (future (result (error $error-code))))))))
  (alias export $stdout "error-code" (type $error-code))
  (type $bytes (stream u8))
  (type $outcome (future (result (error $error-code))))
  (import "wasi:cli/exit@0.3.0" (instance $exit
    (export "exit-with-code" (func (param "status-code" u8)))))

  ;; Memory: the text at 16, events at 0, the future's value at 8.
  (core module $Mem
    (memory (export "mem") 1)
    (data (i32.const 16) "hello from a stream\n"))
  (core instance $mem (instantiate $Mem))

  (core func $write-via-stream (canon lower (func $stdout "write-via-stream")))
  (core func $exit (canon lower (func $exit "exit-with-code")))
  (core func $stream-new (canon stream.new $bytes))
  (core func $stream-write (canon stream.write $bytes async (memory (core memory $mem "mem"))))
  (core func $drop-writable (canon stream.drop-writable $bytes))
  (core func $future-read (canon future.read $outcome async (memory (core memory $mem "mem"))))
  (core func $drop-readable (canon future.drop-readable $outcome))
  (core func $set-new (canon waitable-set.new))
  (core func $set-wait (canon waitable-set.wait (memory (core memory $mem "mem"))))
  (core func $join (canon waitable.join))
  (core func $task-return (canon task.return (result (result))))

  (core module $Main
    (import "mem" "mem" (memory 1))
    (import "wasi" "write-via-stream" (func $write-via-stream (param i32) (result i32)))
    (import "wasi" "exit" (func $exit (param i32)))
    (import "cm" "stream-new" (func $stream-new (result i64)))
    (import "cm" "stream-write" (func $stream-write (param i32 i32 i32) (result i32)))
    (import "cm" "drop-writable" (func $drop-writable (param i32)))
    (import "cm" "future-read" (func $future-read (param i32 i32) (result i32)))
    (import "cm" "drop-readable" (func $drop-readable (param i32)))
    (import "cm" "set-new" (func $set-new (result i32)))
    (import "cm" "set-wait" (func $set-wait (param i32 i32) (result i32)))
    (import "cm" "join" (func $join (param i32 i32)))
    (import "cm" "task-return" (func $task-return (param i32)))

    (func $check (param $ok i32) (param $code i32)
      (if (i32.eqz (local.get $ok)) (then (call $exit (local.get $code)))))

    ;; `r`, or if it is BLOCKED, the payload of the one event on `handle` (a set of its own).
    (func $settle (param $handle i32) (param $r i32) (result i32)
      (local $set i32)
      (if (i32.ne (local.get $r) (i32.const -1)) (then (return (local.get $r))))
      (local.set $set (call $set-new))
      (call $join (local.get $handle) (local.get $set))
      (drop (call $set-wait (local.get $set) (i32.const 0)))
      (call $join (local.get $handle) (i32.const 0))
      (i32.load (i32.const 4)))

    (func (export "run") (result i32)
      (local $ends i64) (local $writer i32) (local $future i32)
      ;; stream.new: readable end in the low 32 bits, writable in the high.
      (local.set $ends (call $stream-new))
      (local.set $writer (i32.wrap_i64 (i64.shr_u (local.get $ends) (i64.const 32))))
      (local.set $future (call $write-via-stream (i32.wrap_i64 (local.get $ends))))
      ;; 20 bytes, COMPLETED: (20 << 4) | 0.
      (call $check
        (i32.eq
          (call $settle (local.get $writer)
            (call $stream-write (local.get $writer) (i32.const 16) (i32.const 20)))
          (i32.const 320))
        (i32.const 11))
      (call $drop-writable (local.get $writer))
      ;; The future: COMPLETED with its value, `ok` (discriminant 0), at 8.
      (i32.store8 (i32.const 8) (i32.const 0xff))
      (call $check
        (i32.eq
          (call $settle (local.get $future)
            (call $future-read (local.get $future) (i32.const 8)))
          (i32.const 0))
        (i32.const 12))
      (call $check (i32.eqz (i32.load8_u (i32.const 8))) (i32.const 12))
      (call $drop-readable (local.get $future))
      (call $task-return (i32.const 0))
      (i32.const 0))

    (func (export "callback") (param i32 i32 i32) (result i32) unreachable))

  (core instance $main (instantiate $Main
    (with "mem" (instance $mem))
    (with "wasi" (instance
      (export "write-via-stream" (func $write-via-stream))
      (export "exit" (func $exit))))
    (with "cm" (instance
      (export "stream-new" (func $stream-new))
      (export "stream-write" (func $stream-write))
      (export "drop-writable" (func $drop-writable))
      (export "future-read" (func $future-read))
      (export "drop-readable" (func $drop-readable))
      (export "set-new" (func $set-new))
      (export "set-wait" (func $set-wait))
      (export "join" (func $join))
      (export "task-return" (func $task-return))))))

  (func $run async (result (result))
    (canon lift (core func $main "run") async (callback (core func $main "callback"))))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.3.0" (instance $run-inst)))
