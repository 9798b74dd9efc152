"""Runs the mock ComfyUI server: ``python -m ComfyLibrary.mock --help``."""

import sys

from ComfyLibrary.mock.cli import main

sys.exit(main())
