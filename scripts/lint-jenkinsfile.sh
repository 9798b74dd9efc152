#!/usr/bin/env bash
# Lints the Jenkins pipeline template with npm-groovy-lint (CodeNarc), failing on warnings.
# It installs npm-groovy-lint into .venv/node once; without node, npm and java it says so
# and skips, as the other tools that need what a machine may lack do.
set -u
cd "$(dirname "$0")/.." || exit 1
PREFIX=.venv/node
TOOL="$PREFIX/node_modules/.bin/npm-groovy-lint"
for need in node npm java; do
  if ! command -v "$need" >/dev/null; then
    echo "lint-jenkinsfile: no $need here; the Jenkinsfile lint skips"
    exit 0
  fi
done
if ! [ -x "$TOOL" ]; then
  mkdir -p "$PREFIX"
  npm install --silent --no-audit --no-fund --prefix "$PREFIX" npm-groovy-lint@16 >/dev/null 2>&1 ||
    { echo "lint-jenkinsfile: npm could not install npm-groovy-lint; the lint skips"; exit 0; }
fi
"$TOOL" --failon warning --noserver --output txt docs/ci/Jenkinsfile
