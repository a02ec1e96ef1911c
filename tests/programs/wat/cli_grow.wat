;; Grows memory by 64 pages (4 MiB) and exits with 0 if that worked, 1 if memory.grow
;; returned -1 (as it must under `-W max-memory-size=1M`).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $exit (i32.eq (memory.grow (i32.const 64)) (i32.const -1)))))
