"""The mock's node catalog: ComfyUI node definitions as structural facts.

The bundled catalog holds the class names, inputs (types, defaults, ranges,
choices), outputs and output-node flags of ComfyUI 0.8's core nodes, with no
description or tooltip text. Model-file choices are filled from the mock's
configurable model lists and LoadImage's choices from its input directory, as
ComfyUI fills them from disk.
"""

from __future__ import annotations

import copy
import functools
import gzip
import json
from importlib import resources
from pathlib import Path
from typing import Any

from ComfyLibrary.mock import dynamic_inputs
from ComfyLibrary.mock.versions import DEFAULT_VERSION, version_node_facts, version_object_info

# ComfyUI 0.8's folders (folder_paths.folder_names_and_paths), in its order, with where
# each is looked for: relative to ComfyUI's folder, "output/..." under the output folder.
COMFYUI_FOLDERS: dict[str, tuple[str, ...]] = {
    "checkpoints": ("models/checkpoints", "output/checkpoints"),
    "configs": ("models/configs",),
    "loras": ("models/loras", "output/loras"),
    "vae": ("models/vae", "output/vae"),
    "text_encoders": ("models/text_encoders", "models/clip", "output/clip"),
    "diffusion_models": ("models/unet", "models/diffusion_models", "output/diffusion_models"),
    "clip_vision": ("models/clip_vision",),
    "style_models": ("models/style_models",),
    "embeddings": ("models/embeddings",),
    "diffusers": ("models/diffusers",),
    "vae_approx": ("models/vae_approx",),
    "controlnet": ("models/controlnet", "models/t2i_adapter"),
    "gligen": ("models/gligen",),
    "upscale_models": ("models/upscale_models",),
    "latent_upscale_models": ("models/latent_upscale_models",),
    "custom_nodes": ("custom_nodes",),
    "hypernetworks": ("models/hypernetworks",),
    "photomaker": ("models/photomaker",),
    "classifiers": ("models/classifiers",),
    "model_patches": ("models/model_patches",),
    "audio_encoders": ("models/audio_encoders",),
}
# Folders 0.8's /experiment/models leaves out: they hold no models.
NOT_MODEL_FOLDERS = ("configs", "custom_nodes")


def folder_names(models: dict[str, list[str]]) -> list[str]:
    """0.8's folder names in its order, then any other folder a team's model list adds."""
    return [*COMFYUI_FOLDERS, *sorted(set(models) - set(COMFYUI_FOLDERS))]


# Input names whose choices are model files, and the model folder they list.
MODEL_INPUT_FOLDERS = {
    "ckpt_name": "checkpoints",
    "unet_name": "diffusion_models",
    "vae_name": "vae",
    "lora_name": "loras",
    "clip_name": "text_encoders",
    "clip_name1": "text_encoders",
    "clip_name2": "text_encoders",
    "clip_name3": "text_encoders",
    "clip_name4": "text_encoders",
    "text_encoder": "text_encoders",
    "control_net_name": "controlnet",
    "style_model_name": "style_models",
    "upscale_model_name": "upscale_models",
    "gligen_name": "gligen",
    "hypernetwork_name": "hypernetworks",
    "audio_vae": "checkpoints",
    "audio_encoder_name": "audio_encoders",
}

# Loader inputs that list files of the input folder, by content type, as ComfyUI 0.8
# lists them (folder_paths.filter_files_content_types).
INPUT_FILE_CHOICES: dict[tuple[str, str], tuple[str, ...] | None] = {
    ("LoadImage", "image"): ("image",),
    ("LoadImageMask", "image"): None,  # every file: 0.8's LoadImageMask does not filter
    ("LoadAudio", "audio"): ("audio", "video"),
    ("LoadVideo", "file"): ("video",),
}
# ComfyUI's own additions to Python's MIME table
EXTENSION_CONTENT_TYPES = {"webp": "image", "fbx": "model"}


def content_type(filename: str) -> str | None:
    """``image``, ``video``, ``audio``... for a file name, as ComfyUI guesses it."""
    import mimetypes

    extension = filename.rsplit(".", maxsplit=1)[-1]
    if extension in EXTENSION_CONTENT_TYPES:
        return EXTENSION_CONTENT_TYPES[extension]
    mime, _ = mimetypes.guess_type(filename, strict=False)
    return mime.split("/")[0] if mime else None


# Loader classes whose model input lists another folder than MODEL_INPUT_FOLDERS says.
CLASS_INPUT_FOLDERS = {
    ("CLIPVisionLoader", "clip_name"): "clip_vision",
    ("UpscaleModelLoader", "model_name"): "upscale_models",
    ("LatentUpscaleModelLoader", "model_name"): "latent_upscale_models",
    ("LTXVAudioVAELoader", "ckpt_name"): "checkpoints",
}

