#!/usr/bin/env python3
"""Reference runner: run a WASI preview1 command on wasmtime-python's WASI host.

    python3 benches/wasmtime_ref.py [--dir HOST[::GUEST]]... FILE.wasm [ARGS...]

Same command line as `eddy run`. Needs `pip install wasmtime==50.0.1`. The guest's
hostcalls are served by wasmtime's own Rust WASI implementation (through its C API);
Python only sets up the store and calls `_start`, so it is not on the measured path.
"""
import sys
import wasmtime

argv, dirs = sys.argv[1:], []
while len(argv) >= 2 and argv[0] == "--dir":
    host, _, guest = argv[1].partition("::")
    dirs.append((host, guest or host))
    argv = argv[2:]
if not argv:
    sys.exit(__doc__)

engine = wasmtime.Engine()
module = wasmtime.Module.from_file(engine, argv[0])  # .wat works too
wasi = wasmtime.WasiConfig()
wasi.argv = argv
for host, guest in dirs:
    wasi.preopen_dir(host, guest)
wasi.inherit_stdout()
wasi.inherit_stderr()
store = wasmtime.Store(engine)
store.set_wasi(wasi)
linker = wasmtime.Linker(engine)
linker.define_wasi()
instance = linker.instantiate(store, module)
try:
    instance.exports(store)["_start"](store)
except wasmtime.ExitTrap as e:
    sys.exit(e.code)
