"""Audio nodes (0.8's ``comfy_extras.nodes_audio``), simulated without a model.

An audio latent remembers its length in seconds; the sampler adds its recipe (models,
seed, prompt) as for images; decoding renders a deterministic, audible waveform from
that recipe, 44.1 kHz stereo, as long as the latent says (ComfyUI's length rounding
included). Saving writes real FLAC, MP3 and Opus files with PyAV, named and reported
(``{"audio": [...]}``) as ComfyUI names and reports them. Loading decodes uploads.
"""

from __future__ import annotations

import hashlib
import json
import random
from typing import Any

import numpy as np

from ComfyLibrary.mock.nodes import ExecutionFailure, NodeResult, node
from ComfyLibrary.mock.nodes.model_nodes import Latent, identity

STABLE_AUDIO_RATE = 44100
OPUS_RATES = (8000, 12000, 16000, 24000, 48000)
AUDIO_FORMATS = {"flac": "flac", "mp3": "libmp3lame", "opus": "libopus"}
BIT_RATES = {"64k": 64000, "96k": 96000, "128k": 128000, "192k": 192000, "320k": 320000}


def audio_value(waveform: np.ndarray, sample_rate: int) -> dict[str, Any]:
    """An AUDIO value: ``waveform`` is (batch, channels, samples) float32."""
    return {"waveform": waveform.astype(np.float32), "sample_rate": int(sample_rate)}


@node("EmptyLatentAudio")
def empty_latent_audio(ctx, seconds: float, batch_size: int = 1, **_: Any):
    length = round((seconds * STABLE_AUDIO_RATE / 2048) / 2) * 2  # latent frames, as 0.8
    return (Latent(1, 1, batch_size, 1, (), {"audio_frames": length}),)


@node("ConditioningStableAudio")
def conditioning_stable_audio(
    ctx, positive, negative, seconds_start: float = 0.0, seconds_total: float = 47.0, **_: Any
):
    return (positive, negative)


def render_waveform(recipe: tuple[Any, ...], samples: int, channels: int = 2) -> np.ndarray:
    """A few tones with a slow envelope, all chosen by ``recipe``: never silent."""
    rng = random.Random(hashlib.sha256(repr(recipe).encode()).digest())
    t = np.arange(samples, dtype=np.float64) / STABLE_AUDIO_RATE
    out = np.zeros((channels, samples))
    for _ in range(3):
        frequency = rng.uniform(110.0, 880.0)
        amplitude = rng.uniform(0.08, 0.25)
        tremolo = rng.uniform(0.2, 2.0)
        for channel in range(channels):
            phase = rng.uniform(0, 2 * np.pi)
            envelope = 0.6 + 0.4 * np.sin(2 * np.pi * tremolo * t + channel)
            out[channel] += amplitude * envelope * np.sin(2 * np.pi * frequency * t + phase)
    return out


@node("VAEDecodeAudio")
def vae_decode_audio(ctx, samples: Latent, vae=None, **_: Any):
    frames = int(samples.extra.get("audio_frames", 0))
    if frames <= 0:
        raise ExecutionFailure("VAEDecodeAudio needs an audio latent", "RuntimeError")
    length = frames * 2048
    recipe = (*samples.recipe, identity(vae))
    batch = np.stack([render_waveform((*recipe, i), length) for i in range(samples.batch)])
    return (audio_value(batch, STABLE_AUDIO_RATE),)


@node("EmptyAudio")
def empty_audio(ctx, duration: float = 60.0, sample_rate: int = 44100, channels: int = 2, **_: Any):
    length = round(duration * sample_rate)
    return (audio_value(np.zeros((1, channels, length)), sample_rate),)


@node("AudioAdjustVolume")
def audio_adjust_volume(ctx, audio, volume: int = 1, **_: Any):
    if volume == 0:
        return (audio,)
    return (audio_value(audio["waveform"] * 10 ** (volume / 20), audio["sample_rate"]),)


@node("TrimAudioDuration")
def trim_audio_duration(ctx, audio, start_index: float = 0.0, duration: float = 60.0, **_: Any):
    waveform, rate = audio["waveform"], audio["sample_rate"]
    total = waveform.shape[-1]
    start = total + round(start_index * rate) if start_index < 0 else round(start_index * rate)
    start = max(0, min(start, total - 1))
    end = max(0, min(start + round(duration * rate), total))
    if start >= end:
        raise ExecutionFailure(
            "AudioTrim: Start time must be less than end time and be within the audio length.",
            "ValueError",
        )
    return (audio_value(waveform[..., start:end], rate),)


def _resample(waveform: np.ndarray, source: int, target: int) -> np.ndarray:
    if source == target:
        return waveform
    length = max(1, round(waveform.shape[-1] * target / source))
    old = np.linspace(0.0, 1.0, waveform.shape[-1])
    new = np.linspace(0.0, 1.0, length)
    flat = waveform.reshape(-1, waveform.shape[-1])
    out = np.stack([np.interp(new, old, row) for row in flat])
    return out.reshape((*waveform.shape[:-1], length))


def _stereo(waveform: np.ndarray) -> np.ndarray:
    return np.repeat(waveform, 2, axis=1) if waveform.shape[1] == 1 else waveform


@node("AudioConcat")
def audio_concat(ctx, audio1, audio2, direction: str = "after", **_: Any):
    rate = max(audio1["sample_rate"], audio2["sample_rate"])
    first = _resample(_stereo(audio1["waveform"]), audio1["sample_rate"], rate)
    second = _resample(_stereo(audio2["waveform"]), audio2["sample_rate"], rate)
    parts = (first, second) if direction == "after" else (second, first)
    return (audio_value(np.concatenate(parts, axis=2), rate),)


