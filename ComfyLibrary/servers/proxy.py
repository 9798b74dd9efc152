"""A TCP proxy that puts a bad network between a client and any server.

It runs an asyncio loop in its own thread and forwards bytes both ways. Faults:
latency per chunk, a bandwidth cap, dropping every open connection, a blackhole
(accept, read, never forward or answer: clients time out) and refusing new
connections (the listening socket is closed; ``restore`` opens it again on the
same port).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from ComfyLibrary.errors import ComfyError
from ComfyLibrary.servers.ports import free_port

CHUNK = 65536


@dataclass
class ProxyFaults:
    latency: float = 0.0
    bandwidth: float = 0.0  # bytes per second, 0 = unlimited
    blackhole: bool = False


class NetworkProxy:
    def __init__(self, target_url: str, port: int = 0, host: str = "127.0.0.1"):
        parts = urlsplit(target_url)
        if not parts.hostname or not parts.port:
            raise ComfyError(f"'{target_url}' needs a host and a port, like http://127.0.0.1:8188")
        self.target = (parts.hostname, parts.port)
        self.host = host
        self.port = port or free_port(host)
        self.faults = ProxyFaults()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="network-proxy", daemon=True
        )
        self._server: asyncio.AbstractServer | None = None
        self._connections: set[asyncio.StreamWriter] = set()
        self.accepted = 0

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        self._thread.start()
        self._call(self._listen())
        return self.url

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        self._call(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    # Faults -----------------------------------------------------------------

    def set_latency(self, seconds: float) -> None:
        self.faults.latency = max(0.0, seconds)

    def set_bandwidth(self, bytes_per_second: float) -> None:
        self.faults.bandwidth = max(0.0, bytes_per_second)

    def drop_connections(self) -> int:
        return self._call(self._drop())

    def blackhole(self) -> None:
        self.faults.blackhole = True

    def refuse_connections(self) -> None:
        """Closes the listening socket: new connections are refused; open ones are dropped."""
        self._call(self._stop_listening())
        self._call(self._drop())

    def restore(self) -> None:
        """Clears every fault and listens again if connections were refused."""
        self.faults = ProxyFaults()
        if self._server is None:
            self._call(self._listen())

    # Internals --------------------------------------------------------------

    def _call(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=10)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._handle, self.host, self.port, reuse_address=True
        )

    async def _stop_listening(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _drop(self) -> int:
        count = len(self._connections)
        for writer in list(self._connections):
            writer.transport.abort()
        self._connections.clear()
        return count

    async def _shutdown(self) -> None:
        await self._stop_listening()
        await self._drop()
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    async def _handle(self, client_reader, client_writer) -> None:
        # cancelled at shutdown: end quietly (asyncio would print the cancellation as an
        # error of the connection's callback)
        with contextlib.suppress(asyncio.CancelledError):
            await self._serve_connection(client_reader, client_writer)

    async def _serve_connection(self, client_reader, client_writer) -> None:
        self.accepted += 1
        self._connections.add(client_writer)
        if self.faults.blackhole:
            await self._swallow(client_reader, client_writer)
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            self._connections.discard(client_writer)
            return
        self._connections.add(server_writer)
        await asyncio.gather(
            self._pipe(client_reader, server_writer),
            self._pipe(server_reader, client_writer),
        )
        for writer in (client_writer, server_writer):
            self._connections.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def _swallow(self, reader, writer) -> None:
        with contextlib.suppress(Exception):
            while await reader.read(CHUNK):
                pass
        self._connections.discard(writer)

    async def _pipe(self, reader, writer) -> None:
        try:
            while True:
                data = await reader.read(CHUNK)
                if not data:
                    break
                if self.faults.blackhole:
                    continue
                delay = self.faults.latency
                if self.faults.bandwidth:
                    delay += len(data) / self.faults.bandwidth
                if delay:
                    await asyncio.sleep(delay)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.write_eof()
