"""Where the library's settings come from, in this order: the keyword's argument, the
library's import argument, the environment, the default. Credentials from the
environment are kept as secrets and never logged."""

from __future__ import annotations

import os

from ComfyLibrary.errors import ComfyError

DEFAULT_URL = "http://127.0.0.1:8188"
DEFAULT_TIMEOUT_SECONDS = 30.0

URL_VARIABLE = "COMFYUI_URL"
# the second is the name earlier ComfyUI test tools used
TIMEOUT_VARIABLES = ("COMFYUI_TIMEOUT", "TEST_TIMEOUT")
TOKEN_VARIABLE = "COMFYUI_TOKEN"
USERNAME_VARIABLE = "COMFYUI_USERNAME"
PASSWORD_VARIABLE = "COMFYUI_PASSWORD"


def env(name: str) -> str | None:
    """An environment variable, None when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


def env_timeout_seconds() -> float | None:
    """``COMFYUI_TIMEOUT`` (or ``TEST_TIMEOUT``) as seconds: a Robot time string or a number."""
    from robot.utils import timestr_to_secs

    for name in TIMEOUT_VARIABLES:
        value = env(name)
        if value is None:
            continue
        try:
            return float(timestr_to_secs(value))
        except ValueError:
            raise ComfyError(
                f"Environment variable {name}='{value}' is not a time: give one like 30s "
                "or 2 minutes."
            ) from None
    return None


STRICT_REFERENCES_VARIABLE = "COMFY_CI"  # 1: a missing reference fails; 0: it is written
TRUE_WORDS = ("1", "true", "yes", "on")


def missing_references_fail() -> bool:
    """Whether a missing golden reference or baseline fails instead of being written, as
    Jest's ``--ci`` does: ``COMFY_CI`` says so explicitly, else ``CI`` (set by CI systems)."""
    explicit = env(STRICT_REFERENCES_VARIABLE)
    if explicit is not None:
        return explicit.lower() in TRUE_WORDS
    return (env("CI") or "").lower() in TRUE_WORDS
