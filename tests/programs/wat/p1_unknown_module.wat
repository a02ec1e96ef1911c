;; A module importing from a module eddy does not provide ("env").
;; Loading it must fail: one `Error: ` line naming `env::host_thing`,
;; exit status 1.
(module
  (import "env" "host_thing" (func $host_thing (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $host_thing))))
