"""Keywords that connect clients to ComfyUI, follow their connection state and events."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from robotlibcore import keyword

from ComfyLibrary.client import ComfyClient, ConnectionState
from ComfyLibrary.client.connection import Backoff
from ComfyLibrary.client.events import EVENT_FIELDS, Event
from ComfyLibrary.errors import ComfyError, WaitTimeout
from ComfyLibrary.keywords.arguments import check_filter_names
from ComfyLibrary.keywords.assertions import AssertionOperator, dot, polled
from ComfyLibrary.keywords.context import LibraryComponent
from ComfyLibrary.keywords.fleet import acquire_server
from ComfyLibrary.report.metrics import recoveries
from ComfyLibrary.report.provenance import client_side, runner_line, server_line, server_side
from ComfyLibrary.settings import (
    PASSWORD_VARIABLE,
    TOKEN_VARIABLE,
    URL_VARIABLE,
    USERNAME_VARIABLE,
    env,
)

if TYPE_CHECKING:
    SecretText = Any
else:
    try:  # Robot Framework 7.4+: values that log.html never shows
        from robot.api.types import Secret

        SecretText = Secret | str
    except ImportError:  # pragma: no cover - older Robot Framework
        SecretText = str

STATE_VALUES = [s.value for s in ConnectionState]
STATES = ", ".join(STATE_VALUES)


def reveal(value: Any) -> str:
    return str(getattr(value, "value", value))


def matches(event: Event, event_type: str, payload: dict[str, Any]) -> bool:
    if event.type != event_type:
        return False
    for key, expected in payload.items():
        actual = event.get(key)
        if str(actual) != str(expected):
            return False
    return True


def describe(event_type: str, payload: dict[str, Any]) -> str:
    if not payload:
        return f"'{event_type}'"
    return f"'{event_type}' with " + ", ".join(f"{k}={v}" for k, v in payload.items())


class ConnectionKeywords(LibraryComponent):
    """Connection, reconnection and event keywords."""

    @keyword("Connect To ComfyUI", tags=("Connection",))
    def connect_to_comfyui(
        self,
        url: str | None = None,
        alias: str | None = None,
        client_id: str | None = None,
        timeout: timedelta | None = None,
        auto_reconnect: bool = True,
        headers: dict[str, str] | None = None,
        token: SecretText | None = None,
        username: str | None = None,
        password: SecretText | None = None,
        backoff_initial: timedelta = timedelta(milliseconds=50),
        backoff_multiplier: float = 1.5,
        backoff_max: timedelta = timedelta(seconds=1),
        backoff_jitter: float = 0.1,
        max_attempts: int = 0,
        ping_interval: timedelta = timedelta(seconds=2),
        ping_timeout: timedelta = timedelta(seconds=3),
        on_reconnection_failed: str | None = None,
        http_retries: int = 2,
        breaker_threshold: int = 5,
        breaker_cooldown: timedelta = timedelta(seconds=2),
        server_wait: timedelta = timedelta(minutes=10),
    ) -> str:
        """Connects a client to ComfyUI over HTTP and WebSocket and returns its alias.

        ``url`` defaults to the library's ``url`` import argument, else ``COMFYUI_URL``
        (see `Configuration`). Credentials in the URL (``http://user:pass@host``) are
        sent as Basic authentication and never shown. The client gets
        its own ``client_id`` (random unless given) and receives the events of the
        prompts it submits. The new client becomes the current one.

        | =Argument= | =Description= |
        | ``alias`` | Name for the client; default ``client1``, ``client2``, ... |
        | ``auto_reconnect`` | Reconnect by itself after a drop (default). |
        | ``headers`` | Extra HTTP and WebSocket upgrade headers. |
        | ``token`` | Bearer token; give it as a ``Secret`` so the log never shows it. |
        | ``username``, ``password`` | Basic authentication (password as a ``Secret``). |
        | ``backoff_initial``, ``backoff_multiplier``, ``backoff_max``, ``backoff_jitter`` | Delays between reconnection attempts: 50 ms, growing by 1.5 each time, at most 1 s, +-10 %. |
        | ``max_attempts`` | Attempts before ``reconnection_failed``; ``0`` (default) never gives up. |
        | ``ping_interval``, ``ping_timeout`` | A silent socket is pinged; no answer in time means it is dead. |
        | ``on_reconnection_failed`` | A keyword run (with the client alias) when reconnection fails. |
        | ``http_retries`` | How often a failed GET is tried again (50 ms, then doubling), default 2. |
        | ``breaker_threshold``, ``breaker_cooldown`` | After that many failed calls in a row the client fails fast, then lets one trial call through after the cool-down (default 5 and 2 s; threshold ``0`` turns it off). |

        How the client lives through the usual failures:

        | =Scenario= | =What the client does= | =Arguments= |
        | network interruption (socket dropped) | ``disconnected``, then reconnects with backoff and reads the history again | ``backoff_*``, ``max_attempts``, ``on_reconnection_failed`` |
        | server timeout (hung, no answer) | each call gives up after ``timeout``; a silent socket is noticed by ping | ``timeout``, ``ping_interval``, ``ping_timeout`` |
        | connection refused (server down) | GETs are retried; after ``breaker_threshold`` failures in a row calls fail fast until one trial call succeeds | ``http_retries``, ``breaker_threshold``, ``breaker_cooldown`` |

        `Get Recovery Times` and `Recovery Time Should Be Less Than` measure how long each
        recovery took.

        ``token``, ``username`` and ``password`` default to ``COMFYUI_TOKEN``,
        ``COMFYUI_USERNAME`` and ``COMFYUI_PASSWORD``.

        Under pabot with ``--resourcefile``, when no URL is given anywhere (argument,
        import, ``COMFYUI_URL``), the client takes a free server of PabotLib's value sets
        with ``type=comfyui`` and a ``url`` (and optional ``token``, ``gpu``, ``name``),
        waiting up to ``server_wait`` for one; it holds it alone and gives it back when
        the client is closed, which the end of the test or suite that connected does
        (see `Parallel runs`).

        Fails with one line when the server cannot be reached (refused, unknown host,
        timeout, TLS) or refuses the credentials.

        Example:
        | ${url} =    Start Mock Server
        | Connect To ComfyUI    ${url}
        | Connect To ComfyUI    ${url}    alias=second    auto_reconnect=False
        | Connect To ComfyUI    https://comfy.example    token=${TOKEN}
        """
        all_headers = dict(headers or {})
        token = token if token is not None else env(TOKEN_VARIABLE)
        username = username if username is not None else env(USERNAME_VARIABLE)
        password = password if password is not None else env(PASSWORD_VARIABLE)
        if token is not None:
            all_headers["Authorization"] = f"Bearer {reveal(token)}"
        elif username is not None:
            pair = f"{username}:{reveal(password or '')}".encode()
            all_headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        backoff = Backoff(
            backoff_initial.total_seconds(),
            backoff_multiplier,
            backoff_max.total_seconds(),
            backoff_jitter,
            max_attempts,
        )
        lease = None
        if not url and self.library.url_given is None and env(URL_VARIABLE) is None:
            lease = acquire_server(server_wait.total_seconds())
        if lease is not None:
            url = lease.url
            if lease.token and token is None and "Authorization" not in all_headers:
                all_headers["Authorization"] = f"Bearer {lease.token}"
            self.info(f"PabotLib gave this test ComfyUI server {lease.describe()}.")
        target = url or self.library.server_url()
        try:
            client = ComfyClient(
                target,
                client_id=client_id,
                timeout=self.seconds(timeout),
                headers=all_headers,
                auto_reconnect=auto_reconnect,
                backoff=backoff,
                ping_interval=ping_interval.total_seconds(),
                ping_timeout=ping_timeout.total_seconds(),
                http_retries=http_retries,
                breaker_threshold=breaker_threshold,
                breaker_cooldown=breaker_cooldown.total_seconds(),
            )
        except BaseException:
            if lease is not None:
                lease.release()
            raise
        client.lease = lease  # closing the client gives the server back
        try:
            stats = client.connect(self.seconds(timeout))
        except BaseException:
            client.close()
            raise
        alias = self.library.clients.add(alias, client)
        self.library.event_marks.pop(alias, None)  # a mark of an earlier client with this alias
        self.library.track("client", alias)
        if on_reconnection_failed:
            client.connection.on_reconnection_failed = lambda: (
                self.library.pending_callbacks.append((on_reconnection_failed, alias))
            )
        secret = " with credentials" if "Authorization" in all_headers else ""
        provenance = {**client_side(), **server_side(stats, client.url)}
        self.info(
            f"Client '{alias}' connected{secret} to {server_line(provenance)}, client_id "
            f"{client.client_id}; this run: {runner_line(provenance)}."
        )
        return alias

    @keyword("ComfyUI Servers Are Configured", tags=("Connection",))
    def comfyui_servers_are_configured(self) -> bool:
        """Returns whether `Connect To ComfyUI` has somewhere to go without a URL argument:
        the ``url`` import argument, ``COMFYUI_URL``, or (under pabot) ComfyUI servers in
        PabotLib's value sets. Suites use it to skip with a reason instead of failing.

        Example:
        | ${configured} =    ComfyUI Servers Are Configured
        | Skip If    not ${configured}    No ComfyUI: give COMFYUI_URL or a pabot resource file
        """
        if self.library.url_given or env(URL_VARIABLE):
            return True
        try:
            lease = acquire_server(0)
        except ComfyError:
            return True  # there are servers; all are in use right now
        if lease is None:
            return False
        lease.release()
        return True

    @keyword("Get System Stats", tags=("Connection",))
    def get_system_stats(
        self,
        key: str | None = None,
        assertion_operator: AssertionOperator | None = None,
        assertion_expected: Any = None,
        message: str | None = None,
        client: str | None = None,
    ) -> Any:
        """Returns the server's ``/system_stats``: ``system`` (``comfyui_version``,
        ``python_version``, ``pytorch_version``, ``ram_total``, ``ram_free``, ``argv``...)
        and ``devices`` (name, type, VRAM). With ``key`` (a dotted path such as
        ``system.comfyui_version``) only that value, checked with an assertion operator
        when one is given (see `Get Image Info`).

        Example:
        | ${stats} =    Get System Stats
        | Log    ${stats.system.pytorch_version}
        | Get System Stats    system.comfyui_version    ==    0.8.0
        """
        http = self.library.clients.get(client)[1].http

        def read() -> Any:
            value: Any = dot(http.get_json("/system_stats"))
            for part in (key or "").split(".") if key else ():
                if isinstance(value, list) and part.isdigit() and int(part) < len(value):
                    value = value[int(part)]
                elif isinstance(value, dict) and part in value:
                    value = value[part]
                else:
                    raise ComfyError(f"System stats have no '{key}' (no '{part}').")
            return value

        what = f"System stats {key}" if key else "System stats"
        return polled(read, assertion_operator, assertion_expected, message, what, self.retry_for())

    @keyword("Get Recovery Times", tags=("Connection",))
    def get_recovery_times(self, client: str | None = None) -> list[dict[str, Any]]:
        """Returns, for every drop of the client's WebSocket so far, ``dropped_at`` (epoch
        seconds), ``reconnect_seconds`` (until ``reconnected``) and
        ``first_completion_seconds`` (until the first prompt after that completed); a
        value is None when that did not happen. The run report keeps them per client.

        Example:
        | ${drops} =    Get Recovery Times
        | Should Be True    ${drops}[0][reconnect_seconds] < 2
        """
        alias, instance = self.library.clients.get(client)
        found = [dot(r) for r in recoveries(instance.events.events())]
        self.library.report.recoveries[alias] = [dict(r) for r in found]
        self.library.report.save(runs_changed=False)
        return found

    @keyword("Recovery Time Should Be Less Than", tags=("Connection",))
    def recovery_time_should_be_less_than(
        self, limit: timedelta, until: str = "reconnected", client: str | None = None
    ):
        """Fails unless the client's last drop was recovered from within ``limit``:
        ``until=reconnected`` (default) measures from the drop to the ``reconnected``
        event, ``until=completed`` to the first prompt completed after it (the time
        users wait before work goes on).

        Example:
        | Kill Server
        | Restart Server
        | Workflow Should Complete    ${prompt_id}
        | Recovery Time Should Be Less Than    2 s
        | Recovery Time Should Be Less Than    5 s    until=completed
        """
        if until not in ("reconnected", "completed"):
            raise ComfyError(f"until must be reconnected or completed, not '{until}'.")
        drops = self.get_recovery_times(client)
        if not drops:
            raise ComfyError("The client never lost its connection: there is no recovery to time.")
        key = "reconnect_seconds" if until == "reconnected" else "first_completion_seconds"
        seconds = drops[-1][key]
        if seconds is None:
            raise AssertionError(f"The client has not {until} since its last drop.")
        self.took_less_than(f"Recovery until {until}", seconds, limit)

    @keyword("Disconnect From ComfyUI", tags=("Connection",))
    def disconnect_from_comfyui(self, client: str | None = None):
        """Closes a client for good: its WebSocket, any reconnection loop and its HTTP session.

        The client keeps its alias with the state ``closed``, so suites can still check
        its state and events; `Close All Clients` forgets it.

        Example:
        | Disconnect From ComfyUI
        | Connection State Should Be    closed
        """
        alias, instance = self.library.clients.get(client)
        instance.close()
        self.info(f"Client '{alias}' disconnected.")

    @keyword("Close All Clients", tags=("Connection",))
    def close_all_clients(self):
        """Closes every client. Safe to call at any time, e.g. in teardown.

        Example:
        | [Teardown]    Close All Clients
        """
        self.library.clients.close_all()

    @keyword("Switch Client", tags=("Connection",))
    def switch_client(self, client: str) -> str:
        """Makes ``client`` the current client and returns the previous one's alias.

        Example:
        | Switch Client    second
        """
        previous = self.library.clients.current
        self.library.clients.get(client)
        self.library.clients.current = client
        return previous or ""

    @keyword("Reconnect Client", tags=("Connection",))
    def reconnect_client(
        self,
        client: str | None = None,
        attempts: int = 10,
        delay: timedelta = timedelta(milliseconds=500),
        timeout: timedelta | None = None,
    ):
        """Reconnects a client's WebSocket by hand and fails if it cannot within ``attempts``
        tries ``delay`` apart, or within ``timeout``.

        Example:
        | Connect To ComfyUI    ${url}    auto_reconnect=False
        | Restart Server
        | Reconnect Client    attempts=20    delay=200 ms
        """
        alias, instance = self.library.clients.get(client)
        seconds = self.seconds(timeout)
        if not instance.reconnect(attempts, delay.total_seconds(), seconds):
            raise ComfyError(
                f"Client '{alias}' could not reconnect to {instance.url} in {attempts} attempt(s) "
                f"within {self.timestr(seconds)}: {instance.connection.last_error or 'no answer'}."
            )
        self.info(f"Client '{alias}' reconnected.")

    @keyword("Validate Connection", tags=("Connection",))
    def validate_connection(
        self, client: str | None = None, timeout: timedelta = timedelta(seconds=5)
    ) -> bool:
        """Returns ``True`` when the server answers over HTTP and the WebSocket is connected,
        ``False`` when the client's server is down or unreachable.

        It always asks the server, even when the client has stopped calling a server that
        kept failing (its circuit breaker is open), and an answer closes the breaker again.
        When the server answers but the WebSocket is reconnecting, the socket is given the
        rest of ``timeout``. The log says why the answer is ``False``: a timeout, a refused
        connection, an HTTP status, or the WebSocket's state.

        Fails when there is no such client (a misspelt alias must not read as "server
        down"); the message names the clients that exist.

        Example:
        | ${ok} =    Validate Connection
        | Should Be True    ${ok}
        | ${ok} =    Validate Connection    client=gpu2
        """
        _, instance = self.library.clients.get(client)
        valid, why = instance.check_connection(timeout.total_seconds())
        self.info(f"Connection is {'valid' if valid else 'not valid'}: {why}")
        return valid

    @keyword("Get Connection State", tags=("Connection",))
    def get_connection_state(
        self,
        assertion_operator: AssertionOperator | None = None,
        assertion_expected: Any = None,
        message: str | None = None,
        client: str | None = None,
    ) -> str:
        """Returns the client's `ConnectionState`: one of connecting, connected,
        reconnecting, disconnected, failed or closed; with an assertion operator it is
        checked too (see `Get Image Info`).

        Example:
        | ${state} =    Get Connection State
        | Get Connection State    ==    connected
        | Get Connection State    !=    failed    client=second
        """
        instance = self.library.clients.get(client)[1]
        if isinstance(assertion_expected, ConnectionState):
            assertion_expected = assertion_expected.value
        elif assertion_expected is not None and str(assertion_expected) not in STATE_VALUES:
            raise ComfyError(
                f"'{assertion_expected}' is not a connection state: use one of {STATES}."
            )
        return polled(
            lambda: instance.state.value,
            assertion_operator,
            assertion_expected,
            message,
            "Connection state",
            self.retry_for(),
        )

    @keyword("Connection State Should Be", tags=("Connection",))
    def connection_state_should_be(self, state: ConnectionState, client: str | None = None):
        """Fails at once unless the client's connection state is ``state`` (a
        `ConnectionState`); `Get Connection State` with ``==`` retries for the retry time
        (`Set Retry Assertions For`).

        Example:
        | Connection State Should Be    connected
        """
        actual = self.library.clients.get(client)[1].state
        if actual is not state:
            raise AssertionError(f"Connection state is '{actual.value}', expected '{state.value}'.")

    @keyword("Wait For Connection", tags=("Connection",))
    def wait_for_connection(self, client: str | None = None, timeout: timedelta | None = None):
        """Waits until the client's WebSocket is connected.

        Example:
        | Restart Server
        | Wait For Connection    timeout=10s
        """
        self._wait_state(client, {ConnectionState.CONNECTED}, timeout, "connected")

    @keyword("Wait For Disconnection", tags=("Connection",))
    def wait_for_disconnection(self, client: str | None = None, timeout: timedelta | None = None):
        """Waits until the client notices its WebSocket is gone (any state but connected).

        Example:
        | Kill Server
        | Wait For Disconnection    timeout=5s
        """
        states = set(ConnectionState) - {ConnectionState.CONNECTED, ConnectionState.CONNECTING}
        self._wait_state(client, states, timeout, "disconnected")

    def _wait_state(self, client, states, timeout, wanted: str) -> None:
        alias, instance = self.library.clients.get(client)
        seconds = self.seconds(timeout)
        if not instance.connection.wait_for_state(states, seconds):
            raise WaitTimeout(
                f"Client '{alias}' was not {wanted} within {self.timestr(seconds)}: "
                f"it is {instance.state.value}."
            )

    # Events -----------------------------------------------------------------

    def _since(self, alias: str) -> int:
        return self.library.event_marks.get(alias, 0)

    @keyword("Start Event Tracking", tags=("Events",))
    def start_event_tracking(self, client: str | None = None):
        """Marks now as the start for `Wait For Event`, `Event Should Have Fired` and
        `Event Should Not Have Fired`: earlier events are ignored by them.

        Example:
        | Start Event Tracking
        | Kill Server
        | Restart Server
        | Wait For Event    reconnected
        """
        alias, instance = self.library.clients.get(client)
        self.library.event_marks[alias] = instance.events.last_seq

    @keyword("Clear Events", tags=("Events",))
    def clear_events(self, client: str | None = None):
        """Forgets every event the client recorded so far (and starts tracking from now).

        Example:
        | Clear Events
        """
        alias, instance = self.library.clients.get(client)
        self.library.event_marks[alias] = instance.events.clear()

    @keyword("Wait For Event", tags=("Events",))
    def wait_for_event(
        self,
        event_type: str,
        timeout: timedelta | None = None,
        client: str | None = None,
        **payload: Any,
    ) -> dict[str, Any]:
        """Waits for an event and returns it (``type``, ``data``, ``time``, ``seq``, ``source``).

        Events are the server's WebSocket messages (``status``, ``executing``,
        ``execution_success``, ...) and the client's connection events (``connected``,
        ``disconnected``, ``reconnecting``, ``reconnected``, ``reconnection_failed``).
        Named arguments must match fields of the event's data, e.g. ``prompt_id=${id}``.
        An event that already arrived since `Start Event Tracking` counts.

        Example:
        | Wait For Event    execution_start    prompt_id=${id}
        | Wait For Event    reconnected    timeout=10s
        """
        self._check_filters(self.wait_for_event, event_type, payload)
        alias, instance = self.library.clients.get(client)
        seconds = self.seconds(timeout)
        found = instance.events.wait_for(
            lambda e: matches(e, event_type, payload), seconds, since=self._since(alias)
        )
        if found is None:
            seen = sorted({e.type for e in instance.events.events(self._since(alias))})
            raise WaitTimeout(
                f"Client '{alias}' saw no {describe(event_type, payload)} event "
                f"within {self.timestr(seconds)} (seen: {', '.join(seen) or 'none'})."
            )
        self.info(f"Event {describe(event_type, payload)} arrived (#{found.seq}).")
        return found.as_dict()

    @keyword("Event Should Have Fired", tags=("Events",))
    def event_should_have_fired(
        self, event_type: str, client: str | None = None, **payload: Any
    ) -> int:
        """Fails unless the event was recorded since `Start Event Tracking`; returns how often.

        Example:
        | Event Should Have Fired    reconnected
        """
        self._check_filters(self.event_should_have_fired, event_type, payload)
        count = self._count(client, event_type, payload)
        if count == 0:
            raise AssertionError(f"No {describe(event_type, payload)} event has fired.")
        return count

    @keyword("Event Should Not Have Fired", tags=("Events",))
    def event_should_not_have_fired(
        self, event_type: str, client: str | None = None, **payload: Any
    ):
        """Fails if the event was recorded since `Start Event Tracking`.

        Example:
        | Event Should Not Have Fired    reconnection_failed
        """
        self._check_filters(self.event_should_not_have_fired, event_type, payload)
        count = self._count(client, event_type, payload)
        if count:
            raise AssertionError(f"{describe(event_type, payload)} fired {count} time(s).")

    @keyword("Get Events", tags=("Events",))
    def get_events(
        self, event_type: str | None = None, client: str | None = None
    ) -> list[dict[str, Any]]:
        """Returns the recorded events since `Start Event Tracking`, optionally of one type.

        Binary preview frames are listed without their image bytes.

        Example:
        | ${events} =    Get Events    reconnecting
        | Length Should Be    ${events}    3
        """
        alias, instance = self.library.clients.get(client)
        found = instance.events.events(
            self._since(alias), lambda e: event_type is None or e.type == event_type
        )
        result = []
        for event in found:
            entry = event.as_dict()
            if event.source == "binary" and isinstance(entry["data"], dict):
                entry["data"] = {
                    k: (f"<{len(v)} bytes>" if isinstance(v, bytes) else v)
                    for k, v in entry["data"].items()
                }
            result.append(entry)
        self.debug(json.dumps(result, default=str)[:4000])
        return result

    @staticmethod
    def _check_filters(keyword_function, event_type: str, payload: dict[str, Any]) -> None:
        check_filter_names(
            keyword_function, payload, EVENT_FIELDS.get(event_type), f"'{event_type}' events"
        )

    def _count(self, client, event_type, payload) -> int:
        alias, instance = self.library.clients.get(client)
        return len(
            instance.events.events(self._since(alias), lambda e: matches(e, event_type, payload))
        )
