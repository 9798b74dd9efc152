"""Keywords that check generated images and show them in the log."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from robotlibcore import keyword

from ComfyLibrary.errors import ComfyError, MediaError
from ComfyLibrary.files import copy_file, save_with
from ComfyLibrary.keywords.assertions import AssertionOperator, dot, info_value
from ComfyLibrary.keywords.context import LibraryComponent, size_limits
from ComfyLibrary.keywords.media_log import MediaLog
from ComfyLibrary.keywords.results import ImageInfo, ImageMode, MediaValidation, as_result
from ComfyLibrary.media import image_info
from ComfyLibrary.media.checks import IMAGE_TYPICAL_SIZES, not_valid_message, validate_image
from ComfyLibrary.media.compare import compare, identical, parse_masks, pixel_stats
from ComfyLibrary.report.provenance import is_provenance_file, origins, write_provenance


def formats_of(text: str) -> list[str]:
    return [f.strip() for f in str(text).split(",") if f.strip()]


class ImageKeywords(LibraryComponent):
    """Image keywords."""

    @property
    def log(self) -> MediaLog:
        return MediaLog(self.library)

    def _timed_validation(self, started: float) -> None:
        self.library.record_validation(time.perf_counter() - started)

    @keyword("Validate Image", tags=("Media", "Images"))
    def validate_image(
        self,
        path: Path,
        format: str = "PNG, JPEG, WEBP",
        width: int | None = None,
        height: int | None = None,
        min_width: int | None = None,
        max_width: int | None = None,
        min_height: int | None = None,
        max_height: int | None = None,
        min_size: str | None = None,
        max_size: str | None = None,
        mode: ImageMode | None = None,
        not_blank: bool = True,
        typical_sizes: bool = False,
        fail: bool = True,
    ) -> MediaValidation:
        """Checks an image's file, dimensions, size, mode *and content* (not blank), and
        returns every check's outcome; ``fail=False`` returns instead of failing.

        Checks: readable (corrupt files and decompression bombs fail cleanly), format,
        width and height (exact, or between ``min_width`` and ``max_width`` and the like), file size (no limits unless
        given; ``typical_sizes=True`` for 10 KB to 50 MB), mode, and not blank.
        The result has ``passed``, ``checks`` (name, passed, detail), ``errors`` and
        ``metadata`` (format, width, height, mode, size, frames, stddev). It fails
        listing every failed check, unless ``fail=False``. The image is shown in the log.

        Example:
        | Validate Image    ${file}    width=1024    height=784
        | ${result} =    Validate Image    ${file}    fail=False
        | Should Be True    ${result}[passed]
        """
        started = time.perf_counter()
        result = validate_image(
            path,
            formats_of(format),
            width,
            height,
            min_width,
            max_width,
            min_height,
            max_height,
            *size_limits(min_size, max_size, typical_sizes, IMAGE_TYPICAL_SIZES),
            mode,
            not_blank,
        )
        checked = self.finish_validation(
            result,
            started,
            fail,
            lambda: self.log.image(Path(path), preview=result.preview),
            f"Image {Path(path).name}",
        )
        return as_result(checked, MediaValidation)

    @keyword("Image Should Be Valid", tags=("Media", "Images"))
    def image_should_be_valid(
        self,
        path: Path,
        format: str = "PNG, JPEG, WEBP",
        width: int | None = None,
        height: int | None = None,
        min_size: str | None = None,
        max_size: str | None = None,
        mode: ImageMode | None = None,
        typical_sizes: bool = False,
        not_blank: bool = True,
    ) -> ImageInfo:
        """Fails unless an image passes every check `Validate Image` makes; where `Validate
        Image` returns its checks, this one fails listing those that failed.

        | =Argument= | =Description= |
        | ``format`` | Allowed formats, comma separated. Default ``PNG, JPEG, WEBP``. |
        | ``width``, ``height`` | Exact dimensions in pixels. |
        | ``min_size``, ``max_size`` | Size limits like ``10 KB``, ``50 MB``; none by default. |
        | ``typical_sizes`` | ``True`` applies the range production images fall in, 10 KB to 50 MB, to the limits not given. |
        | ``mode`` | Pillow mode such as ``RGB`` or ``RGBA``. |
        | ``not_blank`` | The content is not blank (default, as in `Validate Image`); ``False`` for a picture that is one colour on purpose. |

        Every check runs; the failure lists all that failed. Returns the image's
        information (``format``, ``width``, ``height``, ``mode``, ``size``, ``frames``).

        Example:
        | Image Should Be Valid    ${file}    width=512    height=512
        | Image Should Be Valid    ${file}    format=PNG    min_size=100 B
        | Image Should Be Valid    ${file}    typical_sizes=True
        """
        result = self.validate_image(
            path,
            format,
            width,
            height,
            min_size=min_size,
            max_size=max_size,
            mode=mode,
            not_blank=not_blank,
            fail=False,
            typical_sizes=typical_sizes,
        )
        if not result["passed"]:
            raise MediaError(not_valid_message(result))
        return as_result(result["metadata"], ImageInfo)

    @keyword("Get Image Info", tags=("Media", "Images"))
    def get_image_info(
        self,
        path: Path,
        key: str | None = None,
        assertion_operator: AssertionOperator | None = None,
        assertion_expected: Any = None,
        message: str | None = None,
    ) -> Any:
        """Returns ``format``, ``width``, ``height``, ``mode``, ``size`` (bytes) and
        ``frames`` of an image, or with ``key`` only that one.

        With an assertion operator (``==``, ``!=``, ``<``, ``>``, ``<=``, ``>=``,
        ``contains``, ``matches``, ...) the value is also checked, as Browser's getters do;
        a failure names the value found. ``message`` replaces the failure message.

        Example:
        | ${info} =    Get Image Info    ${file}
        | Should Be Equal As Integers    ${info.width}    512
        | Get Image Info    ${file}    width    ==    512
        | Get Image Info    ${file}    size    <    2000000
        | Get Image Info    ${file}    format    ==    PNG
        """
        return info_value(
            lambda: image_info(path).as_dict(),
            f"Image {Path(path).name}",
            key,
            assertion_operator,
            assertion_expected,
            message,
            self.retry_for(),
        )

    @keyword("Image Should Not Be Blank", tags=("Media", "Images"))
    def image_should_not_be_blank(self, path: Path, min_stddev: float = 2.0) -> dict[str, Any]:
        """Fails when an image is uniform or nearly so (a black, white or flat frame).

        Blank means the standard deviation of its gray levels is below ``min_stddev``.
        Returns the pixel statistics (``mean``, ``stddev``, ``dominant_share``).

        Example:
        | Image Should Not Be Blank    ${file}
        """
        stats = pixel_stats(path)
        self.log.image(Path(path))
        if stats["stddev"] < min_stddev:
            raise MediaError(
                f"Image {Path(path).name} is blank: near-uniform (pixel standard deviation "
                f"{stats['stddev']:.2f}, below {min_stddev:g}; mean level {stats['mean']:.0f} "
                "of 255)."
            )
        return stats

    @keyword("Images Should Be Identical", tags=("Media", "Images"))
    def images_should_be_identical(self, first: Path, second: Path):
        """Fails unless both images have the same size and exactly the same pixels.

        Example:
        | Images Should Be Identical    ${first_run}    ${second_run}
        """
        same, reason = identical(first, second)
        if not same:
            raise AssertionError(
                f"Images {Path(first).name} and {Path(second).name} differ: {reason}."
            )
        self.info(f"Images {Path(first).name} and {Path(second).name} are identical.")

    @keyword("Images Should Be Different", tags=("Media", "Images"))
    def images_should_be_different(self, first: Path, second: Path):
        """Fails when both images have exactly the same pixels.

        Example:
        | Images Should Be Different    ${seed_1}    ${seed_2}
        """
        same, reason = identical(first, second)
        if same:
            raise AssertionError(
                f"Images {Path(first).name} and {Path(second).name} are identical."
            )
        self.info(f"Images differ: {reason}.")

    @keyword("Reference Drift Between Versions", tags=("Media", "Images"))
    def reference_drift_between_versions(
        self, folder: Path, old_version: str, new_version: str, threshold: float = 0.99
    ) -> dict[str, Any]:
        """Says which golden references changed between two ComfyUI versions, from the
        folders ``per_version=True`` of `Image Should Match Reference` keeps
        (``folder/<version>/``): for each image in both, its similarity (SSIM), and it is
        ``changed`` below ``threshold``. Returns ``changed``, ``unchanged`` (lists of
        name and similarity), ``only_old`` and ``only_new`` (names); never fails.

        Example:
        | ${drift} =    Reference Drift Between Versions    ${CURDIR}/golden    0.8.0    0.9.1
        | Should Be Empty    ${drift.changed}
        """
        old, new = Path(folder) / old_version, Path(folder) / new_version
        for place in (old, new):
            if not place.is_dir():
                raise ComfyError(
                    f"Folder {place} does not exist: references kept with per_version=True "
                    f"go to {Path(folder)}/<ComfyUI version>/."
                )
        olds = {p.name for p in old.iterdir() if p.is_file() and not is_provenance_file(p)}
        news = {p.name for p in new.iterdir() if p.is_file() and not is_provenance_file(p)}
        changed: list[dict[str, Any]] = []
        unchanged: list[dict[str, Any]] = []
        for name in sorted(olds & news):
            try:
                score = compare(new / name, old / name).score
            except MediaError as exc:  # another size, or not an image
                changed.append({"name": name, "similarity": None, "why": str(exc)})
                continue
            entry = {"name": name, "similarity": round(score, 4)}
            (changed if score < threshold else unchanged).append(entry)
        report: dict[str, Any] = {
            "changed": changed,
            "unchanged": unchanged,
            "only_old": sorted(olds - news),
            "only_new": sorted(news - olds),
        }
        lines = [f"References from ComfyUI {old_version} to {new_version} ({folder}):"]
        lines += [f"  changed: {c['name']} ({c.get('why') or c['similarity']})" for c in changed]
        lines.append(f"  unchanged: {len(unchanged)}")
        lines += [f"  only in {old_version}: {n}" for n in report["only_old"]]
        lines += [f"  only in {new_version}: {n}" for n in report["only_new"]]
        self.info("\n".join(lines))
        return dot(report)

    @keyword("Image Should Match Reference", tags=("Media", "Images"))
    def image_should_match_reference(
        self,
        path: Path,
        reference: Path,
        threshold: float = 0.95,
        masks: Any = None,
        update: bool | None = None,
        resize_reference: bool = False,
        per_version: bool = False,
    ) -> float:
        """Compares an image with a golden reference by structural similarity (SSIM, 0-1).

        Passes when the score is at least ``threshold``; returns the score. ``masks``
        lists regions to ignore, each ``x, y, width, height`` (``0,0,64,32; 10,10,5,5``
        or a list of lists). On failure a difference image is written next to
        ``path`` and shown in the log.

        Reference update mode: with ``update=True``, or the Robot variable
        ``${COMFY_UPDATE_REFERENCES}`` set to true, the image becomes the new reference
        (written to ``reference``) instead of being compared; the variable's writes are
        warned of in the log, ``update=True``'s are logged plainly (asked for). A missing
        reference is written, with a warning naming the file, except under CI
        (``CI=true``, or ``COMFY_CI=1``), where it fails: a misspelt path must not switch
        the check off.

        ``resize_reference=True`` scales the reference to the image's size first, e.g. to
        compare a video's first frame with the image it was made from.

        One reference per ComfyUI version, since the same seed may give another image
        after an update: ``per_version=True`` keeps it in a folder named after the
        version that made the image (``golden/0.8.0/fox.png``; the mock's own go to
        ``golden/0.8.0-mock/``, so that they never stand for real ComfyUI's), and
        ``{comfyui_version}`` in the path is replaced by it. A reference written keeps where
        it was made beside it (``fox.png.provenance.json``: mock or real, versions, torch),
        and a mismatch names both sides. `Reference Drift Between Versions` says which
        references changed between two versions.

        Example:
        | Image Should Match Reference    ${file}    ${CURDIR}/golden/fox.png    threshold=0.9
        | Image Should Match Reference    ${file}    ${golden}    masks=0,0,200,40
        | Image Should Match Reference    ${file}    ${CURDIR}/golden/fox.png    per_version=True
        """
        path = Path(path)
        reference = self.library.versioned(Path(reference), per_version, path)
        asked = update is True  # written because this call says so: no surprise to warn of
        if update is None:
            update = self.library.update_references()
        if not update and not reference.exists():
            self.library.missing_reference(reference, "Reference image")
        made_here = self.library.provenance_of(path)
        if update or not reference.exists():
            copy_file(path, reference, "the reference image")
            write_provenance(reference, made_here, path)
            message = "updated" if update else "created (it did not exist)"
            (self.info if asked else self.warn)(
                f"Reference {reference} {message} from {path.name}."
            )
            return 1.0
        started = time.perf_counter()
        result = compare(path, reference, parse_masks(masks), resize_reference=resize_reference)
        self._timed_validation(started)
        self.log.image(path, "candidate")
        self.log.image(reference, "reference")
        if result.score < threshold:
            diff_path = path.with_name(f"{path.stem}.diff.png")
            save_with(diff_path, result.diff.save, "the difference image")
            self.log.image(diff_path, "difference (bright = different)")
            raise AssertionError(
                f"Image {path.name} does not match reference {reference}: similarity "
                f"{result.score:.4f} is below {threshold:g}.{origins(reference, made_here)}"
            )
        self.info(f"Image {path.name} matches {reference.name} (similarity {result.score:.4f}).")
        return result.score
