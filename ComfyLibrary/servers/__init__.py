"""Process lifecycle of ComfyUI servers (mock or real): spawn, readiness, crash,
graceful stop, restart, log capture and no orphans. Plain Python."""

from ComfyLibrary.servers.process import ServerProcess, mock_command, mock_folders
from ComfyLibrary.servers.registry import ServerRegistry

__all__ = ["ServerProcess", "ServerRegistry", "mock_command", "mock_folders"]
