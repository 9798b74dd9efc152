"""Records real ComfyUI's answers to POST /prompt for every template it ships, and for the
invalid graphs made from them (tests/template_corpus.py): its status, the top error's type
and the set of node error types. The model files the templates name are made present as
empty files (0.8 checks model files by name only) and their input files as small real
ones, in a base folder of the recorder's own; accepted prompts are taken off the queue and
interrupted at once, so nothing is generated.

  .venv/bin/python tests/recorders/record_template_answers.py .real/ComfyUI \\
      .real/venv/bin/python tests/fixtures/reference/template_answers.json.gz

Writes the prompts it sent with the answers, so the comparison test needs neither the
templates package nor a real server.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ComfyLibrary.mock.catalog import COMFYUI_FOLDERS  # noqa: E402
from tests.recorders import real_comfyui  # noqa: E402
from tests.template_corpus import (  # noqa: E402
    answer_of,
    apply,
    converted,
    mutations,
    needed_files,
    write_input_file,
)


def main() -> None:
    comfyui, python = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).absolute()
    out = Path(sys.argv[3])
    with real_comfyui(comfyui, python) as (server, base):
        object_info = requests.get(f"{server.url}/object_info", timeout=60).json()
        prompts, refused = converted(object_info)
        models, inputs = needed_files(prompts)
        for folder, names in models.items():
            for name in names:
                path = base / COMFYUI_FOLDERS[folder][0] / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.touch()
        for name, kind in inputs.items():
            write_input_file(base / "input" / name, kind)
        version = requests.get(f"{server.url}/system_stats", timeout=30).json()["system"]
        answers = {name: post(server.url, prompt) for name, prompt in prompts.items()}
        variants = {}
        for name, prompt in prompts.items():
            for change in mutations(prompt, object_info):
                answer = post(server.url, apply(prompt, change))
                variants[f"{name}/{change[0]}"] = {"change": list(change[1:]), "answer": answer}
    accepted = sum(1 for a in answers.values() if a["status"] == 200)
    record = {
        "comfyui_version": version.get("comfyui_version"),
        "models": {folder: sorted(names) for folder, names in sorted(models.items())},
        "inputs": dict(sorted(inputs.items())),
        "prompts": prompts,
        "answers": answers,
        "variants": variants,
        "not_converted": sorted(refused),
    }
    out.write_bytes(gzip.compress(json.dumps(record, sort_keys=True).encode(), mtime=0))
    print(
        f"{len(prompts)} templates converted ({accepted} accepted), "
        f"{len(variants)} invalid variants, {len(refused)} not converted -> {out}"
    )


def post(url: str, prompt: dict) -> dict:
    answer = requests.post(f"{url}/prompt", json={"prompt": prompt}, timeout=60)
    try:
        body = answer.json()
    except ValueError:
        body = None
    if answer.status_code == 200:
        requests.post(f"{url}/queue", json={"delete": [body["prompt_id"]]}, timeout=30)
        requests.post(f"{url}/interrupt", json={}, timeout=30)
    return answer_of(answer.status_code, body)


if __name__ == "__main__":
    main()
