#!/usr/bin/env bash
# Starts a Docker engine and builds the images the container tests need, if this machine
# can: root with apt (Debian's docker.io), no registry needed (the base image comes from
# debootstrap). Prints one line saying why when it cannot; the container tests then skip
# (with COMFY_REQUIRE_DOCKER=1, as this project's own CI sets, they fail instead).
#
#   scripts/docker-engine.sh start   engine + local/debian-py:bookworm + comfylibrary/mock:test
#                                    + comfylibrary/runner:test, and when COMFYUI_SOURCE is
#                                    given comfylibrary/comfyui:cpu and comfylibrary/comfyui:cuda
#   scripts/docker-engine.sh stop    stops the engine this script started
#
# The mock and runner images are built by the compose stack's CPU profile with WHEELS_ONLY=1
# (the wheels gathered into docker/wheels here). The two ComfyUI images are
# docker/comfyui/Dockerfile built with no registry and no index: ComfyUI from COMFYUI_SOURCE
# (a folder or .tar.gz), torch, its libraries and ComfyUI's requirements as wheels gathered
# here with pip; cpu takes torch's CPU build (TORCH_PACKAGES, the real lane's pair), cuda
# PyPI's CUDA build (CUDA_TORCH_PACKAGES; it runs with --cpu where no GPU is, and needs
# CUDA_MIN_FREE_GB of disk to build). Each is rebuilt only when its source or torch changes.
set -u
cd "$(dirname "$0")/.." || exit 1
STATE=${COMFY_DOCKER_STATE:-/tmp/comfylibrary-docker}
BASE_IMAGE=local/debian-py:bookworm
LIBRARY_TAG="test"
MOCK_IMAGE=comfylibrary/mock:$LIBRARY_TAG
RUNNER_IMAGE=comfylibrary/runner:$LIBRARY_TAG
COMFYUI_CPU_IMAGE=comfylibrary/comfyui:cpu
COMFYUI_CUDA_IMAGE=comfylibrary/comfyui:cuda
CUDA_MIN_FREE_GB=${CUDA_MIN_FREE_GB:-20}
DOCKER=/usr/bin/docker   # the engine's own client: its built-in BuildKit needs no buildx
mkdir -p "$STATE"

say() { echo "docker-engine: $*"; }

engine_up() { [ -x "$DOCKER" ] && "$DOCKER" info >/dev/null 2>&1; }

install_engine() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    say "no Docker engine and no way to install one here (needs root and apt); container tests skip"
    return 1
  fi
  if ! [ -x /usr/sbin/dockerd ] || ! command -v debootstrap >/dev/null; then
    mkdir -p "$STATE"
    local log="$STATE/apt.log"
    say "installing Debian's docker.io and debootstrap with apt-get (as root; log: $log)"
    # wait for a busy apt lock instead of failing on it; keep apt's output for the reason
    if ! { apt-get -o DPkg::Lock::Timeout=300 update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
        --no-install-recommends docker.io debootstrap; } >"$log" 2>&1; then
      say "apt-get could not install docker.io; its last lines:"
      tail -n 5 "$log" | sed 's/^/  /'
      return 1
    fi
  fi
}

start_engine() {
  engine_up && return 0
  install_engine || return 1
  nohup /usr/sbin/dockerd --host=unix:///var/run/docker.sock >"$STATE/dockerd.log" 2>&1 &
  echo $! >"$STATE/dockerd.pid"
  for _ in $(seq 120); do engine_up && return 0; sleep 0.5; done
  say "dockerd did not come up; see $STATE/dockerd.log"
  return 1
}

build_base() {
  "$DOCKER" image inspect "$BASE_IMAGE" >/dev/null 2>&1 && return 0
  local rootfs
  rootfs=$(mktemp -d /tmp/rootfs.XXXX)
  say "building $BASE_IMAGE with debootstrap (about a minute)"
  if ! debootstrap --variant=minbase --include=python3,python3-venv bookworm "$rootfs" \
      http://deb.debian.org/debian >"$STATE/debootstrap.log" 2>&1; then
    say "debootstrap failed; see $STATE/debootstrap.log"; rm -rf "$rootfs"; return 1
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | "$DOCKER" import - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
}

