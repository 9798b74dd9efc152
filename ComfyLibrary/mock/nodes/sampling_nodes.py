"""Custom sampling and LTX video nodes, simulated.

Noise, samplers, sigmas and guiders become plain descriptions; SamplerCustomAdvanced
reports one ``progress`` per sigma step and adds its seed and prompt to the latent's
recipe; the LTX nodes shape video latents (frames, size, a start image) that
``VAEDecode`` turns into moving frames.
"""

from __future__ import annotations

from typing import Any

from ComfyLibrary.mock.nodes import node
from ComfyLibrary.mock.nodes.image_nodes import RESAMPLING
from ComfyLibrary.mock.nodes.model_nodes import (
    Latent,
    conditioning_source,
    conditioning_text,
    identity,
    run_steps,
)


@node(
    "ModelSamplingAuraFlow",
    "ModelSamplingSD3",
    "ModelSamplingFlux",
    "ModelSamplingLTXV",
    "ModelSamplingDiscrete",
    "CFGNorm",
)
def model_sampling(ctx, model, **_: Any):
    return (model,)


@node("RandomNoise")
def random_noise(ctx, noise_seed: int, **_: Any):
    return ({"seed": noise_seed},)


@node("DisableNoise")
def disable_noise(ctx, **_: Any):
    return ({"seed": None},)


@node("KSamplerSelect")
def ksampler_select(ctx, sampler_name: str, **_: Any):
    return ({"sampler": sampler_name},)


@node("ManualSigmas")
def manual_sigmas(ctx, sigmas: str, **_: Any):
    values = [float(v) for v in str(sigmas).replace(";", ",").split(",") if v.strip()]
    return (values,)


@node("LTXVScheduler", "BasicScheduler")
def scheduler(ctx, steps: int, **_: Any):
    return ([1.0 - i / steps for i in range(steps + 1)],)


@node("CFGGuider", "BasicGuider")
def guider(ctx, model, positive=None, negative=None, conditioning=None, cfg: float = 1.0, **_: Any):
    given = positive or conditioning
    return (
        {
            "model": model,
            "text": conditioning_text(given),
            "clip": conditioning_source(given),
            "cfg": cfg,
        },
    )


@node("SamplerCustomAdvanced")
def sampler_custom_advanced(ctx, noise, guider, sampler, sigmas, latent_image: Latent, **_: Any):
    run_steps(ctx, max(1, len(sigmas) - 1))
    sampled = latent_image.with_recipe(
        noise.get("seed"),
        guider.get("text"),
        len(sigmas),
        identity(guider.get("model")),
        guider.get("clip"),
    )
    return (sampled, sampled)


@node("SamplerCustom")
def sampler_custom(
    ctx,
    model,
    add_noise: bool,
    noise_seed: int,
    cfg: float,
    positive,
    negative,
    sampler,
    sigmas,
    latent_image: Latent,
    **_: Any,
):
    run_steps(ctx, max(1, len(sigmas) - 1))
    sampled = latent_image.with_recipe(
        noise_seed,
        conditioning_text(positive),
        len(sigmas),
        identity(model),
        conditioning_source(positive),
    )
    return (sampled, sampled)


@node("LTXVConditioning")
def ltxv_conditioning(ctx, positive, negative, frame_rate: float, **_: Any):
    return (positive, negative)


@node("EmptyLTXVLatentVideo")
def empty_ltxv_latent_video(
    ctx, width: int, height: int, length: int, batch_size: int = 1, **_: Any
):
    return (Latent(width, height, batch_size, length),)


@node("LTXVPreprocess")
def ltxv_preprocess(ctx, image, img_compression: int = 0, **_: Any):
    return (image,)


@node("LTXVImgToVideoInplace")
def ltxv_img_to_video_inplace(
    ctx, vae, image, latent: Latent, strength: float = 1.0, bypass: bool = False, **_: Any
):
    if bypass:
        return (latent,)
    extra = {**latent.extra, "start_image": image[0], "strength": strength}
    return (Latent(latent.width, latent.height, latent.batch, latent.frames, latent.recipe, extra),)


@node("LTXVImgToVideo")
def ltxv_img_to_video(
    ctx,
    positive,
    negative,
    vae,
    image,
    width: int,
    height: int,
    length: int,
    batch_size: int = 1,
    strength: float = 1.0,
    **_: Any,
):
    latent = Latent(width, height, batch_size, length, (), {"start_image": image[0]})
    return (positive, negative, latent)


@node("LatentUpscaleModelLoader")
def latent_upscale_model_loader(ctx, model_name: str, **_: Any):
    return ({"upscale_model": model_name, "scale": 2},)


@node("LTXVLatentUpsampler")
def ltxv_latent_upsampler(ctx, samples: Latent, upscale_model, vae, **_: Any):
    scale = upscale_model.get("scale", 2) if isinstance(upscale_model, dict) else 2
    return (
        Latent(
            samples.width * scale,
            samples.height * scale,
            samples.batch,
            samples.frames,
            (*samples.recipe, identity(upscale_model)),
            samples.extra,
        ),
    )


@node("ResizeImagesByLongerEdge")
def resize_images_by_longer_edge(ctx, images, longer_edge: int, **_: Any):
    out = []
    for img in images:
        scale = longer_edge / max(img.width, img.height)
        size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        out.append(img.resize(size, RESAMPLING["lanczos"]))
    return (out,)
