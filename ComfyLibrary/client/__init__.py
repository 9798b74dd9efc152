"""A ComfyUI client: HTTP calls, a WebSocket listener thread with an event log, and
prompt tracking. Plain Python: usable without Robot Framework.
"""

from ComfyLibrary.client.client import ComfyClient, PromptHandle
from ComfyLibrary.client.connection import ConnectionState

__all__ = ["ComfyClient", "ConnectionState", "PromptHandle"]
