;; WASI 0.2.3 component calling wasi:sockets/tcp-create-socket `create-tcp-socket(ipv4)`
;; and wasi:sockets/udp-create-socket `create-udp-socket(ipv6)`, and printing one line for
;; each: `tcp: ok` / `udp: ok` when the socket was created, else `tcp: CODE` / `udp: CODE`,
;; CODE the wasi:sockets error-code name. Creating a socket reaches no network and needs
;; no grant, so under every policy (the default one included) it prints:
;;   tcp: ok
;;   udp: ok
;; Never traps; `run` returns ok (status 0).
(component
  (import "wasi:io/error@0.2.3" (instance $error
    (export "error" (type (sub resource)))))
  (alias export $error "error" (type $io-error))
  (import "wasi:io/streams@0.2.3" (instance $streams
    (export "error" (type $e (eq $io-error)))
    (type $se (variant (case "last-operation-failed" (own $e)) (case "closed")))
    (export "stream-error" (type $stream-error (eq $se)))
    (export "output-stream" (type $out (sub resource)))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $out)) (param "contents" (list u8))
        (result (result (error $stream-error)))))))
  (alias export $streams "output-stream" (type $output-stream))
  (import "wasi:cli/stdout@0.2.3" (instance $stdout
    (export "output-stream" (type $o (eq $output-stream)))
    (export "get-stdout" (func (result (own $o))))))
  (import "wasi:sockets/network@0.2.3" (instance $network
    (type $ec (enum "unknown" "access-denied" "not-supported"
      "invalid-argument" "out-of-memory" "timeout" "concurrency-conflict" "not-in-progress"
      "would-block" "invalid-state" "new-socket-limit" "address-not-bindable"
      "address-in-use" "remote-unreachable" "connection-refused" "connection-reset"
      "connection-aborted" "datagram-too-large" "name-unresolvable"
      "temporary-resolver-failure" "permanent-resolver-failure"))
    (export "error-code" (type (eq $ec)))
    (type $fam (enum "ipv4" "ipv6"))
    (export "ip-address-family" (type (eq $fam)))))
  (alias export $network "error-code" (type $error-code))
  (alias export $network "ip-address-family" (type $family))
  (import "wasi:sockets/tcp@0.2.3" (instance $tcp
    (export "tcp-socket" (type (sub resource)))))
  (alias export $tcp "tcp-socket" (type $tcp-socket))
  (import "wasi:sockets/udp@0.2.3" (instance $udp
    (export "udp-socket" (type (sub resource)))))
  (alias export $udp "udp-socket" (type $udp-socket))
  (import "wasi:sockets/tcp-create-socket@0.2.3" (instance $tcs
    (export "error-code" (type $ec (eq $error-code)))
    (export "ip-address-family" (type $fam (eq $family)))
    (export "tcp-socket" (type $ts (eq $tcp-socket)))
    (export "create-tcp-socket" (func (param "address-family" $fam)
      (result (result (own $ts) (error $ec)))))))
  (import "wasi:sockets/udp-create-socket@0.2.3" (instance $ucs
    (export "error-code" (type $ec (eq $error-code)))
    (export "ip-address-family" (type $fam (eq $family)))
    (export "udp-socket" (type $us (eq $udp-socket)))
    (export "create-udp-socket" (func (param "address-family" $fam)
      (result (result (own $us) (error $ec)))))))

  (core module $mem (memory (export "memory") 1))
  (core instance $mem (instantiate $mem))
  (alias core export $mem "memory" (core memory $memory))
  (core func $create_tcp (canon lower (func $tcs "create-tcp-socket") (memory $memory)))
  (core func $create_udp (canon lower (func $ucs "create-udp-socket") (memory $memory)))
  (core func $get_stdout (canon lower (func $stdout "get-stdout")))
  (core func $write
    (canon lower (func $streams "[method]output-stream.blocking-write-and-flush")
      (memory $memory)))
  (core module $m
    (import "env" "memory" (memory 1))
    (import "wasi" "create-tcp-socket" (func $create_tcp (param i32 i32)))
    (import "wasi" "create-udp-socket" (func $create_udp (param i32 i32)))
    (import "wasi" "get-stdout" (func $get_stdout (result i32)))
    (import "wasi" "write" (func $write (param i32 i32 i32 i32)))
    ;; error-code names: 32-byte slots at 1024, [length][name].
    (data (i32.const 1024) "\07\75\6e\6b\6e\6f\77\6e\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\61\63\63\65\73\73\2d\64\65\6e\69\65\64\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\6e\6f\74\2d\73\75\70\70\6f\72\74\65\64\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\10\69\6e\76\61\6c\69\64\2d\61\72\67\75\6d\65\6e\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\6f\75\74\2d\6f\66\2d\6d\65\6d\6f\72\79\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\07\74\69\6d\65\6f\75\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\14\63\6f\6e\63\75\72\72\65\6e\63\79\2d\63\6f\6e\66\6c\69\63\74\00\00\00\00\00\00\00\00\00\00\00\0f\6e\6f\74\2d\69\6e\2d\70\72\6f\67\72\65\73\73\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0b\77\6f\75\6c\64\2d\62\6c\6f\63\6b\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\0d\69\6e\76\61\6c\69\64\2d\73\74\61\74\65\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\10\6e\65\77\2d\73\6f\63\6b\65\74\2d\6c\69\6d\69\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\14\61\64\64\72\65\73\73\2d\6e\6f\74\2d\62\69\6e\64\61\62\6c\65\00\00\00\00\00\00\00\00\00\00\00\0e\61\64\64\72\65\73\73\2d\69\6e\2d\75\73\65\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\12\72\65\6d\6f\74\65\2d\75\6e\72\65\61\63\68\61\62\6c\65\00\00\00\00\00\00\00\00\00\00\00\00\00\12\63\6f\6e\6e\65\63\74\69\6f\6e\2d\72\65\66\75\73\65\64\00\00\00\00\00\00\00\00\00\00\00\00\00\10\63\6f\6e\6e\65\63\74\69\6f\6e\2d\72\65\73\65\74\00\00\00\00\00\00\00\00\00\00\00\00\00\00\00\12\63\6f\6e\6e\65\63\74\69\6f\6e\2d\61\62\6f\72\74\65\64\00\00\00\00\00\00\00\00\00\00\00\00\00\12\64\61\74\61\67\72\61\6d\2d\74\6f\6f\2d\6c\61\72\67\65\00\00\00\00\00\00\00\00\00\00\00\00\00\11\6e\61\6d\65\2d\75\6e\72\65\73\6f\6c\76\61\62\6c\65\00\00\00\00\00\00\00\00\00\00\00\00\00\00\1a\74\65\6d\70\6f\72\61\72\79\2d\72\65\73\6f\6c\76\65\72\2d\66\61\69\6c\75\72\65\00\00\00\00\00\1a\70\65\72\6d\61\6e\65\6e\74\2d\72\65\73\6f\6c\76\65\72\2d\66\61\69\6c\75\72\65\00\00\00\00\00")
    (data (i32.const 256) "tcp: ")
    (data (i32.const 264) "udp: ")
    (data (i32.const 272) "ok\n")
    (global $stdout (mut i32) (i32.const 0))
    (func $print (param $p i32) (param $n i32)
      (call $write (global.get $stdout) (local.get $p) (local.get $n) (i32.const 64)))
    ;; Prints PREFIX (5 bytes at $prefix), then `ok` or the error-code name of the result at
    ;; $ret (discriminant u8 @0, error-code payload @4), and a newline.
    (func $report (param $prefix i32) (param $ret i32)
      (local $slot i32)
      (call $print (local.get $prefix) (i32.const 5))
      (if (i32.load8_u (local.get $ret))
        (then
          (local.set $slot
            (i32.add (i32.const 1024) (i32.shl (i32.load8_u offset=4 (local.get $ret)) (i32.const 5))))
          (call $print (i32.add (local.get $slot) (i32.const 1)) (i32.load8_u (local.get $slot)))
          (call $print (i32.const 274) (i32.const 1)))
        (else (call $print (i32.const 272) (i32.const 3)))))
    (func (export "run") (result i32)
      (global.set $stdout (call $get_stdout))
      (call $create_tcp (i32.const 0) (i32.const 16))   ;; ipv4
      (call $create_udp (i32.const 1) (i32.const 32))   ;; ipv6
      (call $report (i32.const 256) (i32.const 16))
      (call $report (i32.const 264) (i32.const 32))
      (i32.const 0)))
  (core instance $wasi
    (export "create-tcp-socket" (func $create_tcp))
    (export "create-udp-socket" (func $create_udp))
    (export "get-stdout" (func $get_stdout))
    (export "write" (func $write)))
  (core instance $i (instantiate $m
    (with "env" (instance $mem))
    (with "wasi" (instance $wasi))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.3" (instance $run)))
