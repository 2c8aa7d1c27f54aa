#!/usr/bin/env bash
# Install the whole cuts3d stack into .venv (Python 3.11), idempotently.
#
# The OpenMMLab stack needs care on current torch (see README "Install"):
#   * mmcv 2.1.0 must be built from its sdist with compiled ops (MMCV_WITH_OPS=1, --no-build-isolation);
#     torch 2.14 headers need C++20 while mmcv's setup.py asks for C++17, so the flag is patched in a
#     temporary copy of the sdist. The built wheel is cached outside the repository, keyed by torch version
#     and build flags, so later installs take seconds.
#   * mmcv/mmengine import pkg_resources at run time, torch 2.14 wants setuptools>=77: tools/constraints.txt
#     keeps setuptools in [77, 81) for every pip call.
#   * pydensecrf comes from the pydensecrf2 sdist, which needs cython<3.
# On a GPU machine run `FORCE_CUDA=1 make install` to build mmcv's CUDA ops as well.
set -euo pipefail

PY=${PYTHON:-python3.11}
VENV=${VENV:-.venv}
TORCH_VERSION=2.14.1
TORCHVISION_VERSION=0.29.1
MMCV_VERSION=2.1.0
WHEEL_CACHE=${CUTS3D_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cuts3d/wheels}
STAMP="$VENV/.cuts3d-install-stamp"

say() { printf '[install] %s\n' "$*"; }
die() { printf '[install] ERROR: %s\n' "$*" >&2; exit 1; }

stamp_key() {
  cat tools/install.sh tools/constraints.txt setup.cfg setup.py 2>/dev/null | sha256sum | cut -c1-16
  echo "FORCE_CUDA=${FORCE_CUDA:-0}"
}

self_check() {
  "$VENV/bin/python" - <<'PYEOF'
import importlib
from mmcv.ops import nms, RoIAlign  # noqa: F401  (compiled ops present)
for name in ('torch', 'torchvision', 'mmengine', 'mmdet', 'mmpretrain.models', 'open3d', 'pydensecrf.densecrf',
             'pycocotools.mask', 'scipy.sparse.csgraph', 'sklearn.cluster', 'transformers', 'diffusers', 'cuts3d'):
    importlib.import_module(name)
import mmcv, mmdet, mmengine, torch
print(f'[install] self-check ok: torch {torch.__version__}, mmcv {mmcv.__version__} (ops), '
      f'mmengine {mmengine.__version__}, mmdet {mmdet.__version__}')
PYEOF
  # the console command of setup.cfg's entry_points (`cuts3d extract ...`)
  "$VENV/bin/cuts3d" --version >/dev/null || { echo "[install] $VENV/bin/cuts3d is missing" >&2; return 1; }
}

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$(stamp_key)" ]] && self_check 2>/dev/null; then
  say "everything in place ($VENV)"; exit 0
fi

command -v "$PY" >/dev/null || die "$PY not found: Python 3.11 is required"

# Debian packages: open3d needs libusb at import time.
if ! ldconfig -p | grep -q 'libusb-1.0.so.0'; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    say "installing Debian package libusb-1.0-0"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libusb-1.0-0 >/dev/null
  else
    die "libusb-1.0-0 is missing: install it with your system package manager (open3d needs it)"
  fi
fi

[[ -x "$VENV/bin/python" ]] || { say "creating $VENV"; "$PY" -m venv "$VENV"; }
PIP=("$VENV/bin/python" -m pip)
export PIP_DISABLE_PIP_VERSION_CHECK=1
# pip here warns once per package about missing local index folders; keep the log readable.
quiet_pip() { "${PIP[@]}" "$@" -c tools/constraints.txt 2> >(grep -v "^WARNING: Location" >&2); }
quiet_pip install -q --upgrade pip
say "build tools"
quiet_pip install -q setuptools wheel ninja psutil "cython<3" numpy
say "torch $TORCH_VERSION + torchvision $TORCHVISION_VERSION"
quiet_pip install -q "torch==$TORCH_VERSION" "torchvision==$TORCHVISION_VERSION"

mmcv_has_ops() { "$VENV/bin/python" -c 'from mmcv.ops import nms, RoIAlign' 2>/dev/null; }
if ! mmcv_has_ops; then
  flags="ops-cxx20-cuda${FORCE_CUDA:-0}"
  key="mmcv-$MMCV_VERSION-torch$TORCH_VERSION-$flags"
  mkdir -p "$WHEEL_CACHE/$key"
  wheel=$(ls "$WHEEL_CACHE/$key"/mmcv-*.whl 2>/dev/null | head -n1 || true)
  if [[ -z "$wheel" ]]; then
    say "building mmcv $MMCV_VERSION with compiled ops (about 15-20 minutes once; cached in $WHEEL_CACHE)"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    quiet_pip download -q --no-deps --no-build-isolation --no-binary :all: "mmcv==$MMCV_VERSION" -d "$tmp"
    tar -xzf "$tmp"/mmcv-*.tar.gz -C "$tmp"
    src=$(ls -d "$tmp"/mmcv-*/ | head -n1)
    grep -q -- '-std=c++17' "$src/setup.py" || die "mmcv setup.py no longer holds -std=c++17; revisit the patch"
    sed -i 's/-std=c++17/-std=c++20/g' "$src/setup.py"
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
      quiet_pip wheel -q --no-build-isolation --no-deps "$src" -w "$WHEEL_CACHE/$key"
    wheel=$(ls "$WHEEL_CACHE/$key"/mmcv-*.whl | head -n1)
  fi
  say "installing $(basename "$wheel")"
  quiet_pip install -q --no-deps --force-reinstall "$wheel"
  quiet_pip install -q addict mmengine==0.10.7 opencv-python pyyaml yapf packaging pillow
  mmcv_has_ops || die "mmcv imported without its compiled ops"
fi

"$VENV/bin/python" -c 'import pydensecrf.densecrf' 2>/dev/null || {
  say "pydensecrf (from pydensecrf2)"
  quiet_pip install -q --no-build-isolation pydensecrf2==1.1
}

say "the OpenMMLab stack, open3d and cuts3d itself"
quiet_pip install -q -e ".[dev]" -e plugins/cuts3d_example_depth

self_check || die "self-check failed: see the traceback above"
stamp_key > "$STAMP"
