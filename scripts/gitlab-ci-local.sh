#!/usr/bin/env bash
# Runs a job of the GitLab template (docs/ci/gitlab-ci.yml) on this machine, in shell
# mode, with gitlab-ci-local (npm), in a fresh clone of the committed project.
#
#   scripts/gitlab-ci-local.sh [job]        (default job: mock-suites)
#   GITLAB_CI_LOCAL=/path/to/gitlab-ci-local scripts/gitlab-ci-local.sh   (an installed one)
#
# A shell executor ignores a job's image: the jobs run on this machine as they would on
# a GitLab shell runner, so the image lines are dropped for gitlab-ci-local, which would
# otherwise start them in Docker. Needs node and npm; gitlab-ci-local 4.56 runs on
# Node.js 20.
set -eu
JOB=${1:-mock-suites}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/gitlab-ci-local-XXXXXX)
TOOL=${GITLAB_CI_LOCAL:-"$WORK/tool/node_modules/.bin/gitlab-ci-local"}
if ! [ -x "$TOOL" ]; then
  mkdir -p "$WORK/tool"
  (cd "$WORK/tool" && npm install --silent --no-audit --no-fund gitlab-ci-local@4.56.0 >/dev/null)
fi
if ! command -v rsync >/dev/null; then # gitlab-ci-local copies the project with rsync
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "gitlab-ci-local needs rsync: install it first" >&2
    exit 1
  fi
  apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq rsync >/dev/null
fi
git clone --quiet "$ROOT" "$WORK/project"
# gitlab-ci-local reads the project's path from its origin, as GitLab names it
git -C "$WORK/project" remote set-url origin https://gitlab.example.com/qa/comfylibrary.git
sed '/^ *image: /d' "$ROOT/docs/ci/gitlab-ci.yml" >"$WORK/project/.gitlab-ci.yml"
cd "$WORK/project"
echo "gitlab-ci-local: running job '$JOB' of docs/ci/gitlab-ci.yml in $WORK/project"
"$TOOL" --shell-executor-no-image "$JOB"
