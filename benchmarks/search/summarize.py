"""Summary of benchmarks/search/compare.sh: per model, the best trial's validation and test a_pr
for BO and random search and the default composite's test a_pr, per seed with mean and range;
and the LRP phase of the trials (the first trial's forward + LRP against the later trials' LRP).
Usage: python3 benchmarks/search/summarize.py OUT_DIR [LOG]   (LOG: the compare.sh output, for
the reference forward-pass seconds it prints)"""
import glob, json, os, re, sqlite3, statistics, sys

out = sys.argv[1]
forward = {}
if len(sys.argv) > 2:
    current = None
    for line in open(sys.argv[2]):
        m = re.match(r"== (\S+?)(?: |-)(bo|random)(?:-s| seed )(\d)", line)
        if m:
            current = (m.group(1), m.group(2), int(m.group(3)))
        m = re.search(r"reference forward pass ([0-9.]+) s", line)
        if m and current:
            forward[current] = float(m.group(1))
runs = {}
for f in sorted(glob.glob(os.path.join(out, "*-s[0-9]/search.json"))):
    name = os.path.basename(os.path.dirname(f))
    m = re.match(r"(.+)-(bo|random)-s(\d)$", name)
    s = json.load(open(f))
    db = sqlite3.connect(os.path.join(out, name + ".db"))
    lrp = [r[0] for r in db.execute("select lrp_seconds from trials where status='COMPLETE' order by number")]
    runs[(m.group(1), m.group(2), int(m.group(3)))] = (s, lrp)
fmt = lambda v: f"{v:.4f}"
for model in sorted({k[0] for k in runs}):
    print(f"\n## {model}\n")
    print("| | seed 0 | seed 1 | seed 2 | mean | min-max |\n|---|---|---|---|---|---|")
    rows = [("bo, best validation a_pr", "bo", "best_validation_a_pr"), ("bo, its test a_pr", "bo", "best_test_a_pr"),
            ("random, best validation a_pr", "random", "best_validation_a_pr"), ("random, its test a_pr", "random", "best_test_a_pr"),
            ("default, validation a_pr", "bo", "default_validation_a_pr"), ("default, test a_pr", "bo", "default_test_a_pr")]
    for label, st, key in rows:
        vals = [runs[(model, st, seed)][0].get(key) for seed in range(3) if (model, st, seed) in runs]
        vals = [v for v in vals if v is not None]
        if not vals:
            continue
        cells = [fmt(v) for v in vals] + [""] * (3 - len(vals))
        print(f"| {label} | " + " | ".join(cells) + f" | {fmt(statistics.mean(vals))} | {min(vals):.3f}-{max(vals):.3f} |")
    print("\nLRP phase per search (seconds): reference forward once; trial 1's LRP; median of trials 2-40; ratio (later / (forward + first))")
    for st in ("bo", "random"):
        for seed in range(3):
            if (model, st, seed) not in runs:
                continue
            lrp = runs[(model, st, seed)][1]
            fw = forward.get((model, st, seed))
            later = statistics.median(lrp[1:]) if len(lrp) > 1 else float("nan")
            ratio = later / (fw + lrp[0]) if fw is not None else float("nan")
            print(f"- {st} s{seed}: forward {fw if fw is not None else '?'}; first {lrp[0]:.3f}; later median {later:.3f}; ratio {ratio:.2f}")
