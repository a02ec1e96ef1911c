;; WASI 0.2.0 component: wasi:sockets/ip-name-lookup. argv[1] is a name. Calls
;; resolve-addresses(instance-network, NAME), then resolve-next-address until `none`
;; (waiting on the stream's pollable on would-block), and prints "lookup: loopback" if one
;; of the addresses is 127.0.0.1 or ::1, else "lookup: other"; a failure prints
;; "lookup: CODE" (the error-code name) and `run` returns err (status 1).
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
    (export "ip-socket-address" (type (eq $sa)))
    (type $ip (variant (case "ipv4" (tuple u8 u8 u8 u8))
      (case "ipv6" (tuple u16 u16 u16 u16 u16 u16 u16 u16))))
    (export "ip-address" (type (eq $ip)))))
  (alias export $network "network" (type $network))
  (alias export $network "error-code" (type $error-code))
  (alias export $network "ip-address-family" (type $family))
  (alias export $network "ip-socket-address" (type $socket-address))
  (alias export $network "ip-address" (type $ip-address))
  (import "wasi:sockets/instance-network@0.2.0" (instance $inet
    (export "network" (type $n (eq $network)))
    (export "instance-network" (func (result (own $n))))))
  (import "wasi:sockets/ip-name-lookup@0.2.0" (instance $lookup
    (export "network" (type $n (eq $network)))
    (export "error-code" (type $ec (eq $error-code)))
    (export "ip-address" (type $ip (eq $ip-address)))
    (export "pollable" (type $p (eq $pollable)))
    (export "resolve-address-stream" (type $ras (sub resource)))
    (export "[method]resolve-address-stream.resolve-next-address"
      (func (param "self" (borrow $ras)) (result (result (option $ip) (error $ec)))))
    (export "[method]resolve-address-stream.subscribe"
      (func (param "self" (borrow $ras)) (result (own $p))))
    (export "resolve-addresses" (func (param "network" (borrow $n)) (param "name" string)
      (result (result (own $ras) (error $ec)))))))

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
  (core func $resolve
    (canon lower (func $lookup "resolve-addresses") (memory $mem)))
  (core func $next
    (canon lower (func $lookup "[method]resolve-address-stream.resolve-next-address")
      (memory $mem)))
  (core func $subscribe
    (canon lower (func $lookup "[method]resolve-address-stream.subscribe")))

  (core module $m
    (import "env" "memory" (memory 1))
    (import "wasi" "get-arguments" (func $get-arguments (param i32)))
    (import "wasi" "get-stdout" (func $get-stdout (result i32)))
    (import "wasi" "write" (func $write (param i32 i32 i32 i32)))
    (import "wasi" "block" (func $block (param i32)))
    (import "wasi" "instance-network" (func $instance-network (result i32)))
    (import "wasi" "resolve" (func $resolve (param i32 i32 i32 i32)))
    (import "wasi" "next" (func $next (param i32 i32)))
    (import "wasi" "subscribe" (func $subscribe (param i32) (result i32)))
    ;; error-code names: 32-byte slots at 1024, [length][name].
    (data (i32.const 1024) "\07\75\6e\6b\6e\6f\77\6e\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\61\63\63\65\73\73\2d\64\65\6e\69\65\64\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\6e\6f\74\2d\73\75\70\70\6f\72\74\65\64\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\10\69\6e\76\61\6c\69\64\2d\61\72\67\75\6d\65\6e\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\6f\75\74\2d\6f\66\2d\6d\65\6d\6f\72\79\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\07\74\69\6d\65\6f\75\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\14\63\6f\6e\63\75\72\72\65\6e\63\79\2d\63\6f\6e\66\6c\69\63\74\00\00\00\00\00\00\00\00\00\00\00\0f\6e\6f\74\2d\69\6e\2d\70\72\6f\67\72\65\73\73\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0b\77\6f\75\6c\64\2d\62\6c\6f\63\6b\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\69\6e\76\61\6c\69\64\2d\73\74\61\74\65\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\10\6e\65\77\2d\73\6f\63\6b\65\74\2d\6c\69\6d\69\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\14\61\64\64\72\65\73\73\2d\6e\6f\74\2d\62\69\6e\64\61\62\6c\65\00\00\00\00\00\00\00\00\00\00\00\0e\61\64\64\72\65\73\73\2d\69\6e\2d\75\73\65\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\12\72\65\6d\6f\74\65\2d\75\6e\72\65\61\63\68\61\62\6c\65\00\00\00\00\00\00\00\00\00\00\00\00\00\12\63\6f\6e\6e\65\63\74\69\6f\6e\2d\72\65\66\75\73\65\64\00\00\00\00\00\00\00\00\00\00\00\00\00\10\63\6f\6e\6e\65\63\74\69\6f\6e\2d\72\65\73\65\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\12\63\6f\6e\6e\65\63\74\69\6f\6e\2d\61\62\6f\72\74\65\64\00\00\00\00\00\00\00\00\00\00\00\00\00\12\64\61\74\61\67\72\61\6d\2d\74\6f\6f\2d\6c\61\72\67\65\00\00\00\00\00\00\00\00\00\00\00\00\00\11\6e\61\6d\65\2d\75\6e\72\65\73\6f\6c\76\61\62\6c\65\00\00\00\00\00\00\00\00\00\00\00\00\00\00\1a\74\65\6d\70\6f\72\61\72\79\2d\72\65\73\6f\6c\76\65\72\2d\66\61\69\6c\75\72\65\00\00\00\00\00\1a\70\65\72\6d\61\6e\65\6e\74\2d\72\65\73\6f\6c\76\65\72\2d\66\61\69\6c\75\72\65\00\00\00\00\00")
    (data (i32.const 256) "lookup: ")
    (data (i32.const 272) "loopback\n")
    (data (i32.const 288) "other\n")
    (global $stdout (mut i32) (i32.const 0))
    (func $print (param $p i32) (param $n i32)
      (call $write (global.get $stdout) (local.get $p) (local.get $n) (i32.const 64)))
    ;; Prints "lookup: ", the name of error-code CODE and a newline; returns 1 (err).
    (func $fail (param $code i32) (result i32)
      (local $slot i32)
      (call $print (i32.const 256) (i32.const 8))
      (local.set $slot (i32.add (i32.const 1024) (i32.shl (local.get $code) (i32.const 5))))
      (call $print (i32.add (local.get $slot) (i32.const 1)) (i32.load8_u (local.get $slot)))
      (call $print (i32.const 280) (i32.const 1))
      (i32.const 1))
    (func (export "run") (result i32)
      (local $args i32) (local $stream i32) (local $pollable i32) (local $loopback i32)
      (global.set $stdout (call $get-stdout))
      (call $get-arguments (i32.const 16))
      (local.set $args (i32.load (i32.const 16)))
      (call $resolve (call $instance-network)
        (i32.load offset=8 (local.get $args)) (i32.load offset=12 (local.get $args))
        (i32.const 32))
      (if (i32.load8_u (i32.const 32))
        (then (return (call $fail (i32.load8_u offset=4 (i32.const 32))))))
      (local.set $stream (i32.load offset=4 (i32.const 32)))
      (local.set $pollable (call $subscribe (local.get $stream)))
      ;; result<option<ip-address>, error-code> at 48: the error code or the option's
      ;; discriminant at 50, the ip-address's discriminant at 52 and its bytes from 54.
      (block $end
        (loop $more
          (call $next (local.get $stream) (i32.const 48))
          (if (i32.load8_u (i32.const 48))
            (then
              (if (i32.eq (i32.load8_u offset=2 (i32.const 48)) (i32.const 8))  ;; would-block
                (then (call $block (local.get $pollable)) (br $more)))
              (return (call $fail (i32.load8_u offset=2 (i32.const 48))))))
          (br_if $end (i32.eqz (i32.load8_u offset=2 (i32.const 48))))
          (if (i32.eqz (i32.load8_u offset=4 (i32.const 48)))
            (then  ;; ipv4: 127.0.0.1
              (if (i32.eq (i32.load offset=6 (i32.const 48)) (i32.const 0x0100007f))
                (then (local.set $loopback (i32.const 1)))))
            (else  ;; ipv6: ::1
              (if (i32.and
                    (i64.eqz (i64.load offset=6 (i32.const 48)))
                    (i32.and (i32.eqz (i32.load offset=14 (i32.const 48)))
                      (i32.and (i32.eqz (i32.load16_u offset=18 (i32.const 48)))
                        (i32.eq (i32.load16_u offset=20 (i32.const 48)) (i32.const 1)))))
                (then (local.set $loopback (i32.const 1))))))
          (br $more)))
      (call $print (i32.const 256) (i32.const 8))
      (if (local.get $loopback)
        (then (call $print (i32.const 272) (i32.const 9)))
        (else (call $print (i32.const 288) (i32.const 6))))
      (i32.const 0)))
  (core instance $wasi
    (export "get-arguments" (func $get-arguments))
    (export "get-stdout" (func $get-stdout))
    (export "write" (func $write))
    (export "block" (func $block))
    (export "instance-network" (func $instance-network))
    (export "resolve" (func $resolve))
    (export "next" (func $next))
    (export "subscribe" (func $subscribe)))
  (core instance $i (instantiate $m
    (with "env" (instance $libc))
    (with "wasi" (instance $wasi))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run)))
