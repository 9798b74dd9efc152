"""A mock server started ahead of time (``python -m ComfyLibrary.mock --zygote``).

It imports everything a mock needs (aiohttp, the routes, the nodes, Pillow and NumPy),
then waits for one line on its standard input: the command-line arguments, environment
and working folder of the server it is to become. Starting a mock from a waiting zygote
costs a bind and a few milliseconds instead of an interpreter start and its imports. A
zygote whose input closes without an order exits quietly.
"""

from __future__ import annotations

import json
import os
import sys


def run() -> int:
    os.environ.setdefault("SSL_CERT_FILE", os.devnull)  # as cli._serve: no CA bundle load
    import ComfyLibrary.mock.server  # noqa: F401 - the import is the point
    from ComfyLibrary.mock import nodes

    nodes.implementation("SaveImage")  # loads every node module (Pillow, NumPy)
    line = sys.stdin.readline()
    if not line.strip():
        return 0
    order = json.loads(line)
    os.environ.clear()
    os.environ.update(order.get("env") or {})
    if order.get("cwd"):
        os.chdir(order["cwd"])
    from ComfyLibrary.mock.cli import main

    return main(list(order.get("argv") or []))