# The library's wheel, its dependencies, the runner's Robot tools and the build backend into
# docker/wheels, for images that reach no index (WHEELS_ONLY=1). The images' Python is
# Debian bookworm's 3.11, whatever Python runs this script.
gather_library_wheels() {
  local python=${PYTHON:-.venv/bin/python} wheels=docker/wheels
  find "$wheels" -name '*.whl' -delete
  if ! { "$python" -m pip wheel --quiet --no-deps . -w "$wheels" &&
    "$python" -m pip download --quiet --only-binary=:all: --python-version 3.11 \
      --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 \
      --platform manylinux_2_28_x86_64 -d "$wheels" \
      "$(ls "$wheels"/robotframework_comfylibrary-*.whl)[docker,yaml]" \
      -r docker/runner/requirements.txt setuptools; } \
      >"$STATE/wheels.log" 2>&1; then
    say "could not gather the library's wheels; see $STATE/wheels.log"
    return 1
  fi
}

# The mock and runner images as a user builds them, with the compose stack's CPU profile
# (`docker compose --profile cpu build`), from the debootstrapped base and the wheels alone.
build_library_images() {
  local compose
  compose="$(dirname "${PYTHON:-.venv/bin/python}")/docker-compose"
  if ! [ -x "$compose" ]; then
    say "no docker-compose beside ${PYTHON:-.venv/bin/python} (make install adds it): $MOCK_IMAGE and $RUNNER_IMAGE are not built"
    return 1
  fi
  gather_library_wheels || return 1
  BASE_IMAGE=$BASE_IMAGE WHEELS_ONLY=1 COMFYLIBRARY_TAG=$LIBRARY_TAG \
    "$compose" -f docker/compose.yaml --profile cpu build >"$STATE/library-build.log" 2>&1 ||
    { say "building $MOCK_IMAGE and $RUNNER_IMAGE failed; see $STATE/library-build.log"; return 1; }
  find docker/wheels -name '*.whl' -delete
  free_build_cache
}

# docker/comfyui/Dockerfile built with no registry and no index: ComfyUI from
# COMFYUI_SOURCE, torch ($3, the packages) and everything else as wheels gathered here.
#   build_comfyui cpu  TAG "torch==2.13.0 ..."   torch's CPU build (+ the torchvision compat)
#   build_comfyui cuda TAG "torch==2.14.1 ..."   PyPI's CUDA build: CUDA's runtime comes in
#                                                its nvidia-* wheels, no CUDA base image
# Rebuilt only when the source or the torch packages change.
build_comfyui() {
  local flavour=$1 image=$2 torch=$3 source=${COMFYUI_SOURCE:-}
  if [ -z "$source" ]; then
    say "no COMFYUI_SOURCE: $image is not built here (its container test skips unless an earlier build is there)"
    return 0
  fi
  local id
  if [ -f "$source" ]; then
    id="$(sha256sum "$source" | cut -d' ' -f1) $torch"
  elif [ -f "$source/main.py" ]; then
    id="$(cd "$source" && pwd) $torch"
  else
    say "COMFYUI_SOURCE=$source is neither a ComfyUI folder nor a .tar.gz; $image is not built"
    return 1
  fi
  if [ "$("$DOCKER" image inspect -f '{{ index .Config.Labels "comfylibrary.build" }}' \
      "$image" 2>/dev/null)" = "$id" ]; then
    return 0
  fi
  local free_gb
  free_gb=$(df -P -BG "$STATE" | awk 'NR == 2 { sub("G", "", $4); print $4 }')
  if [ "$flavour" = cuda ] && [ "${free_gb:-0}" -lt "$CUDA_MIN_FREE_GB" ]; then
    say "only ${free_gb} GB free; $image needs $CUDA_MIN_FREE_GB GB to build (wheels, layers, image): not built"
    return 1
  fi
  local context="$STATE/comfyui-$flavour-context" python=${PYTHON:-.venv/bin/python}
  rm -rf "$context" && mkdir -p "$context/src/ComfyUI" "$context/wheels"
  cp docker/comfyui/Dockerfile "$context/"
  if [ -f "$source" ]; then
    tar -xzf "$source" -C "$context/src/ComfyUI" --strip-components=1
  else
    cp -a "$source/." "$context/src/ComfyUI/"
  fi
  say "building $image: ComfyUI from $source, $torch (a few minutes)"
  # ComfyUI's torch packages that the pinned ones leave out (torchaudio: ComfyUI then runs
  # without its audio nodes)
  local excluded="" name extra="requests"
  for name in torchvision torchaudio; do
    case " $torch" in *" $name"*) ;; *) excluded="$excluded $name" ;; esac
  done
  grep -v -E '^\s*(torch|torchvision|torchaudio)\s*$' "$context/src/ComfyUI/requirements.txt" \
    >"$context/requirements.txt"
  excluded=${excluded# }
  local log="$STATE/comfyui-$flavour-wheels.log"
  # shellcheck disable=SC2086  # the package list is meant to split
  if ! "$python" -m pip wheel --quiet -w "$context/wheels" $torch \
      -r "$context/requirements.txt" requests >"$log" 2>&1; then
    say "could not gather ComfyUI's wheels; see $log"
    return 1
  fi
  if [ "$flavour" = cpu ]; then
    # a CUDA torchvision beside the CPU torch (inert where torchvision's ops load)
    "$python" -m pip wheel --quiet --no-deps -w "$context/wheels" "./$TORCHVISION_CPU_COMPAT" \
      >>"$log" 2>&1 || { say "could not build the torchvision compat wheel; see $log"; return 1; }
    extra="requests comfylibrary-torchvision-cpu-compat"
  fi
  DOCKER_BUILDKIT=1 "$DOCKER" build --quiet --build-arg BASE_IMAGE="$BASE_IMAGE" \
    --build-arg COMFYUI_SOURCE=context --build-arg WHEELS_ONLY=1 \
    --build-arg TORCH_PACKAGES="$torch" --build-arg EXCLUDE_REQUIREMENTS="$excluded" \
    --build-arg EXTRA_PACKAGES="$extra" --label "comfylibrary.build=$id" \
    -t "$image" "$context" >"$STATE/comfyui-$flavour-build.log" 2>&1 ||
    { say "building $image failed; see $STATE/comfyui-$flavour-build.log"; rm -rf "$context"; return 1; }
  rm -rf "$context"
  free_build_cache
}

