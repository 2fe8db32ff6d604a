#!/usr/bin/env bash
# The mock org driven by the real jsforce client (see test_sf_jsforce.mjs).
# Skips (77) when node or jsforce is missing.
set -uo pipefail
: "${NODE_MODULES:?run through ctest}"
if ! command -v node >/dev/null || [ ! -d "$NODE_MODULES/jsforce" ]; then
  echo "SKIP: node or jsforce is missing (run scripts/deps.sh)"
  exit 77
fi
exec node "$(dirname "$0")/test_sf_jsforce.mjs" "$NODE_MODULES"