# The model files the mock pretends to have, per folder. Teams replace these with
# --models FILE (a JSON object of folder -> [file names]).
DEFAULT_MODELS: dict[str, list[str]] = {
    # at least two files for every loader the shipped workflows use, so a suite can check
    # that a workflow wired to another model makes another picture
    "checkpoints": [
        "comfylibrary-tiny-sd15.safetensors",  # the test models of comfy-test-models
        "ltx-2-19b-dev-fp8.safetensors",
        "ltx-2-19b-distilled-fp8.safetensors",
        "sd_xl_base_1.0.safetensors",
        "stable-audio-open-1.0.safetensors",
        "stable-audio-open-small.safetensors",
        "v1-5-pruned-emaonly.safetensors",
    ],
    "diffusion_models": [
        "comfylibrary-tiny-unet-b.safetensors",
        "comfylibrary-tiny-unet.safetensors",
        "flux1-dev.safetensors",
        "z_image_turbo_bf16.safetensors",
        "z_image_turbo_fp8_e4m3fn.safetensors",
    ],
    "text_encoders": [
        "comfylibrary-tiny-clip-l.safetensors",
        "gemma_3_12B_it_fp4_mixed.safetensors",
        "gemma_3_12B_it_fp8_scaled.safetensors",
        "qwen_3_4b.safetensors",
        "qwen_3_4b_fp8_mixed.safetensors",
        "t5-base.safetensors",
        "t5_base_fp16.safetensors",
    ],
    "vae": ["ae.safetensors", "comfylibrary-tiny-taesd.safetensors", "sdxl_vae.safetensors"],
    "loras": [
        "ltx-2-19b-distilled-lora-384.safetensors",
        "ltx-2-19b-ic-lora-detailer.safetensors",
    ],
    "latent_upscale_models": [
        "ltx-2-spatial-upscaler-x2-1.0.safetensors",
        "ltx-2-temporal-upscaler-x2-1.0.safetensors",
    ],
    "upscale_models": [],
    "audio_encoders": [],
    "controlnet": [],
    "clip_vision": [],
    "style_models": [],
    "embeddings": [],
    "gligen": [],
    "hypernetworks": [],
}


@functools.cache
def _bundled_object_info() -> dict[str, Any]:
    data = resources.files("ComfyLibrary.mock").joinpath("data/object_info.json.gz").read_bytes()
    return json.loads(gzip.decompress(data))


@functools.cache
def load_node_facts() -> dict[str, Any]:
    """What 0.8's node classes do that /object_info does not say: their own input checks,
    the model folder each file input lists (recorded by tests/recorders/record_node_facts.py)."""
    data = resources.files("ComfyLibrary.mock").joinpath("data/node_facts.json").read_text()
    facts: dict[str, Any] = json.loads(data)
    return facts


def _has_dynamic_inputs(declared: dict[str, Any]) -> bool:
    return any(
        isinstance(spec, list) and spec and spec[0] in dynamic_inputs.DYNAMIC_TYPES
        for section in declared.values()
        if isinstance(section, dict)
        for spec in section.values()
    )


def load_bundled_object_info() -> dict[str, Any]:
    """Returns the bundled ComfyUI 0.8 node definitions: a dict of its own, whose definitions
    are shared and read-only (parsed once per process; the mock's fork server parses them
    before it forks, so a forked mock starts with them)."""
    return dict(_bundled_object_info())


