"""Runs the mock ComfyUI server: ``python -m ComfyLibrary.mock --help``."""

import sys

if sys.argv[1:] == ["--zygote"]:
    from ComfyLibrary.mock.zygote import run

    sys.exit(run())

from ComfyLibrary.mock.cli import main

sys.exit(main())
