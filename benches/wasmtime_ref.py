#!/usr/bin/env python3
"""Reference runner: run a WASI preview1 command or a WASI 0.2 command component
(`wasi:cli/run` export) on wasmtime-python's own WASI host.

    python3 benches/wasmtime_ref.py [--dir HOST[::GUEST]]... [-S inherit-network]
                                    FILE.wasm|FILE.wat [ARGS...]

Same command line as `eddy run`. `-S inherit-network` lets WASI 0.2 sockets use any
address (wasmtime's own flag; C API `wasi_config_inherit_network`, which wasmtime-py's
WasiConfig does not wrap, so it is called through wasmtime-py's ctypes bindings); with
wasmtime-py 50.0.1, create-tcp-socket still returns access-denied under add_wasip2.
wasmtime 50's C API has no way to hand a preopened socket to a preview1 guest, so there
is no `-S tcplisten` here. Needs `pip install wasmtime==50.0.1`. The guest's
hostcalls are served by wasmtime's own Rust WASI implementation (preview1, or WASI 0.2 via
`add_wasip2`, through its C API); Python only sets up the store and calls `_start` or
`wasi:cli/run#run`, so it is not on the measured path. Text (.wat) is converted with
wasmtime.wat2wasm, which parses component text too.
"""
import sys
import wasmtime

argv, dirs, inherit_network = sys.argv[1:], [], False
while len(argv) >= 2 and argv[0] in ("--dir", "-S"):
    if argv[0] == "-S":
        if argv[1] != "inherit-network":
            sys.exit(f"unsupported: -S {argv[1]}")
        inherit_network = True
    else:
        host, _, guest = argv[1].partition("::")
        dirs.append((host, guest or host))
    argv = argv[2:]
if not argv:
    sys.exit(__doc__)

engine = wasmtime.Engine()
with open(argv[0], "rb") as f:
    wasm = f.read()
if wasm[:4] != b"\0asm":
    wasm = wasmtime.wat2wasm(wasm.decode())
wasi = wasmtime.WasiConfig()
wasi.argv = argv
for host, guest in dirs:
    wasi.preopen_dir(host, guest)
wasi.inherit_stdout()
wasi.inherit_stderr()
if inherit_network:
    from wasmtime import _ffi
    _ffi.wasi_config_inherit_network(wasi.ptr())
store = wasmtime.Store(engine)
store.set_wasi(wasi)
try:
    if wasm[4:8] == b"\x01\0\0\0":  # core module: preview1 command
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        instance = linker.instantiate(store, wasmtime.Module(engine, wasm))
        instance.exports(store)["_start"](store)
    else:  # component (version 0x0d, layer 1): wasi:cli/run
        from wasmtime import component
        linker = component.Linker(engine)
        linker.add_wasip2()
        instance = linker.instantiate(store, component.Component(engine, wasm))
        run = next((instance.get_export_index(store, name) for name in
                    [f"wasi:cli/run@0.2.{v}" for v in range(13)]
                    if instance.get_export_index(store, name)), None)
        if run is None:
            sys.exit("no wasi:cli/run@0.2.x export")
        func = instance.get_func(store, instance.get_export_index(store, "run", run))
        result = func(store)
        func.post_return(store)
        if getattr(result, "tag", "ok") != "ok":
            sys.exit(1)
except wasmtime.ExitTrap as e:
    sys.exit(e.code)
