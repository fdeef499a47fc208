#!/usr/bin/env bash
# Times berth on a stack of SERVICES services with warm images: `up -d`, `down`, and
# `run --rm svc1 true` (median, min and max of RUNS runs each), and, where a Docker daemon
# answers, Docker Compose on the same file, with the ratio of the medians. Needs root and
# Debian's busybox-static. LEVELS > 1 makes a dependency chain: the services are split into
# LEVELS equal levels, and each service of level k depends on one of level k-1.
#
#   make build && sudo bench/compose.sh            # RUNS=15 SERVICES=10 LEVELS=1 by default
#   sudo bench/compose50.sh                        # 50 services in a chain of 3 levels
#
# berth runs against a temporary state root under TMPDIR (/tmp by default), so it never
# touches /var/lib/berth. Its filesystem counts: on ext4 without a journal, every new inode
# skips those freed in the last minute (ext4's recently_deleted), which repeated up/down
# runs make slow (50 services: up ~580 ms there, ~420 ms on a journalled ext4, ~370 ms on
# tmpfs, same machine); TMPDIR=/dev/shm takes the filesystem out of the figures.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BERTH=${BERTH:-$(cd "$(dirname "$0")/.." && pwd)/bin/berth}
RUNS=${RUNS:-15}
SERVICES=${SERVICES:-10}
LEVELS=${LEVELS:-1}
[ -x "$BERTH" ] || { echo "bench: $BERTH not built (make build)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "bench: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/berth-bench.XXXXXX")
export BERTH_ROOT=$tmp/root BERTH_RUNTIME_DIR=$tmp/run
project=bench$$
cleanup() {
  "$BERTH" -p "$project" -f "$tmp/compose.yaml" down -t 1 >/dev/null 2>&1 || true
  if [ -n "${docker_ok:-}" ]; then docker compose -p "$project" -f "$tmp/compose.yaml" down -t 1 >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

import_busybox "$BERTH" "$tmp"
write_stack "$tmp/compose.yaml" "$SERVICES" "$LEVELS"

# Microseconds from bash's clock: no process is started to read it, so none is timed.
now() { t=${EPOCHREALTIME/./}; }

# bench NAME TOOL...: prints "NAME up down run" for one tool, each as stats prints it.
bench() {
  local name=$1; shift
  local up=() down=() run=() t t0
  for _ in $(seq 1 "$RUNS"); do
    now; t0=$t; "$@" up -d >/dev/null 2>&1 || { echo "bench: $name up failed" >&2; "$@" up -d; exit 1; }; now; up+=($((t - t0)))
    now; t0=$t; "$@" down -t 10 >/dev/null 2>&1; now; down+=($((t - t0)))
  done
  "$@" up -d >/dev/null 2>&1
  for _ in $(seq 1 "$RUNS"); do
    now; t0=$t; "$@" run --rm --no-deps svc1 true </dev/null >/dev/null 2>&1; now; run+=($((t - t0)))
  done
  "$@" down -t 10 >/dev/null 2>&1
  printf '%s %s %s %s\n' "$name" \
    "$(printf '%s\n' "${up[@]}" | stats)" "$(printf '%s\n' "${down[@]}" | stats)" "$(printf '%s\n' "${run[@]}" | stats)"
}

echo "$SERVICES services in $LEVELS levels, median(min-max) of $RUNS runs, ms:"
printf '%-16s %20s %20s %20s\n' tool "up -d" down "run --rm true"
read -r _ bup bdown brun < <(bench berth "$BERTH" -p "$project" -f "$tmp/compose.yaml")
printf '%-16s %20s %20s %20s\n' berth "$bup" "$bdown" "$brun"

if command -v docker >/dev/null && docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  docker_ok=1
  docker import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' "$tmp/busybox.tar" berth-bench-busybox:latest >/dev/null
  read -r _ dup ddown drun < <(bench docker docker compose -p "$project" -f "$tmp/compose.yaml")
  printf '%-16s %20s %20s %20s\n' "docker compose" "$dup" "$ddown" "$drun"
  awk -v a="${dup%%(*}" -v b="${bup%%(*}" -v c="${ddown%%(*}" -v d="${bdown%%(*}" -v e="${drun%%(*}" -v f="${brun%%(*}" \
    'BEGIN { printf "%-16s %19.1fx %19.1fx %19.1fx\n", "berth faster by", a/b, c/d, e/f }'
else
  echo "(no Docker daemon answers: Docker Compose not compared)"
fi
