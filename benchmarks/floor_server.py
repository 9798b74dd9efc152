"""The floor for benchmarks/mock.py: the least an aiohttp server can do for one prompt.

It answers ``POST /prompt`` with a prompt id and sends the submitting client one WebSocket
message, ``executing`` with ``node: null``, the message a client waits for. No queue, no
validation, no files: whatever the mock takes beyond this is the mock's own cost.

With ``--sequence`` it first sends the thirteen messages ComfyUI 0.8 sends for a two-node
prompt (status, execution_start, progress_state, executing, executed...), with no work
between them: what 0.8's protocol costs the same client.

Run: python benchmarks/floor_server.py PORT [--sequence]
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid

from aiohttp import web

SOCKETS: dict[str, web.WebSocketResponse] = {}
SEQUENCE = "--sequence" in sys.argv[2:]
ZERO_EIGHT_EVENTS = (
    "status",
    "status",
    "execution_start",
    "execution_cached",
    "progress_state",
    "executing",
    "progress_state",
    "progress_state",
    "executing",
    "executed",
    "progress_state",
    "execution_success",
    "status",
)


async def send_sequence(socket: web.WebSocketResponse, prompt_id: str) -> None:
    node = {"value": 1.0, "max": 1.0, "state": "finished", "node_id": "1"}
    for event in ZERO_EIGHT_EVENTS if SEQUENCE else ():
        data = {"prompt_id": prompt_id, "node": "1", "nodes": {"1": node}}
        await socket.send_str(json.dumps({"type": event, "data": data}))
    message = {"type": "executing", "data": {"node": None, "prompt_id": prompt_id}}
    await socket.send_str(json.dumps(message))


async def websocket(request: web.Request) -> web.WebSocketResponse:
    socket = web.WebSocketResponse()
    await socket.prepare(request)
    SOCKETS[request.query.get("clientId", "")] = socket
    async for _ in socket:
        pass
    return socket


async def prompt(request: web.Request) -> web.Response:
    body = await request.json()
    prompt_id = str(uuid.uuid4())
    socket = SOCKETS.get(body.get("client_id"))
    if socket is not None:
        asyncio.get_running_loop().create_task(send_sequence(socket, prompt_id))
    return web.json_response({"prompt_id": prompt_id, "number": 0, "node_errors": {}})


async def ready(request: web.Request) -> web.Response:
    return web.json_response({})


def main() -> None:
    app = web.Application()
    app.router.add_get("/ws", websocket)
    app.router.add_post("/prompt", prompt)
    app.router.add_get("/system_stats", ready)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)


if __name__ == "__main__":
    main()
