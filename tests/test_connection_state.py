"""The client's connection state machine against real server crashes, step by step."""

from __future__ import annotations

import threading
import time

import pytest

from ComfyLibrary.client import ComfyClient, ConnectionState
from ComfyLibrary.client.connection import Backoff
from ComfyLibrary.client.resilience import CircuitBreaker, CircuitOpen

CONNECTION_EVENTS = {
    "connected",
    "disconnected",
    "reconnecting",
    "reconnected",
    "reconnection_failed",
}


def connection_events(client: ComfyClient, since: int = 0) -> list[str]:
    return [e.type for e in client.events.events(since) if e.type in CONNECTION_EVENTS]


def compress(names: list[str]) -> list[str]:
    """Collapses repeated ``reconnecting`` attempts into one entry."""
    out: list[str] = []
    for name in names:
        if not (out and out[-1] == name == "reconnecting"):
            out.append(name)
    return out


@pytest.fixture
def client(mock_server):
    instance = ComfyClient(mock_server.url, ping_interval=0.3, ping_timeout=0.5)
    instance.connect(5)
    yield instance
    instance.close()


def test_states_through_a_crash_and_restart(client, mock_server):
    assert client.state is ConnectionState.CONNECTED
    mark = client.events.last_seq
    mock_server.kill()
    assert client.connection.wait_for_state({ConnectionState.RECONNECTING}, 5)
    mock_server.start(15)
    assert client.connection.wait_for_state({ConnectionState.CONNECTED}, 10)
    assert compress(connection_events(client, mark)) == [
        "disconnected",
        "reconnecting",
        "reconnected",
    ]


def test_every_drop_is_handled_like_the_first(client, mock_server):
    for cycle in range(3):
        mark = client.events.last_seq
        mock_server.kill()
        assert client.events.wait_for(lambda e: e.type == "disconnected", 5, since=mark), cycle
        mock_server.start(15)
        assert client.events.wait_for(lambda e: e.type == "reconnected", 10, since=mark), cycle
    assert client.connection.drops == 3


@pytest.mark.slow
def test_second_drop_thirty_seconds_after_a_reconnect_is_detected(client, mock_server):
    """comfyui-node stays "connected" on a dead socket here; this client must not."""
    mock_server.kill()
    mock_server.start(15)
    assert client.connection.wait_for_state({ConnectionState.CONNECTED}, 10)
    time.sleep(30)  # the scenario is about time passing, so it waits on purpose
    mark = client.events.last_seq
    mock_server.kill()
    assert client.events.wait_for(lambda e: e.type == "disconnected", 5, since=mark)
    assert client.state is not ConnectionState.CONNECTED
    mock_server.start(15)
    assert client.events.wait_for(lambda e: e.type == "reconnected", 10, since=mark)


def test_close_while_reconnecting_stops_for_good(client, mock_server):
    mock_server.kill()
    assert client.connection.wait_for_state({ConnectionState.RECONNECTING}, 5)
    client.close()
    mark = client.events.last_seq
    mock_server.start(15)
    assert client.events.wait_for(lambda e: e.type in CONNECTION_EVENTS, 1.5, since=mark) is None
    assert client.state is ConnectionState.CLOSED
    assert not client.connection._thread.is_alive()


def test_max_attempts_ends_in_failed_with_the_callback(mock_server):
    called = threading.Event()
    client = ComfyClient(mock_server.url, backoff=Backoff(0.01, 2, 0.05, 0, max_attempts=3))
    client.connect(5)
    client.connection.on_reconnection_failed = called.set
    try:
        mock_server.kill()
        assert client.connection.wait_for_state({ConnectionState.FAILED}, 10)
        assert called.wait(1)
        names = connection_events(client)
        assert names.count("reconnecting") == 3
        assert names[-1] == "reconnection_failed"
    finally:
        client.close()


def test_manual_reconnection_when_auto_reconnect_is_off(mock_server):
    client = ComfyClient(mock_server.url, auto_reconnect=False)
    client.connect(5)
    try:
        mock_server.kill()
        assert client.connection.wait_for_state({ConnectionState.DISCONNECTED}, 5)
        time.sleep(0.2)
        assert client.state is ConnectionState.DISCONNECTED  # nobody reconnects by itself
        assert client.reconnect(attempts=2, delay=0.05, timeout=5) is False
        assert client.state is ConnectionState.FAILED
        mock_server.start(15)
        assert client.reconnect(attempts=5, delay=0.05, timeout=5) is True
        assert client.state is ConnectionState.CONNECTED
    finally:
        client.close()


def test_validate_connection_never_raises(client, mock_server):
    assert client.validate_connection() is True
    mock_server.kill()
    assert client.validate_connection(timeout=1) is False


def test_a_health_check_asks_the_server_past_an_open_breaker_and_says_why(mock_server):
    """Freeze, check (False: timed out), thaw, check again: the second check reaches the
    server although the first opened the breaker, and answers True."""
    client = ComfyClient(mock_server.url, http_retries=0, breaker_threshold=1)
    try:
        client.connect(5)
        mock_server.freeze()
        valid, why = client.check_connection(timeout=0.5)
        assert valid is False
        assert "timed out (GET /queue)" in why
        assert client.http.breaker.state == "open"
        mock_server.thaw()
        valid, why = client.check_connection(timeout=10)
        assert valid is True, why
        assert client.http.breaker.state == "closed"
        mock_server.kill()
        valid, why = client.check_connection(timeout=1)
        assert valid is False
        assert "connection refused (GET /queue)" in why
    finally:
        mock_server.thaw()
        client.close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_circuit_breaker_opens_fails_fast_and_recovers():
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=3, cooldown=2.0, clock=clock)
    for _ in range(3):
        breaker.before_call("http://x")
        breaker.failed()
    assert breaker.state == "open"
    with pytest.raises(CircuitOpen, match="failed 3 times in a row"):
        breaker.before_call("http://x")
    clock.now = 2.5
    assert breaker.state == "half-open"
    breaker.before_call("http://x")  # one trial call goes through
    breaker.succeeded()
    assert breaker.state == "closed"


def test_half_open_breaker_lets_exactly_one_trial_call_through():
    clock = FakeClock()
    breaker = CircuitBreaker(threshold=2, cooldown=1.0, clock=clock)
    for _ in range(2):
        breaker.before_call("http://x")
        breaker.failed()
    clock.now = 1.5
    breaker.before_call("http://x")  # the trial
    for _ in range(3):  # everyone else waiting keeps failing fast while it runs
        with pytest.raises(CircuitOpen, match="a trial call is under way"):
            breaker.before_call("http://x")
    breaker.failed()  # the trial failed: open again for a whole cool-down
    assert breaker.state == "open"
    clock.now = 2.0
    with pytest.raises(CircuitOpen):
        breaker.before_call("http://x")
    clock.now = 2.6
    breaker.before_call("http://x")  # the next trial
    breaker.succeeded()
    assert breaker.state == "closed"
    breaker.before_call("http://x")
    breaker.before_call("http://x")


def test_half_open_breaker_under_concurrent_callers_admits_one():
    import threading

    clock = FakeClock()
    breaker = CircuitBreaker(threshold=1, cooldown=1.0, clock=clock)
    breaker.before_call("http://x")
    breaker.failed()
    clock.now = 1.0
    admitted = []
    barrier = threading.Barrier(16)

    def caller():
        barrier.wait()
        try:
            breaker.before_call("http://x")
        except CircuitOpen:
            return
        admitted.append(1)

    threads = [threading.Thread(target=caller) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(admitted) == 1
