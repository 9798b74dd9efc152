"""State-dict layouts of the tiny test models: which tensors, of which shape, initialised how.

These are structural facts of the model families ComfyUI detects from tensor shapes: a
Stable Diffusion 1.5 UNet (detected from ``model_channels=320`` and ``context_dim=768``;
the number of levels, residual blocks and transformer depth are read from the keys, so one
level with one block is enough), the CLIP-L text encoder (a fixed configuration) and the
TAESD tiny autoencoder. The values are written by :mod:`ComfyLibrary.testmodels.writer`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

# How a tensor is initialised: ``fan_in`` draws from a distribution of variance 1/fan_in
# (so activations neither vanish nor explode through random layers), ``one`` and ``zero``
# are constants (norm scales and biases).
FAN_IN, ONE, ZERO = "fan_in", "one", "zero"


@dataclass(frozen=True)
class Tensor:
    """One entry of a state dict."""

    key: str
    shape: tuple[int, ...]
    init: str = FAN_IN

    @property
    def count(self) -> int:
        total = 1
        for size in self.shape:
            total *= size
        return total


def _linear(key: str, n_in: int, n_out: int, bias: bool = True) -> Iterator[Tensor]:
    yield Tensor(f"{key}.weight", (n_out, n_in))
    if bias:
        yield Tensor(f"{key}.bias", (n_out,), ZERO)


def _conv(key: str, n_in: int, n_out: int, kernel: int = 3, bias: bool = True) -> Iterator[Tensor]:
    yield Tensor(f"{key}.weight", (n_out, n_in, kernel, kernel))
    if bias:
        yield Tensor(f"{key}.bias", (n_out,), ZERO)


def _norm(key: str, channels: int) -> Iterator[Tensor]:
    yield Tensor(f"{key}.weight", (channels,), ONE)
    yield Tensor(f"{key}.bias", (channels,), ZERO)


# --- Stable Diffusion 1.5 UNet, shrunk to its detected minimum --------------------------


@dataclass(frozen=True)
class UNetShape:
    """The parts of an SD1.5 UNet's configuration that the tiny one chooses."""

    model_channels: int = 320
    channel_mult: tuple[int, ...] = (1,)
    num_res_blocks: int = 1
    transformer_depth: int = 1
    context_dim: int = 768
    in_channels: int = 4
    out_channels: int = 4

    @property
    def time_embed_dim(self) -> int:
        return self.model_channels * 4


def _res_block(key: str, n_in: int, n_out: int, emb: int) -> Iterator[Tensor]:
    yield from _norm(f"{key}.in_layers.0", n_in)
    yield from _conv(f"{key}.in_layers.2", n_in, n_out)
    yield from _linear(f"{key}.emb_layers.1", emb, n_out)
    yield from _norm(f"{key}.out_layers.0", n_out)
    yield from _conv(f"{key}.out_layers.3", n_out, n_out)
    if n_in != n_out:
        yield from _conv(f"{key}.skip_connection", n_in, n_out, kernel=1)


def _attention(key: str, dim: int, context: int) -> Iterator[Tensor]:
    yield from _linear(f"{key}.to_q", dim, dim, bias=False)
    yield from _linear(f"{key}.to_k", context, dim, bias=False)
    yield from _linear(f"{key}.to_v", context, dim, bias=False)
    yield from _linear(f"{key}.to_out.0", dim, dim)


def _spatial_transformer(key: str, dim: int, depth: int, context: int) -> Iterator[Tensor]:
    yield from _norm(f"{key}.norm", dim)
    yield from _conv(f"{key}.proj_in", dim, dim, kernel=1)
    for index in range(depth):
        block = f"{key}.transformer_blocks.{index}"
        yield from _attention(f"{block}.attn1", dim, dim)
        yield from _linear(f"{block}.ff.net.0.proj", dim, dim * 4 * 2)  # GEGLU: value and gate
        yield from _linear(f"{block}.ff.net.2", dim * 4, dim)
        yield from _attention(f"{block}.attn2", dim, context)
        for norm in ("norm1", "norm2", "norm3"):
            yield from _norm(f"{block}.{norm}", dim)
    yield from _conv(f"{key}.proj_out", dim, dim, kernel=1)


