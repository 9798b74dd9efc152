"""HTTP calls to ComfyUI with failures classified into readable errors."""

from __future__ import annotations

import base64
import email.utils
import re
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import requests

from ComfyLibrary.client.node_errors import describe_rejection
from ComfyLibrary.client.resilience import CircuitBreaker, with_retries
from ComfyLibrary.errors import ComfyError, ComfyHttpError, PromptRejected, ServerUnreachable


def normalise_url(url: str) -> str:
    """Checks a server URL and returns it without a trailing slash."""
    text = str(url).strip()
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        valid = False
    if not valid:
        raise ComfyError(
            f"'{hide_password(text)}' is not a ComfyUI server URL: give one like "
            "http://127.0.0.1:8188"
        )
    return text.rstrip("/")


def hide_password(url: str) -> str:
    """``url`` with the password of ``user:password@`` replaced by ``***``."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
    except ValueError:
        return re.sub(r"//([^/@:]*):[^/@]*@", r"//\1:***@", url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def split_credentials(url: str) -> tuple[str, str | None]:
    """A URL without its ``user:password@`` part, and the Basic authorization it gave."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    pair = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}".encode()
    clean = urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    return clean, "Basic " + base64.b64encode(pair).decode()


RETRY_LATER_ATTEMPTS = 5
RETRY_LATER_STATUSES = (429, 503)


class RetryLater(ComfyHttpError):
    """429, or 503 with Retry-After: the server asks to be asked again later."""

    def __init__(self, message: str, status: int, body: object, seconds: float):
        super().__init__(message, status, body)
        self.seconds = seconds


def retry_after_seconds(response: requests.Response) -> float | None:
    """How long a 429 (or a 503 with Retry-After) asks to wait, in seconds; None otherwise.
    Retry-After is a number of seconds or an HTTP date; a 429 without it waits 1 s."""
    if response.status_code not in RETRY_LATER_STATUSES:
        return None
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return 1.0 if response.status_code == 429 else None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0 if response.status_code == 429 else None
    return max(0.0, when.timestamp() - time.time())


