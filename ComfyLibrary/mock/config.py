"""Options of the mock server, shared by the command line and the Python API."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class MockConfig:
    host: str = "127.0.0.1"
    port: int = 8188
    output_directory: Path | None = None
    input_directory: Path | None = None
    temp_directory: Path | None = None
    step_ms: float = 2.0
    object_info: Path | None = None
    models: Path | None = None
    profile: Path | None = None  # a team's ComfyUI profile (comfy-mock capture)
    comfyui_version: str | None = None  # the ComfyUI version to be (default 0.8.0)
    latency_ms: float = 0.0
    history_delay_ms: float = 0.0
    stall: bool = False
    keep_queue_on_restart: bool = False
    control_token: str | None = None
    pace: float | None = None

    def served_version(self, profile: Any = None) -> str:
        """The ComfyUI version to be: the one asked for, else the profiled server's when the
        mock can be it, else 0.8.0."""
        from ComfyLibrary.mock.versions import DEFAULT_VERSION, check_version, supported

        if self.comfyui_version:
            return check_version(self.comfyui_version)
        profiled = str((profile.system if profile is not None else {}).get("comfyui_version"))
        return profiled if profiled in supported() else DEFAULT_VERSION

    def apply_faults(self, faults: Any) -> None:
        """Sets the faults asked for on the command line."""
        faults.set_latency(self.latency_ms)
        faults.state.pace = self.pace
        faults.state.history_delay_ms = self.history_delay_ms
        faults.state.keep_queue = self.keep_queue_on_restart
        if self.stall:
            faults.set_stalled(True)

    private_root: Path | None = None
    user_dir: Path | None = None  # ComfyUI's user folder: settings and the editor's files

    def user_directory(self) -> Path:
        """The user folder: given, or ``user`` next to the output folder."""
        if self.user_dir is not None:
            return Path(self.user_dir)
        output, _, _ = self._folders or self.resolve_directories()
        return Path(output).parent / "user"

    _folders: tuple[Path, Path, Path] | None = None

    def resolve_directories(self) -> tuple[Path, Path, Path]:
        """Returns the output, input and temp folders, creating a private root when not given
        (``private_root``, removed again when the server stops)."""
        root: Path | None = None
        folders = []
        for given, name in (
            (self.output_directory, "output"),
            (self.input_directory, "input"),
            (self.temp_directory, "temp"),
        ):
            if given is not None:
                path = Path(given)
            else:
                if root is None:
                    root = Path(tempfile.mkdtemp(prefix="comfy-mock-"))
                path = root / name
            path.mkdir(parents=True, exist_ok=True)
            folders.append(path)
        self.private_root = root
        self._folders = (folders[0], folders[1], folders[2])
        return self._folders

    def model_lists(self) -> dict[str, list[str]] | None:
        if self.models is None:
            return None
        data = json.loads(Path(self.models).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
            raise ValueError(
                f"{self.models} must hold a JSON object of folder name -> [file names]"
            )
        return {str(k): [str(x) for x in v] for k, v in data.items()}

    def argv(self) -> list[str]:
        """``system.argv`` of /system_stats. ``--disable-api-nodes``: the catalog has no API
        nodes (recorded from a 0.8 started so), and ComfyUI's editor reads it there: without
        it the editor asks api.comfy.org for releases, which a 0.8 started so never does."""
        return [
            "comfy-mock",
            "--listen",
            self.host,
            "--port",
            str(self.port),
            "--disable-api-nodes",
        ]
