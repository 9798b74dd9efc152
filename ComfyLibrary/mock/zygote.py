"""The mock's fork server (``python -m ComfyLibrary.mock --zygote``).

It imports everything a mock needs (aiohttp, the routes, the nodes, Pillow and NumPy) once,
then forks one child per order that arrives on its standard input, a Unix socket: the
command-line arguments, environment and working folder of a mock, with the write end of
the pipe that is to be the mock's output. The child becomes that mock; its start costs a
fork and a bind, not an interpreter start and its imports. The fork server answers each
order with the child's pid, and ``{"status": pid}`` with the child's exit code once it has
ended. It ends when its socket closes; its children end with it (parent-death signal), as
it ends with the library process that started it.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import sys
from typing import Any

from ComfyLibrary.servers.spawn import die_with_parent

ORDER_BYTES = 1 << 20


def _prepare() -> None:
    os.environ.setdefault("SSL_CERT_FILE", os.devnull)  # as cli._serve: no CA bundle load
    # Forked children must not inherit a BLAS thread pool they cannot use.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    from aiohttp import web

    import ComfyLibrary.mock.cli
    import ComfyLibrary.mock.server  # noqa: F401
    from ComfyLibrary.mock import frontend, nodes
    from ComfyLibrary.mock.catalog import load_bundled_object_info

    nodes.implementation("SaveImage")  # loads every node module (Pillow, NumPy)
    load_bundled_object_info()  # parsed once here, not in every forked mock
    frontend.register_packages(web.Application())  # finds the editor's packages once
    frontend.web_root()


def _become_mock(order: dict[str, Any], output_fd: int, control: socket.socket, parent: int):
    """In the forked child: detach, take the output pipe, and run the mock it was told."""
    code = 1
    try:
        os.setsid()
        die_with_parent(parent)()
        control.close()  # it was standard input: fd 0 is free now
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDONLY)
        if null != 0:
            os.dup2(null, 0)
            os.close(null)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        if output_fd > 2:
            os.close(output_fd)
        os.environ.clear()
        os.environ.update(order.get("env") or {})
        if order.get("cwd"):
            os.chdir(order["cwd"])
        random.seed()  # every child its own temporary names
        from ComfyLibrary.mock.cli import main

        code = main(list(order.get("argv") or []))
    except SystemExit as exc:  # argparse's refusals
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


class _ForkServer:
    def __init__(self, control: socket.socket):
        self.control = control
        self.exit_codes: dict[int, int] = {}

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.exit_codes[pid] = os.waitstatus_to_exitcode(status)

    def answer(self, data: dict[str, Any]) -> None:
        self.control.sendall((json.dumps(data) + "\n").encode())

    def serve(self) -> int:
        parent, me = os.getppid(), os.getpid()
        while True:
            try:
                message, fds, _, _ = socket.recv_fds(self.control, ORDER_BYTES, 1)
            except OSError:
                return 0
            if not message:
                return 0
            self.reap()
            order = json.loads(message)
            if "status" in order:
                self.answer({"code": self.exit_codes.pop(int(order["status"]), None)})
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _become_mock(order, fds[0], self.control, me)
            for fd in fds:
                os.close(fd)
            self.answer({"pid": pid})
            if os.getppid() != parent:
                return 0


def run() -> int:
    _prepare()
    control = socket.socket(fileno=0)
    server = _ForkServer(control)
    signal.signal(signal.SIGCHLD, lambda *_: server.reap())
    return server.serve()
