"""A custom node pack of ComfyLibrary's that is broken on purpose on ComfyUI 0.3.64: it
imports a module ComfyUI added in 0.3.77 (``comfy.nested_tensor``), as packs written for a
newer ComfyUI do. It loads on 0.3.77 and 0.8; on 0.3.64 ComfyUI reports its import failure,
which `Custom Nodes Should Load` and the upgrade report name."""

from comfy.nested_tensor import NestedTensor  # noqa: F401 - the name 0.3.64 lacks


class ComfyLibraryNewerOnly:
    """Passes a text on unchanged."""

    CATEGORY = "comfylibrary"
    FUNCTION = "run"
    RETURN_TYPES = ("STRING",)

    @classmethod
    def INPUT_TYPES(cls):  # noqa: N802 - the name ComfyUI calls
        return {"required": {"text": ("STRING", {"default": ""})}}

    def run(self, text):
        return (text,)


NODE_CLASS_MAPPINGS = {"ComfyLibraryNewerOnly": ComfyLibraryNewerOnly}
