"""ComfyUI (or the mock) in a Docker container, driven through the docker SDK, with the same
lifecycle as a server process: start, readiness, crash, stop, freeze, restart, logs.

Every container carries the label ``comfylibrary`` (and the run id and alias), so cleanup
finds each one, including a container left ``created`` when the engine could not give it
the GPU it asked for.
"""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path
from typing import Any

from ComfyLibrary.errors import ComfyError, ServerStartError
from ComfyLibrary.protocol import MOCK_CONTROL_TOKEN_ENV
from ComfyLibrary.servers.guardian import GUARDIAN, remove_containers
from ComfyLibrary.servers.ports import free_port
from ComfyLibrary.servers.readiness import http_answers, wait_until_ready

LABEL = "comfylibrary"
RUN_ID = uuid.uuid4().hex[:12]
CONTAINER_PORT = 8188


def docker_client() -> Any:
    """A docker SDK client, or one clear error when no engine answers."""
    try:
        import docker
    except ImportError:
        raise ComfyError(
            "The container keywords need the docker SDK: "
            "pip install 'robotframework-comfylibrary[docker]'."
        ) from None

    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except Exception as exc:
        raise ComfyError(
            "No Docker engine answers (DOCKER_HOST or /var/run/docker.sock): start one, e.g. "
            f"scripts/docker-engine.sh start, or run ComfyUI as a process. ({exc})"
        ) from None
    return client


def gpu_device_ids(gpus: Any) -> list[str] | str | int | None:
    """What ``gpus`` asks for: None (no GPU), ``"all"``, a count (``count=2``) as an int,
    or device ids: an index (``1``), a list (``0,1`` or ``[0, 1]``) or GPU UUIDs."""
    if gpus is None or (isinstance(gpus, str) and gpus.strip().lower() in ("", "none")):
        return None
    if isinstance(gpus, bool):
        return "all" if gpus else None
    if isinstance(gpus, int):
        return [str(gpus)]
    if isinstance(gpus, list | tuple):
        return [str(g).strip() for g in gpus]
    text = str(gpus).strip()
    if text.lower() == "all":
        return "all"
    if text.lower().startswith("count="):
        count = text.partition("=")[2].strip()
        if not count.isdigit() or int(count) < 1:
            raise ComfyError(f"gpus='{text}' is not a GPU count: write it like count=2.")
        return int(count)
    ids = [part.strip() for part in text.strip("[]").split(",") if part.strip()]
    if not ids:
        raise ComfyError(f"gpus='{text}' names no GPU: give all, count=N, 0 or 0,1.")
    return ids


def gpu_requests(gpus: Any) -> list[Any]:
    """The docker SDK's device requests for ``gpus`` (see `gpu_device_ids`)."""
    import docker

    wanted = gpu_device_ids(gpus)
    if wanted is None:
        return []
    if wanted == "all":
        return [docker.types.DeviceRequest(count=-1, capabilities=[["gpu"]])]
    if isinstance(wanted, int):
        return [docker.types.DeviceRequest(count=wanted, capabilities=[["gpu"]])]
    return [docker.types.DeviceRequest(device_ids=list(wanted), capabilities=[["gpu"]])]


def parse_volumes(volumes: Any) -> dict[str, dict[str, str]]:
    """Mounts from a dict (``{"/host": "/in:ro"}``) or from ``host:container:ro`` items."""
    if not volumes:
        return {}
    items = (
        volumes.items()
        if isinstance(volumes, dict)
        else ((v.split(":", 1)[0], v.split(":", 1)[1]) for v in volumes)
    )
    mounts = {}
    for host, target in items:
        bind, _, mode = str(target).partition(":")
        mounts[str(Path(host).resolve())] = {"bind": bind, "mode": mode or "rw"}
    return mounts


