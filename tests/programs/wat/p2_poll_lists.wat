;; WASI 0.2.3 component for `wasi:io/poll.poll`'s list handling, called with --invoke:
;;   dup()          poll([1 h, 0 s, 1 h, 0 s]) (the same two pollables twice) → [1, 3]
;;   many(n)        poll over n pollables: n-1 one-hour clocks, then a 0 s clock → [n-1]
;;   same-fd(n)     poll over stdout's pollable n times (one host fd n times) → [0, …, n-1]
;;   empty()        poll([]) → trap (the WIT: the list must not be empty)
;;   bad-handle()   poll([99]) (no such handle) → trap
;;   wrong-type()   poll([stdin's input-stream handle]) → trap
(component
  (import "wasi:io/poll@0.2.3" (instance $poll
    (export "pollable" (type $pollable (sub resource)))
    (export "poll" (func (param "in" (list (borrow $pollable))) (result (list u32))))))
  (alias export $poll "pollable" (type $pollable))
  (import "wasi:io/streams@0.2.3" (instance $streams
    (export "input-stream" (type (sub resource)))
    (export "output-stream" (type $os (sub resource)))
    (export "pollable" (type $sp (eq $pollable)))
    (export "[method]output-stream.subscribe"
      (func (param "self" (borrow $os)) (result (own $sp))))))
  (alias export $streams "input-stream" (type $input-stream))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:cli/stdin@0.2.3" (instance $stdin
    (export "input-stream" (type $i (eq $input-stream)))
    (export "get-stdin" (func (result (own $i))))))
  (import "wasi:cli/stdout@0.2.3" (instance $stdout
    (export "output-stream" (type $o (eq $output-stream)))
    (export "get-stdout" (func (result (own $o))))))
  (import "wasi:clocks/monotonic-clock@0.2.3" (instance $clock
    (export "pollable" (type $p (eq $pollable)))
    (export "subscribe-duration" (func (param "when" u64) (result (own $p))))))

  ;; Memory and a bump allocator (for the lists `poll` and the exports return).
  (core module $libc
    (memory (export "memory") 8)
    (global $heap (mut i32) (i32.const 0x40000))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
      (global.set $heap (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "memory" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))

  (core func $poll-list (canon lower (func $poll "poll") (memory $mem) (realloc $realloc)))
  (core func $get-stdin (canon lower (func $stdin "get-stdin")))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $subscribe-output
    (canon lower (func $streams "[method]output-stream.subscribe")))
  (core func $subscribe-duration (canon lower (func $clock "subscribe-duration")))

  (core module $main
    (import "libc" "memory" (memory 8))
    (import "wasi" "poll" (func $poll (param i32 i32 i32)))
    (import "wasi" "get-stdin" (func $get-stdin (result i32)))
    (import "wasi" "get-stdout" (func $get-stdout (result i32)))
    (import "wasi" "subscribe-output" (func $subscribe-output (param i32) (result i32)))
    (import "wasi" "subscribe-duration" (func $subscribe-duration (param i64) (result i32)))
    ;; The list argument is built at $args; `poll`'s result (ptr, len) lands at $ret, which
    ;; is also what the exports return (a list<u32> result is returned through memory).
    (global $args i32 (i32.const 0x1000))
    (global $ret i32 (i32.const 0x100))
    (func $poll-n (param $n i32) (result i32)
      (call $poll (global.get $args) (local.get $n) (global.get $ret))
      (global.get $ret))
    (func (export "dup") (result i32)
      (local $hour i32) (local $now i32)
      (local.set $hour (call $subscribe-duration (i64.const 3600000000000)))
      (local.set $now (call $subscribe-duration (i64.const 0)))
      (i32.store offset=0 (global.get $args) (local.get $hour))
      (i32.store offset=4 (global.get $args) (local.get $now))
      (i32.store offset=8 (global.get $args) (local.get $hour))
      (i32.store offset=12 (global.get $args) (local.get $now))
      (call $poll-n (i32.const 4)))
    (func (export "many") (param $n i32) (result i32)
      (local $i i32)
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (i32.sub (local.get $n) (i32.const 1))))
          (i32.store (i32.add (global.get $args) (i32.shl (local.get $i) (i32.const 2)))
            (call $subscribe-duration (i64.const 3600000000000)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (i32.store (i32.add (global.get $args) (i32.shl (local.get $i) (i32.const 2)))
        (call $subscribe-duration (i64.const 0)))
      (call $poll-n (local.get $n)))
    (func (export "same-fd") (param $n i32) (result i32)
      (local $i i32) (local $p i32)
      (local.set $p (call $subscribe-output (call $get-stdout)))
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (i32.store (i32.add (global.get $args) (i32.shl (local.get $i) (i32.const 2)))
            (local.get $p))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (call $poll-n (local.get $n)))
    (func (export "empty") (result i32)
      (call $poll-n (i32.const 0)))
    (func (export "bad-handle") (result i32)
      (i32.store (global.get $args) (i32.const 99))
      (call $poll-n (i32.const 1)))
    (func (export "wrong-type") (result i32)
      (i32.store (global.get $args) (call $get-stdin))
      (call $poll-n (i32.const 1))))
  (core instance $main (instantiate $main
    (with "libc" (instance $libc))
    (with "wasi" (instance
      (export "poll" (func $poll-list))
      (export "get-stdin" (func $get-stdin))
      (export "get-stdout" (func $get-stdout))
      (export "subscribe-output" (func $subscribe-output))
      (export "subscribe-duration" (func $subscribe-duration))))))

  (func (export "dup") (result (list u32))
    (canon lift (core func $main "dup") (memory $mem) (realloc $realloc)))
  (func (export "many") (param "n" u32) (result (list u32))
    (canon lift (core func $main "many") (memory $mem) (realloc $realloc)))
  (func (export "same-fd") (param "n" u32) (result (list u32))
    (canon lift (core func $main "same-fd") (memory $mem) (realloc $realloc)))
  (func (export "empty") (result (list u32))
    (canon lift (core func $main "empty") (memory $mem) (realloc $realloc)))
  (func (export "bad-handle") (result (list u32))
    (canon lift (core func $main "bad-handle") (memory $mem) (realloc $realloc)))
  (func (export "wrong-type") (result (list u32))
    (canon lift (core func $main "wrong-type") (memory $mem) (realloc $realloc))))
