;; WASI 0.2.12 command component: `run` calls wasi:cli/exit@0.2.12 `exit-with-code(N)`, N the
;; decimal argv[1] (taken modulo 256: the parameter is a u8). Prints nothing.
(component
  (import "wasi:cli/environment@0.2.12" (instance $env
    (export "get-arguments" (func (result (list string))))))
  (import "wasi:cli/exit@0.2.12" (instance $exit
    (export "exit-with-code" (func (param "status-code" u8)))))

  ;; Memory and a bump allocator (for the list the host returns).
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
  (core func $exit-with-code (canon lower (func $exit "exit-with-code")))

  (core module $m
    (import "env" "memory" (memory 1))
    (import "wasi" "get-arguments" (func $get-arguments (param i32)))
    (import "wasi" "exit-with-code" (func $exit-with-code (param i32)))
    (func (export "run") (result i32)
      (local $args i32) (local $p i32) (local $n i32) (local $v i32)
      (call $get-arguments (i32.const 16))
      ;; list<string> at 16: (pointer, count); each string is (pointer, length).
      (if (i32.lt_u (i32.load offset=4 (i32.const 16)) (i32.const 2))
        (then (call $exit-with-code (i32.const 0)) unreachable))
      (local.set $args (i32.load (i32.const 16)))
      (local.set $p (i32.load offset=8 (local.get $args)))
      (local.set $n (i32.load offset=12 (local.get $args)))
      (block $done
        (loop $next
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $v (i32.add (i32.mul (local.get $v) (i32.const 10))
            (i32.sub (i32.load8_u (local.get $p)) (i32.const 48))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $next)))
      (call $exit-with-code (i32.and (local.get $v) (i32.const 255)))
      unreachable))
  (core instance $wasi
    (export "get-arguments" (func $get-arguments))
    (export "exit-with-code" (func $exit-with-code)))
  (core instance $i (instantiate $m
    (with "env" (instance $libc))
    (with "wasi" (instance $wasi))))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $run (export "run" (func $run)))
  (export "wasi:cli/run@0.2.12" (instance $run)))
