;; WASI 0.2.0 component: a TCP server over wasi:sockets. argv[1] is a port, argv[2] a
;; client count N (one digit). create-tcp-socket(ipv4), start-/finish-bind on
;; 127.0.0.1:PORT, start-/finish-listen, then N times: subscribe + block until accept stops
;; saying would-block, read the client's bytes until it shuts down its side, print
;; "client: " and them, write them back, and drop the connection. Prints "listening" once
;; listening and "done" at the end. A failing step prints "create: CODE", "bind: CODE",
;; "listen: CODE" or "accept: CODE" (the error-code name) and `run` returns err (status 1).
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
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $out)) (param "contents" (list u8))
        (result (result (error $stream-error)))))))
  (alias export $streams "input-stream" (type $input-stream))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:cli/environment@0.2.0" (instance $env
    (export "get-arguments" (func (result (list string))))))
  (import "wasi:cli/stdout@0.2.0" (instance $stdout
    (export "output-stream" (type $o (eq $output-stream)))
    (export "get-stdout" (func (result (own $o))))))
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

  ;; Memory and a bump allocator (for the lists the host returns).
  (core module $libc
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 8192))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
      (global.set $heap (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "memory" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))

  (core func $get-arguments
    (canon lower (func $env "get-arguments") (memory $mem) (realloc $realloc)))
  (core func $get-stdout (canon lower (func $stdout "get-stdout")))
  (core func $write
    (canon lower (func $streams "[method]output-stream.blocking-write-and-flush") (memory $mem)))
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
  (core func $drop-socket (canon resource.drop $tcp-socket))
  (core func $drop-in (canon resource.drop $input-stream))
  (core func $drop-out (canon resource.drop $output-stream))

  (core module $m
    (import "env" "memory" (memory 1))
    (import "wasi" "get-arguments" (func $get-arguments (param i32)))
    (import "wasi" "get-stdout" (func $get-stdout (result i32)))
    (import "wasi" "write" (func $write (param i32 i32 i32 i32)))
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
    (import "wasi" "drop-socket" (func $drop-socket (param i32)))
    (import "wasi" "drop-in" (func $drop-in (param i32)))
    (import "wasi" "drop-out" (func $drop-out (param i32)))
    ;; error-code names: 32-byte slots at 1024, [length][name].
    (data (i32.const 1024) "\07\75\6e\6b\6e\6f\77\6e\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\61\63\63\65\73\73\2d\64\65\6e\69\65\64\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\6e\6f\74\2d\73\75\70\70\6f\72\74\65\64\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\10\69\6e\76\61\6c\69\64\2d\61\72\67\75\6d\65\6e\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\6f\75\74\2d\6f\66\2d\6d\65\6d\6f\72\79\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\07\74\69\6d\65\6f\75\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\14\63\6f\6e\63\75\72\72\65\6e\63\79\2d\63\6f\6e\66\6c\69\63\74\00\00\00\00\00\00\00\00\00\00\00\0f\6e\6f\74\2d\69\6e\2d\70\72\6f\67\72\65\73\73\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0b\77\6f\75\6c\64\2d\62\6c\6f\63\6b\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\69\6e\76\61\6c\69\64\2d\73\74\61\74\65\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\10\6e\65\77\2d\73\6f\63\6b\65\74\2d\6c\69\6d\69\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\14\61\64\64\72\65\73\73\2d\6e\6f\74\2d\62\69\6e\64\61\62\6c\65\00\00\00\00\00\00\00\00\00\00\00\0e\61\64\64\72\65\73\73\2d\69\6e\2d\75\73\65\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\12\72\65\6d\6f\74\65\2d\75\6e\72\65\61\63\68\61\62\6c\65\00\00\00\00\00\00\00\00\00\00\00\00\00\12\63\6f\6e\6e\65\63\74\69\6f\6e\2d\72\65\66\75\73\65\64\00\00\00\00\00\00\00\00\00\00\00\00\00\10\63\6f\6e\6e\65\63\74\69\6f\6e\2d\72\65\73\65\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\12\63\6f\6e\6e\65\63\74\69\6f\6e\2d\61\62\6f\72\74\65\64\00\00\00\00\00\00\00\00\00\00\00\00\00\12\64\61\74\61\67\72\61\6d\2d\74\6f\6f\2d\6c\61\72\67\65\00\00\00\00\00\00\00\00\00\00\00\00\00\11\6e\61\6d\65\2d\75\6e\72\65\73\6f\6c\76\61\62\6c\65\00\00\00\00\00\00\00\00\00\00\00\00\00\00\1a\74\65\6d\70\6f\72\61\72\79\2d\72\65\73\6f\6c\76\65\72\2d\66\61\69\6c\75\72\65\00\00\00\00\00\1a\70\65\72\6d\61\6e\65\6e\74\2d\72\65\73\6f\6c\76\65\72\2d\66\61\69\6c\75\72\65\00\00\00\00\00")
    (data (i32.const 256) "create: ")
    (data (i32.const 272) "bind: ")
    (data (i32.const 288) "listen: ")
    (data (i32.const 304) "accept: ")
    (data (i32.const 320) "client: ")
    (data (i32.const 336) "listening\n")
    (data (i32.const 352) "done\n")
    (global $stdout (mut i32) (i32.const 0))
    (func $print (param $p i32) (param $n i32)
      (call $write (global.get $stdout) (local.get $p) (local.get $n) (i32.const 64)))
    ;; Prints PREFIX, the name of error-code CODE and a newline.
    (func $fail (param $p i32) (param $n i32) (param $code i32)
      (local $slot i32)
      (call $print (local.get $p) (local.get $n))
      (local.set $slot (i32.add (i32.const 1024) (i32.shl (local.get $code) (i32.const 5))))
      (call $print (i32.add (local.get $slot) (i32.const 1)) (i32.load8_u (local.get $slot)))
      (call $print (i32.const 345) (i32.const 1)))  ;; the "\n" ending "listening\n"
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
    (func (export "run") (result i32)
      (local $args i32) (local $port i32) (local $clients i32) (local $net i32) (local $sock i32)
      (local $pollable i32) (local $conn i32) (local $in i32) (local $out i32)
      (local $buf i32) (local $len i32)
      (global.set $stdout (call $get-stdout))
      (call $get-arguments (i32.const 16))
      (local.set $args (i32.load (i32.const 16)))
      (local.set $port
        (call $atoi (i32.load offset=8 (local.get $args)) (i32.load offset=12 (local.get $args))))
      (local.set $clients
        (call $atoi (i32.load offset=16 (local.get $args)) (i32.load offset=20 (local.get $args))))
      (local.set $net (call $instance-network))
      (call $create (i32.const 0) (i32.const 32))
      (if (i32.load8_u (i32.const 32))
        (then (call $fail (i32.const 256) (i32.const 8) (i32.load8_u offset=4 (i32.const 32)))
              (return (i32.const 1))))
      (local.set $sock (i32.load offset=4 (i32.const 32)))
      ;; local-address: ipv4 { port, address: (127, 0, 0, 1) }, padded to the ipv6 case.
      (call $start-bind (local.get $sock) (local.get $net)
        (i32.const 0) (local.get $port) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 32))
      ;; result<_, error-code>: the code is at offset 1 (its alignment is 1).
      (if (i32.load8_u (i32.const 32))
        (then (call $fail (i32.const 272) (i32.const 6) (i32.load8_u offset=1 (i32.const 32)))
              (return (i32.const 1))))
      (call $finish-bind (local.get $sock) (i32.const 32))
      (if (i32.load8_u (i32.const 32))
        (then (call $fail (i32.const 272) (i32.const 6) (i32.load8_u offset=1 (i32.const 32)))
              (return (i32.const 1))))
      (call $start-listen (local.get $sock) (i32.const 32))
      (if (i32.load8_u (i32.const 32))
        (then (call $fail (i32.const 288) (i32.const 8) (i32.load8_u offset=1 (i32.const 32)))
              (return (i32.const 1))))
      (call $finish-listen (local.get $sock) (i32.const 32))
      (if (i32.load8_u (i32.const 32))
        (then (call $fail (i32.const 288) (i32.const 8) (i32.load8_u offset=1 (i32.const 32)))
              (return (i32.const 1))))
      (call $print (i32.const 336) (i32.const 10))
      (local.set $pollable (call $subscribe (local.get $sock)))
      (block $all
        (loop $client
          (br_if $all (i32.eqz (local.get $clients)))
          (local.set $clients (i32.sub (local.get $clients) (i32.const 1)))
          ;; accept, waiting while it would block.
          (loop $wait
            (call $accept (local.get $sock) (i32.const 32))
            (if (i32.load8_u (i32.const 32))
              (then
                (if (i32.eq (i32.load8_u offset=4 (i32.const 32)) (i32.const 8))  ;; would-block
                  (then (call $block (local.get $pollable)) (br $wait)))
                (call $fail (i32.const 304) (i32.const 8) (i32.load8_u offset=4 (i32.const 32)))
                (return (i32.const 1)))))
          (local.set $conn (i32.load offset=4 (i32.const 32)))
          (local.set $in (i32.load offset=8 (i32.const 32)))
          (local.set $out (i32.load offset=12 (i32.const 32)))
          ;; Collect the client's bytes at 4096 until it shuts down its side.
          (local.set $len (i32.const 0))
          (block $closed
            (loop $more
              (call $read (local.get $in) (i64.const 1024) (i32.const 48))
              (br_if $closed (i32.load8_u (i32.const 48)))
              (memory.copy (i32.add (i32.const 4096) (local.get $len))
                (i32.load offset=4 (i32.const 48)) (i32.load offset=8 (i32.const 48)))
              (local.set $len (i32.add (local.get $len) (i32.load offset=8 (i32.const 48))))
              (br $more)))
          (call $print (i32.const 320) (i32.const 8))
          (call $print (i32.const 4096) (local.get $len))
          (call $print (i32.const 345) (i32.const 1))
          (call $write (local.get $out) (i32.const 4096) (local.get $len) (i32.const 48))
          (call $drop-in (local.get $in))
          (call $drop-out (local.get $out))
          (call $drop-socket (local.get $conn))
          (br $client)))
      (call $print (i32.const 352) (i32.const 5))
      (i32.const 0)))
  (core instance $wasi
    (export "get-arguments" (func $get-arguments))
    (export "get-stdout" (func $get-stdout))
    (export "write" (func $write))
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
    (export "drop-socket" (func $drop-socket))
    (export "drop-in" (func $drop-in))
    (export "drop-out" (func $drop-out)))
  (core instance $i (instantiate $m
    (with "env" (instance $libc))
    (with "wasi" (instance $wasi))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run)))
