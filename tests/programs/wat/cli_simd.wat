;; Uses a SIMD instruction: runs by default, fails to compile under `-W simd=n`.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $exit (i32x4.extract_lane 2 (v128.const i32x4 1 2 5 4)))))
