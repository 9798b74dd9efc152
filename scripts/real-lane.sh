#!/usr/bin/env bash
# The real lane: real ComfyUI on the CPU, with the tiny test models, under suites/real.
#
#   COMFYUI_SOURCE=../shared/comfyui/ComfyUI-0.8.0.tar.gz scripts/real-lane.sh
#
# 1. installs ComfyUI into $REAL_DIR (its own virtual environment with torch), from
#    COMFYUI_SOURCE (a ComfyUI folder or a .tar.gz of one) or else a pinned clone of
#    COMFYUI_VERSION; reused while the source, the torch packages and Python are the same;
# 2. writes the test models into its models folder (comfy-test-models; a second run
#    finds them there);
# 3. runs suites/real (without the `gpu` tests, which need production models), which
#    starts that ComfyUI with `Start ComfyUI Server ... args=--cpu`.
#
# Where neither a source nor GitHub is at hand the lane is skipped with that reason, or
# fails under COMFY_REQUIRE_REAL=1 (this project's CI). A skipped test fails the lane.
#
# REAL_DIR        where ComfyUI and its venv go (default .real)
# COMFYUI_SOURCE  a ComfyUI folder or .tar.gz (default: git clone of COMFYUI_VERSION)
# COMFYUI_VERSION the tag to clone (default v0.8.0); COMFYUI_REPO the repository
# TORCH_PACKAGES  torch packages for pip (default: scripts/torch-packages.sh)
# TORCH_INDEX     an index for them, e.g. https://download.pytorch.org/whl/cpu
# PYTHON          the Python for ComfyUI's venv (default python3)
# BIN             where robot and comfy-test-models are (default .venv/bin)
# RESULTS         where output.xml, log.html and report.html go (default results/real)
# ROBOT_ARGS      more Robot options, e.g. --include tiny-models
# INSTALL_ONLY    1: install ComfyUI, its venv and the test models, then stop
set -euo pipefail
cd "$(dirname "$0")/.."

REAL_DIR=${REAL_DIR:-.real}
COMFYUI_VERSION=${COMFYUI_VERSION:-v0.8.0}
COMFYUI_REPO=${COMFYUI_REPO:-https://github.com/comfyanonymous/ComfyUI}
COMFYUI_SOURCE=${COMFYUI_SOURCE:-}
PYTHON=${PYTHON:-python3}
BIN=${BIN:-.venv/bin}
RESULTS=${RESULTS:-results/real}
ROBOT_ARGS=${ROBOT_ARGS:-}
# shellcheck source=scripts/torch-packages.sh
source scripts/torch-packages.sh
TORCH_INDEX=${TORCH_INDEX:-}
started=$(date +%s)

LANE=real-lane
# shellcheck source=scripts/lane-steps.sh
source scripts/lane-steps.sh

mkdir -p "$REAL_DIR"
REAL_DIR=$(cd "$REAL_DIR" && pwd)
comfyui="$REAL_DIR/ComfyUI"
venv="$REAL_DIR/venv"

# --- 1. the source, identified so that an unchanged one is not installed again ---------
if [ -n "$COMFYUI_SOURCE" ]; then
  if [ -f "$COMFYUI_SOURCE" ]; then
    source_id="tarball $(sha256sum "$COMFYUI_SOURCE" | cut -d' ' -f1)"
  elif [ -f "$COMFYUI_SOURCE/main.py" ]; then
    source_id="folder $(cd "$COMFYUI_SOURCE" && pwd) $(find "$COMFYUI_SOURCE" -type f -name '*.py' -printf '%T@\n' | sort -n | tail -1)"
  else
    skip "COMFYUI_SOURCE=$COMFYUI_SOURCE is neither a ComfyUI folder (with main.py) nor a .tar.gz"
  fi
else
  source_id="git $COMFYUI_REPO $COMFYUI_VERSION"
fi
stamp_text="$source_id | $TORCH_PACKAGES | $TORCH_INDEX | $("$PYTHON" --version 2>&1)"
stamp="$REAL_DIR/installed.stamp"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_text" ] && [ -x "$venv/bin/python" ]; then
  say "ComfyUI and its venv are installed already ($REAL_DIR)"
else
  rm -rf "$comfyui" "$venv" "$stamp"
  mkdir -p "$comfyui"
  if [ -z "$COMFYUI_SOURCE" ]; then
    say "no COMFYUI_SOURCE: cloning $COMFYUI_REPO at $COMFYUI_VERSION"
    rmdir "$comfyui"
    if ! git clone --quiet --depth 1 --branch "$COMFYUI_VERSION" "$COMFYUI_REPO" "$comfyui" 2>"$REAL_DIR/clone.log"; then
      rm -rf "$comfyui"
      skip "no COMFYUI_SOURCE and $COMFYUI_REPO cannot be cloned: $(tail -1 "$REAL_DIR/clone.log")"
    fi
  elif [ -f "$COMFYUI_SOURCE" ]; then
    say "unpacking $COMFYUI_SOURCE"
    tar -xzf "$COMFYUI_SOURCE" -C "$comfyui" --strip-components=1
  else
    say "copying $COMFYUI_SOURCE"
    cp -a "$COMFYUI_SOURCE/." "$comfyui/"
  fi
  [ -f "$comfyui/main.py" ] || fail "$COMFYUI_SOURCE holds no ComfyUI (no main.py at its top)"

  say "creating ComfyUI's venv with $TORCH_PACKAGES"
  "$PYTHON" -m venv "$venv" || fail "cannot create a virtual environment with $PYTHON"
  # pip's notes about local index folders it cannot read say nothing about this install
  # (pipefail: a failing pip still fails the lane)
  pip() { "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@" 2>&1 |
    { grep -v "^WARNING: Location '.*' is ignored" || true; }; }
  # shellcheck disable=SC2086  # the package list is meant to split
  if [ -n "$TORCH_INDEX" ]; then
    pip --index-url "$TORCH_INDEX" $TORCH_PACKAGES
  else
    pip $TORCH_PACKAGES
  fi
  # ComfyUI's requirements without its unpinned torch packages (torchaudio is optional:
  # without it ComfyUI leaves out its audio nodes), plus requests, which its frontend
  # manager imports
  grep -v -E '^\s*(torch|torchvision|torchaudio)\s*$' "$comfyui/requirements.txt" >"$REAL_DIR/requirements.txt"
  pip -r "$REAL_DIR/requirements.txt" requests
  imports="import torch, torchvision"
  if "$venv/bin/python" -m pip show --quiet torchaudio 2>/dev/null; then
    imports="$imports, torchaudio"
  fi
  if ! "$venv/bin/python" -c "$imports" 2>"$REAL_DIR/import.log" &&
    grep -q -e "operator torchvision::.* does not exist" -e "Could not load this library: .*torchaudio" "$REAL_DIR/import.log"; then
    say "torchvision's or torchaudio's C++ ops do not load beside this torch ($(
      "$venv/bin/python" -m pip list --format=freeze 2>/dev/null | grep -E '^torch(vision|audio)?==' | tr '\n' ' '
    )): adding $TORCHVISION_CPU_COMPAT"
    pip --no-deps "./$TORCHVISION_CPU_COMPAT"
  fi
  "$venv/bin/python" -c "$imports" 2>"$REAL_DIR/import.log" ||
    fail "torch, torchvision and torchaudio of '$TORCH_PACKAGES' do not load together: $(tail -1 "$REAL_DIR/import.log")"
  echo "$stamp_text" >"$stamp"
