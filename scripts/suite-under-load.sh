#!/usr/bin/env bash
# The suite's determinism check: RUNS (default 5) full runs in a row on a fresh clone of HEAD, with one extra
# CPU-bound process for the whole time (on 2 cores the suite's two workers share them with it). Run 1 is CI's own
# `bash .ci/run` (install, typecheck, audit, npm test); the others are `npm test`. Logs go to LOGS (default a temp dir).
set -u
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
runs=${RUNS:-5}
logs=${LOGS:-$(mktemp -d /tmp/suite-under-load-XXXX)}
dir=$(mktemp -d /tmp/suite-clone-XXXX)
git clone -q "$repo" "$dir" && cd "$dir" || { echo "clone failed"; exit 1; }
echo "clone $(git rev-parse --short HEAD) in $dir, logs in $logs, $(date +%T)"
node -e 'for(;;){}' & hog=$!
trap 'kill $hog 2>/dev/null' EXIT
passed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if [ "$i" = 1 ]; then bash .ci/run > "$logs/run-$i.log" 2>&1; else npm test > "$logs/run-$i.log" 2>&1; fi
  rc=$?
  [ "$rc" = 0 ] && passed=$((passed + 1))
  echo "run $i ($([ "$i" = 1 ] && echo 'bash .ci/run' || echo 'npm test')): exit $rc, $(( $(date +%s) - start )) s, load $(cut -d' ' -f1-3 /proc/loadavg),"\
    "$(sed 's/\x1b\[[0-9;]*m//g' "$logs/run-$i.log" | grep -E '^ +(Test Files|Tests|Errors) ' | tr -s ' ' | tr '\n' ' ')"
done
echo "$passed of $runs runs passed, $(date +%T)"
[ "$passed" = "$runs" ]
