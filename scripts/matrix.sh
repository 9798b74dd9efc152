#!/usr/bin/env bash
# The real lane over several ComfyUI versions: suites/real against each, one combined report
# with a column per version, and the upgrade report between the oldest and the newest.
#
#   COMFYUI_SOURCES="../shared/comfyui/ComfyUI-0.3.64.tar.gz ... ComfyUI-0.8.0.tar.gz" scripts/matrix.sh
#
# 1. the shared venv (torch and the newest version's requirements) and the test models come
#    from scripts/real-lane.sh (INSTALL_ONLY=1), from COMFYUI_SOURCE or else the last source;
# 2. each source is unpacked (or cloned, for a tag such as v0.3.64, where GitHub answers) into
#    $REAL_DIR/versions/<version>/ComfyUI, its models folder a link to the shared one, and the
#    packages it pins that the venv has in another version (frontend, templates, docs) are
#    installed into $REAL_DIR/versions/<version>/overlay, put first on its PYTHONPATH: about
#    150 MB a version beside the one venv;
# 3. suites/real runs against each (a ComfyUI started from its folder, --cpu
#    --disable-api-nodes); a test skipped for any reason but `Require ComfyUI Version` fails
#    the matrix;
# 4. results/matrix/matrix.html (and matrix.md) hold every test with a column per version,
#    results/matrix/log.html all the runs, results/matrix/upgrade/ the upgrade report between
#    the first and the last version (the profiles suites/real/custom_nodes.robot captured of
#    them with the example packs, the shipped workflows, their run reports).
#
# COMFYUI_SOURCES  folders, .tar.gz files or git tags, separated by spaces (default: the
#                  ComfyUI-*.tar.gz of ../shared/comfyui, oldest first)
# REAL_DIR, BIN, PYTHON, TORCH_PACKAGES, TORCH_INDEX, COMFYUI_REPO: as scripts/real-lane.sh
# RESULTS          where the results go (default results/matrix)
set -euo pipefail
cd "$(dirname "$0")/.."

