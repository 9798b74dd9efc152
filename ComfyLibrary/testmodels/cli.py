"""``comfy-test-models``: writes the tiny test models into a ComfyUI models folder."""

from __future__ import annotations

import argparse
import sys
import time

from ComfyLibrary.testmodels.writer import write_test_models


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="comfy-test-models",
        description=(
            "Writes deterministic random-weight models (a tiny SD1.5 checkpoint, its UNet, "
            "CLIP-L text encoder and TAESD VAE as separate files, and a second UNet) into "
            "ComfyUI's models folder layout. A real ComfyUI loads them and generates "
            "coloured noise on a CPU in seconds. Files already there are left alone."
        ),
    )
    parser.add_argument("--models-dir", required=True, help="ComfyUI's models folder to write into")
    parser.add_argument(
        "--variant",
        type=int,
        default=0,
        help="another number gives other weights under the same names (default 0)",
    )
    args = parser.parse_args(argv)
    if args.variant < 0:
        parser.error(f"--variant must be 0 or more, not {args.variant}")
    if not args.models_dir.strip():
        parser.error("--models-dir is empty: give ComfyUI's models folder")
    started = time.monotonic()
    try:
        results = write_test_models(args.models_dir, args.variant, log=print)
    except OSError as exc:
        print(
            f"comfy-test-models: cannot write into {args.models_dir}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    written = sum(result.written for result in results)
    print(
        f"{written} written, {len(results) - written} already present in {args.models_dir} "
        f"({time.monotonic() - started:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
