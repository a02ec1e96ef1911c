;; WASI 0.2.0 component: UDP ping-pong over wasi:sockets. argv[1] is a port on 127.0.0.1.
;; create-udp-socket(ipv4), start-/finish-bind on 127.0.0.1:0, stream(some(127.0.0.1:PORT)),
;; check-send (waiting on the outgoing stream's pollable while it permits 0), send one
;; datagram "ping" (no address: the connected peer), then wait on the incoming stream's
;; pollable and print "got: " and the first datagram received, then "done". A failing step
;; prints "create: CODE", "bind: CODE", "stream: CODE", "send: CODE" or "receive: CODE"
;; (the error-code name) and `run` returns err (status 1).
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
  (import "wasi:sockets/udp@0.2.0" (instance $udp
    (export "network" (type $n (eq $network)))
    (export "error-code" (type $ec (eq $error-code)))
    (export "ip-socket-address" (type $sa (eq $socket-address)))
    (export "pollable" (type $p (eq $pollable)))
    (type $in-d (record (field "data" (list u8)) (field "remote-address" $sa)))
    (export "incoming-datagram" (type $incoming-datagram (eq $in-d)))
    (type $out-d (record (field "data" (list u8)) (field "remote-address" (option $sa))))
    (export "outgoing-datagram" (type $outgoing-datagram (eq $out-d)))
    (export "udp-socket" (type $s (sub resource)))
    (export "incoming-datagram-stream" (type $ids (sub resource)))
    (export "outgoing-datagram-stream" (type $ods (sub resource)))
    (export "[method]udp-socket.start-bind"
      (func (param "self" (borrow $s)) (param "network" (borrow $n))
        (param "local-address" $sa) (result (result (error $ec)))))
    (export "[method]udp-socket.finish-bind"
      (func (param "self" (borrow $s)) (result (result (error $ec)))))
    (export "[method]udp-socket.stream"
      (func (param "self" (borrow $s)) (param "remote-address" (option $sa))
        (result (result (tuple (own $ids) (own $ods)) (error $ec)))))
    (export "[method]incoming-datagram-stream.receive"
      (func (param "self" (borrow $ids)) (param "max-results" u64)
        (result (result (list $incoming-datagram) (error $ec)))))
    (export "[method]incoming-datagram-stream.subscribe"
      (func (param "self" (borrow $ids)) (result (own $p))))
    (export "[method]outgoing-datagram-stream.check-send"
      (func (param "self" (borrow $ods)) (result (result u64 (error $ec)))))
    (export "[method]outgoing-datagram-stream.send"
      (func (param "self" (borrow $ods)) (param "datagrams" (list $outgoing-datagram))
        (result (result u64 (error $ec)))))
    (export "[method]outgoing-datagram-stream.subscribe"
      (func (param "self" (borrow $ods)) (result (own $p))))))
  (alias export $udp "udp-socket" (type $udp-socket))
  (import "wasi:sockets/udp-create-socket@0.2.0" (instance $ucs
    (export "error-code" (type $ec (eq $error-code)))
    (export "ip-address-family" (type $fam (eq $family)))
    (export "udp-socket" (type $us (eq $udp-socket)))
    (export "create-udp-socket" (func (param "address-family" $fam)
      (result (result (own $us) (error $ec)))))))

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
  (core func $block (canon lower (func $poll "[method]pollable.block")))
  (core func $instance-network (canon lower (func $inet "instance-network")))
  (core func $create (canon lower (func $ucs "create-udp-socket") (memory $mem)))
  (core func $start-bind (canon lower (func $udp "[method]udp-socket.start-bind") (memory $mem)))
  (core func $finish-bind
    (canon lower (func $udp "[method]udp-socket.finish-bind") (memory $mem)))
  (core func $stream (canon lower (func $udp "[method]udp-socket.stream") (memory $mem)))
  (core func $receive
    (canon lower (func $udp "[method]incoming-datagram-stream.receive")
      (memory $mem) (realloc $realloc)))
  (core func $subscribe-in
    (canon lower (func $udp "[method]incoming-datagram-stream.subscribe")))
  (core func $check-send
    (canon lower (func $udp "[method]outgoing-datagram-stream.check-send") (memory $mem)))
  (core func $send
    (canon lower (func $udp "[method]outgoing-datagram-stream.send") (memory $mem)))
  (core func $subscribe-out
    (canon lower (func $udp "[method]outgoing-datagram-stream.subscribe")))

  (core module $m
    (import "env" "memory" (memory 1))
    (import "wasi" "get-arguments" (func $get-arguments (param i32)))
    (import "wasi" "get-stdout" (func $get-stdout (result i32)))
    (import "wasi" "write" (func $write (param i32 i32 i32 i32)))
    (import "wasi" "block" (func $block (param i32)))
    (import "wasi" "instance-network" (func $instance-network (result i32)))
    (import "wasi" "create" (func $create (param i32 i32)))
    (import "wasi" "start-bind" (func $start-bind
      (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
    (import "wasi" "finish-bind" (func $finish-bind (param i32 i32)))
    (import "wasi" "stream" (func $stream
      (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
    (import "wasi" "receive" (func $receive (param i32 i64 i32)))
    (import "wasi" "subscribe-in" (func $subscribe-in (param i32) (result i32)))
    (import "wasi" "check-send" (func $check-send (param i32 i32)))
    (import "wasi" "send" (func $send (param i32 i32 i32 i32)))
    (import "wasi" "subscribe-out" (func $subscribe-out (param i32) (result i32)))
    ;; error-code names: 32-byte slots at 1024, [length][name].
    (data (i32.const 1024) "\07\75\6e\6b\6e\6f\77\6e\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\61\63\63\65\73\73\2d\64\65\6e\69\65\64\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\6e\6f\74\2d\73\75\70\70\6f\72\74\65\64\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\10\69\6e\76\61\6c\69\64\2d\61\72\67\75\6d\65\6e\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\6f\75\74\2d\6f\66\2d\6d\65\6d\6f\72\79\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\07\74\69\6d\65\6f\75\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\14\63\6f\6e\63\75\72\72\65\6e\63\79\2d\63\6f\6e\66\6c\69\63\74\00\00\00\00\00\00\00\00\00\00\00\0f\6e\6f\74\2d\69\6e\2d\70\72\6f\67\72\65\73\73\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0b\77\6f\75\6c\64\2d\62\6c\6f\63\6b\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\69\6e\76\61\6c\69\64\2d\73\74\61\74\65\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\10\6e\65\77\2d\73\6f\63\6b\65\74\2d\6c\69\6d\69\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\14\61\64\64\72\65\73\73\2d\6e\6f\74\2d\62\69\6e\64\61\62\6c\65\00\00\00\00\00\00\00\00\00\00\00\0e\61\64\64\72\65\73\73\2d\69\6e\2d\75\73\65\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\12\72\65\6d\6f\74\65\2d\75\6e\72\65\61\63\68\61\62\6c\65\00\00\00\00\00\00\00\00\00\00\00\00\00\12\63\6f\6e\6e\65\63\74\69\6f\6e\2d\72\65\66\75\73\65\64\00\00\00\00\00\00\00\00\00\00\00\00\00\10\63\6f\6e\6e\65\63\74\69\6f\6e\2d\72\65\73\65\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\12\63\6f\6e\6e\65\63\74\69\6f\6e\2d\61\62\6f\72\74\65\64\00\00\00\00\00\00\00\00\00\00\00\00\00\12\64\61\74\61\67\72\61\6d\2d\74\6f\6f\2d\6c\61\72\67\65\00\00\00\00\00\00\00\00\00\00\00\00\00\11\6e\61\6d\65\2d\75\6e\72\65\73\6f\6c\76\61\62\6c\65\00\00\00\00\00\00\00\00\00\00\00\00\00\00\1a\74\65\6d\70\6f\72\61\72\79\2d\72\65\73\6f\6c\76\65\72\2d\66\61\69\6c\75\72\65\00\00\00\00\00\1a\70\65\72\6d\61\6e\65\6e\74\2d\72\65\73\6f\6c\76\65\72\2d\66\61\69\6c\75\72\65\00\00\00\00\00")
    (data (i32.const 256) "create: ")
    (data (i32.const 272) "bind: ")
    (data (i32.const 288) "stream: ")
    (data (i32.const 304) "send: ")
    (data (i32.const 320) "receive: ")
    (data (i32.const 336) "got: ")
    (data (i32.const 352) "\ndone\n")
    (data (i32.const 368) "ping")
    (global $stdout (mut i32) (i32.const 0))
    (func $print (param $p i32) (param $n i32)
      (call $write (global.get $stdout) (local.get $p) (local.get $n) (i32.const 64)))
    ;; Prints PREFIX, the name of error-code CODE and a newline; returns 1 (err).
    (func $fail (param $p i32) (param $n i32) (param $code i32) (result i32)
      (local $slot i32)
      (call $print (local.get $p) (local.get $n))
      (local.set $slot (i32.add (i32.const 1024) (i32.shl (local.get $code) (i32.const 5))))
      (call $print (i32.add (local.get $slot) (i32.const 1)) (i32.load8_u (local.get $slot)))
      (call $print (i32.const 352) (i32.const 1))
      (i32.const 1))
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
      (local $args i32) (local $port i32) (local $net i32) (local $sock i32) (local $in i32)
      (local $out i32) (local $pollable i32)
      (global.set $stdout (call $get-stdout))
      (call $get-arguments (i32.const 16))
      (local.set $args (i32.load (i32.const 16)))
      (local.set $port
        (call $atoi (i32.load offset=8 (local.get $args)) (i32.load offset=12 (local.get $args))))
      (local.set $net (call $instance-network))
      (call $create (i32.const 0) (i32.const 32))
      (if (i32.load8_u (i32.const 32))
        (then (return (call $fail (i32.const 256) (i32.const 8)
          (i32.load8_u offset=4 (i32.const 32))))))
      (local.set $sock (i32.load offset=4 (i32.const 32)))
      ;; local-address: ipv4 { port 0, address: (127, 0, 0, 1) }, padded to the ipv6 case.
      (call $start-bind (local.get $sock) (local.get $net)
        (i32.const 0) (i32.const 0) (i32.const 127) (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 32))
      ;; result<_, error-code>: the code is at offset 1 (its alignment is 1).
      (if (i32.load8_u (i32.const 32))
        (then (return (call $fail (i32.const 272) (i32.const 6)
          (i32.load8_u offset=1 (i32.const 32))))))
      (call $finish-bind (local.get $sock) (i32.const 32))
      (if (i32.load8_u (i32.const 32))
        (then (return (call $fail (i32.const 272) (i32.const 6)
          (i32.load8_u offset=1 (i32.const 32))))))
      ;; stream(some(ipv4 { port, (127, 0, 0, 1) })).
      (call $stream (local.get $sock)
        (i32.const 1) (i32.const 0) (local.get $port) (i32.const 127) (i32.const 0) (i32.const 0)
        (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 0) (i32.const 32))
      (if (i32.load8_u (i32.const 32))
        (then (return (call $fail (i32.const 288) (i32.const 8)
          (i32.load8_u offset=4 (i32.const 32))))))
      (local.set $in (i32.load offset=4 (i32.const 32)))
      (local.set $out (i32.load offset=8 (i32.const 32)))
      ;; check-send until it permits at least one (result<u64, error-code>: payload at 8).
      (local.set $pollable (call $subscribe-out (local.get $out)))
      (loop $wait
        (call $check-send (local.get $out) (i32.const 32))
        (if (i32.load8_u (i32.const 32))
          (then (return (call $fail (i32.const 304) (i32.const 6)
            (i32.load8_u offset=8 (i32.const 32))))))
        (if (i64.eqz (i64.load offset=8 (i32.const 32)))
          (then (call $block (local.get $pollable)) (br $wait))))
      ;; One outgoing-datagram at 512: data (ptr, len), remote-address none.
      (i32.store (i32.const 512) (i32.const 368))
      (i32.store offset=4 (i32.const 512) (i32.const 4))
      (i32.store8 offset=8 (i32.const 512) (i32.const 0))
      (call $send (local.get $out) (i32.const 512) (i32.const 1) (i32.const 32))
      (if (i32.load8_u (i32.const 32))
        (then (return (call $fail (i32.const 304) (i32.const 6)
          (i32.load8_u offset=8 (i32.const 32))))))
      ;; Wait for a datagram, then receive it (list<incoming-datagram>: ptr at 4, len at 8).
      (local.set $pollable (call $subscribe-in (local.get $in)))
      (loop $recv
        (call $block (local.get $pollable))
        (call $receive (local.get $in) (i64.const 1) (i32.const 32))
        (if (i32.load8_u (i32.const 32))
          (then (return (call $fail (i32.const 320) (i32.const 9)
            (i32.load8_u offset=4 (i32.const 32))))))
        (br_if $recv (i32.eqz (i32.load offset=8 (i32.const 32)))))
      (call $print (i32.const 336) (i32.const 5))
      (call $print (i32.load (i32.load offset=4 (i32.const 32)))
        (i32.load offset=4 (i32.load offset=4 (i32.const 32))))
      (call $print (i32.const 352) (i32.const 6))
      (i32.const 0)))
  (core instance $wasi
    (export "get-arguments" (func $get-arguments))
    (export "get-stdout" (func $get-stdout))
    (export "write" (func $write))
    (export "block" (func $block))
    (export "instance-network" (func $instance-network))
    (export "create" (func $create))
    (export "start-bind" (func $start-bind))
    (export "finish-bind" (func $finish-bind))
    (export "stream" (func $stream))
    (export "receive" (func $receive))
    (export "subscribe-in" (func $subscribe-in))
    (export "check-send" (func $check-send))
    (export "send" (func $send))
    (export "subscribe-out" (func $subscribe-out)))
  (core instance $i (instantiate $m
    (with "env" (instance $libc))
    (with "wasi" (instance $wasi))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run)))