REAL_DIR=${REAL_DIR:-.real}
BIN=${BIN:-.venv/bin}
RESULTS=${RESULTS:-results/matrix}
COMFYUI_REPO=${COMFYUI_REPO:-https://github.com/comfyanonymous/ComfyUI}
started=$(date +%s)

LANE=matrix
# shellcheck source=scripts/lane-steps.sh
source scripts/lane-steps.sh

if [ -z "${COMFYUI_SOURCES:-}" ]; then
  COMFYUI_SOURCES=$(find ../shared/comfyui -maxdepth 1 -name 'ComfyUI-*.tar.gz' 2>/dev/null | sort -V | tr '\n' ' ' || true)
fi
read -r -a sources <<<"${COMFYUI_SOURCES:-}"
[ "${#sources[@]}" -gt 0 ] || skip "no ComfyUI sources: set COMFYUI_SOURCES (folders, .tar.gz files or tags) or put ComfyUI-*.tar.gz in ../shared/comfyui"

# --- 1. the shared venv and the test models -----------------------------------------------
base_source=${COMFYUI_SOURCE:-${sources[${#sources[@]} - 1]}}
COMFYUI_SOURCE=$base_source INSTALL_ONLY=1 REAL_DIR=$REAL_DIR BIN=$BIN bash scripts/real-lane.sh
REAL_DIR=$(cd "$REAL_DIR" && pwd)
venv="$REAL_DIR/venv"
models="$REAL_DIR/ComfyUI/models"
installed=$(date +%s)

# --- 2. each version: its source, a link to the models, an overlay of its pins -------------
unpack() { # source target: the ComfyUI of a folder, a tarball or a tag into target
  local source=$1 target=$2
  rm -rf "$target"
  mkdir -p "$target"
  if [ -f "$source" ]; then
    tar -xzf "$source" -C "$target" --strip-components=1
  elif [ -f "$source/main.py" ]; then
    cp -a "$source/." "$target/"
  else
    rmdir "$target"
    git clone --quiet --depth 1 --branch "$source" "$COMFYUI_REPO" "$target" 2>"$target.clone.log" ||
      fail "$source is neither a ComfyUI folder, a .tar.gz nor a tag that $COMFYUI_REPO has: $(tail -1 "$target.clone.log")"
  fi
  [ -f "$target/main.py" ] || fail "$source holds no ComfyUI (no main.py at its top)"
}

version_of() { sed -n 's/^__version__ = "\(.*\)"/\1/p' "$1/comfyui_version.py"; }

# the "name==version" pins of a requirements file that the venv has in another version
differing_pins() {
  "$venv/bin/python" - "$1" <<'PY'
import re, sys
from importlib import metadata
for line in open(sys.argv[1], encoding="utf-8"):
    match = re.match(r"^\s*([A-Za-z0-9_.-]+)==([^\s;#]+)", line)
    if not match:
        continue
    name, wanted = match.groups()
    try:
        have = metadata.version(name)
    except metadata.PackageNotFoundError:
        have = None
    if have != wanted:
        print(f"{name}=={wanted}")
PY
}

mkdir -p "$RESULTS"
versions=()
for source in "${sources[@]}"; do
  id=$(printf '%s' "$source" | sha256sum | cut -c1-12)
  work="$REAL_DIR/versions/$id"
  mkdir -p "$work"
  if [ ! -f "$work/ComfyUI/main.py" ] || [ "$(cat "$work/source" 2>/dev/null)" != "$source" ]; then
    say "unpacking $source"
    unpack "$source" "$work/ComfyUI"
    echo "$source" >"$work/source"
  fi
  version=$(version_of "$work/ComfyUI")
  [ -n "$version" ] || fail "$source has no comfyui_version.py with a __version__"
  rm -rf "$work/ComfyUI/models"
  ln -s "$models" "$work/ComfyUI/models"
  pins=$(differing_pins "$work/ComfyUI/requirements.txt" | tr '\n' ' ')
  if [ -n "$pins" ] && [ "$(cat "$work/overlay.stamp" 2>/dev/null)" != "$pins" ]; then
    say "ComfyUI $version pins $pins: installing them into its overlay"
    rm -rf "$work/overlay"
    # shellcheck disable=SC2086  # the pins are meant to split
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --target "$work/overlay" $pins 2>&1 |
      { grep -v "^WARNING: Location '.*' is ignored" || true; }
    echo "$pins" >"$work/overlay.stamp"
  fi
  mkdir -p "$work/overlay"
  versions+=("$version|$work")
done

# --- 3. suites/real against each version -----------------------------------------------------
rc=0
outputs=()
for entry in "${versions[@]}"; do
  version=${entry%%|*}
  work=${entry#*|}
  out="$RESULTS/$version"
  say "suites/real against ComfyUI $version"
  set +e
  "$BIN/robot" --name "ComfyUI $version" --outputdir "$out" --exclude gpu --console dotted \
    --variable "COMFYUI_HOME:$work/ComfyUI" --variable "COMFYUI_PYTHON:$venv/bin/python" \
    --variable "COMFYUI_ARGS:--cpu --disable-api-nodes" \
    --variable "COMFYUI_PYTHONPATH:$work/overlay" suites/real >"$out.console.log" 2>&1
  status=$?
  set -e
  tail -4 "$out.console.log" | sed "s/^/  /"
  [ "$status" -eq 0 ] || rc=1
  outputs+=("$out/output.xml")
done

# --- 4. one report with a column per version, one log, and the upgrade report ---------------
"$BIN/python" scripts/matrix_report.py "$RESULTS" "${outputs[@]}" || rc=1
"$BIN/rebot" --name Matrix --outputdir "$RESULTS" --output NONE --log log.html --report report.html \
  "${outputs[@]}" >/dev/null 2>&1 || true
first=${versions[0]%%|*}
last=${versions[${#versions[@]} - 1]%%|*}
if [ "$first" != "$last" ]; then
  # the profiles of the servers that loaded the example packs: the catalog, and the packs
  "$BIN/comfy-upgrade-report" "$RESULTS/$first/profile-packs.json" "$RESULTS/$last/profile-packs.json" \
    --workflows resources/workflows \
    --runs "$RESULTS/$first/comfy/run-report.json" "$RESULTS/$last/comfy/run-report.json" \
    --out "$RESULTS/upgrade" || rc=1
fi
finished=$(date +%s)
say "install $((installed - started)) s, versions $((finished - installed)) s, in all $((finished - started)) s"
[ "$rc" -eq 0 ] || fail "suites/real did not pass on every version: see $RESULTS/matrix.html"
say "passed: suites/real on ComfyUI ${versions[*]%%|*}, see $RESULTS/matrix.html"
