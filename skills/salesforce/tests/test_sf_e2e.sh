#!/usr/bin/env bash
# skillhost/salesforce end to end (see test_sf_e2e.mjs). Skips (77) when
# node or the MCP SDK is missing.
set -uo pipefail
: "${SKILLHOST_BIN:?run through ctest}" "${NODE_MODULES:?}"
if ! command -v node >/dev/null || [ ! -d "$NODE_MODULES/@modelcontextprotocol/sdk" ]; then
  echo "SKIP: node or @modelcontextprotocol/sdk is missing (run scripts/deps.sh)"
  exit 77
fi
exec node "$(dirname "$0")/test_sf_e2e.mjs"
