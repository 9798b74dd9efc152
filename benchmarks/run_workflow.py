"""What `Run Workflow` costs above the client's own round trip, in the same run.

The keyword validates, submits, waits, downloads, records provenance (one
``/system_stats``), writes the run report and shows its outputs in the log (a thumbnail
per image). Its floor is the client alone doing submit, wait and download of the same
workflow against the same mock. Both run in this process, outside Robot, on a mock started
for the purpose.

Run: .venv/bin/python benchmarks/run_workflow.py [--runs N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.media import timed
from ComfyLibrary import ComfyLibrary
from ComfyLibrary.shipped import workflows_folder
from ComfyLibrary.workflow import load_workflow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="bench-run-") as folder:
        library = ComfyLibrary(output_dir=str(Path(folder) / "out"), run_on_failure="NONE")
        try:
            url = library.run_keyword("Start Mock Server", ())
            library.run_keyword("Connect To ComfyUI", (url,))
            _, client = library.clients.get(None)
            graph = load_workflow(workflows_folder() / "empty_image_save.json")
            downloads = Path(folder) / "floor"

            def floor() -> None:
                handle = client.submit(graph)
                completion = client.wait_for_completion(handle, 30)
                client.download_outputs(completion.history, downloads, ("output",))

            def keyword() -> None:
                library.run_keyword("Run Workflow", ("empty_image_save",))

            rows = [
                ("client: submit, wait, download (512x512 PNG)", timed(floor, runs) * 1000),
                ("Run Workflow, the same workflow", timed(keyword, runs) * 1000),
            ]
        finally:
            library._close()
    print("| figure (median) | ms |")
    print("| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value:.1f} |")
    print(f"| overhead of the keyword | {rows[1][1] - rows[0][1]:.1f} |")


if __name__ == "__main__":
    main()