build_comfyui_images() {
  # shellcheck source=scripts/torch-packages.sh
  source scripts/torch-packages.sh
  build_comfyui cpu "$COMFYUI_CPU_IMAGE" "$TORCH_PACKAGES" &&
    "$DOCKER" image inspect "$COMFYUI_CPU_IMAGE" >/dev/null 2>&1 &&
    say "ready: $COMFYUI_CPU_IMAGE (real ComfyUI, torch's CPU build)"
  [ -n "$CUDA_TORCH_PACKAGES" ] || {
    say "no CUDA build of torch for $(uname -m) on PyPI: $COMFYUI_CUDA_IMAGE is not built"
    return 0
  }
  build_comfyui cuda "$COMFYUI_CUDA_IMAGE" "$CUDA_TORCH_PACKAGES" &&
    "$DOCKER" image inspect "$COMFYUI_CUDA_IMAGE" >/dev/null 2>&1 &&
    say "ready: $COMFYUI_CUDA_IMAGE (real ComfyUI, PyPI's CUDA build of torch; --cpu here)"
  return 0
}

# The wheels of a build context stay in BuildKit's cache after the build (gigabytes for
# torch's): drop the cached contexts and pip cache mounts, which no image needs.
free_build_cache() {
  "$DOCKER" builder prune --force --filter type=source.local >/dev/null 2>&1
  "$DOCKER" builder prune --force --filter type=exec.cachemount >/dev/null 2>&1
  # the images of earlier builds of ours, untagged by this one
  "$DOCKER" image prune --force --filter label=comfylibrary.build >/dev/null 2>&1
}

case "${1:-start}" in
  start)
    start_engine && build_base && build_library_images &&
      say "ready: $MOCK_IMAGE and $RUNNER_IMAGE on $BASE_IMAGE" &&
      build_comfyui_images
    exit 0 ;;
  stop)
    [ -f "$STATE/dockerd.pid" ] && kill "$(cat "$STATE/dockerd.pid")" 2>/dev/null
    rm -f "$STATE/dockerd.pid"
    exit 0 ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
