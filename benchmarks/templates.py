"""ComfyUI 0.8's own templates on the mock: templates per second, beside the tiny workflow's
rate (EmptyImage -> SaveImage) measured in the same run on the same mock.

Every template real 0.8 accepts (tests/fixtures/reference/template_answers.json.gz) is
submitted and waited for, one at a time, with the recording's model names and input files;
each round repeats them with another seed so that the cache does not answer. The slowest
templates are listed: they are the ones whose outputs are large (long videos, songs).

Run: .venv/bin/python benchmarks/templates.py [--rounds N] [--write-baseline]
The baseline (benchmarks/baselines/templates.json) is compared, never asserted: tests do
not time anything.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import REFERENCE, start_mock
from tests.template_corpus import recording, serve_templates

BASELINE = Path(__file__).resolve().parent / "baselines" / "templates.json"
TINY = {
    "1": {
        "class_type": "EmptyImage",
        "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0},
    },
    "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "t"}},
}


def reseeded(prompt: dict, rng: random.Random) -> dict:
    """The prompt with new seeds (and a new tiny colour), so that nothing is cached."""
    fresh = json.loads(json.dumps(prompt))
    for node in fresh.values():
        for name, top in (("seed", 2**31), ("noise_seed", 2**31), ("color", 2**24)):
            if isinstance(node.get("inputs", {}).get(name), int):
                node["inputs"][name] = rng.randrange(top)
    return fresh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--write-baseline", action="store_true")
    args = parser.parse_args()
    recorded = recording(REFERENCE / "template_answers.json.gz")
    accepted = [n for n, a in recorded["answers"].items() if a["status"] == 200]
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        server, client = serve_templates(Path(folder), recorded, start_mock)
        try:
            per_template: dict[str, list[float]] = {}
            started = time.perf_counter()
            for _ in range(args.rounds):
                for name in accepted:
                    began = time.perf_counter()
                    prompt = reseeded(recorded["prompts"][name], rng)
                    done = client.wait_for_completion(client.submit(prompt), 300)
                    if done.status != "success":
                        sys.exit(f"{name} did not finish: {done.status}")
                    per_template.setdefault(name, []).append(time.perf_counter() - began)
            spent = time.perf_counter() - started
            tiny_times = []
            for _ in range(100):
                began = time.perf_counter()
                client.wait_for_completion(client.submit(reseeded(TINY, rng)), 30)
                tiny_times.append(time.perf_counter() - began)
        finally:
            client.close()
            server.kill()
    runs = len(accepted) * args.rounds
    figures = {
        "templates": len(accepted),
        "templates_per_second": round(runs / spent, 2),
        "median_ms": round(statistics.median(t for ts in per_template.values() for t in ts) * 1000),
        "tiny_per_second": round(len(tiny_times) / sum(tiny_times), 1),
    }
    print("| figure | value |\n| --- | --- |")
    for key, value in figures.items():
        print(f"| {key} | {value} |")
    slowest = sorted(per_template.items(), key=lambda item: -max(item[1]))[:5]
    print("\nslowest: " + ", ".join(f"{n} {max(t):.2f} s" for n, t in slowest))
    if args.write_baseline:
        BASELINE.parent.mkdir(exist_ok=True)
        BASELINE.write_text(json.dumps(figures, indent=1) + "\n")
        print(f"baseline written: {BASELINE}")
    elif BASELINE.is_file():
        base = json.loads(BASELINE.read_text())
        ratio = figures["templates_per_second"] / base["templates_per_second"]
        print(f"\ntemplates/s {ratio:.2f}x the baseline ({base['templates_per_second']})")


if __name__ == "__main__":
    main()
