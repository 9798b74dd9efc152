"""Headless Chromium driven with Playwright for Python, to check what a reviewer sees in
log.html and what ComfyUI's web editor does against the mock. Installs Debian's chromium
when it is missing and the tests run as root."""

from __future__ import annotations

import os
import shutil
import subprocess

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# apt waits this long for a lock another apt holds (the Docker engine's set-up, say)
APT = ["apt-get", "-o", "DPkg::Lock::Timeout=300", "-o", "Acquire::Retries=3"]


def find_or_install_chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*APT, "update", "-qq"], env=env, capture_output=True, check=False)
    subprocess.run(
        [*APT, "install", "-y", "-qq", "chromium", "chromium-driver"],
        env=env,
        capture_output=True,
        check=False,
    )
    return shutil.which("chromium")


def chromium_or_skip() -> str:
    """Debian's chromium (installed when missing, as root with apt), or a skip naming why
    not: a failure under COMFY_REQUIRE_BROWSER=1."""
    from tests.conftest import skip_or_fail

    found = find_or_install_chromium()
    if found is None:
        skip_or_fail(
            "Chromium is not installed and cannot be installed here (needs root and apt)",
            "COMFY_REQUIRE_BROWSER",
        )
    return found


def import_or_skip(module: str, reason: str):
    """``pytest.importorskip``, but a failure under COMFY_REQUIRE_BROWSER=1."""
    import importlib

    from tests.conftest import skip_or_fail

    try:
        return importlib.import_module(module)
    except ImportError:
        skip_or_fail(reason, "COMFY_REQUIRE_BROWSER")


class Browser:
    """Headless Chromium (Debian's, no browser download) driven by Playwright for Python."""

    def __init__(self, executable: str):
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=executable, args=FLAGS)
        self.page = self._browser.new_page(viewport={"width": 1400, "height": 900})

    def evaluate(self, expression: str):
        return self.page.evaluate(expression)

    def open(self, url: str, ready: str, timeout: float = 30) -> None:
        self.page.goto(url, wait_until="load")
        self.page.wait_for_function(ready, timeout=timeout * 1000)

    def close(self) -> None:
        self._browser.close()
        self._playwright.stop()