def sd15_unet(shape: UNetShape = UNetShape()) -> list[Tensor]:
    """The tensors of an SD1.5-family UNet (keys without the checkpoint's prefix)."""
    mc, emb, ctx, depth = (
        shape.model_channels,
        shape.time_embed_dim,
        shape.context_dim,
        shape.transformer_depth,
    )
    tensors: list[Tensor] = [*_linear("time_embed.0", mc, emb), *_linear("time_embed.2", emb, emb)]
    tensors += _conv("input_blocks.0.0", shape.in_channels, mc)
    skip_channels, channels, block = [mc], mc, 1
    levels = len(shape.channel_mult)
    for level, mult in enumerate(shape.channel_mult):
        for _ in range(shape.num_res_blocks):
            tensors += _res_block(f"input_blocks.{block}.0", channels, mult * mc, emb)
            channels = mult * mc
            tensors += _spatial_transformer(f"input_blocks.{block}.1", channels, depth, ctx)
            skip_channels.append(channels)
            block += 1
        if level != levels - 1:
            tensors += _conv(f"input_blocks.{block}.0.op", channels, channels)
            skip_channels.append(channels)
            block += 1
    tensors += _res_block("middle_block.0", channels, channels, emb)
    tensors += _spatial_transformer("middle_block.1", channels, depth, ctx)
    tensors += _res_block("middle_block.2", channels, channels, emb)
    block = 0
    for level, mult in reversed(list(enumerate(shape.channel_mult))):
        for index in range(shape.num_res_blocks + 1):
            skip = skip_channels.pop()
            tensors += _res_block(f"output_blocks.{block}.0", channels + skip, mc * mult, emb)
            channels = mc * mult
            tensors += _spatial_transformer(f"output_blocks.{block}.1", channels, depth, ctx)
            if level and index == shape.num_res_blocks:
                tensors += _conv(f"output_blocks.{block}.2.conv", channels, channels)
            block += 1
    tensors += _norm("out.0", channels)
    tensors += _conv("out.2", mc, shape.out_channels)
    return tensors


# --- CLIP-L text encoder (Stable Diffusion 1.5's) ----------------------------------------

CLIP_L = {"width": 768, "layers": 12, "mlp": 3072, "vocab": 49408, "positions": 77}


def clip_l() -> list[Tensor]:
    """The tensors of CLIP ViT-L/14's text model, in the layout ComfyUI's CLIP loader reads."""
    width, mlp = CLIP_L["width"], CLIP_L["mlp"]
    tensors = [
        Tensor("text_model.embeddings.token_embedding.weight", (CLIP_L["vocab"], width)),
        Tensor("text_model.embeddings.position_embedding.weight", (CLIP_L["positions"], width)),
    ]
    for index in range(CLIP_L["layers"]):
        layer = f"text_model.encoder.layers.{index}"
        for projection in ("q_proj", "k_proj", "v_proj", "out_proj"):
            tensors += _linear(f"{layer}.self_attn.{projection}", width, width)
        tensors += _norm(f"{layer}.layer_norm1", width)
        tensors += _linear(f"{layer}.mlp.fc1", width, mlp)
        tensors += _linear(f"{layer}.mlp.fc2", mlp, width)
        tensors += _norm(f"{layer}.layer_norm2", width)
    tensors += _norm("text_model.final_layer_norm", width)
    tensors += _linear("text_projection", width, width, bias=False)
    return tensors


# --- TAESD, the tiny autoencoder, as one VAE file ----------------------------------------

TAESD_WIDTH = 64


def _taesd_block(key: str, width: int) -> Iterator[Tensor]:
    for index in (0, 2, 4):  # conv, ReLU, conv, ReLU, conv
        yield from _conv(f"{key}.conv.{index}", width, width)


def taesd(latent_channels: int = 4) -> list[Tensor]:
    """The tensors of a TAESD encoder and decoder, plus the latent scale and shift that
    ComfyUI's VAE loader reads from a single TAESD file. The scale is 1: a zero scale
    decodes every latent to the same black image."""
    w = TAESD_WIDTH
    # Encoder: conv, Block, then three times (strided conv without bias, three Blocks), conv
    encoder: list[Tensor] = [*_conv("taesd_encoder.0", 3, w), *_taesd_block("taesd_encoder.1", w)]
    index = 2
    for _ in range(3):
        encoder += _conv(f"taesd_encoder.{index}", w, w, bias=False)
        for offset in (1, 2, 3):
            encoder += _taesd_block(f"taesd_encoder.{index + offset}", w)
        index += 4
    encoder += _conv(f"taesd_encoder.{index}", w, latent_channels)
    # Decoder: Clamp, conv, ReLU, then three times (three Blocks, Upsample, conv without
    # bias), Block, conv
    decoder: list[Tensor] = [*_conv("taesd_decoder.1", latent_channels, w)]
    index = 3
    for _ in range(3):
        for offset in (0, 1, 2):
            decoder += _taesd_block(f"taesd_decoder.{index + offset}", w)
        decoder += _conv(f"taesd_decoder.{index + 4}", w, w, bias=False)
        index += 5
    decoder += _taesd_block(f"taesd_decoder.{index}", w)
    decoder += _conv(f"taesd_decoder.{index + 1}", w, 3)
    return [*encoder, *decoder, Tensor("vae_scale", (), ONE), Tensor("vae_shift", (), ZERO)]
