"""Custom node packs of ComfyLibrary's own, for testing packs across ComfyUI versions."""
