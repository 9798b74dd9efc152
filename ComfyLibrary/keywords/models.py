"""The keyword that writes the tiny test models a real ComfyUI generates with on a CPU."""

from __future__ import annotations

from pathlib import Path

from robotlibcore import keyword

from ComfyLibrary.errors import ComfyError
from ComfyLibrary.keywords.context import LibraryComponent
from ComfyLibrary.testmodels import write_test_models


class TestModelKeywords(LibraryComponent):
    """Test model keywords."""

    __test__ = False  # not a pytest test class, whatever its name

    @keyword("Write Test Models", tags=("Servers",))
    def write_test_models(self, models_dir: str, variant: int = 0) -> str:
        """Writes the tiny random-weight test models into ``models_dir`` and returns its path.

        ``models_dir`` is laid out as ComfyUI's ``models`` folder: give the ComfyUI's own
        models folder, or mount the returned folder there (``volumes=`` of `Start ComfyUI
        Container`). It gets ``checkpoints/comfylibrary-tiny-sd15.safetensors`` (a tiny
        Stable Diffusion 1.5 checkpoint), its parts ``diffusion_models/comfylibrary-tiny-unet``,
        ``text_encoders/comfylibrary-tiny-clip-l`` and ``vae/comfylibrary-tiny-taesd`` (all
        ``.safetensors``), and a second UNet, ``comfylibrary-tiny-unet-b``. ComfyUI loads
        them as SD1.5 and generates coloured noise on a CPU in well under a second; the
        shipped ``tiny_*`` workflows use them. The same ``variant`` always gives the same
        bytes; files already there are left alone. The log lists each file with its size
        and SHA-256, as ``comfy-test-models`` prints them.

        Example:
        | ${models} =    Write Test Models    ${OUTPUT DIR}/models
        | VAR    &{volumes} =    ${models}=/opt/ComfyUI/models:ro
        | Start ComfyUI Container    comfylibrary/comfyui:cpu    args=--cpu    volumes=${volumes}
        """
        if not str(models_dir).strip():
            raise ComfyError(
                "Write Test Models needs a folder: give ComfyUI's models folder, e.g. "
                "${OUTPUT DIR}/models."
            )
        folder = Path(models_dir).expanduser().resolve()
        lines: list[str] = []
        try:
            write_test_models(folder, variant, log=lines.append)
        except ValueError as exc:
            raise ComfyError(f"Write Test Models: {exc}.") from None
        except OSError as exc:
            raise ComfyError(
                f"Cannot write the test models into {folder}: {exc.strerror or exc}."
            ) from None
        self.info(f"Test models in {folder}:\n" + "\n".join(lines))
        return str(folder)
