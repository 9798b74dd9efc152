# shellcheck shell=bash disable=SC2034  # its variables are for the scripts that source it
# Sourced by scripts/real-lane.sh and scripts/docker-engine.sh: the torch packages that real
# ComfyUI runs on the CPU with, unless TORCH_PACKAGES names others.
#
# Released pairs only: a mismatched torchvision fails at import with "operator
# torchvision::nms does not exist". On x86_64 the 2.13 pair is the one this project's
# machines hold with a CPU build of torch (about 2 GB with ComfyUI's requirements, where
# the CUDA builds take 6.4 GB); their torchvision is a CUDA build, whose C++ ops cannot load
# beside it, so scripts/torchvision-cpu-compat is added (see there).
case "$(uname -m)" in
  aarch64 | arm64) DEFAULT_TORCH_PACKAGES="torch==2.9.1 torchvision==0.24.1" ;;
  *) DEFAULT_TORCH_PACKAGES="torch==2.13.0 torchvision==0.28.0 torchaudio==2.11.0" ;;
esac
TORCH_PACKAGES=${TORCH_PACKAGES:-$DEFAULT_TORCH_PACKAGES}
# PyPI's CUDA build of torch for the CUDA flavour of the ComfyUI image (docker-engine.sh):
# CUDA's runtime comes in its nvidia-* wheels. The pair these machines hold on x86_64;
# PyPI has no CUDA build for aarch64 here.
case "$(uname -m)" in
  x86_64 | amd64) CUDA_TORCH_PACKAGES=${CUDA_TORCH_PACKAGES:-"torch==2.14.1 torchvision==0.29.1"} ;;
  *) CUDA_TORCH_PACKAGES=${CUDA_TORCH_PACKAGES:-} ;;
esac
# the helper package for a CUDA torchvision beside a CPU torch (inert where the ops load)
TORCHVISION_CPU_COMPAT=scripts/torchvision-cpu-compat
