#!/usr/bin/env bash
# The release's dry run, as the publish workflow runs it before publishing:
#   1. builds the sdist and the wheel (python -m build) and fails on any build warning;
#   2. checks both with `twine check --strict`;
#   3. installs the wheel alone in a fresh venv and runs the README's example from an
#      empty folder, failing on any warning in its log.
#
#   scripts/release-check.sh [DIST]    (DIST: where the files go, default dist/)
#
# PYTHON  the Python that builds and checks (default .venv/bin/python, with build and
#         twine from the dev group)
set -euo pipefail
cd "$(dirname "$0")/.."
DIST=${1:-dist}
PYTHON=${PYTHON:-.venv/bin/python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
say() { echo "release-check: $*"; }

rm -rf "$DIST"
say "building the sdist and the wheel into $DIST"
"$PYTHON" -m build --outdir "$DIST" . >"$work/build.log" 2>&1 || {
  tail -n 20 "$work/build.log"
  say "FAILED: the build failed"
  exit 1
}
if grep -E "[Ww]arning|would be ignored" "$work/build.log" | grep -v -E "WARNING: Location '.*' is ignored|byte-compiling is disabled" >"$work/warnings.log"; then
  cat "$work/warnings.log"
  say "FAILED: the build printed warnings (above)"
  exit 1
fi
"$PYTHON" -m twine check --strict "$DIST"/*
# a file the package-data globs miss is left out without a word: every tracked file of the
# package and of resources/ (shipped as ComfyLibrary/resources/) must be in the wheel
git ls-files ComfyLibrary resources | "$PYTHON" -c '
import sys, zipfile, glob
wheel = zipfile.ZipFile(glob.glob(sys.argv[1] + "/*.whl")[0])
inside = set(wheel.namelist())
wanted = [
    "ComfyLibrary/" + line.strip() if line.startswith("resources/") else line.strip()
    for line in sys.stdin
    if line.strip() and line.strip() != "ComfyLibrary/resources"
]
missing = [path for path in wanted if path not in inside]
if missing:
    sys.exit(f"release-check: FAILED: the wheel lacks {len(missing)} file(s): " + ", ".join(missing[:10]))
print(f"release-check: the wheel holds all {len(wanted)} files of the package and resources/")
' "$DIST"

say "installing the wheel alone in a fresh venv"
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$DIST"/*.whl 2>&1 |
  { grep -v "^WARNING: Location '.*' is ignored" || true; }
mkdir "$work/suite"
# the README's example, as a new user copies it
awk '/^```robotframework$/ {inside = 1; next} /^```$/ {if (inside) exit} inside' README.md \
  >"$work/suite/readme_example.robot"
grep -q "Resource    ComfyLibrary/resources/comfy.resource" "$work/suite/readme_example.robot" ||
  { say "FAILED: the README's first Robot example is not the installed-package example"; exit 1; }
(cd "$work/suite" && "$work/venv/bin/robot" --outputdir out readme_example.robot >robot.log 2>&1) || {
  cat "$work/suite/robot.log"
  say "FAILED: the README's example failed with the installed wheel"
  exit 1
}
if grep -E '<msg [^>]*level="(WARN|ERROR)"' "$work/suite/out/output.xml" >"$work/warned.log"; then
  cat "$work/warned.log"
  say "FAILED: the README's example logged warnings or errors"
  exit 1
fi
say "passed: $(find "$DIST" -maxdepth 1 -type f -printf '%f ')built without warnings, twine check passed, the README's example runs from the wheel"
