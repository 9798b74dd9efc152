"""log.html shows the generated images: rendered in headless Chromium, every embedded
thumbnail has really loaded (decoded, with a width), and the links point at files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import Browser, chromium_or_skip
from tests.procs import run_robot

ROOT = Path(__file__).resolve().parents[1]
THUMBNAILS = """Array.from(document.images)
  .filter(i => i.src.startsWith('data:image/jpeg'))
  .map(i => ({loaded: i.complete, width: i.naturalWidth, link: i.parentElement.href || ''}))"""


@pytest.fixture(scope="module")
def chromium():
    browser = Browser(chromium_or_skip())
    yield browser
    browser.close()


def test_thumbnails_in_log_html_load(chromium, tmp_path):
    result = run_robot(
        ROOT / "suites" / "mock" / "smoke.robot",
        tmp_path,
        *("--test", "A Blank*", "--report", "NONE"),
        *("--expandkeywords", "name:*Image Should Be Valid"),
    )
    assert result.returncode == 0, result.stdout[-2000:]
    chromium.open(
        (tmp_path / "log.html").as_uri(),
        ready=f"({THUMBNAILS}).length > 0 && ({THUMBNAILS}).every(t => t.loaded)",
    )
    thumbnails = chromium.evaluate(THUMBNAILS)
    assert thumbnails, "log.html shows no thumbnail"
    for thumbnail in thumbnails:
        assert thumbnail["width"] > 0, "a thumbnail did not decode"
        target = Path(thumbnail["link"].removeprefix("file://"))
        assert target.is_file(), f"the thumbnail links to {target}, which does not exist"


TIMELINES = """Array.from(document.querySelectorAll('svg.comfy-timeline'))
  .map(s => ({width: s.getBoundingClientRect().width, bars: s.querySelectorAll('rect').length}))"""


def test_the_timeline_of_a_run_renders_in_log_html(chromium, tmp_path):
    result = run_robot(
        ROOT / "suites" / "mock" / "workflows.robot",
        tmp_path,
        *("--test", "A Text-To-Image Run Follows Its Parameters", "--report", "NONE"),
        *("--expandkeywords", "name:*Run Workflow"),
    )
    assert result.returncode == 0, result.stdout[-2000:]
    chromium.open((tmp_path / "log.html").as_uri(), ready=f"({TIMELINES}).length > 0")
    timelines = chromium.evaluate(TIMELINES)
    assert timelines, "log.html shows no timeline"
    assert timelines[0]["width"] > 100
    assert timelines[0]["bars"] >= 5  # one bar per node of the z-image workflow


def open_log_of_steps(chromium, tmp_path, steps: str, ready: str, *expanded: str) -> None:
    """Runs one test of ``steps`` (after a mock is started and connected) with the shared
    resource, then opens its log.html in Chromium, the keywords ``expanded``, once
    ``ready`` (JavaScript) holds."""
    suite = tmp_path / "steps.robot"
    suite.write_text(
        f"*** Settings ***\nResource    {ROOT / 'resources' / 'comfy.resource'}\n\n"
        "*** Test Cases ***\nSteps\n    Start A Mock ComfyUI And Connect\n"
        + "".join(f"    {line.strip()}\n" for line in steps.strip().splitlines())
    )
    expand = [option for name in expanded for option in ("--expandkeywords", f"name:*{name}")]
    result = run_robot(suite, tmp_path, "--report", "NONE", *expand)
    assert result.returncode == 0, result.stdout[-2000:]
    chromium.open((tmp_path / "log.html").as_uri(), ready=ready)


def test_run_workflow_shows_its_images_and_video_as_pictures(chromium, tmp_path):
    """No Validate keyword runs: the pictures come from Run Workflow's own download."""
    open_log_of_steps(
        chromium,
        tmp_path,
        f"""
        Run Workflow    tiny_text_to_image    seed=${{1}}
        Upload Image    {ROOT / "resources" / "fixtures" / "start_frame.png"}
        Run Workflow    tiny_image_to_video    image=start_frame.png
        """,
        f"({THUMBNAILS}).length >= 2 && ({THUMBNAILS}).every(t => t.loaded)",
        "Run Workflow",
    )
    thumbnails = chromium.evaluate(THUMBNAILS)
    links = sorted(Path(t["link"]).suffix for t in thumbnails)
    assert links == [".mp4", ".mp4", ".mp4", ".png"], thumbnails  # the image, the video's strip
    assert all(t["width"] > 0 for t in thumbnails)
    titles = chromium.evaluate(
        "Array.from(document.images).map(i => i.title).filter(t => t.includes('frame ('))"
    )
    assert [t.split(", ")[1].split(" frame")[0] for t in titles] == ["first", "middle", "last"]


AUDIO = """Array.from(document.querySelectorAll('audio.comfy-audio')).map(a => ({
  duration: a.duration, ready: a.readyState, src: a.currentSrc,
  bars: a.parentElement.querySelectorAll('svg.comfy-waveform rect').length}))"""


def test_audio_shows_a_waveform_and_a_player_that_loads(chromium, tmp_path):
    open_log_of_steps(
        chromium,
        tmp_path,
        """
        ${result} =    Run Workflow    text_to_audio    seed=${5}    duration=${2}
        Validate Audio    ${result.files}[0]
        """,
        f"({AUDIO}).length >= 2 && ({AUDIO}).every(a => a.ready >= 1)",
        "Run Workflow",
        "Validate Audio",
    )
    players = chromium.evaluate(AUDIO)
    assert len(players) == 2  # Run Workflow's download and Validate Audio
    for player in players:
        assert abs(player["duration"] - 2.0) < 0.1, player  # the browser read the file
        assert player["src"].endswith(".flac"), player
        assert player["bars"] > 100, player  # the waveform has its bars (and the backdrop)
