"""Robot-facing keyword components: thin translations of Robot arguments into calls
on the client, servers, workflow and media layers."""

from ComfyLibrary.keywords.client import ClientKeywords
from ComfyLibrary.keywords.media import MediaKeywords
from ComfyLibrary.keywords.servers import ServerKeywords
from ComfyLibrary.keywords.workflow import WorkflowKeywords

__all__ = ["ClientKeywords", "MediaKeywords", "ServerKeywords", "WorkflowKeywords"]
