#!/usr/bin/env bash
# A search trial before and after a change (issue 13): the same random search (fixed seed, so the
# same composites in the same order) with two builds of relprune on one trained model, in
# alternating order, then each trial's LRP and curve seconds and validation a_pr side by side.
#     bash benchmarks/search/trial_speed.sh OLD_CHECKOUT MODEL_DIR DATA [TRIALS (10)] [VALIDATION (2000)]
# OLD_CHECKOUT is another checkout of relprune with its jar built (./relprune builds it on first
# use); it runs with a JavaCPP cache of its own, so the two builds' native libraries never mix.
# MODEL_DIR holds model.safetensors and model.json (from 'relprune train'). Prints JSON.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
old=$1
model=$2
data=$3
trials=${4:-10}
val=${5:-2000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -c "import json; json.dump(json.load(open('$model/model.json'))['architecture'], open('$work/arch.json','w'))"
search() { # launcher name
  "$1" search --arch "$work/arch.json" --weights "$model/model.safetensors" --data "$data" --trials "$trials" --strategy random \
    --seed 0 --validation-limit "$val" --test-limit 200 --study "$work/$2.db" --out "$work/$2" > "$work/$2.log" 2>&1
}
# the old build's own JavaCPP cache, seeded with the dependencies' natives (builds before
# LibtorchExtraction crash when they extract libtorch themselves), not with relprune's
mkdir -p "$work/javacpp-old"
for d in "${HOME}"/.javacpp/cache/*; do
  case "$(basename "$d")" in relprune*.jar) ;; *) cp -r "$d" "$work/javacpp-old/" ;; esac
done
RELPRUNE_JAVA_OPTS="-Xmx8g -Dorg.bytedeco.javacpp.cachedir=$work/javacpp-old" search "$old/relprune" old
search "$root/relprune" new
python3 - "$work" <<'PY'
import json, sqlite3, statistics, sys
work = sys.argv[1]
def trials(name):
    db = sqlite3.connect(f"{work}/{name}.db")
    return db.execute("SELECT number, params, objective, curve, lrp_seconds, curve_seconds FROM trials WHERE status='COMPLETE' ORDER BY number").fetchall()
old, new = trials("old"), trials("new")
rows = []
for o, n in zip(old, new):
    assert o[0] == n[0] and json.loads(o[1]) == json.loads(n[1]), "the two searches proposed different composites"
    rows.append({"trial": o[0], "composite": json.loads(o[1]).get("spec"), "old": {"a_pr": o[2], "lrp_s": o[4], "curve_s": o[5]},
                 "new": {"a_pr": n[2], "lrp_s": n[4], "curve_s": n[5]}, "same_curve": json.loads(o[3]) == json.loads(n[3])})
med = statistics.median
later = rows[1:]  # the first trial of each also pays one-time costs (kernel code generation, weight caches)
t_old = med(r["old"]["lrp_s"] + r["old"]["curve_s"] for r in later)
t_new = med(r["new"]["lrp_s"] + r["new"]["curve_s"] for r in later)
print(json.dumps({"trials": len(rows), "median_trial_s_old": t_old, "median_trial_s_new": t_new, "speedup": t_old / t_new,
                  "median_curve_s_old": med(r["old"]["curve_s"] for r in later), "median_curve_s_new": med(r["new"]["curve_s"] for r in later),
                  "median_lrp_s_old": med(r["old"]["lrp_s"] for r in later), "median_lrp_s_new": med(r["new"]["lrp_s"] for r in later),
                  "identical_curves": sum(r["same_curve"] for r in rows), "max_a_pr_difference": max(abs(r["old"]["a_pr"] - r["new"]["a_pr"]) for r in rows),
                  "rows": rows}, indent=1))
PY
