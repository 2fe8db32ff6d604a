# Tests of skillhost/jira, included from ../CMakeLists.txt.
#
# Unit tests (cmocka) link jira_core directly. The shell tests drive node:
# the ADF schema check and the end-to-end test through Prism (with the Jira
# spec from tests/data/specs); each exits 77 (skipped; a failure under
# CI=true) when node or the npm peers in tests/node are missing.
set(JIRA_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/tests)
set(JIRA_NODE_MODULES ${PROJECT_SOURCE_DIR}/tests/node/node_modules)

rest_skill_unit_test(jira jira_core test_jira_adf)
rest_skill_unit_test(jira jira_core test_jira_text)

add_test(NAME jira.integration.adf_schema
  COMMAND bash ${JIRA_TEST_DIR}/test_jira_adf_schema.sh)
set_tests_properties(jira.integration.adf_schema PROPERTIES
  LABELS integration TIMEOUT 120 SKIP_RETURN_CODE 77
  ENVIRONMENT "ADF_TEST_BIN=$<TARGET_FILE:test_jira_adf>;NODE_MODULES=${JIRA_NODE_MODULES}")

# Needs the package (built by skill_jira_package) and skillhost.
rest_skill_e2e_test(jira.integration.e2e test_jira_e2e.sh
  ENV "JIRA_SPEC_GZ=${PROJECT_SOURCE_DIR}/tests/data/specs/jira-cloud-platform-v3.openapi.json.gz")

# Every node kind and mark of Atlassian's ADF schema either survives the
# Markdown round trip or is named by adf_md_losses() (no silent loss).
add_executable(adf_loss_tool ${JIRA_TEST_DIR}/adf_loss_tool.c)
target_link_libraries(adf_loss_tool PRIVATE jira_core)
add_test(NAME jira.integration.adf_loss
  COMMAND bash ${JIRA_TEST_DIR}/test_jira_adf_loss.sh)
set_tests_properties(jira.integration.adf_loss PROPERTIES
  LABELS integration TIMEOUT 120 SKIP_RETURN_CODE 77
  ENVIRONMENT "ADF_LOSS_BIN=$<TARGET_FILE:adf_loss_tool>;ADF_TEST_BIN=$<TARGET_FILE:test_jira_adf>;NODE_MODULES=${JIRA_NODE_MODULES}")
