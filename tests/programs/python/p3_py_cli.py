"""A WASI 0.3 command built with componentize-py (wasi:cli/command@0.3.0, `async def run`).

Run on the host's event loop: prints its arguments (through both Python's sys.argv and the
0.3 environment.get-arguments binding), an environment variable, then reads stdin to its end
through the 0.3 stdin stream (`read-via-stream`) and reports its size and first line. Then
awaits a 0.3 monotonic-clock wait-for (10 ms), and three concurrent ones (30, 20 and 10 ms,
with asyncio.gather), printing the order they finished in. Writes a line through a 0.3
stdout stream (`write-via-stream`) after flushing Python's own stdout (which goes through
wasi:cli@0.2.9), so both reach the host in program order.

The first argument picks an ending: `exit` calls the 0.3 exit-with-code(3), `raise` raises an
uncaught exception (componentize-py then panics: a trap); anything else returns normally.
(SystemExit is no way out here: in an async export componentize-py 0.25.1 treats it like any
other uncaught exception, so `sys.exit(5)` traps rather than exiting with 5.)

Build (as crates/eddy-cli/tests/p3_componentize_py.rs does), naming the 0.3.0 packages file by
file, so that wit/world.wit (whose command-p3 world imports the unstable timezone interface)
is not parsed and timezone is not imported:

    componentize-py -d wit/deps/clocks-0.3.0.wit -d wit/deps/random-0.3.0.wit \
        -d wit/deps/filesystem-0.3.0.wit -d wit/deps/sockets-0.3.0.wit \
        -d wit/deps/cli-0.3.0.wit -w wasi:cli/command@0.3.0 componentize p3_py_cli -o p3_py_cli.wasm
"""
import asyncio
import os
import sys

from wit_world import byte_stream, exports
from wit_world.imports import environment, exit, monotonic_clock, stdin, stdout

MS = 1_000_000  # monotonic-clock durations are nanoseconds


async def read_stdin() -> bytes:
    reader, result = stdin.read_via_stream()
    data = b""
    with reader:
        while not reader.writer_dropped:
            data += await reader.read(4096)
    await result.read()
    return data


async def write_stdout(text: str) -> None:
    writer, reader = byte_stream()
    done = stdout.write_via_stream(reader)
    with writer:
        await writer.write_all(text.encode())
    await done.read()


async def sleep_ms(ms: int, finished: list[int]) -> None:
    await monotonic_clock.wait_for(ms * MS)
    finished.append(ms)


class Run(exports.Run):
    async def run(self) -> None:
        print("argv:", " ".join(sys.argv))
        print("get-arguments:", " ".join(environment.get_arguments()[1:]))
        print("GREETING=" + os.environ.get("GREETING", "<unset>"))
        env = dict(environment.get_environment())
        print("get-environment GREETING=" + env.get("GREETING", "<unset>"))

        data = await read_stdin()
        first = data.split(b"\n", 1)[0].decode()
        print(f"stdin: {len(data)} bytes, first line {first!r}")

        start = monotonic_clock.now()
        await monotonic_clock.wait_for(10 * MS)
        waited = monotonic_clock.now() - start
        print("wait-for 10 ms:", "ok" if waited >= 10 * MS else f"too short ({waited} ns)")

        finished: list[int] = []
        start = monotonic_clock.now()
        await asyncio.gather(sleep_ms(30, finished), sleep_ms(20, finished), sleep_ms(10, finished))
        waited = monotonic_clock.now() - start
        print("gather finished:", ", ".join(f"{ms} ms" for ms in finished))
        print("gather took at least 30 ms:", "ok" if waited >= 30 * MS else f"no ({waited} ns)")

        sys.stdout.flush()
        await write_stdout("via the 0.3 stdout stream\n")

        mode = sys.argv[1] if len(sys.argv) > 1 else ""
        if mode == "exit":
            print("exiting with 3", flush=True)
            exit.exit_with_code(3)
        elif mode == "raise":
            print("raising", flush=True)
            raise RuntimeError("deliberate failure")
        print("done", flush=True)
