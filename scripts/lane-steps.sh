# shellcheck shell=bash
# Sourced by scripts/real-lane.sh and scripts/matrix.sh after they set LANE (the name their
# lines start with) and RESULTS: how a lane speaks, skips and fails.

say() { echo "$LANE: $*"; }

# skipped with its reason (kept for make test's summary), or failed under COMFY_REQUIRE_REAL=1
skip() {
  if [ "${COMFY_REQUIRE_REAL:-0}" = 1 ]; then
    say "FAILED: $* (COMFY_REQUIRE_REAL=1 makes this a failure)" >&2
    exit 1
  fi
  say "skipped: $*"
  mkdir -p "$RESULTS" && echo "$*" >"$RESULTS/skipped.txt"
  exit 0
}

fail() {
  say "FAILED: $*" >&2
  exit 1
}
