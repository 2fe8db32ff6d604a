#!/usr/bin/env bash
# Every ADF node kind and mark of Atlassian's schema through the Markdown
# round-trip loss check (see adf_loss_check.mjs). Skips (77; a failure
# under CI=true) when node or the schema packages are missing.
set -uo pipefail
. "$(dirname "$0")/../../../tests/skip.sh"
: "${ADF_LOSS_BIN:?run through ctest}" "${NODE_MODULES:?}"
if ! command -v node >/dev/null || [ ! -d "$NODE_MODULES/@atlaskit/adf-schema" ] ||
   [ ! -d "$NODE_MODULES/ajv-draft-04" ]; then
  skip "node, @atlaskit/adf-schema or ajv-draft-04 is missing (run scripts/deps.sh)"
fi
# The converter's own corpus (Markdown -> ADF) must come back whole: no
# false alarm on what Markdown wrote.
dump=$(mktemp "${TMPDIR:-/tmp}/skillhost-adfloss.XXXXXX")
trap 'rm -f "$dump"' EXIT
ADF_DUMP=$dump "${ADF_TEST_BIN:?}" >/dev/null || { echo "FAIL: $ADF_TEST_BIN failed"; exit 1; }
node "$(dirname "$0")/adf_loss_check.mjs" "$NODE_MODULES" "$ADF_LOSS_BIN" "$dump"
