"""Animated image and video nodes: real WEBP, APNG, WebM and MP4 files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ComfyLibrary.mock.encode import write_video
from ComfyLibrary.mock.nodes import ExecutionFailure, NodeResult, node


@dataclass
class VideoClip:
    """ComfyUI's VIDEO value: frames, a frame rate and optional audio."""

    frames: list[Any]
    fps: float
    audio: dict[str, Any] | None = None


class VideoFile:
    """What 0.8's LoadVideo returns: a file decoded only when a node uses it, so a broken
    upload fails in the node that reads it, with PyAV's own error (``InvalidDataError``,
    or ``IndexError`` for a file without a video stream), as in ComfyUI."""

    def __init__(self, path: Any):
        self.path = path
        self._clip: VideoClip | None = None

    def _decoded(self) -> VideoClip:
        if self._clip is None:
            self._clip = _decode(self.path)
        return self._clip

    @property
    def frames(self) -> list[Any]:
        return self._decoded().frames

    @property
    def fps(self) -> float:
        return self._decoded().fps

    @property
    def audio(self) -> dict[str, Any] | None:
        return self._decoded().audio


def _decode(path: Any) -> VideoClip:
    import av
    import numpy as np

    try:
        with av.open(str(path), mode="r") as container:
            frames = [f.to_image() for f in container.decode(video=0)]
            stream = next(s for s in container.streams if s.type == "video")
            fps = float(stream.average_rate) if stream.average_rate else 1.0
            audio = None
            container.seek(0)
            for audio_stream in (s for s in container.streams if s.type == "audio"):
                chunks = [
                    frame.to_ndarray()
                    for packet in container.demux(audio_stream)
                    for frame in packet.decode()
                ]
                if chunks:
                    waveform = np.concatenate(chunks, axis=1)[np.newaxis].astype(np.float32)
                    audio = {"waveform": waveform, "sample_rate": int(audio_stream.rate or 1)}
    except av.FFmpegError as exc:
        raise ExecutionFailure(str(exc), f"av.error.{type(exc).__name__}") from None
    except (IndexError, StopIteration) as exc:
        raise ExecutionFailure(str(exc), type(exc).__name__) from None
    return VideoClip(frames, fps, audio)


@node("LoadVideo")
def load_video(ctx, file: str, **_: Any):
    return (VideoFile(ctx.input_path(file)),)


def _animated(ctx, files: list[dict[str, str]]) -> NodeResult:
    return NodeResult(ui={"images": files, "animated": [True]})


@node("SaveAnimatedWEBP")
def save_animated_webp(
    ctx,
    images,
    filename_prefix: str,
    fps: float,
    lossless: bool = False,
    quality: int = 80,
    method: str = "default",
    **_: Any,
):
    # The encoder's effort (``method``) only trades time for size: the mock always takes
    # the fastest, so a lossless file holds the same pixels, written many times faster.
    folder, name, counter = ctx.save_path(filename_prefix, images[0], "output")
    filename = f"{name}_{counter:05}_.webp"
    images[0].save(
        folder / filename,
        save_all=True,
        append_images=images[1:],
        duration=int(1000.0 / fps),
        lossless=lossless,
        quality=quality,
        method=0,
        loop=0,
    )
    return _animated(ctx, [ctx.file_entry(folder, filename, "output")])


@node("SaveAnimatedPNG")
def save_animated_png(
    ctx, images, filename_prefix: str, fps: float, compress_level: int = 4, **_: Any
):
    folder, name, counter = ctx.save_path(filename_prefix, images[0], "output")
    filename = f"{name}_{counter:05}_.png"
    images[0].save(
        folder / filename,
        save_all=True,
        append_images=images[1:],
        duration=int(1000.0 / fps),
        compress_level=compress_level,
        loop=0,
        pnginfo=ctx.run.png_metadata(),
    )
    return _animated(ctx, [ctx.file_entry(folder, filename, "output")])


@node("SaveWEBM")
def save_webm(ctx, images, filename_prefix: str, codec: str, fps: float, crf: float, **_: Any):
    folder, name, counter = ctx.save_path(filename_prefix, images[0], "output")
    filename = f"{name}_{counter:05}_.webm"
    encoder = {"vp9": "libvpx-vp9", "av1": "libsvtav1"}.get(codec, "libvpx-vp9")
    write_video(folder / filename, images, fps, encoder, crf=crf)
    return _animated(ctx, [ctx.file_entry(folder, filename, "output")])


@node("CreateVideo")
def create_video(ctx, images, fps: float, audio=None, **_: Any):
    return (VideoClip(list(images), fps, audio),)


@node("GetVideoComponents")
def get_video_components(ctx, video: VideoClip, **_: Any):
    return (video.frames, video.audio, video.fps)


@node("SaveVideo")
def save_video(
    ctx,
    video: VideoClip,
    filename_prefix: str,
    format: str = "auto",
    codec: str = "auto",
    **_: Any,
):
    extension = "webm" if format == "webm" else "mp4"
    encoder = "libvpx-vp9" if extension == "webm" else "libx264"
    folder, name, counter = ctx.save_path(filename_prefix, video.frames[0], "output")
    filename = f"{name}_{counter:05}_.{extension}"
    write_video(folder / filename, video.frames, video.fps, encoder, audio=video.audio)
    return _animated(ctx, [ctx.file_entry(folder, filename, "output")])
