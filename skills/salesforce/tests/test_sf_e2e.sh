#!/usr/bin/env bash
# skillhost/salesforce end to end (see test_sf_e2e.mjs). Skips (77; a
# failure under CI=true) when node or the MCP SDK is missing.
set -uo pipefail
. "$(dirname "$0")/../../../tests/skip.sh"
: "${SKILLHOST_BIN:?run through ctest}" "${NODE_MODULES:?}"
if ! command -v node >/dev/null || [ ! -d "$NODE_MODULES/@modelcontextprotocol/sdk" ]; then
  skip "node or @modelcontextprotocol/sdk is missing (run scripts/deps.sh)"
fi
exec node "$(dirname "$0")/test_sf_e2e.mjs"
