"""compare.py BEFORE AFTER: every file record.sh wrote, BEFORE against AFTER.

JSON files: equal after dropping dates, timings, the thread count, the relprune version and a
search's study (its absolute path and random id; key order included); the study database: the
same trials; logs: the same lines with times and progress bars removed; HTML: equal with embedded images blanked (PNG_TOO=1 compares the images);
everything else (weights, ONNX, scores): byte for byte. PNG plots count only with PNG_TOO=1:
JFreeChart draws them since issue 14. Exits 1 when anything differs.
"""
import json, sys, os, re, sqlite3
A, B = sys.argv[1], sys.argv[2]
VOL = {"date","seconds","scoring_seconds","evaluation_seconds","scoring_cpu","evaluation_cpu","cpu_latency_ms_batch1","threads","relprune","study","study_id"}
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k not in VOL}
    if isinstance(o, list):
        return [strip(x) for x in o]
    return o
def jload(p):
    txt = open(p).read().replace("NaN", '"NaN"')
    return json.loads(txt)
bad = 0; n = 0
for root, _, files in os.walk(A):
    for f in files:
        pa = os.path.join(root, f); rel = os.path.relpath(pa, A); pb = os.path.join(B, rel)
        if not os.path.exists(pb):
            print("MISSING", rel); bad += 1; continue
        n += 1
        if f.endswith(".json"):
            ja, jb = strip(jload(pa)), strip(jload(pb))
            # key order too: compare serialized
            if json.dumps(ja) != json.dumps(jb):
                print("DIFF json", rel); bad += 1
            # whole text minus volatile lines
            ta = [l for l in open(pa) if not re.search(r'"(date|seconds|scoring_seconds|evaluation_seconds|wall_s|user_s|system_s|cpu_percent|system_percent|cpu_latency_ms_batch1|study|study_id)"', l)]
            tb = [l for l in open(pb) if not re.search(r'"(date|seconds|scoring_seconds|evaluation_seconds|wall_s|user_s|system_s|cpu_percent|system_percent|cpu_latency_ms_batch1|study|study_id)"', l)]
            if ta != tb:
                print("DIFF text", rel); bad += 1
        elif f.endswith(".db"):
            qa = sqlite3.connect(pa).execute("select number,status,params,objective,curve from trials order by number").fetchall()
            qb = sqlite3.connect(pb).execute("select number,status,params,objective,curve from trials order by number").fetchall()
            if qa != qb:
                print("DIFF db", rel); bad += 1
        elif f.endswith((".err", ".out")):
            clean = lambda p: [re.sub(r"[0-9.]+ s\b|\d+:\d\d:\d\d|cpu_latency.*", "T", l) for l in open(p) if "%" not in l and "[" not in l]
            if clean(pa) != clean(pb):
                print("DIFF log", rel); bad += 1
        elif f.endswith(".png") and not os.environ.get("PNG_TOO"):
            n -= 1
        elif f.endswith(".html") and not os.environ.get("PNG_TOO"):
            ca = re.sub(r"base64,[A-Za-z0-9+/=]+", "IMG", open(pa).read()); cb = re.sub(r"base64,[A-Za-z0-9+/=]+", "IMG", open(pb).read())
            if ca != cb:
                print("DIFF html", rel); bad += 1
        else:
            if open(pa,'rb').read() != open(pb,'rb').read():
                print("DIFF bytes", rel); bad += 1
print(f"{n} files compared, {bad} differ")
sys.exit(1 if bad else 0)