class ContainerServer:
    """A ComfyUI-speaking container published on a free loopback port."""

    kind = "container"

    def __init__(
        self,
        image: str,
        name: str,
        log_path: Path,
        port: int = 0,
        host: str = "127.0.0.1",
        command: list[str] | None = None,
        environment: dict[str, str] | None = None,
        volumes: Any = None,
        gpus: Any = None,
        shm_size: str | None = None,
    ):
        self.client = docker_client()
        self.image = image
        self.name = name
        self.log_path = log_path
        self.host = host
        self.port = port or free_port(host)
        self.command = command or []
        self.environment = environment or {}
        self.control_token: str | None = self.environment.get(MOCK_CONTROL_TOKEN_ENV)
        self.volumes = parse_volumes(volumes)
        self.gpus = gpus
        self.shm_size = shm_size
        self.container: Any = None
        self.frozen = False
        self.ready_seconds: float | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> str | None:
        return self.container.short_id if self.container is not None else None

    def _status(self) -> str:
        if self.container is None:
            return "absent"
        try:
            self.container.reload()
        except Exception:
            return "absent"
        return self.container.status

    def is_running(self) -> bool:
        return self._status() in ("running", "paused")

    def answers(self, timeout: float = 1.0) -> bool:
        return http_answers(self.host, self.port, timeout)

    def log_tail(self, lines: int = 20) -> list[str]:
        if self.container is None:
            return []
        try:
            text = self.container.logs(tail=lines).decode(errors="replace")
        except Exception:
            return []
        return text.splitlines()

    def start(self, ready_timeout: float = 120.0) -> float:
        import time

        import docker

        started = time.monotonic()
        if self.container is not None and self._status() != "absent":
            self.container.start()
        else:
            labels = {LABEL: "1", f"{LABEL}.run": RUN_ID, f"{LABEL}.alias": self.name}
            GUARDIAN.watch_label(f"{LABEL}.run={RUN_ID}")  # removes it if this process dies
            try:
                self.client.images.get(self.image)  # never pull: runners build their images
                self.container = self.client.containers.run(
                    self.image,
                    self.command,
                    detach=True,
                    init=True,
                    labels=labels,
                    ports={f"{CONTAINER_PORT}/tcp": (self.host, self.port)},
                    environment=self.environment,
                    volumes=self.volumes,
                    device_requests=gpu_requests(self.gpus),
                    shm_size=self.shm_size,
                )
            except docker.errors.ImageNotFound:
                raise ServerStartError(
                    f"Image '{self.image}' is not on this Docker engine: build it first "
                    "(see docker/README.md); the library never pulls images."
                ) from None
            except docker.errors.APIError as exc:
                self._remove_leftovers()
                reason = exc.explanation or str(exc)
                if "gpu" in reason.lower() or "device driver" in reason.lower():
                    raise ServerStartError(
                        f"Docker could not give container '{self.name}' the GPU it asked for "
                        f"({reason}). Install the NVIDIA Container Toolkit on the host, or start "
                        "it without gpus=."
                    ) from None
                raise ServerStartError(f"Docker could not start '{self.name}': {reason}") from None
        self.frozen = False
        try:
            wait_until_ready(
                self.name,
                self.host,
                self.port,
                ready_timeout,
                self.is_running,
                lambda: f"exited ({self._status()})",
                self._tail_text,
                self.kill,
            )
        except BaseException:
            self.kill()
            raise
        self.ready_seconds = time.monotonic() - started
        return self.ready_seconds

    def _tail_text(self) -> str:
        tail = self.log_tail(8)
        return " | ".join(tail) if tail else "(no output)"

    def _remove_leftovers(self) -> None:
        """Removes containers of this alias left behind by a failed start (e.g. ``created``)."""
        filters = {"label": [f"{LABEL}.run={RUN_ID}", f"{LABEL}.alias={self.name}"]}
        for container in self.client.containers.list(all=True, filters=filters):
            with contextlib.suppress(Exception):
                container.remove(force=True)

    def kill(self) -> None:
        if self._status() in ("running", "paused"):
            with contextlib.suppress(Exception):
                self.container.kill()
                self.container.wait(timeout=10)
        self.save_log()

    def stop(self, timeout: float = 10.0) -> bool:
        if self._status() == "paused":
            self.thaw()
        if self._status() == "running":
            with contextlib.suppress(Exception):
                self.container.stop(timeout=int(max(1, timeout)))
        self.save_log()
        return True

    def freeze(self) -> None:
        self.container.pause()
        self.frozen = True

    def thaw(self) -> None:
        self.container.unpause()
        self.frozen = False

    def remove(self) -> None:
        self.save_log()
        if self.container is not None:
            with contextlib.suppress(Exception):
                self.container.remove(force=True)
        self._remove_leftovers()

    def save_log(self) -> None:
        """Writes what the container printed, each line prefixed ``[Server <alias>]``."""
        if self.container is None:
            return
        try:
            text = self.container.logs().decode(errors="replace")
        except Exception:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log_path.write_text(
            "".join(f"[Server {self.name}] {line}\n" for line in text.splitlines()),
            encoding="utf-8",
        )


def remove_labelled(run_only: bool = True) -> int:
    """Removes every container with the library's label (of this run only by default)."""
    return remove_containers(f"{LABEL}.run={RUN_ID}" if run_only else LABEL)
