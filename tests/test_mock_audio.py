"""The mock's audio nodes against ComfyUI 0.8 with torchaudio: the catalog's 23 audio
classes as recorded, LoadAudio of an upload, and the ``executed`` shape of saved audio."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from ComfyLibrary.media.audio import audio_info, audio_peak_dbfs
from tests.conftest import reference

TONE = Path(__file__).resolve().parents[1] / "resources" / "fixtures" / "tone.wav"
DYNAMIC = {"LoadAudio", "AudioEncoderLoader", "LTXVAudioVAELoader", "LTXAVTextEncoderLoader"}


@pytest.fixture(scope="module")
def client(shared_client):
    return shared_client


def test_the_catalog_has_0_8s_audio_classes_as_recorded(client):
    recorded = reference("object_info_audio.json")
    served = requests.get(f"{client.url}/object_info", timeout=10).json()
    assert len(served) == 446
    for name, definition in recorded.items():
        assert name in served, name
        if name in DYNAMIC:  # file lists come from the server's own folders
            assert served[name]["output"] == definition["output"]
            continue
        assert served[name] == definition, name


def test_an_uploaded_sound_is_listed_loaded_and_saved(client, tmp_path):
    client.upload_image(TONE, "tone_for_load_audio.wav")
    choices = client.object_info(refresh=True)["LoadAudio"]["input"]["required"]["audio"]
    assert "tone_for_load_audio.wav" in choices[1]["options"]
    prompt = {
        "1": {"class_type": "LoadAudio", "inputs": {"audio": "tone_for_load_audio.wav"}},
        "2": {"class_type": "AudioAdjustVolume", "inputs": {"audio": ["1", 0], "volume": -6}},
        "3": {
            "class_type": "SaveAudio",
            "inputs": {"audio": ["2", 0], "filename_prefix": "audio/loaded"},
        },
    }
    result = client.wait_for_completion(client.submit(prompt), 30)
    [item] = result.outputs["3"]["audio"]
    assert item["filename"].startswith("loaded_")
    assert item["filename"].endswith("_.flac")
    assert item["subfolder"] == "audio"
    assert item["type"] == "output"
    [path] = client.download_outputs(result.history, tmp_path)
    info = audio_info(path)
    assert (info.sample_rate, info.channels) == (8000, 1)
    assert info.duration == pytest.approx(1.0, abs=0.01)
    assert audio_peak_dbfs(path) < audio_peak_dbfs(TONE) - 5


def test_a_missing_sound_fails_validation_as_comfyui_does(client):
    prompt = {
        "1": {"class_type": "LoadAudio", "inputs": {"audio": "nowhere.wav"}},
        "2": {"class_type": "PreviewAudio", "inputs": {"audio": ["1", 0]}},
    }
    answer = requests.post(f"{client.url}/prompt", json={"prompt": prompt}, timeout=10)
    assert answer.status_code == 400
    [error] = answer.json()["node_errors"]["1"]["errors"]
    assert error["type"] == "custom_validation_failed"
    assert error["details"] == "audio - Invalid audio file: nowhere.wav"


def test_preview_audio_goes_to_temp(client):
    prompt = {
        "1": {
            "class_type": "EmptyAudio",
            "inputs": {"duration": 0.5, "sample_rate": 22050, "channels": 2},
        },
        "2": {"class_type": "PreviewAudio", "inputs": {"audio": ["1", 0]}},
    }
    result = client.wait_for_completion(client.submit(prompt), 30)
    [item] = result.outputs["2"]["audio"]
    assert item["type"] == "temp"
    assert item["filename"].startswith("ComfyUI_temp_")


def test_node_definitions_have_the_keys_0_8_serves(client):
    """A v1 and a v3 node carry exactly the keys 0.8 gives them (v3 ones include
    ``output_tooltips``, whose texts the mock keeps as nulls)."""
    summary = reference("object_info_summary.json")
    served = requests.get(f"{client.url}/object_info", timeout=10).json()
    assert sorted(served["EmptyImage"]) == summary["keys_of_a_v1_node (EmptyImage)"]
    assert sorted(served["ImageBlur"]) == summary["keys_of_a_v3_node (ImageBlur)"]
    assert served["ImageBlur"]["output_tooltips"] == [None]
    assert set(summary["node_classes"]) <= set(served)
