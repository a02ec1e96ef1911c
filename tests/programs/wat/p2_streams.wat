;; WASI 0.2.0 component exercising what the preview1 adapter never calls, on stdio:
;; output-stream write / write-zeroes / check-write / blocking-splice (stdin → stdout) /
;; subscribe, monotonic-clock subscribe-duration, poll over four pollables, pollable.ready and
;; block, and terminal-stdout.
;;
;; With "abc\n" on a piped stdin and stdout a pipe, stdout is exactly:
;;   "hello\n" "\0\0\0" "\n" "abc\n" "splice:4\n" "check-write:1\n" "poll:12\n"
;;   "ready:01\n" "terminal-stdout: none\n"
;; and the status 0. (poll: the 0 s clock and the writable stdout are ready, the 10 s and
;; 20 s clocks are not.)
(component
  (import "wasi:io/error@0.2.0" (instance $error
    (export "error" (type (sub resource)))))
  (alias export $error "error" (type $error))
  (import "wasi:io/poll@0.2.0" (instance $poll
    (export "pollable" (type $pollable (sub resource)))
    (export "[method]pollable.ready" (func (param "self" (borrow $pollable)) (result bool)))
    (export "[method]pollable.block" (func (param "self" (borrow $pollable))))
    (export "poll" (func (param "in" (list (borrow $pollable))) (result (list u32))))))
  (alias export $poll "pollable" (type $pollable))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (export "error" (type $e (eq $error)))
    (export "pollable" (type $p (eq $pollable)))
    (type $se (variant (case "last-operation-failed" (own $e)) (case "closed")))
    (export "stream-error" (type $stream-error (eq $se)))
    (export "input-stream" (type $in (sub resource)))
    (export "output-stream" (type $out (sub resource)))
    (export "[method]output-stream.check-write"
      (func (param "self" (borrow $out)) (result (result u64 (error $stream-error)))))
    (export "[method]output-stream.write"
      (func (param "self" (borrow $out)) (param "contents" (list u8))
        (result (result (error $stream-error)))))
    (export "[method]output-stream.write-zeroes"
      (func (param "self" (borrow $out)) (param "len" u64)
        (result (result (error $stream-error)))))
    (export "[method]output-stream.blocking-splice"
      (func (param "self" (borrow $out)) (param "src" (borrow $in)) (param "len" u64)
        (result (result u64 (error $stream-error)))))
    (export "[method]output-stream.subscribe"
      (func (param "self" (borrow $out)) (result (own $p))))))
  (alias export $streams "input-stream" (type $input-stream))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:cli/stdin@0.2.0" (instance $stdin
    (export "input-stream" (type $i (eq $input-stream)))
    (export "get-stdin" (func (result (own $i))))))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (export "output-stream" (type $o (eq $output-stream)))
    (export "get-stdout" (func (result (own $o))))))
  (import "wasi:cli/terminal-output@0.2.0" (instance $terminal-output
    (export "terminal-output" (type (sub resource)))))
  (alias export $terminal-output "terminal-output" (type $terminal-output))
  (import "wasi:cli/terminal-stdout@0.2.0" (instance $terminal-stdout
    (export "terminal-output" (type $t (eq $terminal-output)))
    (export "get-terminal-stdout" (func (result (option (own $t)))))))
  (import "wasi:clocks/monotonic-clock@0.2.0" (instance $clock
    (export "pollable" (type $p (eq $pollable)))
    (export "subscribe-duration" (func (param "when" u64) (result (own $p))))))

  ;; Memory and a bump allocator (for the list `poll` returns).
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

  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $get-stdin (canon lower (func $stdin "get-stdin")))
  (core func $check-write
    (canon lower (func $streams "[method]output-stream.check-write") (memory $mem)))
  (core func $write
    (canon lower (func $streams "[method]output-stream.write") (memory $mem)))
  (core func $write-zeroes
    (canon lower (func $streams "[method]output-stream.write-zeroes") (memory $mem)))
  (core func $blocking-splice
    (canon lower (func $streams "[method]output-stream.blocking-splice") (memory $mem)))
  (core func $subscribe (canon lower (func $streams "[method]output-stream.subscribe")))
  (core func $subscribe-duration (canon lower (func $clock "subscribe-duration")))
  (core func $ready (canon lower (func $poll "[method]pollable.ready")))
  (core func $block (canon lower (func $poll "[method]pollable.block")))
  (core func $poll
    (canon lower (func $poll "poll") (memory $mem) (realloc $realloc)))
  (core func $get-terminal-stdout
    (canon lower (func $terminal-stdout "get-terminal-stdout") (memory $mem)))

  (core module $main
    (import "libc" "memory" (memory 1))
    (import "wasi" "get-stdout" (func $get-stdout (result i32)))
    (import "wasi" "get-stdin" (func $get-stdin (result i32)))
    (import "wasi" "check-write" (func $check-write (param i32 i32)))
    (import "wasi" "write" (func $write (param i32 i32 i32 i32)))
    (import "wasi" "write-zeroes" (func $write-zeroes (param i32 i64 i32)))
    (import "wasi" "blocking-splice" (func $blocking-splice (param i32 i32 i64 i32)))
    (import "wasi" "subscribe" (func $subscribe (param i32) (result i32)))
    (import "wasi" "subscribe-duration" (func $subscribe-duration (param i64) (result i32)))
    (import "wasi" "ready" (func $ready (param i32) (result i32)))
    (import "wasi" "block" (func $block (param i32)))
    (import "wasi" "poll" (func $poll (param i32 i32 i32)))
    (import "wasi" "get-terminal-stdout" (func $get-terminal-stdout (param i32)))
    (data (i32.const 0x100) "hello\n")
    (data (i32.const 0x110) "\n")
    (data (i32.const 0x120) "poll:")
    (data (i32.const 0x130) "splice:")
    (data (i32.const 0x140) "terminal-stdout: none\n")
    (data (i32.const 0x160) "terminal-stdout: some\n")
    (data (i32.const 0x180) "ready:")
    (data (i32.const 0x190) "check-write:")
    (global $out (mut i32) (i32.const 0))
    (global $ret i32 (i32.const 0x300))
    ;; Traps unless the result<_, stream-error> at $ret is ok.
    (func $ok
      (if (i32.load8_u (global.get $ret)) (then unreachable)))
    (func $print (param $ptr i32) (param $len i32)
      (call $write (global.get $out) (local.get $ptr) (local.get $len) (global.get $ret))
      (call $ok))
    (func $digit (param $n i32)
      (i32.store8 (i32.const 0x200) (i32.add (i32.const 48) (local.get $n)))
      (call $print (i32.const 0x200) (i32.const 1)))
    (func (export "run") (result i32)
      (local $in i32) (local $p0 i32) (local $p1 i32) (local $list i32) (local $n i32)
      (local $i i32)
      (global.set $out (call $get-stdout))
      (call $print (i32.const 0x100) (i32.const 6))
      (call $write-zeroes (global.get $out) (i64.const 3) (global.get $ret))
      (call $ok)
      (call $print (i32.const 0x110) (i32.const 1))
      ;; stdin → stdout
      (local.set $in (call $get-stdin))
      (call $blocking-splice (global.get $out) (local.get $in) (i64.const 100) (global.get $ret))
      (call $ok)
      (call $print (i32.const 0x130) (i32.const 7))
      (call $digit (i32.wrap_i64 (i64.load offset=8 (global.get $ret))))
      (call $print (i32.const 0x110) (i32.const 1))
      ;; check-write permits something
      (call $check-write (global.get $out) (global.get $ret))
      (call $ok)
      (call $print (i32.const 0x190) (i32.const 12))
      (call $digit (i64.gt_u (i64.load offset=8 (global.get $ret)) (i64.const 0)))
      (call $print (i32.const 0x110) (i32.const 1))
      ;; poll over [10 s clock, 0 s clock, stdout writable, 20 s clock]
      (local.set $p0 (call $subscribe-duration (i64.const 10000000000)))
      (local.set $p1 (call $subscribe-duration (i64.const 0)))
      (i32.store (i32.const 0x400) (local.get $p0))
      (i32.store (i32.const 0x404) (local.get $p1))
      (i32.store (i32.const 0x408) (call $subscribe (global.get $out)))
      (i32.store (i32.const 0x40c) (call $subscribe-duration (i64.const 20000000000)))
      (call $poll (i32.const 0x400) (i32.const 4) (global.get $ret))
      (local.set $list (i32.load (global.get $ret)))
      (local.set $n (i32.load offset=4 (global.get $ret)))
      (call $print (i32.const 0x120) (i32.const 5))
      (block $done
        (loop $each
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (call $digit (i32.load (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 2)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $each)))
      (call $print (i32.const 0x110) (i32.const 1))
      ;; ready: 10 s clock no, 0 s clock yes; block on the ready one returns at once
      (call $print (i32.const 0x180) (i32.const 6))
      (call $digit (call $ready (local.get $p0)))
      (call $digit (call $ready (local.get $p1)))
      (call $print (i32.const 0x110) (i32.const 1))
      (call $block (local.get $p1))
      ;; stdout is a pipe, not a terminal
      (call $get-terminal-stdout (global.get $ret))
      (if (i32.load8_u (global.get $ret))
        (then (call $print (i32.const 0x160) (i32.const 22)))
        (else (call $print (i32.const 0x140) (i32.const 22))))
      (i32.const 0)))
  (core instance $wasi
    (export "get-stdout" (func $get-stdout))
    (export "get-stdin" (func $get-stdin))
    (export "check-write" (func $check-write))
    (export "write" (func $write))
    (export "write-zeroes" (func $write-zeroes))
    (export "blocking-splice" (func $blocking-splice))
    (export "subscribe" (func $subscribe))
    (export "subscribe-duration" (func $subscribe-duration))
    (export "ready" (func $ready))
    (export "block" (func $block))
    (export "poll" (func $poll))
    (export "get-terminal-stdout" (func $get-terminal-stdout)))
  (core instance $main (instantiate $main
    (with "libc" (instance $libc))
    (with "wasi" (instance $wasi))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run)))
