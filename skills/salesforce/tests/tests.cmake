# Tests of skillhost/salesforce, included from ../CMakeLists.txt.
#
# The unit test (cmocka) links sf_core directly. The shell tests drive
# node: jsforce against the mock org (the mock's fidelity), then the skill
# end to end against the same mock; each exits 77 (skipped) when node or
# the npm peers in tests/node are missing.
set(SF_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/tests)
set(SF_NODE_MODULES ${PROJECT_SOURCE_DIR}/tests/node/node_modules)

add_executable(test_sf_text ${SF_TEST_DIR}/test_sf_text.c)
target_link_libraries(test_sf_text PRIVATE sf_core PkgConfig::CMOCKA)
add_test(NAME salesforce.unit.test_sf_text COMMAND test_sf_text)
set_tests_properties(salesforce.unit.test_sf_text PROPERTIES
  LABELS unit TIMEOUT 120)

add_test(NAME salesforce.integration.jsforce
  COMMAND bash ${SF_TEST_DIR}/test_sf_jsforce.sh)
set_tests_properties(salesforce.integration.jsforce PROPERTIES
  LABELS integration TIMEOUT 300 SKIP_RETURN_CODE 77
  ENVIRONMENT "NODE_MODULES=${SF_NODE_MODULES}")

add_test(NAME salesforce.integration.e2e
  COMMAND bash ${SF_TEST_DIR}/test_sf_e2e.sh)
set_tests_properties(salesforce.integration.e2e PROPERTIES
  LABELS integration TIMEOUT 600 SKIP_RETURN_CODE 77
  ENVIRONMENT "SKILLHOST_BIN=$<TARGET_FILE:skillhost>;SKILLS_OUT=${SKILLHOST_BUILD_SKILLS_DIR};NODE_MODULES=${SF_NODE_MODULES}")
# Under the sanitizers the skill runs inside skillhost, so LeakSanitizer
# checks its code at exit (isolated workers are covered by the normal run).
if(SKILLHOST_SANITIZE)
  set_property(TEST salesforce.integration.e2e APPEND PROPERTY ENVIRONMENT SKILL_ISOLATION=in-process)
endif()
