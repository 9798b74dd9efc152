"""Exceptions of the library: one readable line each, shown by Robot without a class prefix."""

from __future__ import annotations


class ComfyError(Exception):
    """Base of every error the library raises on purpose."""

    ROBOT_SUPPRESS_NAME = True


class ServerUnreachable(ComfyError):
    """The server cannot be reached (refused, DNS, timeout, TLS)."""

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class ComfyHttpError(ComfyError):
    """The server answered with an HTTP error status."""

    def __init__(self, message: str, status: int, body: object = None):
        super().__init__(message)
        self.status = status
        self.body = body


class PromptRejected(ComfyHttpError):
    """POST /prompt answered 400: the workflow failed the server's validation."""


class PromptFailed(ComfyError):
    """The prompt ran and a node raised an error."""


class PromptInterrupted(ComfyError):
    """The prompt was interrupted."""


class PromptLost(ComfyError):
    """The prompt is neither queued, running nor in history (e.g. the server restarted)."""


class WaitTimeout(ComfyError):
    """A wait ended at its deadline."""


class WorkflowError(ComfyError):
    """A workflow file or input path is unusable."""


class MediaError(ComfyError):
    """A media file is unreadable or fails a check."""


class ServerStartError(ComfyError):
    """A server process could not be started or did not become ready."""
