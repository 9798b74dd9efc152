"""Robot-facing keyword components: thin translations of Robot arguments into calls
on the client, servers, workflow and media layers."""

from ComfyLibrary.keywords.audio import AudioKeywords
from ComfyLibrary.keywords.connection import ConnectionKeywords
from ComfyLibrary.keywords.containers import ContainerKeywords
from ComfyLibrary.keywords.execution import ExecutionKeywords
from ComfyLibrary.keywords.faults import FaultKeywords
from ComfyLibrary.keywords.images import ImageKeywords
from ComfyLibrary.keywords.models import TestModelKeywords
from ComfyLibrary.keywords.network import NetworkKeywords
from ComfyLibrary.keywords.profiles import ProfileKeywords
from ComfyLibrary.keywords.prompts import PromptKeywords
from ComfyLibrary.keywords.runs import RunKeywords
from ComfyLibrary.keywords.servers import ServerKeywords
from ComfyLibrary.keywords.videos import VideoKeywords
from ComfyLibrary.keywords.workflow import WorkflowKeywords

__all__ = [
    "AudioKeywords",
    "ConnectionKeywords",
    "ContainerKeywords",
    "ExecutionKeywords",
    "FaultKeywords",
    "ImageKeywords",
    "NetworkKeywords",
    "ProfileKeywords",
    "PromptKeywords",
    "RunKeywords",
    "ServerKeywords",
    "TestModelKeywords",
    "VideoKeywords",
    "WorkflowKeywords",
]
