#!/usr/bin/env bash
# record.sh BUILD OUT: runs the CLI jobs whose outputs a refactoring must leave byte-identical
# (train, demo, prune in several variants, compact, search, report) with the jar and lib/ of a
# build in BUILD (a copy of java/target/relprune.jar and java/target/lib), writing into OUT.
# Compare two such folders with compare.py. Each build gets its own JavaCPP cache (BUILD/cache).
# EXTRA_JAVA_OPTS go to every run (e.g. -Drelprune.onednn=on to fix the oneDNN mode across builds).
set -euo pipefail
B=$(cd "$1" && pwd); mkdir -p "$2"; O=$(cd "$2" && pwd)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
M=$root/data/mnist
rp() { java -Xmx8g -XX:TieredStopAtLevel=1 ${EXTRA_JAVA_OPTS:-} -Dorg.bytedeco.javacpp.cachedir="$B/cache" -Drelprune.home="$root" \
  -cp "$B/relprune.jar:$B/lib/*" org.relprune.cli.Main "$@"; }
cd "$O"
rp demo --out demo > demo.out 2> demo.err
W=demo/model/model.safetensors
rp prune --arch lenet5 --weights $W --data $M --criterion lrp --grouping coupled --rates 0:0.9:0.1 --out coupled > coupled.out 2> coupled.err
rp prune --arch lenet5 --weights $W --data $M --criterion l1 --classes 5 --validation-limit 300 --test-limit 400 --ranking layer --normalize \
  --out l1c5 > l1c5.out 2> l1c5.err
rp prune --arch lenet5 --weights $W --data $M --criterion taylor --components linear --reference-per-class 3 --seed 7 --out taylor > taylor.out 2> taylor.err
rp prune --arch lenet5 --weights $W --data $M --criterion lrp --composite epsilon_gamma_box --signed --start logit --grouping coupled \
  --reduction max --out egb > egb.out 2> egb.err
rp compact --from coupled --rate 0.3 --out small --latency-runs 2 > compact.out 2> compact.err
rp search --arch lenet5 --weights $W --data $M --trials 4 --strategy random --study study.db --out search --validation-limit 300 \
  --test-limit 500 --reference-per-class 3 > search.out 2> search.err
rp train --arch lenet5 --data $M --epochs 1 --out train1 > train.out 2> train.err
rp report coupled l1c5 taylor --out rep.html > report.out 2> report.err
echo "recorded into $O"
