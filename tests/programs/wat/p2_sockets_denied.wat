;; WASI 0.2.3 component calling wasi:sockets/tcp-create-socket `create-tcp-socket(ipv4)`
;; and wasi:sockets/udp-create-socket `create-udp-socket(ipv6)`: both must return
;; `err(access-denied)` (error-code case 1) under the default policy, never trap. `run` then calls
;; wasi:cli/exit@0.2.12 `exit-with-code(10 * tcp-code + udp-code + 100)`, or 2 if a call
;; returned `ok`. Expected: status 111.
(component
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
  (import "wasi:cli/exit@0.2.12" (instance $exit
    (export "exit-with-code" (func (param "status-code" u8)))))

  (core module $mem (memory (export "memory") 1))
  (core instance $mem (instantiate $mem))
  (alias core export $mem "memory" (core memory $memory))
  (core func $create_tcp (canon lower (func $tcs "create-tcp-socket") (memory $memory)))
  (core func $create_udp (canon lower (func $ucs "create-udp-socket") (memory $memory)))
  (core func $exit_with_code (canon lower (func $exit "exit-with-code")))
  (core module $m
    (import "env" "memory" (memory 1))
    (import "wasi" "create-tcp-socket" (func $create_tcp (param i32 i32)))
    (import "wasi" "create-udp-socket" (func $create_udp (param i32 i32)))
    (import "wasi" "exit-with-code" (func $exit_with_code (param i32)))
    ;; The error code of the result at `ret` (discriminant u8 @0, payload @4), or 2 if ok.
    (func $code (param $ret i32) (result i32)
      (if (result i32) (i32.load8_u (local.get $ret))
        (then (i32.load8_u offset=4 (local.get $ret)))
        (else (return (i32.const 2)))))
    (func (export "run") (result i32)
      (call $create_tcp (i32.const 0) (i32.const 16))   ;; ipv4
      (call $create_udp (i32.const 1) (i32.const 32))   ;; ipv6
      (if (i32.or (i32.eq (call $code (i32.const 16)) (i32.const 2))
                  (i32.eq (call $code (i32.const 32)) (i32.const 2)))
        (then (call $exit_with_code (i32.const 2))))
      (call $exit_with_code
        (i32.add (i32.const 100)
          (i32.add (i32.mul (call $code (i32.const 16)) (i32.const 10))
                   (call $code (i32.const 32)))))
      unreachable))
  (core instance $wasi
    (export "create-tcp-socket" (func $create_tcp))
    (export "create-udp-socket" (func $create_udp))
    (export "exit-with-code" (func $exit_with_code)))
  (core instance $i (instantiate $m
    (with "env" (instance $mem))
    (with "wasi" (instance $wasi))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.3" (instance $run)))
