#!/usr/bin/env bash
# Native-cache stress (issue 15, item 6): two builds of relprune, both named relprune.jar (as two
# worktrees, or a checkout rebuilt while a run goes on), the second with a different kernels
# library, started in pairs at once, the order alternating, STARTS times in all, with one fresh
# HOME. Each start loads the kernels and libtorch through JavaCPP (org.relprune.backend.jni.
# NativeCache --torch) and prints the cache folder, the library JavaCPP loaded and the SHA-256 of
# the bytes the process actually mapped. A start passes when it exits 0 and mapped its own build's
# library. LAYOUT build (default) is the per-build cache; shared is JavaCPP's default layout
# (every build in ~/.javacpp/cache/relprune.jar/), the old behaviour, for comparison.
#
# Usage: bash tests/native-cache/stress.sh [STARTS] [LAYOUT]     (default 20 build)
# Needs java/target/relprune.jar and java/target/lib (mvn -B -DskipTests package). Writes only
# under a temporary folder; never touches ~/.javacpp.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
starts=${1:-20}
layout=${2:-build}
jar="$root/java/target/relprune.jar"
[ -f "$jar" ] && [ -d "$root/java/target/lib" ] || { echo "stress.sh: build first (mvn -B -DskipTests package)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset JAVA_TOOL_OPTIONS   # a cache dir set there would override the layout under test
home="$work/home"; mkdir -p "$home" "$work/a" "$work/b" "$work/x"
cp "$jar" "$work/a/relprune.jar"
cp "$jar" "$work/b/relprune.jar"
entry=$(unzip -Z1 "$jar" | grep '/librelprune_native.so$')
(cd "$work/x" && unzip -q "$jar" "$entry" && printf 'relprune native cache stress: build B' >> "$entry" \
  && touch -d '2026-01-01 00:00:00 UTC' "$entry" && jar uf "$work/b/relprune.jar" "$entry")

run() { # jar out
  java -Duser.home="$home" -Drelprune.nativeCache="$layout" -XX:TieredStopAtLevel=1 -XX:ErrorFile="$work/hs_err_%p.log" \
    -cp "$1:$root/java/target/lib/*" org.relprune.backend.jni.NativeCache --torch > "$2" 2>&1
}
ok=0; failed=0; wrong=0
check() { # rc out build
  if [ "$1" -ne 0 ]; then
    failed=$((failed + 1)); echo "start of build $3: exit $1:" >&2
    { grep -E '^# +(SIG|Problematic|[CJjV] +\[|[CJjV] +[a-z])' "$2" || grep -m3 -E 'Error|Exception' "$2" || tail -3 "$2"; } | sed 's/^/    /' >&2
  elif ! python3 - "$2" <<'PY'
import json, sys
r = json.loads([l for l in open(sys.argv[1]) if l.startswith('{')][-1])
sys.exit(0 if r["mapped_sha256"] == r["resource_sha256"] else 1)
PY
  then
    wrong=$((wrong + 1)); echo "start of build $3: mapped another build's (or a half-written) kernels library" >&2
  else
    ok=$((ok + 1))
  fi
}
t0=$(date +%s)
for i in $(seq 1 $((starts / 2))); do
  if [ $((i % 2)) -eq 1 ]; then first=a; second=b; else first=b; second=a; fi
  run "$work/$first/relprune.jar" "$work/$i-$first.out" & p1=$!
  run "$work/$second/relprune.jar" "$work/$i-$second.out" & p2=$!
  rc1=0; wait $p1 || rc1=$?
  rc2=0; wait $p2 || rc2=$?
  check $rc1 "$work/$i-$first.out" $first
  check $rc2 "$work/$i-$second.out" $second
done
echo "layout $layout: $((ok + failed + wrong)) starts in $(( $(date +%s) - t0 )) s: $ok ok, $failed failed, $wrong mapped the wrong library"
echo "cache folders:"; (cd "$home/.javacpp/cache" && ls -d */ | sed 's/^/  /')
[ "$failed" -eq 0 ] && [ "$wrong" -eq 0 ]