fi
installed=$(date +%s)

# --- 2. the test models ------------------------------------------------------------------
"$BIN/comfy-test-models" --models-dir "$comfyui/models"
modelled=$(date +%s)
if [ "${INSTALL_ONLY:-0}" = 1 ]; then # scripts/matrix.sh: the shared venv and models only
  say "installed in $((modelled - started)) s ($REAL_DIR)"
  exit 0
fi

# --- 3. suites/real against it --------------------------------------------------------------
set +e
# shellcheck disable=SC2086  # ROBOT_ARGS is meant to split
"$BIN/robot" --outputdir "$RESULTS" --xunit xunit.xml --exclude gpu \
  --variable "COMFYUI_HOME:$comfyui" --variable "COMFYUI_PYTHON:$venv/bin/python" \
  --variable "COMFYUI_ARGS:--cpu" $ROBOT_ARGS suites/real
rc=$?
set -e
skipped=$("$BIN/python" -c "
import sys
from robot.api import ExecutionResult
result = ExecutionResult(sys.argv[1])
print(' | '.join(t.full_name for t in result.suite.all_tests if t.skipped))
" "$RESULTS/output.xml" 2>/dev/null || echo "")
suited=$(date +%s)

# --- 4. the recordings the mock is held to, made again on this ComfyUI and compared ---------
# its answers to ComfyUI's own templates and to the graphs made invalid from them, and the
# node facts that /object_info does not serve (tests/recorders/)
recorded=0
if "$BIN/python" tests/recorders/record_template_answers.py "$comfyui" "$venv/bin/python" \
  "$RESULTS/template_answers.json.gz" >"$RESULTS/recordings.log" 2>&1 &&
  "$venv/bin/python" tests/recorders/record_node_facts.py "$comfyui" "$RESULTS/node_facts.json" \
    >>"$RESULTS/recordings.log" 2>&1; then
  "$BIN/python" tests/recorders/compare_recordings.py "$RESULTS/template_answers.json.gz" \
    "$RESULTS/node_facts.json" || recorded=$?
else
  recorded=$?
  say "recording on real ComfyUI failed: $(tail -3 "$RESULTS/recordings.log" | tr '\n' ' ')"
fi
finished=$(date +%s)
say "install $((installed - started)) s, models $((modelled - installed)) s, suites $((suited - modelled)) s, recordings $((finished - suited)) s, in all $((finished - started)) s"
[ "$rc" -eq 0 ] || fail "suites/real failed against real ComfyUI (rc $rc): see $RESULTS/log.html"
[ -z "$skipped" ] || fail "tests skipped against real ComfyUI: $skipped"
[ "$recorded" -eq 0 ] || fail "the recordings made again on real ComfyUI differ from the committed ones (above)"
say "passed: suites/real against real ComfyUI on the CPU ($RESULTS/log.html), and the recordings agree"
