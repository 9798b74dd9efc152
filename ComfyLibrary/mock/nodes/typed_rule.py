"""The one rule by which every node class without an implementation of its own runs.

It reads the class's outputs from the catalog and makes each from the node's inputs:

- an output of a type that an input also has passes that input on (the k-th output of a
  type takes the k-th input of that type), with the node's class and widget values added
  to what it carries: a model's patches, a latent's recipe, a conditioning's source, a
  picture's tint. So changing any value of the node changes the final picture;
- sizes follow the node's ``width``/``height``/``batch_size``/``length`` inputs, its scale
  inputs (``scale_by``, ``megapixels``, ``longer_edge``...) or the image it was given;
- an output of a type no input has is made from the node's values: a model stand-in named
  by its file, a conditioning of its text, a latent or a picture of its size, a waveform of
  its duration, sigmas of its steps;
- a match-type output (``COMFY_MATCHTYPE_V3``) passes on an input of the same template,
  a ``*`` output the first input given;
- an output node that is given images previews them, as PreviewImage does.

No output is ever ``None``. A team's custom nodes, loaded from its catalog, run by it too;
a profile's ``behaviours`` may name an implemented class a custom one acts ``like``, or
which input each output passes on.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from PIL import Image

from ComfyLibrary.mock.dynamic_inputs import MATCH_TYPE, expand
from ComfyLibrary.mock.nodes import ExecutionFailure, NodeResult, implementation
from ComfyLibrary.mock.nodes.model_nodes import (
    Latent,
    SimulatedModel,
    identity,
    render_picture,
    render_video_frames,
)

PLAIN = (int, float, str, bool)
DEFAULT_SIZE = 512
DEFAULT_FPS = 24.0
AUDIO_RATE = 44100


def run_typed(ctx: Any, class_type: str, definition: dict[str, Any], inputs: dict[str, Any]):
    """Runs ``class_type`` by its catalog ``definition`` (see the module's rules)."""
    behaviour = ctx.behaviour(class_type)
    if behaviour and behaviour.get("like"):
        return _run_like(ctx, str(behaviour["like"]), inputs)
    declared = _declared_types(definition, inputs)
    values = tuple(sorted((k, v) for k, v in inputs.items() if isinstance(v, PLAIN)))
    recipe = (class_type, values)
    passes = (behaviour or {}).get("outputs", {})
    outputs = []
    used: dict[str, int] = {}
    for index, output_type in enumerate(definition.get("output", [])):
        named = passes.get(str(index))
        if named is not None:
            if named not in inputs:
                raise ExecutionFailure(
                    f"the profile says output {index} of {class_type} is input '{named}', "
                    "which this node was not given\n",
                    "ValueError",
                )
            outputs.append(inputs[named])
            continue
        source = _source(output_type, index, definition, declared, inputs, used)
        if source is not None:
            outputs.append(derive(output_type, source, recipe, inputs))
        else:
            outputs.append(make(ctx, str(output_type), recipe, inputs))
    if definition.get("output_node"):
        images = _images_given(inputs, declared)
        if images:
            return NodeResult(
                tuple(outputs), {"images": ctx.save_images(images, ctx.temp_prefix(), "temp")}
            )
    return tuple(outputs)


def _run_like(ctx: Any, like: str, inputs: dict[str, Any]) -> Any:
    function = implementation(like)
    if function is None:
        raise ExecutionFailure(
            f"the profile's behaviour names '{like}', which the mock does not implement\n",
            "ValueError",
        )
    return function(ctx, **inputs)


def _declared_types(definition: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    """Each input's spec by the name the prompt gives it (v3 dynamic inputs expanded)."""
    expanded, _ = expand(definition.get("input", {}), inputs)
    return {
        name: spec
        for section in expanded.values()
        for name, spec in section.items()
        if isinstance(spec, list | tuple) and spec
    }


def _type_of(spec: Any) -> Any:
    return spec[0] if isinstance(spec, list | tuple) and spec else None


def _has_type(spec: Any, wanted: str) -> bool:
    kind = _type_of(spec)
    if not isinstance(kind, str):
        return False
    return kind == wanted or wanted in {t.strip() for t in kind.split(",")}


def _source(
    output_type: Any,
    index: int,
    definition: dict[str, Any],
    declared: dict[str, Any],
    inputs: dict[str, Any],
    used: dict[str, int],
) -> Any:
    """The input an output passes on, or None when no input has its type."""
    given = {name: value for name, value in inputs.items() if value is not None}
    if output_type == MATCH_TYPE:
        templates = definition.get("output_matchtypes") or []
        template = templates[index] if index < len(templates) else None
        for name, value in given.items():
            spec = declared.get(name)
            options = spec[1] if spec and len(spec) > 1 and isinstance(spec[1], dict) else {}
            if (options.get("template") or {}).get("template_id") == template:
                return value
        return next((v for n, v in given.items() if not isinstance(v, PLAIN)), None)
    if output_type == "*":
        return next((v for n, v in given.items() if not isinstance(v, PLAIN)), None)
    if not isinstance(output_type, str):
        return None
    candidates = [
        value for name, value in given.items() if _has_type(declared.get(name), output_type)
    ]
    if not candidates:
        return None
    taken = used.get(output_type, 0)
    used[output_type] = taken + 1
    return candidates[min(taken, len(candidates) - 1)]


def derive(output_type: Any, value: Any, recipe: tuple[Any, ...], inputs: dict[str, Any]) -> Any:
    """``value`` passed on, carrying the node's ``recipe``."""
    if isinstance(value, Latent):
        width, height = target_size(inputs, (value.width, value.height))
        frames = int(inputs.get("length", value.frames) or value.frames)
        batch = value.batch * int(inputs.get("amount", 1) if output_type == "LATENT" else 1)
        return Latent(width, height, batch, frames, (*value.recipe, recipe), value.extra)
    if isinstance(value, SimulatedModel):
        return SimulatedModel(value.kind, value.name, (*value.loras, (recipe, 1.0)))
    if output_type == "CONDITIONING" and isinstance(value, list):
        return [
            {**c, "clip": (c.get("clip"), identity(recipe))} if isinstance(c, dict) else c
            for c in value
        ]
    if output_type in ("IMAGE", "MASK") and _is_images(value):
        return [_reshaped(image, inputs, recipe, output_type == "IMAGE") for image in value]
    if isinstance(value, dict) and output_type not in ("AUDIO",):
        return {**value, f"patched_by_{recipe[0]}": identity(recipe)}
    return value


def make(ctx: Any, output_type: str, recipe: tuple[Any, ...], inputs: dict[str, Any]) -> Any:
    """An output of ``output_type`` made from the node's values alone."""
    maker = MAKERS.get(output_type)
    if maker is not None:
        return maker(ctx, recipe, inputs)
    name = _file_value(inputs) or recipe[0]
    if output_type.isupper() and output_type not in ("STRING", "INT", "FLOAT", "BOOLEAN"):
        if _file_value(inputs):
            ctx.load_model(output_type, name)
        return SimulatedModel(output_type, str(name), ((recipe, 1.0),))
    return {"type": output_type, "recipe": identity(recipe)}


def _file_value(inputs: dict[str, Any]) -> str | None:
    suffixes = (".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf", ".sft", ".onnx")
    for value in inputs.values():
        if isinstance(value, str) and value.lower().endswith(suffixes):
            return value
    return None


def _is_images(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(hasattr(v, "size") for v in value)


def _images_given(inputs: dict[str, Any], declared: dict[str, Any]) -> list[Any]:
    for name, value in inputs.items():
        if _has_type(declared.get(name), "IMAGE") and _is_images(value):
            return [image.convert("RGB") for image in value]
    return []


def target_size(inputs: dict[str, Any], current: tuple[int, int]) -> tuple[int, int]:
    """The size a node's size and scale inputs ask for, from ``current``."""
    width, height = current
    if _positive(inputs.get("width")) and _positive(inputs.get("height")):
        return int(inputs["width"]), int(inputs["height"])
    for key in ("scale_by", "upscale_factor", "scale"):
        if isinstance(inputs.get(key), int | float) and not isinstance(inputs[key], bool):
            factor = float(inputs[key])
            if factor > 0:
                return max(1, round(width * factor)), max(1, round(height * factor))
    if _positive(inputs.get("megapixels")):
        factor = math.sqrt(float(inputs["megapixels"]) * 1024 * 1024 / max(1, width * height))
        return max(1, round(width * factor)), max(1, round(height * factor))
    for key, pick in (("longer_edge", max), ("shorter_edge", min)):
        if _positive(inputs.get(key)):
            factor = float(inputs[key]) / max(1, pick(width, height))
            return max(1, round(width * factor)), max(1, round(height * factor))
    return width, height


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _reshaped(image: Any, inputs: dict[str, Any], recipe: tuple[Any, ...], tint: bool) -> Any:
    size = target_size(inputs, image.size)
    if size != image.size:
        image = image.resize(size, Image.Resampling.BILINEAR)
    if not tint:
        return image
    # a faint tint chosen by the node's values: the content stays, another value shows
    digest = hashlib.sha256(repr(identity(recipe)).encode()).digest()
    color = Image.new("RGB", image.size, (digest[0], digest[1], digest[2]))
    return Image.blend(image.convert("RGB"), color, 0.04)


def _size_from(inputs: dict[str, Any]) -> tuple[int, int]:
    for value in inputs.values():
        if _is_images(value):
            return target_size(inputs, value[0].size)
        if isinstance(value, Latent):
            return target_size(inputs, (value.width, value.height))
    return target_size(inputs, (DEFAULT_SIZE, DEFAULT_SIZE))


def _batch(inputs: dict[str, Any]) -> int:
    value = inputs.get("batch_size", 1)
    return max(1, int(value)) if _positive(value) else 1


def _frames(inputs: dict[str, Any]) -> int:
    for key in ("length", "video_frames", "frames", "num_frames"):
        if _positive(inputs.get(key)):
            return int(inputs[key])
    return 1


def _text(inputs: dict[str, Any]) -> str:
    return " ".join(str(v) for v in inputs.values() if isinstance(v, str) and v.strip())


def _first(inputs: dict[str, Any], kind: type) -> Any:
    return next((v for v in inputs.values() if isinstance(v, kind)), None)


def _make_latent(ctx: Any, recipe: tuple[Any, ...], inputs: dict[str, Any]) -> Latent:
    width, height = _size_from(inputs)
    extra: dict[str, Any] = {}
    images = next((v for v in inputs.values() if _is_images(v)), None)
    if images is not None:
        extra["start_image"] = images[0]
    for key in ("seconds", "duration"):
        if _positive(inputs.get(key)):
            extra["audio_frames"] = max(2, round(float(inputs[key]) * AUDIO_RATE / 2048))
    return Latent(width, height, _batch(inputs), _frames(inputs), (identity(recipe),), extra)


def _make_image(ctx: Any, recipe: tuple[Any, ...], inputs: dict[str, Any]) -> list[Any]:
    latent = _first(inputs, Latent)
    if latent is not None:
        decoded = latent.with_recipe(identity(recipe))
        if decoded.frames > 1:
            return render_video_frames(decoded)
        return [
            render_picture(decoded.width, decoded.height, (*decoded.recipe, i))
            for i in range(decoded.batch)
        ]
    video = next((v for v in inputs.values() if hasattr(v, "frames") and hasattr(v, "fps")), None)
    if video is not None:
        return list(video.frames)
    width, height = _size_from(inputs)
    return [render_picture(width, height, (identity(recipe), i)) for i in range(_batch(inputs))]


def _make_mask(ctx: Any, recipe: tuple[Any, ...], inputs: dict[str, Any]) -> list[Any]:
    images = next((v for v in inputs.values() if _is_images(v)), None)
    if images is not None:
        size = target_size(inputs, images[0].size)
        return [image.convert("L").resize(size) for image in images]
    return [image.convert("L") for image in _make_image(ctx, recipe, inputs)]


def _make_conditioning(ctx: Any, recipe: tuple[Any, ...], inputs: dict[str, Any]) -> list[Any]:
    encoder = _first(inputs, SimulatedModel)
    return [{"text": _text(inputs), "clip": (identity(encoder), identity(recipe))}]


def _make_audio(ctx: Any, recipe: tuple[Any, ...], inputs: dict[str, Any]) -> dict[str, Any]:
    import numpy as np

    from ComfyLibrary.mock.nodes.audio_nodes import audio_value, render_waveform

    seconds = 1.0
    for key in ("duration", "seconds", "length_seconds"):
        if _positive(inputs.get(key)):
            seconds = float(inputs[key])
            break
    latent = _first(inputs, Latent)
    if latent is not None and latent.extra.get("audio_frames"):
        seconds = int(latent.extra["audio_frames"]) * 2048 / AUDIO_RATE
    samples = max(1, round(min(seconds, 600.0) * AUDIO_RATE))
    return audio_value(np.stack([render_waveform(identity(recipe), samples)]), AUDIO_RATE)


def _make_video(ctx: Any, recipe: tuple[Any, ...], inputs: dict[str, Any]) -> Any:
    from ComfyLibrary.mock.nodes.video_nodes import VideoClip

    frames = _make_image(ctx, recipe, inputs)
    fps = float(inputs.get("fps") or inputs.get("frame_rate") or DEFAULT_FPS)
    audio = next((v for v in inputs.values() if isinstance(v, dict) and "waveform" in v), None)
    return VideoClip(frames, fps, audio)


def _make_sigmas(ctx: Any, recipe: tuple[Any, ...], inputs: dict[str, Any]) -> list[float]:
    steps = int(inputs["steps"]) if _positive(inputs.get("steps")) else 1
    denoise = float(inputs.get("denoise", 1.0) or 1.0)
    return [denoise * (1.0 - i / steps) for i in range(steps + 1)]


def _make_noise(ctx: Any, recipe: tuple[Any, ...], inputs: dict[str, Any]) -> dict[str, Any]:
    seed = inputs.get("noise_seed", inputs.get("seed"))
    return {"seed": seed, "recipe": identity(recipe)}


def _make_guider(ctx: Any, recipe: tuple[Any, ...], inputs: dict[str, Any]) -> dict[str, Any]:
    from ComfyLibrary.mock.nodes.model_nodes import conditioning_source, conditioning_text

    positive = inputs.get("positive", inputs.get("conditioning", inputs.get("cond1")))
    return {
        "model": inputs.get("model"),
        "text": conditioning_text(positive),
        "clip": conditioning_source(positive),
        "recipe": identity(recipe),
    }


def _plain(kind: type, default: Any):
    def maker(ctx: Any, recipe: tuple[Any, ...], inputs: dict[str, Any]) -> Any:
        if kind is str:
            return _text(inputs) or str(recipe[0])
        found = next(
            (v for v in inputs.values() if type(v) is kind),  # bool is no int here
            None,
        )
        return default if found is None else found

    return maker


MAKERS = {
    "LATENT": _make_latent,
    "IMAGE": _make_image,
    "MASK": _make_mask,
    "CONDITIONING": _make_conditioning,
    "AUDIO": _make_audio,
    "VIDEO": _make_video,
    "SIGMAS": _make_sigmas,
    "NOISE": _make_noise,
    "GUIDER": _make_guider,
    "SAMPLER": lambda ctx, recipe, inputs: {
        "sampler": inputs.get("sampler_name", recipe[0]),
        "recipe": identity(recipe),
    },
    "INT": _plain(int, 0),
    "FLOAT": _plain(float, 0.0),
    "BOOLEAN": _plain(bool, False),
    "STRING": _plain(str, ""),
    "COMBO": _plain(str, ""),
}
