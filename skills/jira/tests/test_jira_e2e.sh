#!/usr/bin/env bash
# skillhost/jira end to end through Prism (see test_jira_e2e.mjs). Skips
# (77) when node, the npm peers or the shared Jira spec are missing.
set -uo pipefail
: "${SKILLHOST_BIN:?run through ctest}" "${NODE_MODULES:?}" "${JIRA_SPEC:?}"
for m in @stoplight/prism-cli @modelcontextprotocol/sdk @atlaskit/adf-schema ajv-draft-04; do
  if ! command -v node >/dev/null || [ ! -d "$NODE_MODULES/$m" ]; then
    echo "SKIP: node or $m is missing (run scripts/deps.sh)"
    exit 77
  fi
done
if [ ! -f "$JIRA_SPEC" ]; then
  echo "SKIP: $JIRA_SPEC is missing (the shared Jira OpenAPI spec)"
  exit 77
fi
exec node "$(dirname "$0")/test_jira_e2e.mjs"