def _reason(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake failed"
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    if (
        "Name or service not known" in text
        or "getaddrinfo" in text
        or isinstance(exc, socket.gaierror)
    ):
        return "host name not found"
    if "Connection refused" in text or "ECONNREFUSED" in text:
        return "connection refused"
    if "reset" in text.lower() or "aborted" in text.lower():
        return "connection reset"
    return "connection failed"


class HttpApi:
    """Thin, typed wrapper of ComfyUI's HTTP routes."""

    def __init__(
        self,
        base_url: str,
        timeout: float = 30.0,
        headers: dict[str, str] | None = None,
        retries: int = 2,
        breaker: CircuitBreaker | None = None,
    ):
        self.base_url = normalise_url(base_url)
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update(headers or {})
        self.retries = retries
        self.breaker = breaker or CircuitBreaker()
        self.on_failure: Callable[[Exception], None] | None = None

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        timeout: float | None = None,
        deadline: float | None = None,
        probe: bool = False,
        **kwargs: Any,
    ):
        """One HTTP call; GETs are retried with backoff when the server cannot be reached.

        ``deadline`` (a ``time.monotonic()`` value) bounds the call and its retries: each
        attempt waits at most the time left, and no retry starts after it. A ``probe`` (a
        health check) asks the server even while the circuit breaker is open, and closes
        it when the server answers.
        """
        retries = self.retries if method in ("GET", "HEAD") else 0
        # "ask again later" (429, or 503 with Retry-After) is waited out, within the
        # caller's deadline or else this client's timeout: the server did not act on it
        budget_end = deadline if deadline is not None else time.monotonic() + self.timeout
        for attempt in range(1, RETRY_LATER_ATTEMPTS + 1):
            try:
                return with_retries(
                    lambda: self._request_once(method, path, timeout, deadline, probe, **kwargs),
                    retries,
                    0.05,
                    (ServerUnreachable,),
                    deadline=deadline,
                )
            except RetryLater as later:
                left = budget_end - time.monotonic()
                if attempt == RETRY_LATER_ATTEMPTS or later.seconds > left:
                    why = (
                        f"after {attempt} attempts"
                        if attempt == RETRY_LATER_ATTEMPTS
                        else f"{max(0.0, left):.1f} s were left"
                    )
                    raise ComfyHttpError(
                        f"{later} It asked to be asked again in {later.seconds:g} s; {why}.",
                        later.status,
                        later.body,
                    ) from None
                time.sleep(later.seconds)
        raise AssertionError("unreachable")  # pragma: no cover

    def _request_once(
        self,
        method: str,
        path: str,
        timeout: float | None,
        deadline: float | None,
        probe: bool = False,
        **kwargs: Any,
    ):
        url = self.base_url + path
        limit = timeout or self.timeout
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ServerUnreachable(
                    f"No time left to call ComfyUI at {self.base_url} ({method} {path}).",
                    retryable=False,
                )
            limit = min(limit, max(left, 0.05))
        if not probe:
            self.breaker.before_call(self.base_url)
        try:
            response = self.session.request(method, url, timeout=limit, **kwargs)
        except requests.RequestException as exc:
            self.breaker.failed()
            if self.on_failure is not None:
                self.on_failure(exc)
            reason = _reason(exc)
            raise ServerUnreachable(
                f"Cannot reach ComfyUI at {self.base_url}: {reason} ({method} {path}). "
                "Check that the server is running and the URL is right.",
                retryable=reason != "timed out",  # a hung server is not retried
            ) from None
        if response.status_code >= 500:
            self.breaker.failed()
        else:
            self.breaker.succeeded()
        later = retry_after_seconds(response)
        if later is not None:
            raise RetryLater(
                f"ComfyUI at {self.base_url} answered {method} {path} with HTTP "
                f"{response.status_code} ({response.text.strip()[:120] or 'no body'}).",
                response.status_code,
                response.text,
                later,
            )
        if response.status_code in (401, 403):
            raise ComfyHttpError(
                f"ComfyUI at {self.base_url} refused {method} {path} with HTTP "
                f"{response.status_code}: check the credentials or headers given to the client.",
                response.status_code,
            )
        if response.status_code >= 500:
            raise ComfyHttpError(
                f"ComfyUI at {self.base_url} failed on {method} {path} with HTTP "
                f"{response.status_code}: {response.text.strip()[:200]}",
                response.status_code,
                response.text,
            )
        return response

    def get_json(self, path: str, **kwargs: Any) -> Any:
        response = self.request("GET", path, **kwargs)
        self._raise_for_client_error(response, "GET", path)
        return response.json()

    def post_json(self, path: str, body: Any, **kwargs: Any) -> Any:
        response = self.request("POST", path, json=body, **kwargs)
        self._raise_for_client_error(response, "POST", path)
        return response.json() if response.content else None

    def submit_prompt(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.request("POST", "/prompt", json=body)
        if response.status_code == 400:
            try:
                detail = response.json()
            except ValueError:
                detail = response.text
            raise PromptRejected(describe_rejection(detail), 400, detail)
        self._raise_for_client_error(response, "POST", "/prompt")
        return response.json()

    def download(self, filename: str, subfolder: str, folder_type: str) -> bytes:
        params = {"filename": filename, "subfolder": subfolder, "type": folder_type}
        response = self.request("GET", "/view", params=params)
        if response.status_code == 404:
            raise ComfyHttpError(
                f"ComfyUI has no file '{filename}' in {folder_type}/{subfolder} (HTTP 404)", 404
            )
        self._raise_for_client_error(response, "GET", "/view")
        return response.content

    def _raise_for_client_error(self, response: requests.Response, method: str, path: str) -> None:
        if response.status_code >= 400:
            raise ComfyHttpError(
                f"ComfyUI at {self.base_url} answered {method} {path} with HTTP "
                f"{response.status_code}: {response.text.strip()[:200] or '(empty body)'}",
                response.status_code,
                response.text,
            )
