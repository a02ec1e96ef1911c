;; The reactor benchmark's WASI 0.2 component (benches/reactor): one sync-lifted export,
;; `add(a: s32, b: s32) -> s32`, and a WASI 0.2 import (`wasi:clocks/monotonic-clock@0.2.0`
;; `now`) so that both runtimes link their WASI 0.2 host into the instance, as an
;; embedder's component would. `add` itself makes no host call: the benchmark times the
;; call path (lower, enter, lift, post-return), not WASI.
(component
  (import "wasi:clocks/monotonic-clock@0.2.0" (instance $clock
    (export "now" (func (result u64)))))
  (core func $now (canon lower (func $clock "now")))
  (core module $m
    (import "wasi" "now" (func $now (result i64)))
    (func (export "add") (param i32 i32) (result i32)
      (i32.add (local.get 0) (local.get 1)))
    (func (export "now") (result i64) (call $now)))
  (core instance $i (instantiate $m
    (with "wasi" (instance (export "now" (func $now))))))
  (func $add (param "a" s32) (param "b" s32) (result s32)
    (canon lift (core func $i "add")))
  (func $now-ns (result u64) (canon lift (core func $i "now")))
  (export "add" (func $add))
  (export "now" (func $now-ns)))
