"""Uploads, LoadImage of uploads and /view answers against the recorded ComfyUI 0.8 session."""

from __future__ import annotations

import copy
import io

import requests
from PIL import Image

from tests.conftest import reference
from tests.wsprobe import Probe, compact

RECORDED = reference("upload_view.json")
ENDPOINTS = reference("get_endpoints.json")
SERVED = (
    "/system_stats",
    "/features",
    "/prompt",
    "/queue",
    "/embeddings",
    "/extensions",
    "/models",
    "/object_info/",
    "/history/",
    "/api/system_stats",
    "/api/prompt",
    "/api/queue",
)


def png(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), color).save(buffer, format="PNG")
    return buffer.getvalue()


PAYLOADS = {80: png("red"), 78: png("blue"), 16: b"not an image at "}


def upload(url: str, case: dict) -> requests.Response:
    request = case["request"]
    files = {
        field: (spec["filename"], PAYLOADS[spec["bytes"]], spec["content_type"])
        for field, spec in request["files"].items()
    }
    return requests.post(url + request["path"], files=files, data=request.get("data"), timeout=5)


def test_uploads_view_and_loadimage_session(mock_server):
    for key, case in RECORDED.items():
        if not key.startswith("upload"):
            continue
        answer = upload(mock_server.url, case)
        assert answer.status_code == case["response"]["status"], key
        if case["response"]["status"] == 200:
            assert answer.json() == case["response"]["json"], key
        else:
            assert answer.content == b"", key

    choices = requests.get(f"{mock_server.url}/object_info/LoadImage", timeout=5).json()[
        "LoadImage"
    ]["input"]["required"]["image"][0]
    recorded_choices = RECORDED["loadimage_choices_contains_upload"]
    assert (recorded_choices["name"] in choices) is recorded_choices["present"]
    assert (recorded_choices["subfolder_entry"] in choices) is recorded_choices[
        "subfolder_entry_present"
    ]

    probe = Probe(mock_server.url)
    probe.recv()
    try:
        for key in (
            "run_loadimage_of_upload",
            "run_loadimage_subfolder_path",
            "run_loadimage_of_non_image",
        ):
            recorded = RECORDED[key]
            probe.frames.clear()
            _, frames = probe.run(copy.deepcopy(recorded["prompt"]))
            assert [compact(f) for f in frames] == recorded["ws"]["sequence"][1:], key
    finally:
        probe.close()

    for key, case in RECORDED["view"].items():
        params = case["request"]["params"]
        answer = requests.get(f"{mock_server.url}/view", params=params, timeout=5)
        expected = case["response"]
        assert answer.status_code == expected["status"], key
        assert answer.headers.get("Content-Type") == expected["headers"].get("Content-Type"), key
        assert answer.headers.get("Content-Disposition") == expected["headers"].get(
            "Content-Disposition"
        ), key


def test_get_endpoints_match_comfyui(mock_server):
    checked = 0
    for case in ENDPOINTS:
        request = case["request"]
        path = request["path"]
        if not path.startswith(SERVED) and path != "/models/no_such_folder":
            continue
        headers = dict(request.get("headers") or {})
        if headers.get("Origin") == "http://127.0.0.1:8188":  # "same origin" on our port
            headers["Origin"] = mock_server.url
        answer = requests.get(mock_server.url + path, headers=headers, timeout=5)
        expected = case["response"]
        assert answer.status_code == expected["status"], path
        assert answer.headers.get("Content-Type") == expected["headers"].get("Content-Type"), path
        if "json" in expected:
            body = answer.json()
            if isinstance(expected["json"], dict):
                assert set(body) == set(expected["json"]), path
            else:
                assert type(body) is type(expected["json"]), path
        checked += 1
    assert checked >= 15


def test_mask_upload_puts_the_mask_into_the_original_alpha(mock_server):
    import json

    original = requests.post(
        f"{mock_server.url}/upload/image",
        files={"image": ("face.png", png("red"), "image/png")},
        timeout=5,
    ).json()
    mask = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    mask.putpixel((0, 0), (0, 0, 0, 255))
    buffer = io.BytesIO()
    mask.save(buffer, format="PNG")
    answer = requests.post(
        f"{mock_server.url}/upload/mask",
        files={"image": ("face_mask.png", buffer.getvalue(), "image/png")},
        data={
            "original_ref": json.dumps(
                {"filename": original["name"], "subfolder": "", "type": "input"}
            ),
            "overwrite": "true",
        },
        timeout=5,
    )
    assert answer.status_code == 200
    stored = requests.get(
        f"{mock_server.url}/view",
        params={"filename": answer.json()["name"], "type": "input"},
        timeout=5,
    )
    with Image.open(io.BytesIO(stored.content)) as img:
        alpha = img.getchannel("A")
        assert (alpha.getpixel((0, 0)), alpha.getpixel((3, 3))) == (255, 0)
        assert img.convert("RGB").getpixel((1, 1)) == (255, 0, 0)
    bad = requests.post(
        f"{mock_server.url}/upload/mask",
        files={"image": ("m.png", buffer.getvalue(), "image/png")},
        data={"original_ref": '{"filename": "../../etc/passwd"}'},
        timeout=5,
    )
    assert bad.status_code == 400
