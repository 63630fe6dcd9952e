#!/usr/bin/env bash
# One pruning-by-explaining trial, relprune beside the paper's code on the same CPU (issue 13):
# the peer (../shared/peers/trial_bench_cpu.py: zennit 0.5.1 EpsilonPlus scores on 100 reference
# images, then a 20-rate curve on 1,000 images, one masked forward per rate, on Debian's
# PyTorch) writes its model and data, then each round runs the peer and `relprune prune` on the
# identical files (same composite, rates and batches), in alternating order, and the LRP cost
# beside zennit's (LrpPairedRun and cpu_peer_bench.py, ResNet-18 224x224 batch 8). Writes
# benchmarks/trial/results/<machine>.json with every round, the medians and the ratios.
#
# Usage: bash benchmarks/trial/run.sh [ROUNDS]        (default 3; the results need a quiet machine)
# Needs: /usr/bin/python3 with torch and torchvision (apt-get install -y python3-torch
# python3-torchvision), and the peers folder: PEERS (default ../shared/peers beside the project).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rounds=${1:-3}
peers=${PEERS:-$root/../shared/peers}
py=/usr/bin/python3
threads=$(nproc)
if [ ! -f "$peers/trial_bench_cpu.py" ] || [ ! -d "$peers/zennit-0.5.1/src" ]; then
  echo "run.sh: no peer scripts at $peers (set PEERS to the folder with trial_bench_cpu.py and zennit-0.5.1/)" >&2; exit 2
fi
if ! "$py" -c "import torch, torchvision" 2>/dev/null; then
  echo "run.sh: $py has no torch/torchvision: apt-get install -y python3-torch python3-torchvision" >&2; exit 2
fi
command -v /usr/bin/time >/dev/null || { echo "run.sh: needs /usr/bin/time (apt-get install -y time)" >&2; exit 2; }
if [ ! -f "$root/java/target/relprune.jar" ] || [ ! -f "$root/benchmarks/target/benchmarks.jar" ]; then
  echo "run.sh: building relprune (mvn -B -q -DskipTests package)..." >&2
  (cd "$root" && mvn -B -q -DskipTests package >&2)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PYTHONPATH="$peers/zennit-0.5.1/src"
arch='{"preset":"resnet18","num_classes":10,"input":[3,64,64]}'

peer() { # round
  /usr/bin/time -f '{"wall_s": %e, "user_s": %U, "system_s": %S, "cpu_percent": "%P"}' -o "$work/peer-$1.time" \
    "$py" "$peers/trial_bench_cpu.py" "$work/d" "$threads" > "$work/peer-$1.json"
}
ours() { # round
  /usr/bin/time -f '{"wall_s": %e, "user_s": %U, "system_s": %S, "cpu_percent": "%P"}' -o "$work/ours-$1.time" \
    "$root/relprune" prune --arch "$arch" --weights "$work/d/model.safetensors" --data "$work/d/eval.safetensors" \
    --reference "$work/d/ref.safetensors" --criterion lrp --composite epsilon_plus --reference-batch 25 --batch 250 \
    --out "$work/ours-$1" --force 2> "$work/ours-$1.log"
}

echo "== the peer writes the model and data (and warms the page cache)" >&2
peer 0
for r in $(seq 1 "$rounds"); do
  echo "== round $r of $rounds" >&2
  if [ $((r % 2)) -eq 1 ]; then peer "$r"; ours "$r"; else ours "$r"; peer "$r"; fi
done
echo "== LRP cost: LrpPairedRun and cpu_peer_bench.py, alternating" >&2
for r in 1 2; do
  "$py" "$peers/cpu_peer_bench.py" 7 > "$work/lrp-peer-$r.json"
  java -cp "$root/benchmarks/target/benchmarks.jar" org.relprune.bench.LrpPairedRun 7 | grep '^JSON ' | cut -c6- > "$work/lrp-ours-$r.json"
done

machine=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
"$py" - "$work" "$rounds" "$machine" "$threads" "$root" <<'PY'
import json, os, re, statistics, subprocess, sys, datetime
work, rounds, machine, threads, root = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
med = statistics.median
peer, ours = [], []
for r in range(1, rounds + 1):
    p = json.load(open(f"{work}/peer-{r}.json")); p["process"] = json.load(open(f"{work}/peer-{r}.time"))
    peer.append(p)
    c = json.load(open(f"{work}/ours-{r}/curve.json")); pv = c["provenance"]
    ours.append({"lrp_scores_s": pv["scoring_seconds"], "curve_s": pv["evaluation_seconds"],
                 "trial_s": pv["scoring_seconds"] + pv["evaluation_seconds"], "a_pr": c["a_pr"],
                 "scoring_cpu": pv["scoring_cpu"], "curve_cpu": pv["evaluation_cpu"], "backend": pv["backend"],
                 "process": json.load(open(f"{work}/ours-{r}.time"))})
