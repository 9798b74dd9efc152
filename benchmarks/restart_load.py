"""Load with a crash in the middle: N clients x M prompts against one mock that keeps its
queue across restarts; at the halfway prompt the mock is SIGKILLed and started again on
the same port. Every client-side outcome is compared with the server's history: a prompt
the client reports as failed (or lost) that the server finished successfully is a false
failure, and there must be none.

Run: .venv/bin/python benchmarks/restart_load.py [--clients 20] [--prompts 50] [--lose-queue]

With --kill-during-save N it runs N times: 10 clients submit 20 prompts each, and the
mock is SIGKILLed the moment a drawn history entry file appears, inside the save that then
rewrites the queue; restarted, it must finish every acknowledged prompt once: none lost,
none run twice (each prompt saves under a prefix of its own).

With --kills-after-answers N it instead kills the mock N times, each time the instant a
client has received the k-th ``200`` answer to POST /prompt (k drawn over the submission
window, other clients' submissions in flight), restarts it, and checks that every prompt
it acknowledged before it died is queued or in its history: an acknowledged prompt must
never be lost. It prints each kill and the worst case.

With --lose-queue the mock loses its queue on restart, as ComfyUI does: then prompts that
were queued at the crash are reported lost (never hang), and none that finished is
reported failed.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ComfyLibrary.client import ComfyClient
from ComfyLibrary.errors import ComfyError, PromptLost, ServerUnreachable
from ComfyLibrary.servers import ServerProcess, mock_command, mock_folders
from ComfyLibrary.servers.ports import free_port

SUBMIT_PATIENCE_SECONDS = 30.0


SAMPLER = json.loads(
    (Path(__file__).resolve().parents[1] / "resources/workflows/slow_sampler.json").read_text()
)


def sampler(seed: int, steps: int) -> dict:
    """The shipped sampler workflow with its own seed (nothing cached) and few steps: a
    prompt takes the worker a few milliseconds, so a queue builds up behind it."""
    prompt = json.loads(json.dumps(SAMPLER))
    prompt["3"]["inputs"].update(seed=seed, steps=steps)
    return prompt


class Run:
    def __init__(self, server: ServerProcess, total: int, steps: int):
        self.server = server
        self.steps = steps
        self.crash_at = total // 2
        self.count = 0
        self.lock = threading.Lock()
        self.crashed = threading.Event()
        self.outcomes: dict[str, str] = {}  # prompt id -> client-side outcome
        self.unsubmitted = 0
        self.restart_seconds: float | None = None
        self.before_crash: dict = {}  # the history as it was just before the crash
        self.queued_at_crash = 0

    def next_prompt(self) -> bool:
        """Counts a submission; the one at the halfway mark crashes and restarts the server."""
        with self.lock:
            self.count += 1
            crash = self.count == self.crash_at
        if crash:
            with contextlib.suppress(ComfyError):
                checker = ComfyClient(self.server.url)
                self.before_crash = checker.history(max_items=100000)
                queue = checker.queue()
                self.queued_at_crash = len(queue["queue_running"]) + len(queue["queue_pending"])
                checker.close()
            self.server.kill()
            started = time.monotonic()
            self.server.start(30)
            self.restart_seconds = time.monotonic() - started
            self.crashed.set()
        return crash

    def client(self, index: int, prompts: int) -> None:
        client = ComfyClient(self.server.url)
        client.connect(10)
        try:
            for number in range(prompts):
                self.next_prompt()
                handle = self.submit(client, sampler(index * 100000 + number, self.steps))
                if handle is None:
                    continue
                try:
                    client.wait_for_completion(handle, 120)
                    outcome = "success"
                except PromptLost:
                    outcome = "lost"
                except ComfyError as exc:
                    outcome = f"failed: {type(exc).__name__}"
                with self.lock:
                    self.outcomes[handle.prompt_id] = outcome
        finally:
            client.close()

    def submit(self, client: ComfyClient, prompt: dict):
        """Submits, retrying while the server is down (as a patient user would)."""
        deadline = time.monotonic() + SUBMIT_PATIENCE_SECONDS
        while True:
            try:
                return client.submit(prompt)
            except ServerUnreachable:
                if time.monotonic() > deadline:
                    with self.lock:
                        self.unsubmitted += 1
                    return None
                time.sleep(0.05)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-restart-load-") as folder:  # removed afterwards
        if "--kills-after-answers" in sys.argv:
            return kills_after_answers(Path(folder))
        if "--kill-during-save" in sys.argv:
            return kills_during_save(Path(folder))
        return measure(Path(folder))


def one_kill_after_an_answer(root: Path, clients: int, kill_at: int) -> tuple[int, list[str]]:
    """Clients submit until the ``kill_at``-th answer arrives; its receiver SIGKILLs the
    mock at once. Returns how many prompts were acknowledged and which of them are lost."""
    import requests

    port = free_port()
    options = {**mock_folders(root), "keep_queue_on_restart": True, "step_ms": 20}
    server = ServerProcess(mock_command(port, options=options), port, root / "k.log", "kill")
    server.start(15)
    acknowledged: list[str] = []
    lock = threading.Lock()
    killed = threading.Event()

    def submitter(index: int) -> None:
        with requests.Session() as session:
            number = 0
            while not killed.is_set():
                number += 1
                body = {"prompt": sampler(index * 1000000 + number, 2)}
                try:
                    answer = session.post(f"{server.url}/prompt", json=body, timeout=5)
                except requests.RequestException:
                    return  # the kill came while this one was in flight: not acknowledged
                if answer.status_code != 200:
                    continue
                with lock:
                    acknowledged.append(answer.json()["prompt_id"])
                    if len(acknowledged) == kill_at and not killed.is_set():
                        server.kill()  # the instant after the answer
                        killed.set()

    threads = [threading.Thread(target=submitter, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    server.start(30)
    checker = ComfyClient(server.url)
    try:
        queue = checker.queue()
        queued = {item[1] for item in queue["queue_running"] + queue["queue_pending"]}
        history = checker.history(max_items=100000)
    finally:
        checker.close()
        server.kill()
    lost = [pid for pid in acknowledged if pid not in queued and pid not in history]
    return len(acknowledged), lost


def _watch_saves(folder: Path, trigger: str, count: int, server: Any, killed: Any) -> None:
    """SIGKILLs ``server`` the moment the ``count``-th save shows in its state ``folder``:
    a new history file (``trigger="history"``) or a rewritten queue file (``"queue"``)."""
    seen, last = 0, None
    while not killed.is_set():
        if trigger == "history":
            seen = len(list((folder / "history").glob("*.json")))
        else:
            try:
                inode = (folder / "queue.json").stat().st_ino
            except FileNotFoundError:
                inode = None
            if inode != last and inode is not None:
                seen, last = seen + 1, inode
        if seen >= count:
            server.kill()
            killed.set()
            return
        time.sleep(0.0002)


def _submit_until_killed(url: str, index: int, prompts: int, acknowledged: dict, lock) -> None:
    import requests

    with requests.Session() as session:
        for number in range(prompts):
            prefix = f"p/{index}-{number}"
            prompt = sampler(index * 1000000 + number, 2)
            prompt["9"]["inputs"]["filename_prefix"] = prefix
            try:
                answer = session.post(f"{url}/prompt", json={"prompt": prompt}, timeout=5)
            except requests.RequestException:
                return  # in flight at the kill: not acknowledged
            if answer.status_code == 200:
                with lock:
                    acknowledged[answer.json()["prompt_id"]] = prefix


def _finished(server: ServerProcess) -> dict:
    checker = ComfyClient(server.url)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            queue = checker.queue()
            if not queue["queue_running"] and not queue["queue_pending"]:
                break
            time.sleep(0.05)
        return checker.history(max_items=100000)
    finally:
        checker.close()


def one_kill_during_save(
    root: Path, clients: int, prompts: int, trigger: str, count: int
) -> tuple[int, list, list]:
    """Clients submit prompts (each saving under a prefix of its own) while a watcher kills
    the mock inside its ``count``-th save (see _watch_saves); restarted, it runs what is
    left. Returns how many prompts were acknowledged, those lost and those run twice."""
    from ComfyLibrary.mock.persistence import STATE_FOLDER

    port = free_port()
    options = {**mock_folders(root), "keep_queue_on_restart": True, "step_ms": 5}
    server = ServerProcess(mock_command(port, options=options), port, root / "s.log", "save")
    server.start(15)
    acknowledged: dict[str, str] = {}
    lock, killed = threading.Lock(), threading.Event()
    state = root / "output" / STATE_FOLDER
    watch = threading.Thread(target=_watch_saves, args=(state, trigger, count, server, killed))
    watch.start()
    threads = [
        threading.Thread(
            target=_submit_until_killed, args=(server.url, i, prompts, acknowledged, lock)
        )
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    killed.set()
    watch.join(5)
    server.kill()
    server.start(30)
    try:
        history = _finished(server)
    finally:
        server.kill()
    saved = collections.Counter(
        p.name.rsplit("_", 2)[0] for p in (root / "output" / "p").glob("*.png")
    )
    lost = [pid for pid in acknowledged if pid not in history]
    twice = [pid for pid, prefix in acknowledged.items() if saved[prefix.split("/", 1)[1]] > 1]
    return len(acknowledged), lost, twice


def kills_during_save(root: Path) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kill-during-save", type=int, default=10, help="runs, one kill each")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--prompts", type=int, default=20, help="per client")
    args = parser.parse_args()
    import random

    draw = random.Random(27)
    totals = {"acknowledged": 0, "lost": 0, "twice": 0}
    for run in range(1, args.kill_during_save + 1):
        trigger = ("history", "queue")[run % 2]  # right after one write, then the other
        count = draw.randint(2, args.prompts)
        folder = root / f"save-{run}"
        folder.mkdir()
        acknowledged, lost, twice = one_kill_during_save(
            folder, args.clients, args.prompts, trigger, count
        )
        print(
            f"run {run:3}: killed as {trigger} file {count:3} was written: "
            f"{acknowledged:4} acknowledged, {len(lost)} lost, {len(twice)} run twice"
        )
        totals["acknowledged"] += acknowledged
        totals["lost"] += len(lost)
        totals["twice"] += len(twice)
    print(f"kills inside the save window: {args.kill_during_save}, {args.clients} clients")
    print(f"acknowledged prompts        : {totals['acknowledged']}")
    print(f"lost / run twice            : {totals['lost']} / {totals['twice']}")
    return 1 if totals["lost"] or totals["twice"] else 0


def kills_after_answers(root: Path) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills-after-answers", type=int, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--window", type=int, default=200, help="answers to draw the kill from")
    args = parser.parse_args()
    import random

    draw = random.Random(2026)
    rows, worst, total_acknowledged, total_lost = [], 0, 0, 0
    for kill in range(1, args.kills_after_answers + 1):
        kill_at = draw.randint(1, args.window)
        folder = root / f"kill-{kill}"
        folder.mkdir()
        acknowledged, lost = one_kill_after_an_answer(folder, args.clients, kill_at)
        rows.append(
            f"kill {kill:3}: after answer {kill_at:4}: {acknowledged:4} acknowledged, "
            f"{len(lost)} lost"
        )
        worst = max(worst, len(lost))
        total_acknowledged += acknowledged
        total_lost += len(lost)
    print("\n".join(rows))
    print(f"kills right after an answer: {args.kills_after_answers}, {args.clients} clients")
    print(f"acknowledged prompts       : {total_acknowledged}")
    print(f"acknowledged, then lost    : {total_lost} (worst kill: {worst})")
    return 1 if total_lost else 0


def measure(root: Path) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--prompts", type=int, default=50)
    parser.add_argument("--steps", type=int, default=5, help="sampling steps per prompt")
    parser.add_argument("--lose-queue", action="store_true")
    args = parser.parse_args()

    port = free_port()
    options = {**mock_folders(root), "keep_queue_on_restart": not args.lose_queue}
    server = ServerProcess(mock_command(port, options=options), port, root / "s.log", "load")
    server.start(15)
    run = Run(server, args.clients * args.prompts, args.steps)
    started = time.monotonic()
    threads = [
        threading.Thread(target=run.client, args=(i, args.prompts)) for i in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started

    checker = ComfyClient(server.url)
    history = checker.history(max_items=100000)
    checker.close()
    server.kill()

    server_status = {
        pid: entry["status"]["status_str"] for pid, entry in {**run.before_crash, **history}.items()
    }
    counts = collections.Counter(run.outcomes.values())
    false_failures = [
        pid
        for pid, outcome in run.outcomes.items()
        if outcome != "success" and server_status.get(pid) == "success"
    ]
    false_successes = [
        pid
        for pid, outcome in run.outcomes.items()
        if outcome == "success" and server_status.get(pid, "success") != "success"
    ]
    unknown = [pid for pid in run.outcomes if pid not in server_status]
    print(f"clients x prompts          : {args.clients} x {args.prompts}")
    print(f"queue across the restart   : {'lost (ComfyUI default)' if args.lose_queue else 'kept'}")
    print(f"crash and restart          : {'done' if run.crashed.is_set() else 'NOT DONE'}")
    print(f"queued or running at crash : {run.queued_at_crash}")
    print(f"restart to ready           : {run.restart_seconds or 0:.2f} s")
    print(f"wall time                  : {wall:.1f} s")
    print(f"client-side outcomes       : {dict(sorted(counts.items()))}")
    print(f"not submitted (server down): {run.unsubmitted}")
    print(f"server history success     : {sum(s == 'success' for s in server_status.values())}")
    print(f"in no history the server had: {len(unknown)} (finished as it crashed, history lost)")
    print(f"false failures             : {len(false_failures)}")
    print(f"false successes            : {len(false_successes)}")
    kept_but_missing = unknown and not args.lose_queue
    failed = false_failures or false_successes or kept_but_missing or not run.crashed.is_set()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
