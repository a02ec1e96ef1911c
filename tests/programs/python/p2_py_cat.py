"""A WASI 0.2 command built with componentize-py (wasi:cli/command@0.2.12).

Prints its arguments after argv[0], then each file named by them (guest paths, e.g. under a
preopened /data) with its size, then lists the preopened directory /data. A missing file
raises FileNotFoundError, which componentize-py turns into a trap.
"""
import os
import sys

import wit_world


class Run(wit_world.WitWorld):
    def run(self) -> None:
        print("args:", " ".join(sys.argv[1:]))
        print("GREETING=" + os.environ.get("GREETING", "<unset>"))
        for path in sys.argv[1:]:
            with open(path, "rb") as f:
                data = f.read()
            print(f"{path}: {len(data)} bytes")
            sys.stdout.write(data.decode())
        print("listing:", ", ".join(sorted(os.listdir("/data"))))
        sys.stdout.flush()
