#!/usr/bin/env bash
# Issue 7's GPU run: every CUDA correctness check, then the LRP benchmark beside plain PyTorch.
#
# On the development machine (JDK, Maven, nvcc; no GPU needed):
#     bash benchmarks/gpu/run.sh prepare
#   = forward-check.sh prepare (build, CPU logits, fixtures, the bundle with kernels_cuda), plus
#   the CPU references of ResNet-50 and ViT-B/16 LRP (.bundle/lrp-ref) and peer_bench.py (.bundle/peer).
#
# On the CUDA machine, from the repository root with .bundle beside it (device tool: carry
# [".bundle"]), OUT set to the folder that comes back:
#     bash benchmarks/gpu/run.sh run
#   1. kernels_cuda: every CUDA kernel against its CPU twin
#   2. forward check: whole-model CUDA logits against the CPU (fixtures, ResNet-50, ViT-B/16)
#   3. golden LRP on CUDA: both fixtures, every composite and read-out, TF32 off (<= 1e-4)
#   4. ResNet-50 and ViT-B/16 LRP on CUDA against the CPU reference, TF32 off (<= 1e-4)
#   4b. CudaSettingsCheck: GEMMs stay fp32 under PyTorch's defaults; LRP scores split into smaller
#      batches on device out-of-memory equal the whole batch's
#   5. the benchmark (PyTorch's defaults: TF32 convolutions, fp32 matmul): LRP images/s of VGG-16 and ResNet-50 (epsilon,
#      epsilon_gamma_box) and ViT-B/16 (cp_epsilon, cp_gamma) at batch 32 and 128, the other
#      composite on the cached batch, peak memory, a 20-rate curve of ResNet-50 on 256 images; at
#      batch 32 the first composite also with the cached activations in bf16 (time, peak, cache size)
#      ($OUT/relprune_lrp.json)
#   6. peer_bench.py at batch 32 and 128 (PyTorch forward and forward + input gradient)
#   then $OUT/h100.json (keys vgg16, resnet50, vit_b_16 as in peer_bench.py, ours beside
#   PyTorch's, with the ratios of issue 7) and a table on stdout. Exit status: 0 when every check
#   passed (the benchmark numbers are reported, not judged here).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
shared=${SHARED:-$root/../shared}
bundle=${BUNDLE:-.bundle}
main=org.relprune.bench.gpu.CudaLrpRun

prepare() {
  bash benchmarks/gpu/forward-check.sh prepare
  rm -rf "$bundle/lrp-ref" "$bundle/peer"
  mkdir -p "$bundle/lrp-ref" "$bundle/peer"
  java -cp "java/target/relprune.jar:java/target/lib/*:benchmarks/target/classes" "$main" reference "$bundle/lrp-ref"
  cp "$shared/device/peer_bench.py" "$bundle/peer/"
  echo "bundle ready: $bundle ($(du -sm "$bundle" | cut -f1) MB); on the CUDA machine: OUT=... bash benchmarks/gpu/run.sh run"
}

