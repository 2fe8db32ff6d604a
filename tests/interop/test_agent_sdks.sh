#!/usr/bin/env bash
# The fake vendor APIs the agent tests use, checked against the vendors'
# official SDKs (openai, @anthropic-ai/sdk, @aws-sdk/client-bedrock-runtime
# from tests/node; @google/genai and ollama when installed there). See
# tests/interop/agent_sdks.mjs.
. "$(dirname "$0")/../integration/lib.sh"
MODULES=$TESTS_DIR/node
[ -d "$MODULES/node_modules/openai" ] || { echo "FAIL: tests/node/node_modules is missing (npm ci in tests/node)"; exit 1; }
SKILLS=(--skill "$LIB/hello.so" --skill "$LIB/testing-everything.so")
for v in openai openai-responses anthropic bedrock gemini ollama; do
  "$SH" tools "${SKILLS[@]}" --format "$v" >"$TMP/$v.json" || fail "tools --format $v"
done
node "$TESTS_DIR/interop/agent_sdks.mjs" "$SH" "$MODULES" "$TMP" "$LIB/hello.so" "$LIB/testing-everything.so"
rc=$?
[ $rc -eq 0 ] && [ $failures -eq 0 ] && { echo "all passed"; exit 0; }
exit 1
