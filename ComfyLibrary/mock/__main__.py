"""Runs the mock ComfyUI server: ``python -m ComfyLibrary.mock --help``."""

import os
import sys


def _run() -> int:
    if sys.argv[1:] == ["--zygote"]:
        from ComfyLibrary.mock.zygote import run

        return run()
    from ComfyLibrary.mock.cli import main

    return main()


code = _run()
# The server has stopped and saved what it keeps: leave without the interpreter's
# teardown of every loaded module (a tenth of a second per stop, paid by every test).
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
