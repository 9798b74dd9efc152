"""The container keywords' layer against a real Docker engine and the mock image.

The test command starts the engine and builds ``comfylibrary/mock:test`` first
(scripts/docker-engine.sh). Without an engine these tests skip, unless COMFY_REQUIRE_DOCKER=1
(this project's own CI sets it) makes them fail.
"""

from __future__ import annotations

import pytest

from ComfyLibrary.errors import ComfyError, ServerStartError
from ComfyLibrary.servers.containers import LABEL, RUN_ID, ContainerServer, docker_client
from tests.conftest import skip_or_fail

IMAGE = "comfylibrary/mock:test"


@pytest.fixture(scope="module")
def engine():
    try:
        client = docker_client()
        client.images.get(IMAGE)
    except Exception as exc:
        skip_or_fail(
            f"no Docker engine with {IMAGE} here (scripts/docker-engine.sh start): {exc}",
            "COMFY_REQUIRE_DOCKER",
        )
    return client


def labelled(client, **extra):
    labels = [f"{LABEL}.run={RUN_ID}", *(f"{LABEL}.{k}={v}" for k, v in extra.items())]
    return client.containers.list(all=True, filters={"label": labels})


def test_lifecycle_of_a_container(engine, tmp_path):
    server = ContainerServer(IMAGE, "life", tmp_path / "life.log")
    try:
        server.start(60)
        assert server.answers()
        server.kill()
        assert not server.is_running()
        assert not server.answers(timeout=0.5)
        server.start(60)  # same container, same port
        assert server.answers()
        server.freeze()
        assert not server.answers(timeout=0.5)
        server.thaw()
        assert server.answers()
        assert any("ready at" in line for line in server.log_tail(50))
        server.stop(5)
        assert not server.is_running()
        assert "[Server life] ComfyUI mock ready at" in (tmp_path / "life.log").read_text()
    finally:
        server.remove()
    assert labelled(engine, alias="life") == []


def test_gpu_request_on_an_engine_without_gpus_fails_clearly_and_leaves_nothing(engine, tmp_path):
    server = ContainerServer(IMAGE, "gpu", tmp_path / "gpu.log", gpus="all")
    with pytest.raises(ServerStartError, match="could not give container 'gpu' the GPU"):
        server.start(30)
    assert labelled(engine, alias="gpu") == []


def test_early_exit_reports_the_last_lines(engine, tmp_path):
    server = ContainerServer(IMAGE, "bad", tmp_path / "bad.log", command=["--port", "not-a-port"])
    try:
        with pytest.raises(ServerStartError, match=r"before it was ready.*invalid int value"):
            server.start(30)
    finally:
        server.remove()


def test_missing_image_is_named(engine, tmp_path):
    server = ContainerServer("comfylibrary/no-such-image:1", "none", tmp_path / "x.log")
    with pytest.raises(ServerStartError, match="Image 'comfylibrary/no-such-image:1' is not on"):
        server.start(10)


def test_no_engine_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(ComfyError, match="No Docker engine answers"):
        docker_client()