run() {
  if [ ! -f "$bundle/run.sh" ] || [ ! -d "$bundle/lrp-ref" ]; then
    echo "error: no prepared bundle at $bundle: run 'bash benchmarks/gpu/run.sh prepare' on the development machine" >&2
    exit 2
  fi
  out=${OUT:-$(mktemp -d)}
  mkdir -p "$out"
  local status=0
  echo "== 1-2. kernels_cuda and the forward check"
  OUT="$out" bash benchmarks/gpu/forward-check.sh run || status=1
  echo "== 3. golden LRP on CUDA"
  bash "$bundle/run.sh" "$main" golden "$bundle/fixtures" 2>&1 | tee "$out/golden-lrp.txt" || status=1
  echo "== 4. ResNet-50 and ViT-B/16 LRP, CUDA vs CPU"
  bash "$bundle/run.sh" "$main" check "$bundle/lrp-ref" 2>&1 | tee "$out/lrp-check.txt" || status=1
  echo "== 4b. CUDA settings: TF32 only in convolutions under PyTorch's defaults, out-of-memory splitting"
  bash "$bundle/run.sh" org.relprune.bench.gpu.CudaSettingsCheck 2>&1 | tee "$out/settings-check.txt" || status=1
  echo "== 5. LRP benchmark"
  bash "$bundle/run.sh" "$main" bench "$out/relprune_lrp.json" 2>&1 | tee "$out/lrp-bench.txt" || status=1
  echo "== 6. PyTorch beside it"
  for b in 32 128; do
    mkdir -p "$out/peer-b$b"
    B=$b OUT="$out/peer-b$b" python3 "$bundle/peer/peer_bench.py" || status=1
  done
  python3 - "$out" <<'PY' || status=1
import json, os, sys
out = sys.argv[1]
ours = json.load(open(os.path.join(out, "relprune_lrp.json")))
peer = {b: json.load(open(os.path.join(out, f"peer-b{b}", "peer_bench.json"))) for b in (32, 128)}
res = {"device": peer[32]["device"], "torch": peer[32]["torch"], "relprune_device": ours["device"]}
print(f"{'model':9s} {'batch':>5s} {'composite':18s} {'ours img/s':>11s} {'torch fwd+grad':>15s} {'ratio':>6s} {'2nd comp x':>10s} {'peak MiB':>9s} {'torch peak':>10s}")
for m in ("vgg16", "resnet50", "vit_b_16"):
    entry = {"pytorch": {f"b{b}": peer[b][m] for b in (32, 128)}, "relprune": ours.get(m, {})}
    for b in (32, 128):
        g = peer[b][m]["grad_x_input"]
        for c in (("cp_epsilon", "cp_gamma") if m.startswith("vit") else ("epsilon", "epsilon_gamma_box")):
            r = ours.get(m, {}).get(f"lrp_{c}_b{b}")
            if not r:
                continue
            ratio = r["img_s"] / g["img_s"]
            speedup = r["ms"] / r["second_composite_ms"] if r["second_composite_ms"] > 0 else float("nan")
            goal = {"epsilon": 0.9, "cp_epsilon": 0.9, "epsilon_gamma_box": 0.5, "cp_gamma": 0.35}[c]
            entry.setdefault("ratios", {})[f"{c}_b{b}"] = {"lrp_vs_torch_grad": ratio, "goal_at_batch_32": goal if b == 32 else None,
                                                          "second_composite_speedup": speedup}
            print(f"{m:9s} {b:5d} {c:18s} {r['img_s']:11.1f} {g['img_s']:15.1f} {ratio:6.2f} {speedup:10.2f} {r['peak_mib']:9.0f} {g['peak_mib']:10.0f}")
            h = ours.get(m, {}).get(f"lrp_{c}_b{b}_bf16cache")
            if h:
                entry["ratios"][f"{c}_b{b}_bf16cache"] = {"lrp_vs_torch_grad": h["img_s"] / g["img_s"], "cache_mib": h["cache_mib"],
                                                         "fp32_cache_mib": r.get("cache_mib")}
                print(f"{m:9s} {b:5d} {c + ' bf16 cache':18s} {h['img_s']:11.1f} {g['img_s']:15.1f} {h['img_s'] / g['img_s']:6.2f} {'':10s} {h['peak_mib']:9.0f} {g['peak_mib']:10.0f}")
    res[m] = entry
json.dump(res, open(os.path.join(out, "h100.json"), "w"), indent=1)
print("wrote", os.path.join(out, "h100.json"), "(commit it as benchmarks/gpu/results/h100.json)")
PY
  exit "$status"
}

case "${1:-}" in
  prepare) prepare ;;
  run) run ;;
  *) echo "usage: bash benchmarks/gpu/run.sh prepare|run" >&2; exit 2 ;;
esac
