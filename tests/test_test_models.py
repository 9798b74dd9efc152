"""comfy-test-models: deterministic files, in ComfyUI's layout, written once.

That ComfyUI 0.8 loads each file and generates with it is checked by the real lane
(``make real``: suites/real/tiny_generation.robot against real ComfyUI on the CPU).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ComfyLibrary.testmodels import TEST_MODELS, write_test_models
from ComfyLibrary.testmodels.layouts import ONE, clip_l, sd15_unet, taesd
from ComfyLibrary.testmodels.safetensors_file import read_header

# The bytes every machine writes for variant 0. The golden images of the real lane were
# made with exactly these models: a change here must come with new goldens.
DIGESTS = {
    "checkpoints/comfylibrary-tiny-sd15.safetensors": (
        "c744f54ddebc2e943ab48388a44233cc71252c653180e2b1c24703672901bbe2"
    ),
    "diffusion_models/comfylibrary-tiny-unet.safetensors": (
        "8acb3a3e8bbabbdb063b6fd6c59feec8c301b45d0ac9724af64ec49e69a2f135"
    ),
    "diffusion_models/comfylibrary-tiny-unet-b.safetensors": (
        "73c824ccea9e041c4d91cea5f08d662340215104b60ddec702ed1ce58b7cb8c4"
    ),
    "text_encoders/comfylibrary-tiny-clip-l.safetensors": (
        "2a1b84b0e9834427a8960319a16ee2923ca123d881e6d6789cc3fcf3538bb8b2"
    ),
    "vae/comfylibrary-tiny-taesd.safetensors": (
        "7ec0477ef87b6a9187ce7fa94ecafa8836df36ad7ebb06ec67e133c8ddaf3b4f"
    ),
}


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("models")
    return root, write_test_models(root)


def test_two_runs_write_the_same_bytes_as_every_machine(written, tmp_path):
    _, first = written
    second = write_test_models(tmp_path)
    assert {r.relative: r.sha256 for r in first} == {r.relative: r.sha256 for r in second}
    assert {r.relative: r.sha256 for r in first} == DIGESTS


def test_the_files_are_in_comfyuis_folder_layout_under_the_agreed_names(written):
    root, results = written
    assert sorted(r.relative for r in results) == sorted(DIGESTS)
    for result in results:
        assert result.path == root / result.relative
        assert result.path.stat().st_size == result.size
        assert result.written


def test_a_second_run_finds_the_files_and_writes_nothing(written, capsys):
    root, _ = written
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*.safetensors")}
    again = write_test_models(root, log=print)
    assert not any(r.written for r in again)
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*.safetensors")} == before
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(TEST_MODELS)
    assert all(line.startswith("present") and "sha256:" in line for line in lines)


def test_a_damaged_or_foreign_file_under_a_name_is_replaced(tmp_path):
    results = write_test_models(tmp_path)
    vae = tmp_path / "vae/comfylibrary-tiny-taesd.safetensors"
    unet = tmp_path / "diffusion_models/comfylibrary-tiny-unet.safetensors"
    vae.write_bytes(vae.read_bytes()[:1000])  # truncated
    data = bytearray(unet.read_bytes())
    data[20:30] = b"x" * 10  # a header that is not ours
    unet.write_bytes(bytes(data))
    again = {r.relative: r for r in write_test_models(tmp_path)}
    assert again["vae/comfylibrary-tiny-taesd.safetensors"].written
    assert again["diffusion_models/comfylibrary-tiny-unet.safetensors"].written
    assert {r.relative: r.sha256 for r in results} == {k: r.sha256 for k, r in again.items()}
    assert not list(tmp_path.rglob(".*.partial"))


def test_another_variant_gives_other_weights_under_the_same_names(tmp_path):
    results = {r.relative: r for r in write_test_models(tmp_path, variant=1)}
    assert set(results) == set(DIGESTS)
    assert all(results[name].sha256 != DIGESTS[name] for name in DIGESTS)
    header = read_header(tmp_path / "vae/comfylibrary-tiny-taesd.safetensors")
    assert header["__metadata__"]["comfylibrary.variant"] == "1"


def test_the_checkpoint_merges_the_separate_parts_under_comfyuis_prefixes(written):
    root, _ = written
    checkpoint = read_header(root / "checkpoints/comfylibrary-tiny-sd15.safetensors")
    keys = set(checkpoint) - {"__metadata__"}
    expected = (
        {f"model.diffusion_model.{t.key}" for t in sd15_unet()}
        | {f"cond_stage_model.transformer.{t.key}" for t in clip_l()}
        | {f"first_stage_model.{t.key}" for t in taesd()}
    )
    assert keys == expected
    unet = read_header(root / "diffusion_models/comfylibrary-tiny-unet.safetensors")
    weight = "input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight"
    assert unet[weight]["shape"] == [320, 768]  # context_dim 768: detected as SD1.5
    assert unet[weight]["dtype"] == "F16"


def test_the_sizes_are_those_comfyui_detects_as_sd15():
    assert sum(t.count for t in sd15_unet()) == 25_789_444  # 320 channels, 1 level, 1 block
    assert sum(t.count for t in clip_l()) == 123_650_304  # CLIP-L's fixed configuration
    scale = next(t for t in taesd() if t.key == "vae_scale")
    assert scale.shape == ()
    assert scale.init == ONE  # a zero scale decodes to black


def test_the_command_prints_each_file_and_refuses_a_negative_variant(tmp_path):
    command = [sys.executable, "-m", "ComfyLibrary.testmodels.cli", "--models-dir"]
    vae_only = tmp_path / "models"
    done = subprocess.run(
        [*command, str(vae_only)], capture_output=True, text=True, timeout=120, check=True
    )
    lines = done.stdout.splitlines()
    assert len(lines) == len(TEST_MODELS) + 1
    assert lines[-1].startswith(f"{len(TEST_MODELS)} written, 0 already present")
    bad = subprocess.run(
        [*command, str(tmp_path), "--variant", "-1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert "--variant must be 0 or more" in bad.stderr


def test_an_unwritable_folder_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = subprocess.run(
        [sys.executable, "-m", "ComfyLibrary.testmodels.cli", "--models-dir", str(blocker)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"comfy-test-models: cannot write into {blocker}")


def test_the_library_imports_without_torch():
    code = (
        "import sys, ComfyLibrary, ComfyLibrary.testmodels.writer;"
        "print(json.dumps('torch' in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import json;" + code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(done.stdout) is False


def test_the_shipped_tiny_workflows_name_the_test_models():
    names = {Path(m.name).name for m in TEST_MODELS}
    folder = Path(__file__).parents[1] / "resources" / "workflows"
    for workflow in folder.glob("tiny_*.json"):
        if workflow.name.endswith(".bindings.json"):
            continue
        values = {
            v
            for node in json.loads(workflow.read_text()).values()
            for v in node["inputs"].values()
            if isinstance(v, str) and v.endswith(".safetensors")
        }
        assert values, workflow.name
        assert values <= names, workflow.name


def test_an_empty_folder_name_is_refused_not_taken_for_the_current_folder(tmp_path):
    for empty in ("", "  "):
        with pytest.raises(ValueError, match="the models folder is empty"):
            write_test_models(empty)
        done = subprocess.run(
            [sys.executable, "-m", "ComfyLibrary.testmodels.cli", "--models-dir", empty],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=tmp_path,
        )
        assert done.returncode == 2
        assert "--models-dir is empty" in done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written where the command ran


def test_the_keyword_refuses_an_empty_name_and_follows_a_symlinked_folder(tmp_path, written):
    from ComfyLibrary import ComfyLibrary
    from ComfyLibrary.errors import ComfyError

    keywords = ComfyLibrary()
    with pytest.raises(ComfyError, match="Write Test Models needs a folder"):
        keywords.run_keyword("Write Test Models", [""], {})
    root, _ = written
    link = tmp_path / "models-link"
    link.symlink_to(root, target_is_directory=True)
    assert keywords.run_keyword("Write Test Models", [str(link)], {}) == str(root.resolve())
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ComfyError, match=f"Cannot write the test models into {blocker}"):
        keywords.run_keyword("Write Test Models", [str(blocker)], {})