class NodeCatalog:
    """Node definitions the mock validates and executes prompts against."""

    def __init__(
        self,
        object_info: dict[str, Any],
        models: dict[str, list[str]],
        input_dir: Path,
        custom_classes: set[str] | None = None,
    ):
        self._nodes = object_info
        self.models = models
        self.input_dir = input_dir
        self.custom_classes = custom_classes or set()
        self.facts = load_node_facts()
        # what a profile says its custom classes do: {"Class": {"like": ..., "outputs": ...}}
        self.behaviours: dict[str, dict[str, Any]] = {}
        # the folders an annotated file name ("x.png [output]") may name besides the input's
        self.annotated_folders: dict[str, Path] = {"input": input_dir}

    @classmethod
    def create(
        cls,
        input_dir: Path,
        object_info_file: Path | None = None,
        models: dict[str, list[str]] | None = None,
        profile: Any = None,
        version: str = DEFAULT_VERSION,
    ) -> NodeCatalog:
        """Builds the catalog from the bundled definitions of ``version``, or a profile's (a
        :class:`~ComfyLibrary.mock.profile.ServedProfile`), plus a team's own dump."""
        bundled = (
            load_bundled_object_info()
            if version == DEFAULT_VERSION
            else version_object_info(version)
        )
        nodes = bundled if profile is None else dict(profile.object_info)
        custom: set[str] = {name for name in nodes if name not in bundled}
        if profile is not None and models is None:
            models = profile.models
        if object_info_file is not None:
            extra = json.loads(Path(object_info_file).read_text(encoding="utf-8"))
            if not isinstance(extra, dict):
                raise ValueError(f"{object_info_file} is not an /object_info dump (a JSON object)")
            custom |= {name for name in extra if name not in bundled}
            nodes.update(extra)
        model_lists = copy.deepcopy(DEFAULT_MODELS if models is None else models)
        catalog = cls(nodes, model_lists, input_dir, custom)
        if version != DEFAULT_VERSION:
            catalog.facts = version_node_facts(version)
        if profile is not None:
            catalog.behaviours = dict(profile.behaviours)
        return catalog

    def __contains__(self, class_type: object) -> bool:
        return isinstance(class_type, str) and class_type in self._nodes

    def definition(self, class_type: str) -> dict[str, Any]:
        """Returns the raw definition of ``class_type`` (no model lists filled in)."""
        return self._nodes[class_type]

    def is_output_node(self, class_type: str) -> bool:
        return bool(self._nodes[class_type].get("output_node"))

    def output_types(self, class_type: str) -> tuple[Any, ...]:
        return tuple(self._nodes[class_type].get("output", []))

    def input_specs(
        self, class_type: str, live: dict[str, Any] | None = None
    ) -> list[tuple[str, str, list[Any]]]:
        """Returns ``(name, category, spec)`` for each required and optional input, in order;
        with a prompt node's inputs (``live``), v3 dynamic inputs are expanded for them."""
        node = self.served_definition(class_type)
        declared = node.get("input", {})
        if live is not None and _has_dynamic_inputs(declared):
            expanded, _ = dynamic_inputs.expand(declared, live)
            return [
                (name, category, spec)
                for category in dynamic_inputs.CATEGORIES
                for name, spec in expanded[category].items()
            ]
        order = node.get("input_order", {})
        specs: list[tuple[str, str, list[Any]]] = []
        for category in dynamic_inputs.CATEGORIES:
            section = declared.get(category, {})
            names = order.get(category) or list(section)
            specs.extend((name, category, section[name]) for name in names if name in section)
        return specs

    def own_validation(self, class_type: str) -> dict[str, Any] | None:
        """How a class checks its own inputs (``inputs`` it takes, ``kwargs``,
        ``input_types``), or None when it has no check of its own."""
        return self.facts.get("validate", {}).get(class_type)

    def annotated_file_exists(self, name: str) -> bool:
        """Whether ``name`` (``x.png``, or annotated ``x.png [output]``) is a file of the input
        folder, or of the folder its annotation names, as 0.8's loaders check."""
        folder = self.input_dir
        for suffix, other in self.annotated_folders.items():
            if name.endswith(f" [{suffix}]"):
                name, folder = name[: -len(suffix) - 3], other
                break
        base = folder.resolve()
        path = (base / name).resolve()
        return path.is_relative_to(base) and path.is_file()

    def served_definition(self, class_type: str) -> dict[str, Any]:
        """Returns the definition as /object_info serves it, with file choices filled in."""
        node = self._nodes[class_type]
        if not self._has_file_choices(class_type, node):
            return node
        node = copy.deepcopy(node)
        for section in node.get("input", {}).values():
            if not isinstance(section, dict):
                continue
            for name, spec in section.items():
                choices = self._file_choices(class_type, name)
                if choices is not None and isinstance(spec, list) and spec:
                    if isinstance(spec[0], list):
                        spec[0] = choices
                    elif spec[0] == "COMBO" and len(spec) > 1 and isinstance(spec[1], dict):
                        spec[1]["options"] = choices
        return node

    def all_served(self) -> dict[str, Any]:
        return {name: self.served_definition(name) for name in self._nodes}

    def input_files(self) -> list[str]:
        if not self.input_dir.is_dir():
            return []
        return sorted(p.name for p in self.input_dir.iterdir() if p.is_file())

    def _file_choices(self, class_type: str, input_name: str) -> list[str] | None:
        if (class_type, input_name) in INPUT_FILE_CHOICES:
            kinds = INPUT_FILE_CHOICES[(class_type, input_name)]
            files = self.input_files()
            return files if kinds is None else [f for f in files if content_type(f) in kinds]
        folder = self.facts.get("model_folders", {}).get(f"{class_type}.{input_name}")
        if folder is None:
            folder = CLASS_INPUT_FOLDERS.get((class_type, input_name))
        if folder is None and class_type in self.custom_classes:
            folder = MODEL_INPUT_FOLDERS.get(input_name)  # a custom loader, named as 0.8's
        if folder is None:
            return None
        return sorted(self.models.get(folder, []))

    def _has_file_choices(self, class_type: str, node: dict[str, Any]) -> bool:
        for section in node.get("input", {}).values():
            if isinstance(section, dict) and any(
                self._file_choices(class_type, name) is not None for name in section
            ):
                return True
        return False
