"""Tiny random-weight models that a real ComfyUI loads and runs on a CPU in seconds.

No torch is needed: the files are written with NumPy. See :func:`write_test_models`.
"""

from ComfyLibrary.testmodels.writer import TEST_MODELS, WrittenModel, write_test_models

__all__ = ["TEST_MODELS", "WrittenModel", "write_test_models"]
