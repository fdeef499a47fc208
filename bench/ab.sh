#!/usr/bin/env bash
# Compares two berth binaries on the stack of compose.sh, interleaved: each round runs
# `up -d`, `run --rm --no-deps svc1 true` and `down` with OLD, then with NEW, so that both
# see the same machine and the same filesystem history (on ext4 without a journal each
# round's deletions slow the next round's file creations, whichever binary made them).
# Prints median(min-max) of RUNS rounds, in ms. SLEEP seconds between commands (default
# 0) make each command start cold, as a user's one-off command does: the kernel's
# RCU-based fast paths idle out within a few tens of milliseconds.
#
#   git worktree add --detach /tmp/old REV && make -C /tmp/old build
#   make build && sudo OLD=/tmp/old/bin/berth bench/ab.sh    # SERVICES=10 LEVELS=1 RUNS=15
set -euo pipefail
. "$(dirname "$0")/lib.sh"

NEW=${NEW:-$(cd "$(dirname "$0")/.." && pwd)/bin/berth}
OLD=${OLD:?OLD=path of the berth binary to compare with}
RUNS=${RUNS:-15}
SERVICES=${SERVICES:-10}
LEVELS=${LEVELS:-1}
SLEEP=${SLEEP:-0}
for b in "$OLD" "$NEW"; do [ -x "$b" ] || { echo "bench: $b not built" >&2; exit 1; }; done
[ -x /bin/busybox ] || { echo "bench: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/berth-ab.XXXXXX")
export BERTH_ROOT=$tmp/root BERTH_RUNTIME_DIR=$tmp/run
project=ab$$
cleanup() {
  "$NEW" -p "$project" -f "$tmp/compose.yaml" down -t 1 >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

import_busybox "$NEW" "$tmp"
write_stack "$tmp/compose.yaml" "$SERVICES" "$LEVELS"

now() { t=${EPOCHREALTIME/./}; }
# timed FILE CMD...: appends CMD's wall time in microseconds to FILE, then sleeps SLEEP.
timed() {
  local f=$1 t t0; shift
  now; t0=$t; "$@" </dev/null >/dev/null 2>&1 || { echo "bench: $* failed" >&2; exit 1; }; now
  echo $((t - t0)) >> "$f"
  sleep "$SLEEP"
}

for v in old new; do : > "$tmp/$v.up"; : > "$tmp/$v.run"; : > "$tmp/$v.down"; done
for _ in $(seq 1 "$RUNS"); do
  for v in old new; do
    if [ $v = old ]; then b=$OLD; else b=$NEW; fi
    c=("$b" -p "$project" -f "$tmp/compose.yaml")
    timed "$tmp/$v.up" "${c[@]}" up -d
    timed "$tmp/$v.run" "${c[@]}" run --rm --no-deps svc1 true
    timed "$tmp/$v.down" "${c[@]}" down -t 10
  done
done

echo "$SERVICES services in $LEVELS levels, median(min-max) of $RUNS interleaved rounds, ms (TMPDIR=${TMPDIR:-/tmp}, SLEEP=$SLEEP):"
printf '%-6s %20s %20s %20s\n' binary "up -d" down "run --rm true"
for v in old new; do
  printf '%-6s %20s %20s %20s\n' $v "$(stats < "$tmp/$v.up")" "$(stats < "$tmp/$v.down")" "$(stats < "$tmp/$v.run")"
done
