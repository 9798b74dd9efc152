"""Records model workflows on a real ComfyUI 0.8 that has the test models (the real lane's):
text-to-image with a checkpoint loader, the same from separate loaders, a cached rerun, an
interrupted 30-step run and the image-to-video pipeline, each as the WebSocket sequence its
client saw (compacted as the reference traces are), the history entry's shape and status
messages, and the ``/view`` answer of its output; plus ``/system_stats`` with a model
loaded and the ``/free`` answer. Writes tests/fixtures/reference/ws_models.json.

Run against the real lane's server (``make real`` once, then start it):
  .real/venv/bin/python .real/ComfyUI/main.py --cpu --port 8199 &
  .venv/bin/python tests/recorders/record_model_workflows.py http://127.0.0.1:8199
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.prompts import shipped  # noqa: E402
from tests.wsprobe import Probe, compact, shape  # noqa: E402

START_FRAME = ROOT / "resources" / "fixtures" / "start_frame.png"
OUT = ROOT / "tests" / "fixtures" / "reference" / "ws_models.json"


def run(url: str, prompt: dict, interrupt_after_progress: int | None = None) -> dict:
    progress = []

    def interrupt_mid_run(prompt_id: str, frame: dict) -> None:
        if frame.get("type") == "progress":
            progress.append(frame)
            if len(progress) == interrupt_after_progress:
                requests.post(f"{url}/interrupt", json={"prompt_id": prompt_id}, timeout=30)

    probe = Probe(url)
    probe.recv()
    prompt_id, _ = probe.run(prompt, on_frame=interrupt_mid_run)
    probe.close()
    frames = [f for f in probe.frames if isinstance(f, dict) and "type" in f]
    entry = requests.get(f"{url}/history/{prompt_id}", timeout=30).json()[prompt_id]
    views = []
    for output in entry["outputs"].values():
        for item in output.get("images", []):
            answer = requests.get(f"{url}/view", params=item, timeout=30)
            views.append(
                {
                    "status": answer.status_code,
                    "content_type": answer.headers.get("Content-Type"),
                    "starts_with": answer.content[:4].hex(),
                }
            )
    progress_frames = [f["data"] for f in frames if f["type"] == "progress"]
    executed = [f["data"] for f in frames if f["type"] == "executed"]
    return {
        "prompt": prompt,
        "sequence": [compact(f) for f in frames],
        "progress": [{"value": p["value"], "max": p["max"]} for p in progress_frames],
        "executed_shape": [shape(e) for e in executed],
        "history_shape": shape(entry),
        "status": entry["status"]["status_str"],
        "messages": [m[0] for m in entry["status"]["messages"]],
        "output_nodes": sorted(entry["outputs"]),
        "views": views,
    }


def main(url: str) -> None:
    seed = random.randrange(1, 2**31)
    upload = requests.post(
        f"{url}/upload/image",
        files={"image": ("start_frame.png", START_FRAME.read_bytes(), "image/png")},
        timeout=30,
    ).json()
    t2i = shipped("tiny_text_to_image", **{"3.seed": seed, "3.steps": 3})
    recorded = {
        "text_to_image": run(url, t2i),
        "cached_rerun": run(url, t2i),
        "separate_loaders": run(url, shipped("tiny_separate_loaders", **{"3.seed": seed})),
        "interrupted_30_steps": run(
            url,
            shipped("tiny_text_to_image", **{"3.seed": seed + 1, "3.steps": 30}),
            interrupt_after_progress=1,
        ),
        "image_to_video": run(
            url,
            shipped(
                "tiny_image_to_video",
                **{"13.image": upload["name"], "3.seed": seed, "16.amount": 6, "17.fps": 6.0},
            ),
        ),
    }
    stats = requests.get(f"{url}/system_stats", timeout=30).json()
    recorded["system_stats_shape"] = shape(stats)
    free = requests.post(
        f"{url}/free", json={"unload_models": True, "free_memory": True}, timeout=30
    )
    recorded["free"] = {"status": free.status_code, "body": free.text}
    recorded["source"] = (
        f"real ComfyUI {stats['system']['comfyui_version']} on CPU (torch "
        f"{stats['system']['pytorch_version']}), the test models of comfy-test-models"
    )
    OUT.write_text(json.dumps(recorded, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8188")
