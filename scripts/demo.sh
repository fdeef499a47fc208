#!/usr/bin/env bash
# The demo behind `make demo` (which first installs dependencies and builds bin/berth
# and the example binaries): runs examples/webapp with berth, shows it answering on
# its published port, then removes everything it made, also when a step fails.
#
# It uses a temporary state root (BERTH_ROOT), so it never touches images, volumes or
# projects under /var/lib/berth, and publishes on 127.0.0.1:${WEB_PORT:-8080}.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
  echo "demo: berth makes namespaces, bridges and nftables rules: run it as root (sudo make demo)" >&2
  exit 1
fi
berth="$PWD/bin/berth"
file=examples/webapp/compose.yaml
port="${WEB_PORT:-8080}"
export WEB_PORT="$port"
BERTH_ROOT="$(mktemp -d /tmp/berth-demo.XXXXXX)"
export BERTH_ROOT
# A root other than /var/lib/berth gets a runtime dir of its own; name it, so that
# cleanup can remove what berth made there.
rundir="${BERTH_RUNTIME_DIR:-/run/berth-demo.$$}"
export BERTH_RUNTIME_DIR="$rundir"
[ -e "$rundir" ] && made_rundir= || made_rundir=1

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
berth() { step "berth $*"; "$berth" "$@"; }

cleanup() {
  status=$?
  trap - EXIT INT TERM
  step "berth down -v (removes containers, network, nftables rules, DNS and the volume)"
  "$berth" -f "$file" down -v -t 2 || status=1
  rm -rf "$BERTH_ROOT"
  if [ -n "$made_rundir" ] && [ -d "$rundir" ]; then
    rm -rf "$rundir/events" # the project's event log, which outlives down (berth events)
    find "$rundir" -depth -type d -empty -delete # only what berth made here, once empty
  fi
  if [ "$status" -eq 0 ]; then
    step "demo done: nothing is left behind"
  else
    echo "demo: failed (exit $status); everything it made was removed." >&2
    echo "demo: if port $port is taken, choose another: WEB_PORT=18080 make demo" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

berth -f "$file" build
berth -f "$file" up -d --wait
for i in 1 2; do
  step "request $i to the published port: http://127.0.0.1:$port/ (web asks the kv service, found by name)"
  busybox wget -q -O - "http://127.0.0.1:$port/"
done
berth -f "$file" ps
berth -f "$file" logs