def m(rows, k): return med(r[k] for r in rows)
phase = {k: {"peer_s": m(peer, k), "relprune_s": m(ours, k), "speedup": m(peer, k) / m(ours, k)}
         for k in ("lrp_scores_s", "curve_s", "trial_s")}
same_a_pr = all(abs(o["a_pr"] - p["a_pr"]) < 1e-9 for o, p in zip(ours, peer))
lrp_peer = [json.load(open(f"{work}/lrp-peer-{r}.json")) for r in (1, 2)]
lrp_ours = [json.load(open(f"{work}/lrp-ours-{r}.json")) for r in (1, 2)]
pm = lambda k: med(x["median_ms"][k] for x in lrp_peer)
om = lambda k: med(x["cases"][k]["median_ms"] for x in lrp_ours)
orat = lambda k: med(x["cases"][k]["ratio_to_baseline"] for x in lrp_ours)
lrp = {"peer_ms": {"fwd_grad": pm("fwd_grad"), "zennit_epsilon": pm("zennit_epsilon"), "zennit_epsilon_gamma_box": pm("zennit_epsilon_gamma_box")},
       "relprune_ms": {k: om(k) for k in ("fwd_grad", "epsilon", "epsilon_gamma_box", "epsilon_cached")},
       "relprune_ratio_to_own_fwd_grad": {k: orat(k) for k in ("epsilon", "epsilon_gamma_box", "epsilon_cached")},
       "baseline_vs_peer_fwd_grad": om("fwd_grad") / pm("fwd_grad"),
       "epsilon_speedup_vs_zennit": pm("zennit_epsilon") / om("epsilon"),
       "epsilon_gamma_box_speedup_vs_zennit": pm("zennit_epsilon_gamma_box") / om("epsilon_gamma_box"),
       "rounds": lrp_peer + lrp_ours}
curve_cpu = med(o["curve_cpu"]["cpu_percent"] for o in ours)
curve_sys = med(o["curve_cpu"]["system_percent"] for o in ours)
goals = {"trial_3x": phase["trial_s"]["speedup"] >= 3, "curve_3x": phase["curve_s"]["speedup"] >= 3,
         "lrp_scores_2x": phase["lrp_scores_s"]["speedup"] >= 2, "curve_cpu_180": curve_cpu >= 180, "curve_system_under_10": curve_sys < 10,
         "same_a_pr": same_a_pr, "epsilon_1.2x_own_baseline": lrp["relprune_ratio_to_own_fwd_grad"]["epsilon"] <= 1.2,
         "epsilon_gamma_box_2.0x_own_baseline": lrp["relprune_ratio_to_own_fwd_grad"]["epsilon_gamma_box"] <= 2.0,
         "baseline_not_slower_than_peer": lrp["baseline_vs_peer_fwd_grad"] <= 1.0,
         "epsilon_2x_zennit": lrp["epsilon_speedup_vs_zennit"] >= 2, "epsilon_gamma_box_3x_zennit": lrp["epsilon_gamma_box_speedup_vs_zennit"] >= 3}
commit = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
out = {"date": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%MZ"), "machine": machine, "threads": threads, "commit": commit,
       "command": f"bash benchmarks/trial/run.sh {rounds}", "trial": phase, "curve_cpu_percent": curve_cpu, "curve_system_percent": curve_sys,
       "same_a_pr": same_a_pr, "lrp": lrp, "goals": goals, "peer_rounds": peer, "relprune_rounds": ours}
slug = re.sub(r"[^a-z0-9]+", "-", machine.lower()).strip("-") + f"-{threads}core"
os.makedirs(f"{root}/benchmarks/trial/results", exist_ok=True)
path = f"{root}/benchmarks/trial/results/{slug}.json"
json.dump(out, open(path + ".tmp", "w"), indent=1); os.replace(path + ".tmp", path)
print(json.dumps({"trial": phase, "curve_cpu_percent": curve_cpu, "curve_system_percent": curve_sys, "lrp": {k: v for k, v in lrp.items() if k != "rounds"},
                  "goals": goals}, indent=1))
print("wrote", path, file=sys.stderr)
PY
