"""Media validation: images with Pillow. Plain Python."""

from ComfyLibrary.media.image import ImageInfo, check_image, image_info

__all__ = ["ImageInfo", "check_image", "image_info"]
