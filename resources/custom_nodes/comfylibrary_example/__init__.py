"""ComfyLibrary's example custom node pack: two small nodes, written for ComfyUI's node API
as every version from 0.3.64 to 0.8 loads it. The library's tests load it on each version
(`Start ComfyUI Server    custom_nodes=...`, `Custom Nodes Should Load`)."""


class ComfyLibraryInvert:
    """Inverts an image batch (values 0..1)."""

    CATEGORY = "comfylibrary"
    FUNCTION = "invert"
    RETURN_TYPES = ("IMAGE",)

    @classmethod
    def INPUT_TYPES(cls):  # noqa: N802 - the name ComfyUI calls
        return {"required": {"image": ("IMAGE",)}}

    def invert(self, image):
        return (1.0 - image,)


class ComfyLibraryCaption:
    """Puts a prefix before a text."""

    CATEGORY = "comfylibrary"
    FUNCTION = "caption"
    RETURN_TYPES = ("STRING",)

    @classmethod
    def INPUT_TYPES(cls):  # noqa: N802 - the name ComfyUI calls
        return {
            "required": {
                "text": ("STRING", {"default": "", "multiline": True}),
                "prefix": ("STRING", {"default": "caption: "}),
            }
        }

    def caption(self, text, prefix):
        return (f"{prefix}{text}",)


NODE_CLASS_MAPPINGS = {
    "ComfyLibraryInvert": ComfyLibraryInvert,
    "ComfyLibraryCaption": ComfyLibraryCaption,
}
NODE_DISPLAY_NAME_MAPPINGS = {
    "ComfyLibraryInvert": "Invert (ComfyLibrary example)",
    "ComfyLibraryCaption": "Caption (ComfyLibrary example)",
}
