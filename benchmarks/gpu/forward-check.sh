#!/usr/bin/env bash
# Whole-model check of the CUDA backend against the CPU backend (org.relprune.bench.gpu.CudaForwardCheck).
#
# Cases: the golden fixtures resnet_basic and vit_tiny (../shared/golden) and the presets
# resnet50 and vit_b_16 with seeded random weights and input. Pass: relative L2 error of the
# logits ||cuda - cpu|| / ||cpu|| <= 1e-4 (TF32 off), and for the fixtures also against their
# golden logits.
#
# On the development machine (JDK, Maven, nvcc; no GPU needed), from anywhere:
#     bash benchmarks/gpu/forward-check.sh prepare
#   builds the project (mvn -B -q -DskipTests package), computes the CPU reference logits into
#   .bundle/ref, copies the fixtures into .bundle/fixtures and makes the portable bundle .bundle
#   (jlinked Java 17 + jars, see ../shared/device/README.md). The bundle gets no libtorch and no
#   OpenBLAS jars: the CUDA path must not need them (and the bundle must stay under 60 MB).
#
# On the CUDA machine (no JDK), from the repository root with .bundle beside it (e.g. the device
# tool's run with carry [".bundle"]):
#     bash benchmarks/gpu/forward-check.sh run
#   runs .bundle/bin/kernels_cuda (the kernel twins, when the bundle has it), then
#   `bash .bundle/run.sh org.relprune.bench.gpu.CudaForwardCheck check .bundle/ref .bundle/fixtures`,
#   prints one line per case and "N passed, N failed", writes the same to $OUT/forward-check.txt
#   when OUT is set, and exits with the check's status (0 all passed, 1 otherwise).
#
# Environment: SHARED (default ../shared beside the repository), BUNDLE (default .bundle).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
shared=${SHARED:-$root/../shared}
bundle=${BUNDLE:-.bundle}
main=org.relprune.bench.gpu.CudaForwardCheck
fixtures="resnet_basic vit_tiny"
max_mb=60

prepare() {
  mvn -B -q -DskipTests package
  rm -rf "$bundle/ref" "$bundle/fixtures" "$bundle/lib"
  mkdir -p "$bundle/ref" "$bundle/fixtures"
  echo "computing CPU references into $bundle/ref"
  java -cp "java/target/relprune.jar:java/target/lib/*:benchmarks/target/classes" "$main" reference "$bundle/ref" "$shared/golden"
  for f in $fixtures; do
    cp "$shared/golden/$f.json" "$shared/golden/$f.model.safetensors" "$shared/golden/$f.golden.safetensors" "$bundle/fixtures/"
  done
  # the runtime jars minus libtorch and OpenBLAS (CPU backend only)
  stage=$(mktemp -d)
  trap 'rm -rf "$stage"' EXIT
  mkdir -p "$stage/lib"
  for j in java/target/lib/*.jar; do
    case "$(basename "$j")" in
      pytorch-*|openblas-*) echo "left out (CPU backend only): $j" ;;
      *) cp "$j" "$stage/lib/" ;;
    esac
  done
  bash "$shared/device/make-bundle.sh" "$bundle" java/target/relprune.jar "$stage/lib" benchmarks/target/classes
  # the kernel-twin test (CUDA vs CPU) runs there too, when nvcc built it here
  rm -rf "$bundle/bin"
  if [ -x java/target/native/kernels_cuda ]; then
    mkdir -p "$bundle/bin"
    cp java/target/native/kernels_cuda java/target/native/librelprune_native.so java/target/native/librelprune_cuda.so "$bundle/bin/"
  fi
  size=$(du -sm "$bundle" | cut -f1)
  if [ "$size" -gt "$max_mb" ]; then
    echo "error: $bundle is $size MB, over the $max_mb MB limit" >&2
    exit 1
  fi
  echo "bundle ready: $bundle ($size MB); on the CUDA machine: bash benchmarks/gpu/forward-check.sh run"
}

run() {
  if [ ! -f "$bundle/run.sh" ]; then
    echo "error: no bundle at $bundle/run.sh: run 'bash benchmarks/gpu/forward-check.sh prepare' on the development machine" >&2
    exit 2
  fi
  local status=0
  if [ -x "$bundle/bin/kernels_cuda" ]; then
    echo "== kernels_cuda (every CUDA kernel against its CPU twin)"
    local log
    log=${OUT:-$(mktemp -d)}/kernels_cuda.txt
    mkdir -p "$(dirname "$log")"
    (cd "$bundle/bin" && LD_LIBRARY_PATH="$PWD:/usr/local/cuda/lib64" ./kernels_cuda) >"$log" 2>&1 || status=$?
    grep -v '^PASS' "$log" || true
    echo "== forward-check"
  fi
  if [ -n "${OUT:-}" ]; then
    mkdir -p "$OUT"
    bash "$bundle/run.sh" "$main" check "$bundle/ref" "$bundle/fixtures" 2>&1 | tee "$OUT/forward-check.txt" || status=${PIPESTATUS[0]}
  else
    bash "$bundle/run.sh" "$main" check "$bundle/ref" "$bundle/fixtures" || status=$?
  fi
  exit "$status"
}

case "${1:-}" in
  prepare) prepare ;;
  run) run ;;
  *) echo "usage: bash benchmarks/gpu/forward-check.sh prepare|run" >&2; exit 2 ;;
esac
