#!/usr/bin/env bash
# Every ADF document the Markdown converter's unit test produces validates
# against Atlassian's schema (@atlaskit/adf-schema full.json, draft-04,
# with ajv-draft-04). Skips (77; a failure under CI=true) when node or those packages
# are missing.
set -uo pipefail
. "$(dirname "$0")/../../../tests/skip.sh"
: "${ADF_TEST_BIN:?run through ctest}" "${NODE_MODULES:?}"
if ! command -v node >/dev/null || [ ! -d "$NODE_MODULES/@atlaskit/adf-schema" ] ||
   [ ! -d "$NODE_MODULES/ajv-draft-04" ]; then
  skip "node, @atlaskit/adf-schema or ajv-draft-04 is missing (run scripts/deps.sh)"
fi
dump=$(mktemp "${TMPDIR:-/tmp}/skillhost-adf.XXXXXX")
trap 'rm -f "$dump"' EXIT
ADF_DUMP=$dump "$ADF_TEST_BIN" >/dev/null || { echo "FAIL: $ADF_TEST_BIN failed"; exit 1; }
n=$(wc -l < "$dump")
[ "$n" -ge 40 ] || { echo "FAIL: only $n documents dumped"; exit 1; }
exec node "$(dirname "$0")/adf_check.mjs" "$NODE_MODULES" < "$dump"
