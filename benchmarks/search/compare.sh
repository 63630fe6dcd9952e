#!/usr/bin/env bash
# Issue 6's comparison: 40-trial BO and random searches against the default composite, 3 seeds,
# on trained models. Usage:
#     bash benchmarks/search/compare.sh OUT_DIR DATA MODEL_DIR[:VALIDATION[:TEST]] ...
# MODEL_DIR holds model.safetensors and model.json (from 'relprune train'); VALIDATION and TEST
# are the --validation-limit and --test-limit (default 500 and 2000). Each search goes to
# OUT_DIR/NAME-STRATEGY-sSEED (NAME = the folder's name); finished ones are skipped, so the
# script resumes. Then: python3 benchmarks/search/summarize.py OUT_DIR
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$1
data=$2
shift 2
mkdir -p "$out"
for spec in "$@"; do
  IFS=: read -r dir val tst <<<"$spec"
  name=$(basename "$dir")
  python3 -c "import json,sys; json.dump(json.load(open('$dir/model.json'))['architecture'], open('$out/$name.arch.json','w'))"
  for seed in 0 1 2; do
    for st in bo random; do
      n=$out/$name-$st-s$seed
      if [ -f "$n/search.json" ] && grep -q default_test_a_pr "$n/search.json"; then continue; fi
      echo "== $name $st seed $seed $(date -u +%H:%M:%S)"
      "$root/relprune" search --arch "$out/$name.arch.json" --weights "$dir/model.safetensors" --data "$data" \
        --trials 40 --strategy $st --seed $seed --validation-limit "${val:-500}" --test-limit "${tst:-2000}" \
        --study "$n.db" --out "$n"
    done
  done
done
