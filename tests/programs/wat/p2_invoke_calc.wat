;; A component with no imports and no `wasi:cli/run`, for `--invoke`: top-level functions
;; `add(a: u32, b: u32) -> u32`, `nop()` and `boom()` (traps: unreachable in $boom), and the
;; interface `eddy:test/calc@1.0.0` with `mul(a: u32, b: u32) -> u32`; and `take(r: own<res>)`,
;; which takes a resource (WAVE cannot write one).
;; Expected: `add(2, 3)` prints 5, `eddy:test/calc@1.0.0#mul(6, 7)` prints 42, `nop()`
;; prints nothing, `boom()` is status 134, `take(...)` is refused before the call.
(component
  (core module $m
    (func (export "add") (param i32 i32) (result i32)
      (i32.add (local.get 0) (local.get 1)))
    (func (export "mul") (param i32 i32) (result i32)
      (i32.mul (local.get 0) (local.get 1)))
    (func (export "nop"))
    (func (export "take") (param i32))
    (func $boom unreachable)
    (func (export "boom") (call $boom)))
  (core instance $i (instantiate $m))
  (func $add (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
  (func $nop (canon lift (core func $i "nop")))
  (func $boom (canon lift (core func $i "boom")))
  (func $mul (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "mul")))
  (export "add" (func $add))
  (export "nop" (func $nop))
  (export "boom" (func $boom))
  (type $res' (resource (rep i32)))
  (export $res "res" (type $res'))
  (func $take (param "r" (own $res)) (canon lift (core func $i "take")))
  (export "take" (func $take))
  (instance $calc (export "mul" (func $mul)))
  (export "eddy:test/calc@1.0.0" (instance $calc)))
