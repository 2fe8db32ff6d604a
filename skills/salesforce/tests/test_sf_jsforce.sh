#!/usr/bin/env bash
# The mock org driven by the real jsforce client (see test_sf_jsforce.mjs).
# Skips (77; a failure under CI=true) when node or jsforce is missing.
set -uo pipefail
. "$(dirname "$0")/../../../tests/skip.sh"
: "${NODE_MODULES:?run through ctest}"
if ! command -v node >/dev/null || [ ! -d "$NODE_MODULES/jsforce" ]; then
  skip "node or jsforce is missing (run scripts/deps.sh)"
fi
exec node "$(dirname "$0")/test_sf_jsforce.mjs" "$NODE_MODULES"
