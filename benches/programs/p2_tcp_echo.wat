;; WASI 0.2.0 component: the TCP echo server of the p2_tcp_* benchmarks (the WASI 0.2
;; counterpart of tcp_echo.c; tcp_load.c drives it and does the timing).
;;
;;   p2_tcp_echo.wat PORT [CLIENTS=1]
;;
;; create-tcp-socket(ipv4), start-/finish-bind on 127.0.0.1:PORT, start-/finish-listen
;; (needs `--allow-bind 127.0.0.1:PORT` or `-S inherit-network` on eddy, inherit-network on
;; wasmtime), then CLIENTS times: accept (blocking on the listener's pollable while it
;; would block), then until the input stream reports closed: `blocking-read(65536)` (the
;; list lands in an arena reset before every read, i.e. one static buffer), and write it all
;; back with `check-write` + `write(min(permit, left))`, blocking on the output stream's
;; pollable (made once per connection) while the permit is 0. At the end of a connection:
;; `blocking-flush`, then drop the pollable, the streams and the socket. CLIENTS = 0 just
;; binds, listens and exits (run.py uses that to check that a runtime grants sockets). Any
;; failure prints "p2_tcp_echo: STEP failed (error-code N)" to stderr (N = the error-code's
;; number in wasi:sockets/network's enum, 1 = access-denied; -1 = a stream error) and `run`
;; returns err (status 1).
(component
  (import "wasi:io/error@0.2.0" (instance $error
    (export "error" (type (sub resource)))))
  (alias export $error "error" (type $error))
  (import "wasi:io/poll@0.2.0" (instance $poll
    (export "pollable" (type $pollable (sub resource)))
    (export "[method]pollable.block" (func (param "self" (borrow $pollable))))))
  (alias export $poll "pollable" (type $pollable))
  (import "wasi:io/streams@0.2.0" (instance $streams
    (export "error" (type $e (eq $error)))
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
    (export "[method]output-stream.blocking-flush"
      (func (param "self" (borrow $out)) (result (result (error $stream-error)))))
    (export "[method]output-stream.subscribe"
      (func (param "self" (borrow $out)) (result (own $pollable))))))
  (alias export $streams "input-stream" (type $input-stream))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:cli/environment@0.2.0" (instance $env
    (export "get-arguments" (func (result (list string))))))
  (import "wasi:cli/stderr@0.2.0" (instance $stderr
    (export "output-stream" (type $o (eq $output-stream)))
    (export "get-stderr" (func (result (own $o))))))
  (import "wasi:sockets/network@0.2.0" (instance $network
    (export "network" (type (sub resource)))
    (type $ec (enum "unknown" "access-denied" "not-supported" "invalid-argument" "out-of-memory" "timeout" "concurrency-conflict" "not-in-progress" "would-block" "invalid-state" "new-socket-limit" "address-not-bindable" "address-in-use" "remote-unreachable" "connection-refused" "connection-reset" "connection-aborted" "datagram-too-large" "name-unresolvable" "temporary-resolver-failure" "permanent-resolver-failure"))
    (export "error-code" (type (eq $ec)))
    (type $fam (enum "ipv4" "ipv6"))
    (export "ip-address-family" (type (eq $fam)))
    (type $v4 (record (field "port" u16) (field "address" (tuple u8 u8 u8 u8))))
    (type $v6 (record (field "port" u16) (field "flow-info" u32)
      (field "address" (tuple u16 u16 u16 u16 u16 u16 u16 u16)) (field "scope-id" u32)))
    (export "ipv4-socket-address" (type $v4e (eq $v4)))
    (export "ipv6-socket-address" (type $v6e (eq $v6)))
    (type $sa (variant (case "ipv4" $v4e) (case "ipv6" $v6e)))
    (export "ip-socket-address" (type (eq $sa)))))
  (alias export $network "network" (type $network))
  (alias export $network "error-code" (type $error-code))
  (alias export $network "ip-address-family" (type $family))
  (alias export $network "ip-socket-address" (type $socket-address))
  (import "wasi:sockets/instance-network@0.2.0" (instance $inet
    (export "network" (type $n (eq $network)))
    (export "instance-network" (func (result (own $n))))))
  (import "wasi:sockets/tcp@0.2.0" (instance $tcp
    (export "network" (type $n (eq $network)))
    (export "error-code" (type $ec (eq $error-code)))
    (export "ip-socket-address" (type $sa (eq $socket-address)))
    (export "input-stream" (type $in (eq $input-stream)))
    (export "output-stream" (type $out (eq $output-stream)))
    (export "pollable" (type $p (eq $pollable)))
    (type $st (enum "receive" "send" "both"))
    (export "shutdown-type" (type $shutdown-type (eq $st)))
    (export "tcp-socket" (type $s (sub resource)))
    (export "[method]tcp-socket.start-bind"
      (func (param "self" (borrow $s)) (param "network" (borrow $n))
        (param "local-address" $sa) (result (result (error $ec)))))
    (export "[method]tcp-socket.finish-bind"
      (func (param "self" (borrow $s)) (result (result (error $ec)))))
    (export "[method]tcp-socket.start-listen"
      (func (param "self" (borrow $s)) (result (result (error $ec)))))
    (export "[method]tcp-socket.finish-listen"
      (func (param "self" (borrow $s)) (result (result (error $ec)))))
    (export "[method]tcp-socket.accept"
      (func (param "self" (borrow $s))
        (result (result (tuple (own $s) (own $in) (own $out)) (error $ec)))))
    (export "[method]tcp-socket.subscribe" (func (param "self" (borrow $s)) (result (own $p))))
    (export "[method]tcp-socket.shutdown"
      (func (param "self" (borrow $s)) (param "shutdown-type" $shutdown-type)
        (result (result (error $ec)))))))
  (alias export $tcp "tcp-socket" (type $tcp-socket))
  (import "wasi:sockets/tcp-create-socket@0.2.0" (instance $tcs
    (export "error-code" (type $ec (eq $error-code)))
    (export "ip-address-family" (type $fam (eq $family)))
    (export "tcp-socket" (type $ts (eq $tcp-socket)))
    (export "create-tcp-socket" (func (param "address-family" $fam)
      (result (result (own $ts) (error $ec)))))))


  ;; Memory and an arena allocator: `heap` is reset before every blocking-read, so the list
  ;; it returns always lands at the same place.
  (core module $libc
    (memory (export "memory") 4)
    (global $heap (export "heap") (mut i32) (i32.const 0x10000))
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
    (canon lower (func $env "get-arguments") (memory $mem) (realloc $realloc)))
  (core func $get-stderr (canon lower (func $stderr "get-stderr")))
  (core func $check-write
    (canon lower (func $streams "[method]output-stream.check-write") (memory $mem)))
  (core func $write (canon lower (func $streams "[method]output-stream.write") (memory $mem)))
  (core func $blocking-flush
    (canon lower (func $streams "[method]output-stream.blocking-flush") (memory $mem)))
  (core func $out-subscribe (canon lower (func $streams "[method]output-stream.subscribe")))
  (core func $read
    (canon lower (func $streams "[method]input-stream.blocking-read")
      (memory $mem) (realloc $realloc)))
  (core func $block (canon lower (func $poll "[method]pollable.block")))
  (core func $instance-network (canon lower (func $inet "instance-network")))
  (core func $create (canon lower (func $tcs "create-tcp-socket") (memory $mem)))
  (core func $start-bind (canon lower (func $tcp "[method]tcp-socket.start-bind") (memory $mem)))
  (core func $finish-bind
    (canon lower (func $tcp "[method]tcp-socket.finish-bind") (memory $mem)))
  (core func $start-listen
    (canon lower (func $tcp "[method]tcp-socket.start-listen") (memory $mem)))
  (core func $finish-listen
    (canon lower (func $tcp "[method]tcp-socket.finish-listen") (memory $mem)))
  (core func $accept (canon lower (func $tcp "[method]tcp-socket.accept") (memory $mem)))
  (core func $subscribe (canon lower (func $tcp "[method]tcp-socket.subscribe")))
  (core func $drop-pollable (canon resource.drop $pollable))
  (core func $drop-socket (canon resource.drop $tcp-socket))
  (core func $drop-in (canon resource.drop $input-stream))
  (core func $drop-out (canon resource.drop $output-stream))

  (core module $m
    (import "env" "memory" (memory 4))
    (import "env" "heap" (global $heap (mut i32)))
    (import "wasi" "get-arguments" (func $get-arguments (param i32)))
    (import "wasi" "get-stderr" (func $get-stderr (result i32)))
    (import "wasi" "check-write" (func $check-write (param i32 i32)))
    (import "wasi" "write" (func $write (param i32 i32 i32 i32)))
    (import "wasi" "blocking-flush" (func $blocking-flush (param i32 i32)))
    (import "wasi" "out-subscribe" (func $out-subscribe (param i32) (result i32)))
    (import "wasi" "read" (func $read (param i32 i64 i32)))
    (import "wasi" "block" (func $block (param i32)))
    (import "wasi" "instance-network" (func $instance-network (result i32)))
    (import "wasi" "create" (func $create (param i32 i32)))
    (import "wasi" "start-bind" (func $start-bind
      (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
    (import "wasi" "finish-bind" (func $finish-bind (param i32 i32)))
    (import "wasi" "start-listen" (func $start-listen (param i32 i32)))
    (import "wasi" "finish-listen" (func $finish-listen (param i32 i32)))
    (import "wasi" "accept" (func $accept (param i32 i32)))
    (import "wasi" "subscribe" (func $subscribe (param i32) (result i32)))
    (import "wasi" "drop-pollable" (func $drop-pollable (param i32)))
    (import "wasi" "drop-socket" (func $drop-socket (param i32)))
    (import "wasi" "drop-in" (func $drop-in (param i32)))
    (import "wasi" "drop-out" (func $drop-out (param i32)))
    ;; 0x100..: messages; 0x400: the failure line; 0x800: return area (16 bytes).
    (data (i32.const 0x100) "p2_tcp_echo: create failed\n")   ;; 27
    (data (i32.const 0x120) "p2_tcp_echo: bind failed\n")     ;; 25
    (data (i32.const 0x140) "p2_tcp_echo: listen failed\n")   ;; 27
    (data (i32.const 0x160) "p2_tcp_echo: accept failed\n")   ;; 27
    (data (i32.const 0x180) "p2_tcp_echo: write failed\n")    ;; 26
    (data (i32.const 0x1a0) "p2_tcp_echo: read failed\n")     ;; 25
    (data (i32.const 0x1c0) " (error-code ")                  ;; 13
    (global $failed (mut i32) (i32.const 0))
    ;; Prints "p2_tcp_echo: STEP failed (error-code CODE)\n" to stderr (best effort; CODE
    ;; is the wasi:sockets error-code's number, -1 for a stream error) and marks the run failed.
    (func $fail (param $p i32) (param $n i32) (param $code i32)
      (local $err i32) (local $end i32)
      (memory.copy (i32.const 0x400) (local.get $p) (local.get $n))
      (local.set $end (i32.add (i32.const 0x400) (i32.sub (local.get $n) (i32.const 1))))
      (memory.copy (local.get $end) (i32.const 0x1c0) (i32.const 13))  ;; " (error-code "
      (local.set $end (i32.add (local.get $end) (i32.const 13)))
      (if (i32.lt_s (local.get $code) (i32.const 0))
        (then (i32.store8 (local.get $end) (i32.const 45))            ;; '-'
              (local.set $end (i32.add (local.get $end) (i32.const 1)))
              (local.set $code (i32.const 1))))
      (if (i32.ge_u (local.get $code) (i32.const 10))
        (then (i32.store8 (local.get $end)
                (i32.add (i32.const 48) (i32.div_u (local.get $code) (i32.const 10))))
              (local.set $end (i32.add (local.get $end) (i32.const 1)))))
      (i32.store8 (local.get $end) (i32.add (i32.const 48) (i32.rem_u (local.get $code) (i32.const 10))))
      (i32.store16 offset=1 (local.get $end) (i32.const 0x0a29))      ;; ")\n"
      (local.set $end (i32.add (local.get $end) (i32.const 3)))
      (local.set $err (call $get-stderr))
      (call $check-write (local.get $err) (i32.const 0x800))
      (call $write (local.get $err) (i32.const 0x400) (i32.sub (local.get $end) (i32.const 0x400))
        (i32.const 0x800))
      (call $blocking-flush (local.get $err) (i32.const 0x800))
      (call $drop-out (local.get $err))
      (global.set $failed (i32.const 1)))
    ;; The decimal number in the string at $p (length $n).
    (func $atoi (param $p i32) (param $n i32) (result i32)
      (local $v i32)
      (block $done
        (loop $next
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $v (i32.add (i32.mul (local.get $v) (i32.const 10))
            (i32.sub (i32.load8_u (local.get $p)) (i32.const 48))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $next)))
      (local.get $v))
    ;; Echoes one connection until its input stream is closed. Returns 0, or 1 on failure.
    (func $serve (param $in i32) (param $out i32) (result i32)
      (local $wp i32) (local $ptr i32) (local $left i32) (local $n i64)
      (local.set $wp (call $out-subscribe (local.get $out)))
      (block $eof
        (loop $next
          (global.set $heap (i32.const 0x10000))
          (call $read (local.get $in) (i64.const 65536) (i32.const 0x800))
          (if (i32.load8_u (i32.const 0x800))
            (then
              ;; error: closed (variant case 1) is the end; anything else a failure
              (br_if $eof (i32.eq (i32.load8_u offset=4 (i32.const 0x800)) (i32.const 1)))
              (call $fail (i32.const 0x1a0) (i32.const 25) (i32.const -1))
              (return (i32.const 1))))
          (local.set $ptr (i32.load offset=4 (i32.const 0x800)))
          (local.set $left (i32.load offset=8 (i32.const 0x800)))
          (block $sent
            (loop $more
              (br_if $sent (i32.eqz (local.get $left)))
              (call $check-write (local.get $out) (i32.const 0x800))
              (if (i32.load8_u (i32.const 0x800))
                (then (call $fail (i32.const 0x180) (i32.const 26) (i32.const -1)) (return (i32.const 1))))
              (local.set $n (i64.load offset=8 (i32.const 0x800)))
              (if (i64.eqz (local.get $n))
                (then (call $block (local.get $wp)) (br $more)))
              (if (i64.gt_u (local.get $n) (i64.extend_i32_u (local.get $left)))
                (then (local.set $n (i64.extend_i32_u (local.get $left)))))
              (call $write (local.get $out) (local.get $ptr) (i32.wrap_i64 (local.get $n))
                (i32.const 0x800))
              (if (i32.load8_u (i32.const 0x800))
                (then (call $fail (i32.const 0x180) (i32.const 26) (i32.const -1)) (return (i32.const 1))))
              (local.set $ptr (i32.add (local.get $ptr) (i32.wrap_i64 (local.get $n))))
              (local.set $left (i32.sub (local.get $left) (i32.wrap_i64 (local.get $n))))
              (br $more)))
          (br $next)))
      (call $blocking-flush (local.get $out) (i32.const 0x800))
      (call $drop-pollable (local.get $wp))
      (i32.const 0))
    (func (export "run") (result i32)
      (local $args i32) (local $nargs i32) (local $port i32) (local $clients i32) (local $net i32)
      (local $sock i32) (local $pollable i32) (local $conn i32) (local $in i32) (local $out i32)
      (call $get-arguments (i32.const 0x800))
      (local.set $args (i32.load (i32.const 0x800)))
      (local.set $nargs (i32.load offset=4 (i32.const 0x800)))
      (local.set $port
        (call $atoi (i32.load offset=8 (local.get $args)) (i32.load offset=12 (local.get $args))))
      (local.set $clients (i32.const 1))
      (if (i32.ge_u (local.get $nargs) (i32.const 3))
        (then (local.set $clients (call $atoi (i32.load offset=16 (local.get $args))
                                              (i32.load offset=20 (local.get $args))))))
      (local.set $net (call $instance-network))
      (call $create (i32.const 0) (i32.const 0x800))
      (if (i32.load8_u (i32.const 0x800))
        (then (call $fail (i32.const 0x100) (i32.const 27) (i32.load8_u offset=4 (i32.const 0x800))) (return (i32.const 1))))
      (local.set $sock (i32.load offset=4 (i32.const 0x800)))
      ;; local-address: ipv4 { port, address: (127, 0, 0, 1) }, padded to the ipv6 case.
      (call $start-bind (local.get $sock) (local.get $net)
        (i32.const 0) (local.get $port) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 0x800))
      (if (i32.load8_u (i32.const 0x800))
        (then (call $fail (i32.const 0x120) (i32.const 25) (i32.load8_u offset=1 (i32.const 0x800))) (return (i32.const 1))))
      (call $finish-bind (local.get $sock) (i32.const 0x800))
      (if (i32.load8_u (i32.const 0x800))
        (then (call $fail (i32.const 0x120) (i32.const 25) (i32.load8_u offset=1 (i32.const 0x800))) (return (i32.const 1))))
      (call $start-listen (local.get $sock) (i32.const 0x800))
      (if (i32.load8_u (i32.const 0x800))
        (then (call $fail (i32.const 0x140) (i32.const 27) (i32.load8_u offset=1 (i32.const 0x800))) (return (i32.const 1))))
      (call $finish-listen (local.get $sock) (i32.const 0x800))
      (if (i32.load8_u (i32.const 0x800))
        (then (call $fail (i32.const 0x140) (i32.const 27) (i32.load8_u offset=1 (i32.const 0x800))) (return (i32.const 1))))
      (local.set $pollable (call $subscribe (local.get $sock)))
      (block $all
        (loop $client
          (br_if $all (i32.eqz (local.get $clients)))
          (local.set $clients (i32.sub (local.get $clients) (i32.const 1)))
          (loop $wait
            (call $accept (local.get $sock) (i32.const 0x800))
            (if (i32.load8_u (i32.const 0x800))
              (then
                (if (i32.eq (i32.load8_u offset=4 (i32.const 0x800)) (i32.const 8))  ;; would-block
                  (then (call $block (local.get $pollable)) (br $wait)))
                (call $fail (i32.const 0x160) (i32.const 27) (i32.load8_u offset=4 (i32.const 0x800)))
                (return (i32.const 1)))))
          (local.set $conn (i32.load offset=4 (i32.const 0x800)))
          (local.set $in (i32.load offset=8 (i32.const 0x800)))
          (local.set $out (i32.load offset=12 (i32.const 0x800)))
          (if (call $serve (local.get $in) (local.get $out)) (then (return (i32.const 1))))
          (call $drop-in (local.get $in))
          (call $drop-out (local.get $out))
          (call $drop-socket (local.get $conn))
          (br $client)))
      (call $drop-pollable (local.get $pollable))
      (call $drop-socket (local.get $sock))
      (global.get $failed)))
  (core instance $wasi
    (export "get-arguments" (func $get-arguments))
    (export "get-stderr" (func $get-stderr))
    (export "check-write" (func $check-write))
    (export "write" (func $write))
    (export "blocking-flush" (func $blocking-flush))
    (export "out-subscribe" (func $out-subscribe))
    (export "read" (func $read))
    (export "block" (func $block))
    (export "instance-network" (func $instance-network))
    (export "create" (func $create))
    (export "start-bind" (func $start-bind))
    (export "finish-bind" (func $finish-bind))
    (export "start-listen" (func $start-listen))
    (export "finish-listen" (func $finish-listen))
    (export "accept" (func $accept))
    (export "subscribe" (func $subscribe))
    (export "drop-pollable" (func $drop-pollable))
    (export "drop-socket" (func $drop-socket))
    (export "drop-in" (func $drop-in))
    (export "drop-out" (func $drop-out)))
  (core instance $i (instantiate $m
    (with "env" (instance $libc))
    (with "wasi" (instance $wasi))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run)))
