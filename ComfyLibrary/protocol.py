"""ComfyUI wire-protocol constants shared by the client and the mock server.

These are facts of ComfyUI's HTTP and WebSocket API (event names, binary frame
types, error type names). Nothing else is shared between the two sides: the mock
is a separate process that must behave like ComfyUI, not like our client.
"""

# WebSocket JSON event types, in the order a successful run emits them.
STATUS = "status"
FEATURE_FLAGS = "feature_flags"
EXECUTION_START = "execution_start"
EXECUTION_CACHED = "execution_cached"
PROGRESS_STATE = "progress_state"
EXECUTING = "executing"
PROGRESS = "progress"
EXECUTED = "executed"
EXECUTION_SUCCESS = "execution_success"
EXECUTION_ERROR = "execution_error"
EXECUTION_INTERRUPTED = "execution_interrupted"

# Binary WebSocket frames start with a big-endian uint32 carrying one of these.
BINARY_PREVIEW_IMAGE = 1
BINARY_UNENCODED_PREVIEW_IMAGE = 2
BINARY_TEXT = 3
BINARY_PREVIEW_IMAGE_WITH_METADATA = 4

# Image format codes inside a PREVIEW_IMAGE frame.
PREVIEW_FORMAT_JPEG = 1
PREVIEW_FORMAT_PNG = 2

# The feature flags a ComfyUI 0.8 server announces.
SERVER_FEATURE_FLAGS = {
    "supports_preview_metadata": True,
    "max_upload_size": 104857600,
    "extension": {"manager": {"supports_v4": True}},
}

# POST /prompt error types (error.type) and node error types (node_errors[id].errors[].type).
ERROR_NO_PROMPT = "no_prompt"
ERROR_NO_OUTPUTS = "prompt_no_outputs"
ERROR_INVALID_PROMPT = "invalid_prompt"
ERROR_OUTPUTS_FAILED = "prompt_outputs_failed_validation"

# Output folder types served by /view.
FOLDER_TYPES = ("output", "input", "temp")

# The mock's /mock/ control routes: the token they require when the mock listens beyond
# loopback, given to the mock in this environment variable and sent in this header.
MOCK_CONTROL_TOKEN_ENV = "COMFY_MOCK_CONTROL_TOKEN"
MOCK_CONTROL_TOKEN_HEADER = "X-Comfy-Mock-Token"


def is_loopback(host: str) -> bool:
    """Whether a listen address or host name is loopback only (``127.0.0.1``, ``::1``,
    ``localhost``); ``0.0.0.0`` and real addresses are not."""
    import ipaddress

    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
