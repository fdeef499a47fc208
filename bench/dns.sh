#!/usr/bin/env bash
# What one DNS answer costs the server at a fixed, moderate rate: Debian's dnsperf runs in a
# container's network namespace, as the container's own resolver would ask, and sends RATE
# queries per second for DURATION seconds (local names: a service, a container name, a
# service in upper case); the CPU time (user + system) the serving process used in that
# time, divided by the answers, is the cost per query. For berth the serving process is the
# project's supervisor; for Docker (where a daemon answers) it is dockerd, asked at
# 127.0.0.11 from a container of the same file. Reports median(min-max) of RUNS runs.
# Needs root, busybox-static and dnsperf (scripts/install-deps.sh installs them).
#
#   make build && sudo bench/dns.sh          # RUNS=5 RATE=20000 DURATION=5 by default
#
# berth runs against a temporary state root, so it never touches /var/lib/berth.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BERTH=${BERTH:-$(cd "$(dirname "$0")/.." && pwd)/bin/berth}
RUNS=${RUNS:-5}
RATE=${RATE:-20000}
DURATION=${DURATION:-5}
[ -x "$BERTH" ] || { echo "bench: $BERTH not built (make build)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "bench: /bin/busybox missing (apt-get install busybox-static)" >&2; exit 1; }
command -v dnsperf >/dev/null || { echo "bench: dnsperf missing (apt-get install dnsperf)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }

tmp=$(mktemp -d /tmp/berth-dnsbench.XXXXXX)
export BERTH_ROOT=$tmp/root BERTH_RUNTIME_DIR=$tmp/run
project=dnsbench$$
cleanup() {
  "$BERTH" -p "$project" -f "$tmp/compose.yaml" down -t 1 >/dev/null 2>&1 || true
  if [ -n "${docker_ok:-}" ]; then docker compose -p "$project" -f "$tmp/compose.yaml" down -t 1 >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

import_busybox "$BERTH" "$tmp"

cat > "$tmp/compose.yaml" <<EOF
services:
  web:
    image: berth-bench-busybox
    command: ["sleep", "3600"]
    init: true
  client:
    image: berth-bench-busybox
    command: ["sleep", "3600"]
    init: true
EOF
printf 'web A\n%s-web-1 A\nWEB A\nclient A\n' "$project" > "$tmp/queries"

cputicks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# measure PID SERVER NSENTER-ARGS...: one dnsperf run; prints "µs-per-query qps lost".
measure() {
  local pid=$1 server=$2; shift 2
  local before after out done lost qps
  before=$(cputicks "$pid")
  out=$(nsenter "$@" dnsperf -s "$server" -d "$tmp/queries" -l "$DURATION" -Q "$RATE" -c 1 -T 1 -q 50)
  after=$(cputicks "$pid")
  done=$(awk '/Queries completed:/ {print $3}' <<<"$out")
  lost=$(awk '/Queries lost:/ {print $3}' <<<"$out")
  qps=$(awk '/Queries per second:/ {printf "%.0f", $4}' <<<"$out")
  awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$done" -v q="$qps" -v l="$lost" \
    'BEGIN { printf "%.1f %s %s\n", t / hz * 1e6 / n, q, l }'
}

# stats: numbers, one a line, in; "median(min-max)" out.
stats() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f(%.1f-%.1f)", m, a[1], a[NR]}'; }

# bench NAME PID SERVER NSENTER-ARGS...: RUNS runs; prints one line of results.
bench() {
  local name=$1 pid=$2 server=$3; shift 3
  local cost=() rate=() lost=0 c q l
  for _ in $(seq 1 "$RUNS"); do
    read -r c q l < <(measure "$pid" "$server" "$@")
    cost+=("$c"); rate+=("$q"); lost=$((lost + l))
  done
  printf '%-16s %22s %22s %8s\n' "$name" "$(printf '%s\n' "${cost[@]}" | stats)" \
    "$(printf '%s\n' "${rate[@]}" | stats)" "$lost"
}

echo "DNS at $RATE queries/s for ${DURATION}s from a container, median(min-max) of $RUNS runs:"
printf '%-16s %22s %22s %8s\n' server "CPU µs per query" "queries/s" lost
"$BERTH" -p "$project" -f "$tmp/compose.yaml" up -d >/dev/null 2>&1
id=$("$BERTH" -p "$project" -f "$tmp/compose.yaml" ps -q client)
gateway=$("$BERTH" -p "$project" -f "$tmp/compose.yaml" exec -T client cat /etc/resolv.conf | awk '/^nameserver/ {print $2; exit}')
supervisor=$(cat "$BERTH_RUNTIME_DIR/projects/$project/supervisor.pid")
bench "berth" "$supervisor" "$gateway" --net="$BERTH_RUNTIME_DIR/netns/$id"
grep VmRSS "/proc/$supervisor/status" | awk '{printf "(berth supervisor resident after the runs: %.1f MiB)\n", $2 / 1024}'
"$BERTH" -p "$project" -f "$tmp/compose.yaml" down -t 1 >/dev/null 2>&1

if command -v docker >/dev/null && docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  docker_ok=1
  docker import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' "$tmp/busybox.tar" berth-bench-busybox:latest >/dev/null
  docker compose -p "$project" -f "$tmp/compose.yaml" up -d >/dev/null 2>&1
  cpid=$(docker inspect -f '{{.State.Pid}}' "$(docker compose -p "$project" -f "$tmp/compose.yaml" ps -q client)")
  bench "dockerd" "$(pidof dockerd)" 127.0.0.11 -t "$cpid" -n
else
  echo "(no Docker daemon answers: dockerd not compared)"
fi
