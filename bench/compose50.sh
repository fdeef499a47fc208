#!/usr/bin/env bash
# The 50-service stack of issue 21: bench/compose.sh with 50 services in a dependency
# chain of 3 levels (17 services with no dependency, 17 depending on one of those, 16 on
# one of the second level). Same variables as compose.sh (RUNS, BERTH).
#
#   make build && sudo bench/compose50.sh
exec env SERVICES=50 LEVELS=3 "$(dirname "$0")/compose.sh" "$@"
