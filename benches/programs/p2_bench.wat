;; p2_bench: the WASI 0.2 component benchmarks, one hand-written component (imports at @0.2.0,
;; which eddy and wasmtime 50 both link by semver), so each timed loop is exactly the
;; hostcalls being measured and nothing else (no libc, no adapter).
;;
;;   p2_bench read FILE PASSES        → p2_read_64KiB ns_per_op=<x> ops=<n>           (stdout)
;;   p2_bench stdout cw|bwf CHUNK MIB → p2_stdout_<...> ns_per_op=<x> ops=<n> bytes=<b> (stderr)
;;   p2_bench poll N ITERS [stdout]   → p2_poll_<N> ns_per_op=<x> ops=<n>             (stdout)
;;
;; (argv[0] is the program name.) Every mode times its loop with wasi:clocks/monotonic-clock.now
;; and prints one line like the C programs (benches/programs/bench.h); any unexpected result
;; traps (status 134 under eddy, an error under wasmtime).
;;
;; read: open-at(FILE) on the first preopen, then one untimed pass and PASSES timed passes,
;;   each pass = read-via-stream(0) + input-stream.blocking-read(65536) until `closed`, then
;;   the stream is dropped. One op = one blocking-read call. The byte count is checked.
;; stdout: writes MIB/16 MiB untimed (warm-up), then MIB MiB timed, from one 64 KiB buffer, to
;;   wasi:cli/stdout, then blocking-flush. One op = 64 KiB written (so ns_per_op is comparable
;;   across chunk sizes and with `cat`); the result line goes to stderr.
;;   cw:  check-write, then write(min(permit, CHUNK, left)); when the permit is 0, block on the
;;        stream's pollable (the pattern blocking-write-and-flush is specified as), so big
;;        chunks (64 KiB) go through in one write each.
;;   bwf: blocking-write-and-flush(min(CHUNK, left)) per call; the spec caps one call at 4096
;;        bytes (wasmtime traps above it), so CHUNK must be ≤ 4096. This is how the
;;        preview1 adapter writes a blocking stream (stdout included).
;; poll: N-1 monotonic-clock.subscribe-duration(1 h) pollables (never ready during the run)
;;   then one ready pollable, LAST: subscribe-duration(0), an expired clock (so no I/O
;;   readiness check is timed, only poll itself). All are created once; each op is one
;;   wasi:io/poll.poll over all N, which must return exactly [N-1]. ITERS/10 untimed first.
;;   With `stdout`, the ready pollable is stdout's subscribe instead (a pipe with room: eddy
;;   checks it with one ppoll(2) per call; wasmtime's stdout pollable is always ready).
(component
  (import "wasi:io/error@0.2.0" (instance $error
    (export "error" (type (sub resource)))))
  (alias export $error "error" (type $error))
  (import "wasi:io/poll@0.2.0" (instance $poll
    (export "pollable" (type $pollable (sub resource)))
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
    (export "[method]input-stream.blocking-read"
      (func (param "self" (borrow $in)) (param "len" u64)
        (result (result (list u8) (error $stream-error)))))
    (export "[method]output-stream.check-write"
      (func (param "self" (borrow $out)) (result (result u64 (error $stream-error)))))
    (export "[method]output-stream.write"
      (func (param "self" (borrow $out)) (param "contents" (list u8))
        (result (result (error $stream-error)))))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $out)) (param "contents" (list u8))
        (result (result (error $stream-error)))))
    (export "[method]output-stream.blocking-flush"
      (func (param "self" (borrow $out)) (result (result (error $stream-error)))))
    (export "[method]output-stream.subscribe"
      (func (param "self" (borrow $out)) (result (own $p))))))
  (alias export $streams "input-stream" (type $input-stream))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:cli/environment@0.2.0" (instance $environment
    (export "get-arguments" (func (result (list string))))))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (export "output-stream" (type $o (eq $output-stream)))
    (export "get-stdout" (func (result (own $o))))))
  (import "wasi:cli/stderr@0.2.0" (instance $stderr
    (export "output-stream" (type $o (eq $output-stream)))
    (export "get-stderr" (func (result (own $o))))))
  (import "wasi:clocks/monotonic-clock@0.2.0" (instance $clock
    (export "pollable" (type $p (eq $pollable)))
    (export "now" (func (result u64)))
    (export "subscribe-duration" (func (param "when" u64) (result (own $p))))))
  (import "wasi:filesystem/types@0.2.0" (instance $types
    (export "input-stream" (type $in (eq $input-stream)))
    (type $ec' (enum "access" "would-block" "already" "bad-descriptor" "busy" "deadlock"
      "quota" "exist" "file-too-large" "illegal-byte-sequence" "in-progress" "interrupted"
      "invalid" "io" "is-directory" "loop" "too-many-links" "message-size" "name-too-long"
      "no-device" "no-entry" "no-lock" "insufficient-memory" "insufficient-space"
      "not-directory" "not-empty" "not-recoverable" "unsupported" "no-tty" "no-such-device"
      "overflow" "not-permitted" "pipe" "read-only" "invalid-seek" "text-file-busy"
      "cross-device"))
    (export "error-code" (type $ec (eq $ec')))
    (type $pf' (flags "symlink-follow"))
    (export "path-flags" (type $pf (eq $pf')))
    (type $of' (flags "create" "directory" "exclusive" "truncate"))
    (export "open-flags" (type $of (eq $of')))
    (type $df' (flags "read" "write" "file-integrity-sync" "data-integrity-sync"
      "requested-write-sync" "mutate-directory"))
    (export "descriptor-flags" (type $df (eq $df')))
    (export "descriptor" (type $d (sub resource)))
    (export "[method]descriptor.read-via-stream"
      (func (param "self" (borrow $d)) (param "offset" u64)
        (result (result (own $in) (error $ec)))))
    (export "[method]descriptor.open-at"
      (func (param "self" (borrow $d)) (param "path-flags" $pf) (param "path" string)
        (param "open-flags" $of) (param "flags" $df)
        (result (result (own $d) (error $ec)))))))
  (alias export $types "descriptor" (type $descriptor))
  (import "wasi:filesystem/preopens@0.2.0" (instance $preopens
    (export "descriptor" (type $d (eq $descriptor)))
    (export "get-directories" (func (result (list (tuple (own $d) string)))))))

  ;; Memory and an arena allocator: `heap` is reset by the guest before each hostcall that
  ;; returns a list, so the lists blocking-read and poll return reuse the same bytes.
  (core module $libc
    (memory (export "memory") 4)
    (global $heap (export "heap") (mut i32) (i32.const 0x20000))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $heap (i32.add (local.get $p) (local.get 3)))
      (if (i32.gt_u (global.get $heap) (i32.const 0x40000)) (then unreachable))
      (local.get $p)))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "memory" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))

  (core func $get-arguments
    (canon lower (func $environment "get-arguments") (memory $mem) (realloc $realloc)))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $get-stderr (canon lower (func $stderr "get-stderr")))
  (core func $now (canon lower (func $clock "now")))
  (core func $subscribe-duration (canon lower (func $clock "subscribe-duration")))
  (core func $block (canon lower (func $poll "[method]pollable.block")))
  (core func $poll (canon lower (func $poll "poll") (memory $mem) (realloc $realloc)))
  (core func $blocking-read
    (canon lower (func $streams "[method]input-stream.blocking-read")
      (memory $mem) (realloc $realloc)))
  (core func $check-write
    (canon lower (func $streams "[method]output-stream.check-write") (memory $mem)))
  (core func $write
    (canon lower (func $streams "[method]output-stream.write") (memory $mem)))
  (core func $blocking-write-and-flush
    (canon lower (func $streams "[method]output-stream.blocking-write-and-flush")
      (memory $mem)))
  (core func $blocking-flush
    (canon lower (func $streams "[method]output-stream.blocking-flush") (memory $mem)))
  (core func $subscribe (canon lower (func $streams "[method]output-stream.subscribe")))
  (core func $drop-input-stream (canon resource.drop $input-stream))
  (core func $get-directories
    (canon lower (func $preopens "get-directories") (memory $mem) (realloc $realloc)))
  (core func $open-at
    (canon lower (func $types "[method]descriptor.open-at") (memory $mem)))
  (core func $read-via-stream
    (canon lower (func $types "[method]descriptor.read-via-stream") (memory $mem)))

  (core module $main
    (import "libc" "memory" (memory 4))
    (import "libc" "heap" (global $heap (mut i32)))
    (import "wasi" "get-arguments" (func $get-arguments (param i32)))
    (import "wasi" "get-stdout" (func $get-stdout (result i32)))
    (import "wasi" "get-stderr" (func $get-stderr (result i32)))
    (import "wasi" "now" (func $now (result i64)))
    (import "wasi" "subscribe-duration" (func $subscribe-duration (param i64) (result i32)))
    (import "wasi" "block" (func $block (param i32)))
    (import "wasi" "poll" (func $poll (param i32 i32 i32)))
    (import "wasi" "blocking-read" (func $blocking-read (param i32 i64 i32)))
    (import "wasi" "check-write" (func $check-write (param i32 i32)))
    (import "wasi" "write" (func $write (param i32 i32 i32 i32)))
    (import "wasi" "blocking-write-and-flush"
      (func $blocking-write-and-flush (param i32 i32 i32 i32)))
    (import "wasi" "blocking-flush" (func $blocking-flush (param i32 i32)))
    (import "wasi" "subscribe" (func $subscribe (param i32) (result i32)))
    (import "wasi" "drop-input-stream" (func $drop-input-stream (param i32)))
    (import "wasi" "get-directories" (func $get-directories (param i32)))
    (import "wasi" "open-at" (func $open-at (param i32 i32 i32 i32 i32 i32 i32)))
    (import "wasi" "read-via-stream" (func $read-via-stream (param i32 i64 i32)))

    ;; Layout: 0x100 return area; 0x200.. the output line; 0x400.. strings;
    ;; 0x1000..0x5000 pollable handles (N ≤ 4096); 0x8000..0x18000 the 64 KiB write buffer
    ;; (zeros); 0x20000.. the arena ($heap).
    (data (i32.const 0x400) "p2_read_64KiB")              ;; 13
    (data (i32.const 0x420) " ns_per_op=")                ;; 11
    (data (i32.const 0x430) " ops=")                      ;; 5
    (data (i32.const 0x440) "p2_poll_")                   ;; 8
    (data (i32.const 0x450) "p2_stdout_cw_")              ;; 13
    (data (i32.const 0x460) "p2_stdout_bwf_")             ;; 14
    (data (i32.const 0x480) " bytes=")                    ;; 7
    (global $ret i32 (i32.const 0x100))
    (global $line (mut i32) (i32.const 0x200))
    (global $argv (mut i32) (i32.const 0))
    (global $argc (mut i32) (i32.const 0))
    (global $mark (mut i32) (i32.const 0))

    ;; Traps unless the result at $ret is ok (discriminant 0).
    (func $ok (if (i32.load8_u (global.get $ret)) (then unreachable)))
    (func $arg_ptr (param $i i32) (result i32)
      (if (i32.ge_u (local.get $i) (global.get $argc)) (then unreachable))
      (i32.load (i32.add (global.get $argv) (i32.shl (local.get $i) (i32.const 3)))))
    (func $arg_len (param $i i32) (result i32)
      (i32.load offset=4 (i32.add (global.get $argv) (i32.shl (local.get $i) (i32.const 3)))))
    ;; argv[i] as a decimal number (traps on anything else).
    (func $arg_num (param $i i32) (result i64)
      (local $p i32) (local $end i32) (local $c i32) (local $v i64)
      (local.set $p (call $arg_ptr (local.get $i)))
      (local.set $end (i32.add (local.get $p) (call $arg_len (local.get $i))))
      (if (i32.eq (local.get $p) (local.get $end)) (then unreachable))
      (block $done
        (loop $digits
          (br_if $done (i32.eq (local.get $p) (local.get $end)))
          (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
          (if (i32.gt_u (local.get $c) (i32.const 9)) (then unreachable))
          (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10))
                                 (i64.extend_i32_u (local.get $c))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br $digits)))
      (local.get $v))
    ;; First byte of argv[i].
    (func $arg_c0 (param $i i32) (result i32) (i32.load8_u (call $arg_ptr (local.get $i))))

    ;; Building the result line.
    (func $put (param $p i32) (param $n i32)
      (memory.copy (global.get $line) (local.get $p) (local.get $n))
      (global.set $line (i32.add (global.get $line) (local.get $n))))
    (func $put_u64 (param $v i64)
      (local $p i32) (local $n i32)
      ;; digits backwards, ending at 0x3ff, then copied to the line
      (local.set $p (i32.const 0x400))
      (loop $d
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (i64.store8 (local.get $p) (i64.add (i64.const 48) (i64.rem_u (local.get $v) (i64.const 10))))
        (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
        (br_if $d (i64.ne (local.get $v) (i64.const 0))))
      (call $put (local.get $p) (i32.sub (i32.const 0x400) (local.get $p))))
    ;; v/1000 with three decimals.
    (func $put_milli (param $v i64)
      (local $f i64)
      (call $put_u64 (i64.div_u (local.get $v) (i64.const 1000)))
      (local.set $f (i64.rem_u (local.get $v) (i64.const 1000)))
      (i32.store8 (global.get $line) (i32.const 46))
      (i64.store8 offset=1 (global.get $line) (i64.add (i64.const 48) (i64.div_u (local.get $f) (i64.const 100))))
      (i64.store8 offset=2 (global.get $line)
        (i64.add (i64.const 48) (i64.rem_u (i64.div_u (local.get $f) (i64.const 10)) (i64.const 10))))
      (i64.store8 offset=3 (global.get $line) (i64.add (i64.const 48) (i64.rem_u (local.get $f) (i64.const 10))))
      (global.set $line (i32.add (global.get $line) (i32.const 4))))
    ;; " ns_per_op=<elapsed*1000/ops as x.yyy> ops=<ops>"
    (func $put_result (param $elapsed_milli i64) (param $ops i64)
      (call $put (i32.const 0x420) (i32.const 11))
      (call $put_milli (i64.div_u (local.get $elapsed_milli) (local.get $ops)))
      (call $put (i32.const 0x430) (i32.const 5))
      (call $put_u64 (local.get $ops)))
    ;; Writes the line plus "\n" to a stream.
    (func $emit (param $stream i32)
      (i32.store8 (global.get $line) (i32.const 10))
      (global.set $line (i32.add (global.get $line) (i32.const 1)))
      (call $blocking-write-and-flush (local.get $stream) (i32.const 0x200)
        (i32.sub (global.get $line) (i32.const 0x200)) (global.get $ret))
      (call $ok))

    ;; ---- read FILE PASSES
    ;; One pass: returns the number of bytes; adds the blocking-read calls to $reads.
    (global $reads (mut i64) (i64.const 0))
    (func $read_pass (param $fd i32) (result i64)
      (local $in i32) (local $bytes i64)
      (call $read-via-stream (local.get $fd) (i64.const 0) (global.get $ret))
      (call $ok)
      (local.set $in (i32.load offset=4 (global.get $ret)))
      (block $eof
        (loop $read
          (global.set $heap (global.get $mark))
          (call $blocking-read (local.get $in) (i64.const 65536) (global.get $ret))
          (if (i32.load8_u (global.get $ret))
            (then
              ;; error: `closed` (case 1) is the end of the file; anything else traps
              (br_if $eof (i32.eq (i32.load8_u offset=4 (global.get $ret)) (i32.const 1)))
              unreachable))
          (local.set $bytes (i64.add (local.get $bytes)
                                     (i64.extend_i32_u (i32.load offset=8 (global.get $ret)))))
          (global.set $reads (i64.add (global.get $reads) (i64.const 1)))
          (br $read)))
      (call $drop-input-stream (local.get $in))
      (local.get $bytes))
    (func $bench_read
      (local $dir i32) (local $fd i32) (local $passes i64) (local $size i64) (local $total i64)
      (local $i i64) (local $t0 i64) (local $t1 i64)
      (local.set $passes (call $arg_num (i32.const 3)))
      (call $get-directories (global.get $ret))
      (if (i32.eqz (i32.load offset=4 (global.get $ret))) (then unreachable))  ;; no preopen
      (local.set $dir (i32.load (i32.load (global.get $ret))))
      ;; open-at(dir, symlink-follow, FILE, no open-flags, read)
      (call $open-at (local.get $dir) (i32.const 1)
        (call $arg_ptr (i32.const 2)) (call $arg_len (i32.const 2))
        (i32.const 0) (i32.const 1) (global.get $ret))
      (call $ok)
      (local.set $fd (i32.load offset=4 (global.get $ret)))
      (global.set $mark (global.get $heap))
      (local.set $size (call $read_pass (local.get $fd)))          ;; warm-up, not timed
      (if (i64.eqz (local.get $size)) (then unreachable))
      (global.set $reads (i64.const 0))
      (local.set $t0 (call $now))
      (block $done
        (loop $pass
          (br_if $done (i64.ge_u (local.get $i) (local.get $passes)))
          (local.set $total (i64.add (local.get $total) (call $read_pass (local.get $fd))))
          (local.set $i (i64.add (local.get $i) (i64.const 1)))
          (br $pass)))
      (local.set $t1 (call $now))
      (if (i64.ne (local.get $total) (i64.mul (local.get $size) (local.get $passes)))
        (then unreachable))
      (call $put (i32.const 0x400) (i32.const 13))
      (call $put_result (i64.mul (i64.sub (local.get $t1) (local.get $t0)) (i64.const 1000))
        (global.get $reads))
      (call $emit (call $get-stdout)))

    ;; ---- stdout cw|bwf CHUNK MIB
    ;; Writes $total bytes of the buffer at 0x8000 to $out in pieces of at most $chunk.
    (func $write_cw (param $out i32) (param $pollable i32) (param $chunk i64) (param $total i64)
      (local $n i64)
      (block $done
        (loop $more
          (br_if $done (i64.eqz (local.get $total)))
          (call $check-write (local.get $out) (global.get $ret))
          (call $ok)
          (local.set $n (i64.load offset=8 (global.get $ret)))
          (if (i64.eqz (local.get $n))
            (then (call $block (local.get $pollable)) (br $more)))
          (if (i64.gt_u (local.get $n) (local.get $chunk)) (then (local.set $n (local.get $chunk))))
          (if (i64.gt_u (local.get $n) (local.get $total)) (then (local.set $n (local.get $total))))
          (call $write (local.get $out) (i32.const 0x8000) (i32.wrap_i64 (local.get $n))
            (global.get $ret))
          (call $ok)
          (local.set $total (i64.sub (local.get $total) (local.get $n)))
          (br $more)))
      (call $blocking-flush (local.get $out) (global.get $ret))
      (call $ok))
    (func $write_bwf (param $out i32) (param $chunk i64) (param $total i64)
      (local $n i64)
      (block $done
        (loop $more
          (br_if $done (i64.eqz (local.get $total)))
          (local.set $n (local.get $chunk))
          (if (i64.gt_u (local.get $n) (local.get $total)) (then (local.set $n (local.get $total))))
          (call $blocking-write-and-flush (local.get $out) (i32.const 0x8000)
            (i32.wrap_i64 (local.get $n)) (global.get $ret))
          (call $ok)
          (local.set $total (i64.sub (local.get $total) (local.get $n)))
          (br $more))))
    (func $bench_stdout
      (local $cw i32) (local $chunk i64) (local $total i64) (local $out i32) (local $pollable i32)
      (local $t0 i64) (local $t1 i64)
      (local.set $cw (i32.eq (call $arg_c0 (i32.const 2)) (i32.const 99)))  ;; 'c'
      (local.set $chunk (call $arg_num (i32.const 3)))
      (local.set $total (i64.shl (call $arg_num (i32.const 4)) (i64.const 20)))
      (if (i64.gt_u (local.get $chunk) (i64.const 65536)) (then unreachable))
      (local.set $out (call $get-stdout))
      (local.set $pollable (call $subscribe (local.get $out)))
      ;; warm-up: total/16, not timed
      (if (local.get $cw)
        (then (call $write_cw (local.get $out) (local.get $pollable) (local.get $chunk)
                (i64.shr_u (local.get $total) (i64.const 4))))
        (else (call $write_bwf (local.get $out) (local.get $chunk)
                (i64.shr_u (local.get $total) (i64.const 4)))))
      (local.set $t0 (call $now))
      (if (local.get $cw)
        (then (call $write_cw (local.get $out) (local.get $pollable) (local.get $chunk)
                (local.get $total)))
        (else (call $write_bwf (local.get $out) (local.get $chunk) (local.get $total))))
      (local.set $t1 (call $now))
      (if (local.get $cw)
        (then (call $put (i32.const 0x450) (i32.const 13)))
        (else (call $put (i32.const 0x460) (i32.const 14))))
      (call $put_u64 (local.get $chunk))
      ;; one op = 64 KiB written: ops = total/65536
      (call $put_result (i64.mul (i64.sub (local.get $t1) (local.get $t0)) (i64.const 1000))
        (i64.shr_u (local.get $total) (i64.const 16)))
      (call $put (i32.const 0x480) (i32.const 7))
      (call $put_u64 (local.get $total))
      (call $emit (call $get-stderr)))

    ;; ---- poll N ITERS
    (func $poll_once (param $n i32)
      (global.set $heap (global.get $mark))
      (call $poll (i32.const 0x1000) (local.get $n) (global.get $ret))
      (if (i32.or (i32.ne (i32.load offset=4 (global.get $ret)) (i32.const 1))
                  (i32.ne (i32.load (i32.load (global.get $ret)))
                          (i32.sub (local.get $n) (i32.const 1))))
        (then unreachable)))
    (func $bench_poll
      (local $n i32) (local $iters i64) (local $i i64) (local $out i32) (local $t0 i64)
      (local $t1 i64)
      (local.set $n (i32.wrap_i64 (call $arg_num (i32.const 2))))
      (local.set $iters (call $arg_num (i32.const 3)))
      (if (i32.or (i32.eqz (local.get $n)) (i32.gt_u (local.get $n) (i32.const 4096)))
        (then unreachable))
      (local.set $out (call $get-stdout))
      (block $done
        (loop $sub
          (br_if $done (i64.ge_u (local.get $i) (i64.extend_i32_u (i32.sub (local.get $n) (i32.const 1)))))
          (i32.store (i32.add (i32.const 0x1000) (i32.shl (i32.wrap_i64 (local.get $i)) (i32.const 2)))
            (call $subscribe-duration (i64.const 3600000000000)))
          (local.set $i (i64.add (local.get $i) (i64.const 1)))
          (br $sub)))
      ;; the ready one, last: subscribe-duration(0) (an expired clock), or with a 4th
      ;; argument `stdout`, stdout's pollable
      (i32.store (i32.add (i32.const 0x1000) (i32.shl (i32.sub (local.get $n) (i32.const 1)) (i32.const 2)))
        (if (result i32) (i32.gt_u (global.get $argc) (i32.const 4))
          (then (call $subscribe (local.get $out)))
          (else (call $subscribe-duration (i64.const 0)))))
      (global.set $mark (global.get $heap))
      (local.set $i (i64.div_u (local.get $iters) (i64.const 10)))   ;; warm-up, not timed
      (block $done
        (loop $warm
          (br_if $done (i64.eqz (local.get $i)))
          (call $poll_once (local.get $n))
          (local.set $i (i64.sub (local.get $i) (i64.const 1)))
          (br $warm)))
      (local.set $i (local.get $iters))
      (local.set $t0 (call $now))
      (block $done
        (loop $timed
          (br_if $done (i64.eqz (local.get $i)))
          (call $poll_once (local.get $n))
          (local.set $i (i64.sub (local.get $i) (i64.const 1)))
          (br $timed)))
      (local.set $t1 (call $now))
      (call $put (i32.const 0x440) (i32.const 8))
      (call $put_u64 (i64.extend_i32_u (local.get $n)))
      (call $put_result (i64.mul (i64.sub (local.get $t1) (local.get $t0)) (i64.const 1000))
        (local.get $iters))
      (call $emit (local.get $out)))

    (func (export "run") (result i32)
      (local $mode i32)
      (call $get-arguments (global.get $ret))
      (global.set $argv (i32.load (global.get $ret)))
      (global.set $argc (i32.load offset=4 (global.get $ret)))
      (local.set $mode (call $arg_c0 (i32.const 1)))
      (if (i32.eq (local.get $mode) (i32.const 114)) (then (call $bench_read) (return (i32.const 0))))   ;; 'r'
      (if (i32.eq (local.get $mode) (i32.const 115)) (then (call $bench_stdout) (return (i32.const 0)))) ;; 's'
      (if (i32.eq (local.get $mode) (i32.const 112)) (then (call $bench_poll) (return (i32.const 0))))   ;; 'p'
      unreachable))
  (core instance $wasi
    (export "get-arguments" (func $get-arguments))
    (export "get-stdout" (func $get-stdout))
    (export "get-stderr" (func $get-stderr))
    (export "now" (func $now))
    (export "subscribe-duration" (func $subscribe-duration))
    (export "block" (func $block))
    (export "poll" (func $poll))
    (export "blocking-read" (func $blocking-read))
    (export "check-write" (func $check-write))
    (export "write" (func $write))
    (export "blocking-write-and-flush" (func $blocking-write-and-flush))
    (export "blocking-flush" (func $blocking-flush))
    (export "subscribe" (func $subscribe))
    (export "drop-input-stream" (func $drop-input-stream))
    (export "get-directories" (func $get-directories))
    (export "open-at" (func $open-at))
    (export "read-via-stream" (func $read-via-stream)))
  (core instance $main (instantiate $main
    (with "libc" (instance $libc))
    (with "wasi" (instance $wasi))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run)))
