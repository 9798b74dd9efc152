"""Command line of the mock ComfyUI server: ``comfy-mock`` / ``python -m ComfyLibrary.mock``."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

from ComfyLibrary.mock.config import MockConfig
from ComfyLibrary.protocol import MOCK_CONTROL_TOKEN_ENV as CONTROL_TOKEN_ENV

READY_LINE = "ComfyUI mock ready at {url}"


PORT_VARIABLE = "COMFYUI_MOCK_PORT"


def _env_port() -> int:
    value = os.environ.get(PORT_VARIABLE, "").strip()
    if not value:
        return 8188
    if not value.isdigit() or int(value) > 65535:
        sys.exit(f"comfy-mock: {PORT_VARIABLE}='{value}' is not a port number (0-65535).")
    return int(value)


def _pace(value: str) -> float | None:
    from ComfyLibrary.mock.pace import parse_pace

    try:
        return parse_pace(value)
    except ValueError as exc:
        sys.exit(f"comfy-mock: --pace: {exc}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="comfy-mock",
        description=(
            "A mock ComfyUI 0.8 server: the same HTTP routes, WebSocket events, queue, history, "
            "validation errors and output files as ComfyUI, with model nodes simulated so no GPU "
            "is needed. Prints one ready line with its URL once it accepts connections."
        ),
    )
    p.add_argument(
        "--listen",
        "--host",
        dest="host",
        default="127.0.0.1",
        help="address to bind (default: 127.0.0.1, loopback only)",
    )
    p.add_argument(
        "--port",
        type=int,
        default=_env_port(),
        help="port to bind; 0 picks a free port, printed in the ready line "
        f"(default: ${PORT_VARIABLE}, else 8188)",
    )
    p.add_argument(
        "--output-directory",
        type=Path,
        help="where output files are written (default: a fresh temporary folder)",
    )
    p.add_argument("--input-directory", type=Path, help="where uploads and LoadImage files live")
    p.add_argument(
        "--user-directory",
        type=Path,
        help="ComfyUI's user folder: settings and the editor's files (default: 'user' next "
        "to the output folder)",
    )
    p.add_argument("--temp-directory", type=Path, help="where preview files are written")
    p.add_argument(
        "--step-ms",
        type=float,
        default=2.0,
        help="simulated time per sampling step in milliseconds (default: 2)",
    )
    p.add_argument(
        "--pace",
        default="fast",
        help="fast (default: as fast as the mock can), real (each node about as long as "
        "ComfyUI 0.8 takes on a 2-core CPU) or a number that scales real",
    )
    p.add_argument(
        "--object-info",
        type=Path,
        metavar="FILE",
        help="an /object_info JSON dump whose node classes are added to the catalog; "
        "custom nodes validate and run as placeholders",
    )
    p.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="serve a team's own ComfyUI: its node catalog (custom nodes included), model "
        "names, versions and devices, from a profile written by 'comfy-mock capture URL FILE'",
    )
    p.add_argument(
        "--comfyui-version",
        metavar="VERSION",
        help="the ComfyUI version to be: its node catalog, routes, history and /system_stats "
        "versions, as recorded from it (0.3.64, 0.3.77 or 0.8.0; default 0.8.0, or a "
        "profile's version)",
    )
    p.add_argument(
        "--models",
        type=Path,
        metavar="FILE",
        help="JSON object of model folder -> [file names] the server pretends to have",
    )
    faults = p.add_argument_group(
        "fault injection", "also switchable at run time through the control routes under /mock/"
    )
    faults.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="delay every HTTP answer by this many milliseconds",
    )
    faults.add_argument(
        "--history-delay-ms",
        type=float,
        default=0.0,
        help="write each history entry this long after execution_success",
    )
    faults.add_argument(
        "--stall",
        action="store_true",
        help="start stalled: prompts hold before their first node until resumed",
    )
    faults.add_argument(
        "--keep-queue-on-restart",
        action="store_true",
        help="keep queue and history in a state file across restarts (ComfyUI loses them)",
    )
    p.add_argument(
        "--control-token",
        default=os.environ.get(CONTROL_TOKEN_ENV) or None,
        help="token the /mock/ control routes require (header X-Comfy-Mock-Token); without one "
        f"they answer only when the mock listens on loopback (default: ${CONTROL_TOKEN_ENV})",
    )
    return p


def capture(argv: list[str]) -> int:
    """``comfy-mock capture URL FILE``: writes a profile of the ComfyUI at URL."""
    p = argparse.ArgumentParser(
        prog="comfy-mock capture",
        description="Writes a profile of a running ComfyUI (its node catalog with custom "
        "nodes, model names, versions, devices, embeddings, extensions and features) for "
        "'comfy-mock --profile FILE' to serve.",
    )
    p.add_argument("url", help="the ComfyUI to profile, e.g. http://127.0.0.1:8188")
    p.add_argument("file", type=Path, help="the profile to write (JSON)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    args = p.parse_args(argv)
    from ComfyLibrary.errors import ComfyError
    from ComfyLibrary.profile import capture_profile, summary

    try:
        profile = capture_profile(args.url, args.file, args.timeout)
    except (ComfyError, OSError) as exc:
        print(f"comfy-mock capture: {exc}", file=sys.stderr)
        return 2
    print(f"{summary(profile)} -> {args.file}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["capture"]:
        return capture(argv[1:])
    args = parser().parse_args(argv)
    config = MockConfig(
        host=args.host,
        port=args.port,
        output_directory=args.output_directory,
        input_directory=args.input_directory,
        temp_directory=args.temp_directory,
        step_ms=args.step_ms,
        pace=_pace(args.pace),
        object_info=args.object_info,
        models=args.models,
        profile=args.profile,
        comfyui_version=args.comfyui_version,
        latency_ms=args.latency_ms,
        history_delay_ms=args.history_delay_ms,
        stall=args.stall,
        keep_queue_on_restart=args.keep_queue_on_restart,
        control_token=args.control_token,
        user_dir=args.user_directory,
    )
    try:
        return asyncio.run(_serve(config))
    except KeyboardInterrupt:
        return 0


async def _serve(config: MockConfig) -> int:
    # The mock makes no outgoing TLS connections, so aiohttp need not load the system CA
    # bundle when it is imported (it does so eagerly; on hosts with a large bundle that is
    # a good part of the start-up time).
    os.environ.setdefault("SSL_CERT_FILE", os.devnull)
    from ComfyLibrary.mock.server import MockServer

    try:
        server = MockServer(config)
    except (OSError, ValueError) as exc:
        print(f"comfy-mock: cannot start: {exc}", file=sys.stderr, flush=True)
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        port = await server.start()
    except OSError as exc:
        print(
            f"comfy-mock: cannot listen on {config.host}:{config.port}: {exc.strerror or exc}",
            file=sys.stderr,
            flush=True,
        )
        await server.stop()
        return 3
    config.port = port
    print(READY_LINE.format(url=f"http://{config.host}:{port}"), flush=True)
    warning = server.control_warning()
    if warning:
        print(f"comfy-mock: {warning}", file=sys.stderr, flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()
    return 0
