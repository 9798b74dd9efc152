#!/usr/bin/env bash
# One host, several GPUs: starts one ComfyUI container per GPU and writes the pabot
# resource file that hands them out (docs/many-gpus.md).
#
#   scripts/gpu-fleet.sh start    one container per GPU, then servers.dat
#   scripts/gpu-fleet.sh stop     removes the containers this script started
#
# IMAGE        the ComfyUI image (default comfylibrary/comfyui:v0.8.0)
# GPUS         GPU indexes, space separated (default: every GPU nvidia-smi lists)
# MODELS_DIR   host folder mounted read-only as ComfyUI's models (optional)
# BASE_PORT    the first GPU's port; the next GPUs count up (default 8188)
# PUBLISH      address the ports are published on (default 127.0.0.1; 0.0.0.0 for a fleet)
# ADVERTISE    host name written in the URLs (default: 127.0.0.1, or this host's name
#              when PUBLISH is 0.0.0.0)
# RESOURCE     the resource file to write (default servers.dat)
# READY_SECONDS  how long each container may take to answer (default 600)
set -u
IMAGE=${IMAGE:-comfylibrary/comfyui:v0.8.0}
BASE_PORT=${BASE_PORT:-8188}
PUBLISH=${PUBLISH:-127.0.0.1}
RESOURCE=${RESOURCE:-servers.dat}
READY_SECONDS=${READY_SECONDS:-600}
LABEL=comfylibrary.fleet
if [ "$PUBLISH" = 0.0.0.0 ]; then ADVERTISE=${ADVERTISE:-$(hostname -f)}; fi
ADVERTISE=${ADVERTISE:-127.0.0.1}

say() { echo "gpu-fleet: $*"; }

gpus() {
  if [ -n "${GPUS:-}" ]; then echo "$GPUS"; return; fi
  command -v nvidia-smi >/dev/null || { say "no nvidia-smi: give GPUS=\"0 1 ...\"" >&2; return 1; }
  nvidia-smi --query-gpu=index --format=csv,noheader | tr '\n' ' '
}

wait_ready() { # name port
  local deadline=$((SECONDS + READY_SECONDS))
  while [ "$SECONDS" -lt "$deadline" ]; do
    curl -fsS "http://127.0.0.1:$2/system_stats" >/dev/null 2>&1 && return 0
    [ "$(docker inspect -f '{{.State.Running}}' "$1" 2>/dev/null)" = true ] || break
    sleep 2
  done
  say "$1 did not answer on port $2; its last lines:"
  docker logs --tail 20 "$1" 2>&1 | sed 's/^/  /'
  return 1
}

start() {
  local list index port name mounts=()
  list=$(gpus) || exit 1
  [ -n "${MODELS_DIR:-}" ] && mounts=(-v "$MODELS_DIR:/opt/ComfyUI/models:ro")
  : >"$RESOURCE.tmp"
  for index in $list; do
    port=$((BASE_PORT + index))
    name="comfyui-gpu$index"
    docker rm -f "$name" >/dev/null 2>&1
    say "starting $name on GPU $index, port $port"
    docker run -d --name "$name" --label "$LABEL=1" --init --gpus "device=$index" \
      -p "$PUBLISH:$port:8188" "${mounts[@]}" "$IMAGE" >/dev/null || exit 1
    wait_ready "$name" "$port" || exit 1
    printf '[gpu%s]\ntype=comfyui\nurl=http://%s:%s\ngpu=%s\nname=%s GPU %s\n\n' \
      "$index" "$ADVERTISE" "$port" "$index" "$(hostname -s)" "$index" >>"$RESOURCE.tmp"
  done
  mv "$RESOURCE.tmp" "$RESOURCE"
  say "wrote $RESOURCE: pabot --processes $(echo "$list" | wc -w) --resourcefile $RESOURCE suites/real"
}

stop() {
  docker ps -aq --filter "label=$LABEL" | xargs -r docker rm -f >/dev/null
  say "removed the fleet's containers"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
