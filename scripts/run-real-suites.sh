#!/usr/bin/env bash
# Runs the real-ComfyUI suites with pabot, reruns the failed tests once, and merges both
# runs with rebot so the report shows the first failure and the rerun side by side
# (flaky tests made visible, not hidden). Used by gpu.yml, the GitLab and Jenkins
# templates alike.
#
#   OUTDIR=results/shard-1 PABOT_ARGS="--processes 4 --resourcefile servers.dat --shard 1/2" \
#     ROBOT_ARGS="--include real" scripts/run-real-suites.sh
#
# OUTDIR      where output.xml, log.html, report.html and xunit.xml go (default results)
# PABOT_ARGS  pabot's own options: --processes, --resourcefile, --shard, --pabotlibhost ...
# ROBOT_ARGS  Robot options: --include, --exclude, --variable ... (default --include real)
# SUITES      what to run (default suites/real)
# BIN         where robot, pabot and rebot are (default .venv/bin)
set -u
cd "$(dirname "$0")/.." || exit 1
OUTDIR=${OUTDIR:-results}
PABOT_ARGS=${PABOT_ARGS:-"--processes 2"}
ROBOT_ARGS=${ROBOT_ARGS:-"--include real"}
SUITES=${SUITES:-suites/real}
BIN=${BIN:-.venv/bin}
case "$BIN" in /*) ;; *) BIN="$PWD/$BIN" ;; esac  # robot and rebot for pabot's children too
export PATH="$BIN:$PATH"
mkdir -p "$OUTDIR"

# shellcheck disable=SC2086  # the argument lists are meant to split
"$BIN/pabot" $PABOT_ARGS --pabotlibport 0 --outputdir "$OUTDIR/first" $ROBOT_ARGS $SUITES
first=$?
if [ "$first" -eq 0 ] || [ "$first" -gt 250 ] || ! [ -f "$OUTDIR/first/output.xml" ]; then
  # green, or no result to rerun from: the first run is the result
  "$BIN/rebot" --outputdir "$OUTDIR" --output output.xml --xunit xunit.xml \
    "$OUTDIR/first/output.xml" || true
  exit "$first"
fi
echo "run-real-suites: $first test(s) failed; running them once more"
# shellcheck disable=SC2086
"$BIN/pabot" $PABOT_ARGS --pabotlibport 0 --outputdir "$OUTDIR/rerun" \
  --rerunfailed "$OUTDIR/first/output.xml" $ROBOT_ARGS $SUITES
# --merge keeps both results: a test that passed on the rerun says it failed first
"$BIN/rebot" --merge --outputdir "$OUTDIR" --output output.xml --xunit xunit.xml \
  "$OUTDIR/first/output.xml" "$OUTDIR/rerun/output.xml"
