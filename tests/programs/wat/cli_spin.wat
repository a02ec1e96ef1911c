;; Spins forever: for `-W timeout` (interrupted → status 134) and `-W fuel`.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $l (br $l))))
