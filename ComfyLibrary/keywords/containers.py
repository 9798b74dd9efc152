"""Keywords that run ComfyUI (or the mock) in Docker containers through the docker SDK."""

from __future__ import annotations

import secrets
import shlex
from datetime import timedelta
from typing import Any

from robotlibcore import keyword

from ComfyLibrary.errors import ComfyError
from ComfyLibrary.keywords.context import LibraryComponent, safe_name
from ComfyLibrary.protocol import MOCK_CONTROL_TOKEN_ENV
from ComfyLibrary.servers.containers import ContainerServer, docker_client, remove_labelled
from ComfyLibrary.servers.registry import dispose


class ContainerKeywords(LibraryComponent):
    """Container keywords. A container is a server like any other: `Kill Server`,
    `Restart Server`, `Freeze Server` and the rest work on it by its alias."""

    def _container(self, alias: str | None) -> ContainerServer:
        server = self.library.servers.get(alias)
        if not isinstance(server, ContainerServer):
            raise ComfyError(f"Server '{server.name}' is a process, not a container.")
        return server

    @keyword("Start ComfyUI Container", tags=("Containers", "Servers"))
    def start_comfyui_container(
        self,
        image: str,
        alias: str = "comfyui",
        args: str = "",
        gpus: str | int | list[int] | None = None,
        volumes: Any = None,
        env: dict[str, str] | None = None,
        port: int = 0,
        shm_size: str | None = None,
        ready_timeout: timedelta = timedelta(minutes=3),
    ) -> str:
        """Starts a container from ``image`` on a free loopback port and returns its URL.

        The image's own entry point starts ComfyUI on port 8188; ``args`` are appended
        (e.g. ``--cpu``). ``gpus`` picks the GPUs: a device index (``gpus=1`` is the
        second GPU), a list of indexes or UUIDs (``0,1``), ``all``, or a number of them
        (``count=2``); a suite setup starts one container per GPU this way.
        ``volumes`` maps host folders to container folders (``{"/models": "/opt/ComfyUI/models:ro"}``
        or a list of ``host:container[:ro]``). Ready means ``GET /system_stats``
        answers from the host while the container runs; no fixed sleep.

        The container is labelled so cleanup finds it; it is removed at the end of the
        test or suite that started it (see `Cleanup`). If the engine cannot give it the
        GPU asked for, the keyword fails with the reason and leaves nothing behind.

        Example:
        | ${url} =    Start ComfyUI Container    comfylibrary/comfyui:0.8.0    gpus=all
        | ...    volumes=${{ {"/srv/models": "/opt/ComfyUI/models:ro"} }}
        | ${url} =    Start ComfyUI Container    comfylibrary/comfyui:cpu    args=--cpu
        | ${gpu1} =    Start ComfyUI Container    comfylibrary/comfyui:0.8.0    alias=gpu1    gpus=1
        """
        alias = self.library.servers.unique_alias(alias)
        log_path = self.library.output_root() / "servers" / f"{safe_name(alias)}-container.log"
        server = ContainerServer(
            image,
            alias,
            log_path,
            port=port,
            command=shlex.split(args),
            # a mock image listens on 0.0.0.0 in its container: its control routes need a token
            environment={MOCK_CONTROL_TOKEN_ENV: secrets.token_urlsafe(24), **(env or {})},
            volumes=volumes,
            gpus=gpus,
            shm_size=shm_size,
        )
        self.library.servers.add(alias, server)
        self.library.track("server", alias)
        try:
            seconds = server.start(self.seconds(ready_timeout))
        except BaseException:
            self.library.servers.remove(alias)
            dispose(server, graceful=False)
            raise
        self.info(
            f"Container '{alias}' ({image}, {server.pid}) ready at {server.url} in {seconds:.1f} s."
        )
        self.link(log_path, f"Container log of '{alias}' (written when it stops)")
        return server.url

    @keyword("Docker Image Is Available", tags=("Containers",))
    def docker_image_is_available(self, image: str) -> bool:
        """Returns whether a Docker engine answers and has ``image``. Never fails.

        Example:
        | ${available} =    Docker Image Is Available    comfylibrary/mock:test
        | Skip If    not ${available}    No Docker engine with the image here
        """
        try:
            docker_client().images.get(image)
        except Exception:
            return False
        return True

    @keyword("Kill Container", tags=("Containers",))
    def kill_container(self, alias: str | None = None):
        """Kills a container's main process (SIGKILL), as a crash would. `Restart Container`
        starts the same container again on the same port.

        Example:
        | Kill Container    comfyui
        """
        self._container(alias).kill()

    @keyword("Stop Container", tags=("Containers",))
    def stop_container(self, alias: str | None = None, timeout: timedelta = timedelta(seconds=10)):
        """Stops a container gracefully (SIGTERM, then SIGKILL after ``timeout``).

        Example:
        | Stop Container    comfyui
        """
        self._container(alias).stop(timeout.total_seconds())

    @keyword("Restart Container", tags=("Containers",))
    def restart_container(
        self, alias: str | None = None, ready_timeout: timedelta = timedelta(minutes=3)
    ) -> str:
        """Starts a stopped or killed container again and waits until it serves.

        Example:
        | Kill Container
        | Restart Container
        """
        server = self._container(alias)
        server.stop(5)
        seconds = server.start(self.seconds(ready_timeout))
        self.info(f"Container '{server.name}' restarted in {seconds:.1f} s.")
        return server.url

    @keyword("Get Container Logs", tags=("Containers",))
    def get_container_logs(self, alias: str | None = None, lines: int = 0) -> str:
        """Returns what the container printed, or only its last ``lines`` lines.

        Example:
        | ${logs} =    Get Container Logs    comfyui    lines=50
        """
        server = self._container(alias)
        return "\n".join(server.log_tail(lines if lines > 0 else "all"))  # type: ignore[arg-type]

    @keyword("Stop All Containers", tags=("Containers",))
    def stop_all_containers(self):
        """Removes every container this run started, including any left ``created`` by a
        failed start. Safe to call at any time.

        Example:
        | [Teardown]    Stop All Containers
        """
        for alias in self.library.servers.aliases():
            if isinstance(self.library.servers.get(alias), ContainerServer):
                dispose(self.library.servers.remove(alias))
        removed = remove_labelled()
        if removed:
            self.info(f"Removed {removed} leftover container(s).")
