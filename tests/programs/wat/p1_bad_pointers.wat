;; Bad guest pointers passed to preview1 hostcalls. The first four checks are
;; in-bounds edge cases that must succeed; every other call must return
;; errno 21 (EFAULT) -- never crash the host, never trap -- and the module
;; then prints "survived". Every guest buffer is checked in full (all of
;; [ptr, ptr+len)) before any I/O, whatever the call would have used of it.
;; python-wasmtime 50 traps ("Pointer out of bounds") at the first bad
;; pointer instead of returning EFAULT. One line per check: "<label>: errno N" or
;; "<label>: ok". Memory is exactly one page (65536 bytes).
;;
;; Host setup: `--dir <tmp>::/sandbox` (fd 3), `--env A=B`, stdin a pipe
;; carrying some bytes, so that every call has something to write.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 1)

  ;; Layout: 0 iovec used by $emit, 256 iovec for the checks, 512 results,
  ;; 1024 digit buffer, 2048 scratch/subscription, 3072 "link", 4096+ labels.
  (data (i32.const 3072) "link")
  (data (i32.const 3584) ": ok\n")
  (data (i32.const 3600) ": errno ")
  (data (i32.const 3616) "\n")
  (data (i32.const 3632) "survived\n")

  (data (i32.const 4096) "random_get last byte of memory")
  (data (i32.const 4127) "random_get zero length at end of memory")
  (data (i32.const 4167) "fd_write zero-length buffer at end of memory")
  (data (i32.const 4212) "clock_time_get result in last 8 bytes")
  (data (i32.const 4250) "fd_write iovec array straddles end of memory")
  (data (i32.const 4295) "fd_write iovec array starts at end of memory")
  (data (i32.const 4340) "fd_write iovec array far out of bounds")
  (data (i32.const 4379) "fd_write iovs_len overflows")
  (data (i32.const 4407) "fd_write buffer past end")
  (data (i32.const 4432) "fd_write buffer wraps around 4GiB")
  (data (i32.const 4466) "fd_write nwritten out of bounds")
  (data (i32.const 4498) "fd_read buffer past end")
  (data (i32.const 4522) "fd_read iovs_len overflows")
  (data (i32.const 4549) "args_sizes_get result out of bounds")
  (data (i32.const 4585) "args_get argv out of bounds")
  (data (i32.const 4613) "args_get argv_buf out of bounds")
  (data (i32.const 4645) "environ_sizes_get result out of bounds")
  (data (i32.const 4684) "environ_get environ_buf out of bounds")
  (data (i32.const 4722) "clock_time_get result straddles end")
  (data (i32.const 4758) "clock_res_get result out of bounds")
  (data (i32.const 4793) "random_get buffer past end")
  (data (i32.const 4820) "fd_prestat_dir_name buffer past end")
  (data (i32.const 4856) "fd_fdstat_get result out of bounds")
  (data (i32.const 4891) "fd_filestat_get result straddles end")
  (data (i32.const 4928) "path_open path past end")
  (data (i32.const 4952) "path_filestat_get path wraps around 4GiB")
  (data (i32.const 4993) "path_symlink old_path past end")
  (data (i32.const 5024) "fd_readdir buffer past end")
  (data (i32.const 5051) "poll_oneoff subscriptions past end")
  (data (i32.const 5086) "poll_oneoff events past end")

  ;; Write memory[ptr..ptr+len) to stdout.
  (func $emit (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; Fill the check iovec at 256.
  (func $iov (param $buf i32) (param $len i32)
    (i32.store (i32.const 256) (local.get $buf))
    (i32.store (i32.const 260) (local.get $len)))

  ;; A valid 10ms relative monotonic clock subscription at 2048.
  (func $init_sub
    (i64.store (i32.const 2048) (i64.const 42))        ;; userdata
    (i32.store8 (i32.const 2056) (i32.const 0))        ;; tag: clock
    (i32.store (i32.const 2064) (i32.const 1))         ;; id: monotonic
    (i64.store (i32.const 2072) (i64.const 10000000))  ;; timeout
    (i64.store (i32.const 2080) (i64.const 0))         ;; precision
    (i32.store16 (i32.const 2088) (i32.const 0)))      ;; flags

  ;; Print "<label>: ok" or "<label>: errno N".
  (func $check (param $label i32) (param $len i32) (param $err i32)
    (local $p i32)
    (call $emit (local.get $label) (local.get $len))
    (if (i32.eqz (local.get $err))
      (then (call $emit (i32.const 3584) (i32.const 5)) (return)))
    (call $emit (i32.const 3600) (i32.const 8))
    (local.set $p (i32.const 1040))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.rem_u (local.get $err) (i32.const 10))))
      (local.set $err (i32.div_u (local.get $err) (i32.const 10)))
      (br_if $digits (local.get $err)))
    (call $emit (local.get $p) (i32.sub (i32.const 1040) (local.get $p)))
    (call $emit (i32.const 3616) (i32.const 1)))

  (func (export "_start")
    ;; random_get last byte of memory
    (call $check (i32.const 4096) (i32.const 30) (block (result i32) (call $random_get (i32.const 65535) (i32.const 1))))
    ;; random_get zero length at end of memory
    (call $check (i32.const 4127) (i32.const 39) (block (result i32) (call $random_get (i32.const 65536) (i32.const 0))))
    ;; fd_write zero-length buffer at end of memory
    (call $check (i32.const 4167) (i32.const 44) (block (result i32) (call $iov (i32.const 65536) (i32.const 0)) (call $fd_write (i32.const 1) (i32.const 256) (i32.const 1) (i32.const 512))))
    ;; clock_time_get result in last 8 bytes
    (call $check (i32.const 4212) (i32.const 37) (block (result i32) (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 65528))))
    ;; fd_write iovec array straddles end of memory
    (call $check (i32.const 4250) (i32.const 44) (block (result i32) (call $fd_write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 512))))
    ;; fd_write iovec array starts at end of memory
    (call $check (i32.const 4295) (i32.const 44) (block (result i32) (call $fd_write (i32.const 1) (i32.const 65536) (i32.const 1) (i32.const 512))))
    ;; fd_write iovec array far out of bounds
    (call $check (i32.const 4340) (i32.const 38) (block (result i32) (call $fd_write (i32.const 1) (i32.const 0x7fff0000) (i32.const 1) (i32.const 512))))
    ;; fd_write iovs_len overflows
    (call $check (i32.const 4379) (i32.const 27) (block (result i32) (call $fd_write (i32.const 1) (i32.const 256) (i32.const 0x20000000) (i32.const 512))))
    ;; fd_write buffer past end
    (call $check (i32.const 4407) (i32.const 24) (block (result i32) (call $iov (i32.const 65520) (i32.const 256)) (call $fd_write (i32.const 1) (i32.const 256) (i32.const 1) (i32.const 512))))
    ;; fd_write buffer wraps around 4GiB
    (call $check (i32.const 4432) (i32.const 33) (block (result i32) (call $iov (i32.const 0xfffffff0) (i32.const 0x20)) (call $fd_write (i32.const 1) (i32.const 256) (i32.const 1) (i32.const 512))))
    ;; fd_write nwritten out of bounds
    (call $check (i32.const 4466) (i32.const 31) (block (result i32) (call $iov (i32.const 2048) (i32.const 0)) (call $fd_write (i32.const 1) (i32.const 256) (i32.const 1) (i32.const 65536))))
    ;; fd_read buffer past end
    (call $check (i32.const 4498) (i32.const 23) (block (result i32) (call $iov (i32.const 65534) (i32.const 100)) (call $fd_read (i32.const 0) (i32.const 256) (i32.const 1) (i32.const 512))))
    ;; fd_read iovs_len overflows
    (call $check (i32.const 4522) (i32.const 26) (block (result i32) (call $fd_read (i32.const 0) (i32.const 256) (i32.const 0x20000000) (i32.const 512))))
    ;; args_sizes_get result out of bounds
    (call $check (i32.const 4549) (i32.const 35) (block (result i32) (call $args_sizes_get (i32.const 65534) (i32.const 512))))
    ;; args_get argv out of bounds
    (call $check (i32.const 4585) (i32.const 27) (block (result i32) (call $args_get (i32.const 0xfffffff0) (i32.const 2048))))
    ;; args_get argv_buf out of bounds
    (call $check (i32.const 4613) (i32.const 31) (block (result i32) (call $args_get (i32.const 2048) (i32.const 65535))))
    ;; environ_sizes_get result out of bounds
    (call $check (i32.const 4645) (i32.const 38) (block (result i32) (call $environ_sizes_get (i32.const 512) (i32.const 65536))))
    ;; environ_get environ_buf out of bounds
    (call $check (i32.const 4684) (i32.const 37) (block (result i32) (call $environ_get (i32.const 2048) (i32.const 65535))))
    ;; clock_time_get result straddles end
    (call $check (i32.const 4722) (i32.const 35) (block (result i32) (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 65532))))
    ;; clock_res_get result out of bounds
    (call $check (i32.const 4758) (i32.const 34) (block (result i32) (call $clock_res_get (i32.const 1) (i32.const 0x80000000))))
    ;; random_get buffer past end
    (call $check (i32.const 4793) (i32.const 26) (block (result i32) (call $random_get (i32.const 65520) (i32.const 32))))
    ;; fd_prestat_dir_name buffer past end
    (call $check (i32.const 4820) (i32.const 35) (block (result i32) (call $fd_prestat_dir_name (i32.const 3) (i32.const 65534) (i32.const 8))))
    ;; fd_fdstat_get result out of bounds
    (call $check (i32.const 4856) (i32.const 34) (block (result i32) (call $fd_fdstat_get (i32.const 1) (i32.const 65528))))
    ;; fd_filestat_get result straddles end
    (call $check (i32.const 4891) (i32.const 36) (block (result i32) (call $fd_filestat_get (i32.const 3) (i32.const 65504))))
    ;; path_open path past end
    (call $check (i32.const 4928) (i32.const 23) (block (result i32) (call $path_open (i32.const 3) (i32.const 0) (i32.const 65520) (i32.const 32) (i32.const 0) (i64.const 2) (i64.const 2) (i32.const 0) (i32.const 512))))
    ;; path_filestat_get path wraps around 4GiB
    (call $check (i32.const 4952) (i32.const 40) (block (result i32) (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0xfffffff8) (i32.const 16) (i32.const 2048))))
    ;; path_symlink old_path past end
    (call $check (i32.const 4993) (i32.const 30) (block (result i32) (call $path_symlink (i32.const 65530) (i32.const 16) (i32.const 3) (i32.const 3072) (i32.const 4))))
    ;; fd_readdir buffer past end
    (call $check (i32.const 5024) (i32.const 26) (block (result i32) (call $fd_readdir (i32.const 3) (i32.const 65500) (i32.const 256) (i64.const 0) (i32.const 512))))
    ;; poll_oneoff subscriptions past end
    (call $check (i32.const 5051) (i32.const 34) (block (result i32) (call $poll_oneoff (i32.const 65520) (i32.const 2048) (i32.const 1) (i32.const 512))))
    ;; poll_oneoff events past end
    (call $check (i32.const 5086) (i32.const 27) (block (result i32) (call $init_sub) (call $poll_oneoff (i32.const 2048) (i32.const 65530) (i32.const 1) (i32.const 512))))
    (call $emit (i32.const 3632) (i32.const 9)))
)
