#!/usr/bin/env bash
# Pruning curves of one trained model with every built criterion over several seeds, and a
# markdown table of the test-split a_pr (mean and spread over seeds) for docs/pruning.md.
#
#   bash benchmarks/prune/criteria.sh ARCH WEIGHTS DATA OUT [SEEDS...]
#
# The seed picks the reference images (n per class from the training split; lrp, taylor, ig
# and activation score on them) and the random criterion's scores; l1 and l2 do not depend on it.
# RELPRUNE (default: ./relprune of this checkout) is the CLI to run. Writes
# OUT/<criterion>-s<seed>/ and OUT/report.html.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cli=${RELPRUNE:-$root/relprune}
arch=$1 weights=$2 data=$3 out=$4
shift 4
seeds=("$@")
[ ${#seeds[@]} -gt 0 ] || seeds=(0 1 2)
runs=()
run() { # name seed args...
  local name=$1 seed=$2
  shift 2
  "$cli" prune --arch "$arch" --weights "$weights" --data "$data" --seed "$seed" --out "$out/$name-s$seed" --force "$@" 2>&1 | tail -1
  runs+=("$out/$name-s$seed")
}
for s in "${seeds[@]}"; do
  run lrp-epsilon_plus "$s" --criterion lrp --composite epsilon_plus
  run lrp-epsilon_gamma_box "$s" --criterion lrp --composite epsilon_gamma_box
  run random "$s" --criterion random
  run activation "$s" --criterion activation
  run taylor "$s" --criterion taylor
  run ig "$s" --criterion ig
done
run l1 0 --criterion l1
run l2 0 --criterion l2
"$cli" report "${runs[@]}" --out "$out/report.html"
echo
echo "| criterion | a_pr (test), mean | spread (min-max) | seeds | auc (test), mean | top_pr (test), mean |"
echo "|---|---|---|---|---|---|"
for name in lrp-epsilon_plus lrp-epsilon_gamma_box taylor ig activation random l1 l2; do
  for d in "$out/$name"-s*; do
    tr -d ' \n' < "$d/curve.json" | grep -o '"split":"test".*' | grep -o '"a_pr":[0-9.eE-]*\|"auc":[0-9.eE-]*\|"top_pr":[0-9.eE-]*\|"top_pr":NaN' | head -3 | cut -d: -f2 | paste -sd' '
  done | awk -v n="$name" '{a+=$1; u+=$2; t+=$3; if (NR==1||$1<lo) lo=$1; if (NR==1||$1>hi) hi=$1; c++}
    END {printf "| %s | %.4f | %.4f-%.4f | %d | %.4f | %.2f |\n", n, a/c, lo, hi, c, u/c, t/c}'
done
