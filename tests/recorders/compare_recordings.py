"""Compares recordings made again on the real lane's ComfyUI with the committed ones the
mock is tested against: real ComfyUI's answers to the templates and the invalid graphs
(tests/fixtures/reference/template_answers.json.gz) and the node facts
(ComfyLibrary/mock/data/node_facts.json). A difference means the committed recording no
longer says what that ComfyUI does: it is listed, and the exit status is 1.

  .venv/bin/python tests/recorders/compare_recordings.py NEW_ANSWERS.json.gz NEW_FACTS.json
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = ROOT / "tests" / "fixtures" / "reference" / "template_answers.json.gz"
FACTS = ROOT / "ComfyLibrary" / "mock" / "data" / "node_facts.json"


def main() -> int:
    new_answers = json.loads(gzip.decompress(Path(sys.argv[1]).read_bytes()))
    new_facts = json.loads(Path(sys.argv[2]).read_text())
    old_answers = json.loads(gzip.decompress(ANSWERS.read_bytes()))
    if new_answers["comfyui_version"] != old_answers["comfyui_version"]:
        print(
            f"compare-recordings: ComfyUI {new_answers['comfyui_version']} was recorded; the "
            f"committed recordings are of {old_answers['comfyui_version']}: not compared"
        )
        return 0
    differences = [
        f"template {name}: committed {old_answers['answers'].get(name)}, now {answer}"
        for name, answer in new_answers["answers"].items()
        if old_answers["answers"].get(name) != answer
    ]
    differences += [
        f"invalid graph {key}: committed {old_answers['variants'].get(key)}, now {variant}"
        for key, variant in new_answers["variants"].items()
        if old_answers["variants"].get(key) != variant
    ]
    if set(new_answers["prompts"]) != set(old_answers["prompts"]):
        differences.append(
            f"templates converted: committed {len(old_answers['prompts'])}, "
            f"now {len(new_answers['prompts'])}"
        )
    old_facts = json.loads(FACTS.read_text())
    differences += [
        f"node facts '{key}' differ" for key in new_facts if new_facts[key] != old_facts.get(key)
    ]
    total = len(new_answers["answers"]) + len(new_answers["variants"])
    if differences:
        print(f"compare-recordings: {len(differences)} differences from the committed ones:")
        for line in differences[:40]:
            print(f"  {line}")
        return 1
    print(f"compare-recordings: {total} answers and the node facts equal the committed ones")
    return 0


if __name__ == "__main__":
    sys.exit(main())
