#!/usr/bin/env bash
# conformance.sh PATH: run berth's compose loader over the external conformance suite at
# PATH (for example ../shared/conformance) and compare with its reference outputs.
# Prints "N passed, N failed"; exits non-zero on any mismatch. Skips when PATH is absent.
set -euo pipefail
dir="${1:-}"
if [[ -z "$dir" || ! -d "$dir" ]]; then
	echo "conformance: suite directory '${dir}' not found, skipping"
	exit 0
fi
dir="$(cd "$dir" && pwd)"
cd "$(dirname "$0")/.."
BERTH_CONFORMANCE="$dir" go test -count=1 -run '^TestConformance$' -v ./compose/ | grep -v '^=== RUN\|^--- \|^PASS$\|^ok ' || true
BERTH_CONFORMANCE="$dir" go test -count=1 -run '^TestConformance$' ./compose/ >/dev/null