@node("SplitAudioChannels")
def split_audio_channels(ctx, audio, **_: Any):
    waveform = audio["waveform"]
    if waveform.shape[1] != 2:
        raise ExecutionFailure("AudioSplit: Input audio has only one channel.", "ValueError")
    rate = audio["sample_rate"]
    return (audio_value(waveform[:, 0:1], rate), audio_value(waveform[:, 1:2], rate))


@node("AudioMerge")
def audio_merge(ctx, audio1, audio2, merge_method: str = "add", **_: Any):
    rate = max(audio1["sample_rate"], audio2["sample_rate"])
    first = _resample(audio1["waveform"], audio1["sample_rate"], rate)
    second = _resample(audio2["waveform"], audio2["sample_rate"], rate)
    length = first.shape[-1]
    if second.shape[-1] >= length:
        second = second[..., :length]
    else:
        second = np.pad(second, [(0, 0)] * (second.ndim - 1) + [(0, length - second.shape[-1])])
    merged = {
        "add": first + second,
        "mean": (first + second) / 2,
        "subtract": first - second,
        "multiply": first * second,
    }[merge_method]
    return (audio_value(merged, rate),)


def _frame_samples(frame: Any) -> np.ndarray:
    """One decoded frame as float samples in -1..1, shaped (channels, samples)."""
    data = frame.to_ndarray()
    if np.issubdtype(data.dtype, np.integer):  # PCM: scaled as ComfyUI's f32_pcm does
        data = data.astype(np.float32) / float(2 ** (8 * data.dtype.itemsize - 1))
    channels = frame.layout.nb_channels
    data = data.astype(np.float32)
    if frame.format.is_planar:
        return data.reshape(channels, -1)
    return data.reshape(-1, channels).T


@node("LoadAudio")
def load_audio(ctx, audio: str, **_: Any):
    import av

    path = ctx.input_path(audio)
    try:
        with av.open(str(path)) as container:
            stream = next(s for s in container.streams if s.type == "audio")
            rate = stream.codec_context.sample_rate
            chunks = [_frame_samples(frame) for frame in container.decode(stream)]
    except StopIteration:
        raise ExecutionFailure(
            f"No audio stream found in the file: {audio}", "ValueError"
        ) from None
    except av.FFmpegError as exc:
        raise ExecutionFailure(str(exc), f"av.error.{type(exc).__name__}") from None
    if not chunks:
        raise ExecutionFailure(f"No audio could be decoded from {audio}", "ValueError")
    waveform = np.concatenate(chunks, axis=1)
    return (audio_value(waveform[np.newaxis], rate),)


def _encode(waveform: np.ndarray, rate: int, fmt: str, quality: str, metadata: dict) -> bytes:
    import io

    import av

    if fmt == "opus":
        target = 48000 if rate > 48000 else next((r for r in OPUS_RATES if r >= rate), 48000)
        waveform, rate = _resample(waveform, rate, target), target
    layout = "mono" if waveform.shape[0] == 1 else "stereo"
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format=fmt) as container:
        for key, value in metadata.items():
            container.metadata[key] = value
        stream = container.add_stream(AUDIO_FORMATS[fmt], rate=rate, layout=layout)
        if fmt == "mp3" and quality == "V0":
            stream.codec_context.qscale = 1
        elif quality in BIT_RATES and fmt != "flac":
            stream.bit_rate = BIT_RATES[quality]
        interleaved = np.ascontiguousarray(waveform.T.reshape(1, -1), dtype=np.float32)
        frame = av.AudioFrame.from_ndarray(interleaved, format="flt", layout=layout)
        frame.sample_rate = rate
        frame.pts = 0
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def save_audio(ctx, audio, prefix: str, folder_type: str, fmt: str, quality: str = "128k"):
    folder, name, counter = ctx.save_path(prefix, None, folder_type)
    metadata = {"prompt": json.dumps(ctx.run.prompt)}
    for key, value in (ctx.run.extra_data.get("extra_pnginfo") or {}).items():
        metadata[key] = json.dumps(value)
    results = []
    for batch_number, waveform in enumerate(audio["waveform"]):
        stem = name.replace("%batch_num%", str(batch_number))
        filename = f"{stem}_{counter:05}_.{fmt}"
        data = _encode(waveform, audio["sample_rate"], fmt, quality, metadata)
        (folder / filename).write_bytes(data)
        results.append(ctx.file_entry(folder, filename, folder_type))
        counter += 1
    return NodeResult(ui={"audio": results})


@node("SaveAudio")
def save_audio_flac(ctx, audio, filename_prefix: str = "audio/ComfyUI", **_: Any):
    return save_audio(ctx, audio, filename_prefix, "output", "flac")


@node("SaveAudioMP3")
def save_audio_mp3(ctx, audio, filename_prefix: str = "audio/ComfyUI", quality="V0", **_: Any):
    return save_audio(ctx, audio, filename_prefix, "output", "mp3", quality)


@node("SaveAudioOpus")
def save_audio_opus(ctx, audio, filename_prefix: str = "audio/ComfyUI", quality="128k", **_: Any):
    return save_audio(ctx, audio, filename_prefix, "output", "opus", quality)


@node("PreviewAudio")
def preview_audio(ctx, audio, **_: Any):
    return save_audio(ctx, audio, ctx.temp_prefix(), "temp", "flac")
