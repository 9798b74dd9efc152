"""Video, audio, animated-image and comparison checks on generated media."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from ComfyLibrary.errors import MediaError
from ComfyLibrary.media.audio import audio_info
from ComfyLibrary.media.checks import VIDEO_TYPICAL_SIZES, validate_image, validate_video
from ComfyLibrary.media.compare import compare, identical, parse_masks
from ComfyLibrary.media.video import frame_at, video_info
from tests.media_factory import moving_frames, write_audio, write_video

pytestmark = pytest.mark.portable  # no local server process: runs on macOS and Windows


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    root = tmp_path_factory.mktemp("media")
    frames = moving_frames(36)
    return {
        "moving": write_video(root / "moving.mp4", frames),
        "frozen": write_video(root / "frozen.mp4", [frames[0]] * 36),
        "black": write_video(root / "black.mp4", [Image.new("RGB", (160, 96))] * 36),
        "webm": write_video(root / "moving.webm", frames, codec="libvpx-vp9"),
        "with_audio": write_video(root / "sound.mp4", frames, audio_seconds=3),
        "root": root,
    }


def names(result):
    return {c.name: c.passed for c in result.checks}


def test_moving_video_passes_every_check(media):
    result = validate_video(media["moving"], min_size=None, fps=12, frames=36, width=160, height=96)
    assert result.passed, result.errors
    assert result.metadata["codec"] == "h264"
    assert result.metadata["duration"] == pytest.approx(3.0, abs=0.1)


def test_webm_container_and_codec(media):
    info = video_info(media["webm"])
    assert (info.container, info.codec, info.frames) == ("webm", "vp9", 36)


def test_frozen_video_is_caught(media):
    result = validate_video(media["frozen"], min_size=None)
    assert names(result)["not_frozen"] is False
    assert "video is frozen: mean frame-to-frame change 0" in result.failure()


def test_black_video_is_caught(media):
    result = validate_video(media["black"], min_size=None)
    assert names(result)["not_black"] is False
    assert "video is black: 36 of 36 frames are black" in result.failure()


def test_no_size_limit_by_default_and_the_typical_one_on_request(media):
    assert "size" not in names(validate_video(media["moving"]))
    result = validate_video(media["moving"], min_size=VIDEO_TYPICAL_SIZES[0])
    assert names(result)["size"] is False
    assert "expected at least 102400 bytes" in result.failure()


def test_audio_streams_are_reported(media):
    info = video_info(media["with_audio"])
    assert info.audio == [{"codec": "aac", "sample_rate": 44100, "channels": 1}]


def test_audio_only_mp4_is_not_a_video(media):
    path = write_audio(media["root"] / "voice.mp4", 1.0, "aac")
    result = validate_video(path)
    assert result.passed is False
    assert "has no video stream (it has: audio)" in result.errors[0]


@pytest.mark.parametrize(
    ("suffix", "codec"),
    [("wav", "pcm_s16le"), ("mp3", "libmp3lame"), ("flac", "flac"), ("opus", "libopus")],
)
def test_audio_formats(media, suffix, codec):
    try:
        path = write_audio(media["root"] / f"tone.{suffix}", 2.0, codec)
    except Exception as exc:
        pytest.skip(f"PyAV cannot encode {codec} here: {exc}")
    info = audio_info(path)
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert info.sample_rate in (44100, 48000)


@pytest.mark.parametrize("content", [b"", b"\x00\x00\x00\x18ftypmp42 not really a video"])
def test_empty_and_corrupt_videos_fail_cleanly(media, content):
    path = media["root"] / "broken.mp4"
    path.write_bytes(content)
    result = validate_video(path)
    assert result.passed is False
    assert result.checks[0].name == "readable"
    assert "Video file" in result.errors[0]


def test_truncated_video_fails_or_reports_fewer_frames(media):
    data = media["moving"].read_bytes()
    path = media["root"] / "cut.mp4"
    path.write_bytes(data[: len(data) // 3])
    result = validate_video(path, min_size=None, frames=36)
    assert result.passed is False


def test_wrong_extension_is_judged_by_content(media):
    path = media["root"] / "actually_webm.mp4"
    path.write_bytes(media["webm"].read_bytes())
    assert video_info(path).container == "webm"


def test_animated_webp_and_gif_are_videos(media):
    frames = moving_frames(10)
    for suffix in ("webp", "gif"):
        path = media["root"] / f"anim.{suffix}"
        frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
        info = video_info(path)
        assert info.frames == 10
        assert info.fps == pytest.approx(10.0)
        assert validate_video(path, containers=("webp", "gif"), min_size=None).passed


def test_frame_by_number_and_time(media):
    first = frame_at(media["moving"], 0)
    later = frame_at(media["moving"], seconds=2.0)
    assert first.size == (160, 96)
    assert identical_pixels(first, later) is False


def identical_pixels(a, b) -> bool:
    return a.tobytes() == b.tobytes()


def picture(path, shift=0, box=None):
    img = Image.new("RGB", (128, 128), "white")
    draw = ImageDraw.Draw(img)
    for i in range(0, 128, 16):
        draw.line((i + shift, 0, i + shift, 127), fill="black", width=3)
    if box:
        draw.rectangle(box, fill="red")
    img.save(path)
    return path


def test_ssim_same_similar_and_masked(tmp_path):
    a = picture(tmp_path / "a.png")
    b = picture(tmp_path / "b.png", box=(0, 0, 40, 40))
    c = picture(tmp_path / "c.png", shift=8)
    assert compare(a, a).score == pytest.approx(1.0)
    assert compare(a, b).score < 0.95
    assert compare(a, b, parse_masks("0,0,48,48")).score == pytest.approx(1.0)
    assert compare(a, c).score < 0.5


def test_identical_and_different(tmp_path):
    a = picture(tmp_path / "a.png")
    copy = picture(tmp_path / "copy.png")
    b = picture(tmp_path / "b.png", box=(0, 0, 4, 4))
    assert identical(a, copy) == (True, "all pixels are equal")
    same, reason = identical(a, b)
    assert same is False
    assert reason.startswith("25 of 16384 pixels differ")


def test_blank_image_is_caught(tmp_path):
    path = tmp_path / "black.png"
    Image.new("RGB", (64, 64)).save(path)
    result = validate_image(path, min_size=None)
    assert "image is blank: near-uniform" in result.failure()


def test_bad_mask_is_one_clear_line():
    with pytest.raises(MediaError, match=r"Mask region .* must be x, y, width, height"):
        parse_masks("1,2,3")
