;; A WASI 0.2-style reactor component (no imports, sync-lifted exports) for the embedding
;; API's Reactor pool (crates/eddy/tests/reactor.rs):
;;   add(a: u32, b: u32) -> u32   a + b, and counts the call in this instance
;;   calls() -> u32               how many `add` calls this instance has served
;;   count(n: u32) -> u32         loops n times (CPU work), returns n
;;   boom()                       traps (unreachable)
;;   spin()                       loops for ever (for deadlines and cancellation)
(component
  (core module $m
    (global $calls (mut i32) (i32.const 0))
    (func (export "add") (param i32 i32) (result i32)
      (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
      (i32.add (local.get 0) (local.get 1)))
    (func (export "calls") (result i32) (global.get $calls))
    (func (export "count") (param $n i32) (result i32) (local $i i32)
      (block $done
        (loop $l
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l)))
      (local.get $i))
    (func (export "boom") unreachable)
    (func (export "spin") (loop $l (br $l))))
  (core instance $i (instantiate $m))
  (func $add (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $i "add")))
  (func $calls (result u32) (canon lift (core func $i "calls")))
  (func $count (param "n" u32) (result u32) (canon lift (core func $i "count")))
  (func $boom (canon lift (core func $i "boom")))
  (func $spin (canon lift (core func $i "spin")))
  (export "add" (func $add))
  (export "calls" (func $calls))
  (export "count" (func $count))
  (export "boom" (func $boom))
  (export "spin" (func $spin)))
