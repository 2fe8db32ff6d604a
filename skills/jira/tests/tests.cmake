# Tests of skillhost/jira, included from ../CMakeLists.txt.
#
# Unit tests (cmocka) link jira_core directly. The shell tests drive node:
# the ADF schema check and the end-to-end test through Prism (with the Jira
# spec from tests/data/specs); each exits 77 (skipped; a failure under
# CI=true) when node or the npm peers in tests/node are missing.
set(JIRA_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/tests)
set(JIRA_NODE_MODULES ${PROJECT_SOURCE_DIR}/tests/node/node_modules)

foreach(name test_jira_adf test_jira_text)
  add_executable(${name} ${JIRA_TEST_DIR}/${name}.c)
  target_link_libraries(${name} PRIVATE jira_core PkgConfig::CMOCKA)
  add_test(NAME jira.unit.${name} COMMAND ${name})
  set_tests_properties(jira.unit.${name} PROPERTIES LABELS unit TIMEOUT 120)
endforeach()

add_test(NAME jira.integration.adf_schema
  COMMAND bash ${JIRA_TEST_DIR}/test_jira_adf_schema.sh)
set_tests_properties(jira.integration.adf_schema PROPERTIES
  LABELS integration TIMEOUT 120 SKIP_RETURN_CODE 77
  ENVIRONMENT "ADF_TEST_BIN=$<TARGET_FILE:test_jira_adf>;NODE_MODULES=${JIRA_NODE_MODULES}")

add_test(NAME jira.integration.e2e
  COMMAND bash ${JIRA_TEST_DIR}/test_jira_e2e.sh)
# Needs the package (built by skill_jira_package) and skillhost.
set_tests_properties(jira.integration.e2e PROPERTIES
  LABELS integration TIMEOUT 600 SKIP_RETURN_CODE 77
  ENVIRONMENT "SKILLHOST_BIN=$<TARGET_FILE:skillhost>;SKILLS_OUT=${SKILLHOST_BUILD_SKILLS_DIR};NODE_MODULES=${JIRA_NODE_MODULES};JIRA_SPEC_GZ=${PROJECT_SOURCE_DIR}/tests/data/specs/jira-cloud-platform-v3.openapi.json.gz")
# Under the sanitizers the skill runs inside skillhost, so LeakSanitizer
# checks its code at exit (isolated workers are covered by the normal run).
if(SKILLHOST_SANITIZE)
  set_property(TEST jira.integration.e2e APPEND PROPERTY ENVIRONMENT SKILL_ISOLATION=in-process)
endif()
