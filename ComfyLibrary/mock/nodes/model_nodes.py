"""Model nodes, simulated: no weights are loaded and no GPU is needed.

Loaders return named stand-ins (with the LoRAs applied to them and their strengths),
text encoders keep the prompt text and which text encoder read it, samplers emit
``progress`` per step (sleeping the configured ``step_ms``) and record what they were
asked for, and decoders render a deterministic picture from all of it: models, seed,
prompt and size. The same choices give identical bytes; another seed, another
checkpoint, UNet, text encoder, VAE or LoRA (or LoRA strength) another picture.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

from ComfyLibrary.mock.nodes import node


@dataclass(frozen=True)
class SimulatedModel:
    kind: str
    name: str
    # the LoRAs applied, (name, strength); a node run by the typed rule adds its recipe
    loras: tuple[tuple[Any, float], ...] = ()

    def with_lora(self, name: str, strength: float) -> SimulatedModel:
        if float(strength) == 0.0:
            return self  # a LoRA at strength 0 changes nothing, as in ComfyUI
        return SimulatedModel(
            self.kind, self.name, (*self.loras, (name, round(float(strength), 6)))
        )


def identity(value: Any) -> Any:
    """What a simulated model (or a value built from one) contributes to a picture."""
    if isinstance(value, SimulatedModel):
        return (value.kind, value.name, value.loras)
    if isinstance(value, dict):
        return tuple(sorted((k, identity(v)) for k, v in value.items() if k != "text"))
    if isinstance(value, list | tuple):
        return tuple(identity(v) for v in value)
    return value


@dataclass
class Latent:
    """A simulated latent: the recipe of what the decoder will draw."""

    width: int
    height: int
    batch: int = 1
    frames: int = 1
    recipe: tuple[Any, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def with_recipe(self, *parts: Any) -> Latent:
        return Latent(
            self.width, self.height, self.batch, self.frames, self.recipe + parts, self.extra
        )


@node("CheckpointLoaderSimple")
def checkpoint_loader(ctx, ckpt_name: str, **_: Any):
    ctx.load_model("MODEL", ckpt_name)
    return (
        SimulatedModel("MODEL", ckpt_name),
        SimulatedModel("CLIP", ckpt_name),
        SimulatedModel("VAE", ckpt_name),
    )


@node("UNETLoader")
def unet_loader(ctx, unet_name: str, **_: Any):
    ctx.load_model("MODEL", unet_name)
    return (SimulatedModel("MODEL", unet_name),)


@node("CLIPLoader", "DualCLIPLoader", "TripleCLIPLoader")
def clip_loader(ctx, **inputs: Any):
    names = [str(v) for k, v in sorted(inputs.items()) if k.startswith("clip_name")]
    for name in names:
        ctx.load_model("CLIP", name)
    return (SimulatedModel("CLIP", "+".join(names)),)


@node("VAELoader")
def vae_loader(ctx, vae_name: str, **_: Any):
    ctx.load_model("VAE", vae_name)
    return (SimulatedModel("VAE", vae_name),)


def _with_lora(model: Any, name: str, strength: float, ctx: Any = None) -> Any:
    if ctx is not None:
        ctx.load_model("LORA", name)
    return model.with_lora(name, strength) if isinstance(model, SimulatedModel) else model


@node("LoraLoader")
def lora_loader(
    ctx,
    model,
    clip,
    lora_name: str,
    strength_model: float = 1.0,
    strength_clip: float = 1.0,
    **_: Any,
):
    return (
        _with_lora(model, lora_name, strength_model, ctx),
        _with_lora(clip, lora_name, strength_clip),
    )


@node("LoraLoaderModelOnly")
def lora_loader_model_only(ctx, model, lora_name: str, strength_model: float = 1.0, **_: Any):
    return (_with_lora(model, lora_name, strength_model, ctx),)


@node("CLIPTextEncode")
def clip_text_encode(ctx, text: str, clip=None, **_: Any):
    return ([{"text": text, "clip": identity(clip)}],)


@node("ConditioningZeroOut")
def conditioning_zero_out(ctx, conditioning, **_: Any):
    return ([{"text": ""}],)


def conditioning_source(conditioning: Any) -> Any:
    """Which text encoder (with its LoRAs) made a CONDITIONING value."""
    if isinstance(conditioning, list) and conditioning and isinstance(conditioning[0], dict):
        return conditioning[0].get("clip")
    return None


@node("EmptyLatentImage", "EmptySD3LatentImage", "EmptyHunyuanLatentVideo")
def empty_latent(ctx, width: int, height: int, batch_size: int = 1, length: int = 1, **_: Any):
    return (Latent(width, height, batch_size, length),)


def conditioning_text(conditioning: Any) -> str:
    """The prompt text a CONDITIONING value was encoded from."""
    if isinstance(conditioning, list) and conditioning and isinstance(conditioning[0], dict):
        return str(conditioning[0].get("text", ""))
    return ""


def run_steps(ctx, steps: int) -> None:
    for step in range(1, steps + 1):
        ctx.sleep_step()
        ctx.progress(step, steps)


@node("KSampler")
def ksampler(
    ctx,
    model,
    seed: int,
    steps: int,
    cfg: float,
    sampler_name: str,
    scheduler: str,
    positive,
    negative,
    latent_image: Latent,
    denoise: float = 1.0,
    **_: Any,
):
    run_steps(ctx, steps)
    return (
        latent_image.with_recipe(
            seed,
            conditioning_text(positive),
            steps,
            cfg,
            sampler_name,
            identity(model),
            conditioning_source(positive),
        ),
    )


@node("KSamplerAdvanced")
def ksampler_advanced(
    ctx,
    model,
    noise_seed: int,
    steps: int,
    cfg: float,
    sampler_name: str,
    scheduler: str,
    positive,
    negative,
    latent_image: Latent,
    start_at_step: int = 0,
    end_at_step: int = 10000,
    **_: Any,
):
    run_steps(ctx, max(1, min(steps, end_at_step) - start_at_step))
    return (
        latent_image.with_recipe(
            noise_seed,
            conditioning_text(positive),
            steps,
            cfg,
            identity(model),
            conditioning_source(positive),
        ),
    )


@node("VAEDecode", "VAEDecodeTiled")
def vae_decode(ctx, samples: Latent, vae=None, **_: Any):
    decoded = samples.with_recipe(identity(vae))
    if samples.frames > 1:
        return (render_video_frames(decoded),)
    return (
        [
            render_picture(decoded.width, decoded.height, (*decoded.recipe, index))
            for index in range(decoded.batch)
        ],
    )


@node("VAEEncode")
def vae_encode(ctx, pixels, vae=None, **_: Any):
    """A latent of the images' size (cut to multiples of 8, as a VAE's latent grid is) whose
    recipe is the pixels themselves: other input images decode to other pictures."""
    images = list(pixels)
    width, height = images[0].size
    digest = hashlib.sha256()
    for image in images:
        digest.update(image.convert("RGB").tobytes())
    latent = Latent(width // 8 * 8, height // 8 * 8, len(images))
    return (latent.with_recipe(digest.hexdigest(), identity(vae)),)


@node("RepeatLatentBatch")
def repeat_latent_batch(ctx, samples: Latent, amount: int, **_: Any):
    return (
        Latent(
            samples.width,
            samples.height,
            samples.batch * amount,
            samples.frames,
            samples.recipe,
            samples.extra,
        ),
    )


def render_video_frames(samples: Latent) -> list[Image.Image]:
    """Moving frames: a window sliding over one larger picture, starting from the start image."""
    width, height = samples.width, samples.height
    margin = max(8, samples.frames)
    scene = render_picture(width + margin, height + margin, samples.recipe)
    start = samples.extra.get("start_image")
    frames = []
    for index in range(samples.frames):
        offset = index * margin // max(1, samples.frames)
        frame = scene.crop((offset, offset // 2, offset + width, offset // 2 + height))
        if start is not None and index < 8:
            frame = Image.blend(
                frame, start.convert("RGB").resize((width, height)), 1.0 - index / 8
            )
        frames.append(frame)
    return frames


def render_picture(width: int, height: int, recipe: tuple[Any, ...]) -> Image.Image:
    """Draws a deterministic, non-uniform picture from ``recipe``."""
    digest = hashlib.sha256(repr(recipe).encode()).digest()
    rng = random.Random(digest)
    top = tuple(rng.randrange(256) for _ in range(3))
    bottom = tuple(rng.randrange(256) for _ in range(3))
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(
        Image.new("RGB", (width, height), bottom), Image.new("RGB", (width, height), top), gradient
    )
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1 = min(width, x0 + rng.randrange(1, max(2, width // 2)))
        y1 = min(height, y0 + rng.randrange(1, max(2, height // 2)))
        fill = tuple(rng.randrange(256) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x0, y0, x1, y1), fill=fill)
    texture_size = (max(1, width // 8), max(1, height // 8))
    texture = Image.frombytes("L", texture_size, rng.randbytes(texture_size[0] * texture_size[1]))
    texture = texture.resize((width, height), Image.Resampling.BILINEAR).convert("RGB")
    return Image.blend(image.filter(ImageFilter.SMOOTH), texture, 0.15)
