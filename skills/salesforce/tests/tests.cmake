# Tests of skillhost/salesforce, included from ../CMakeLists.txt.
#
# The unit test (cmocka) links sf_core directly. The shell tests drive
# node: jsforce against the mock org (the mock's fidelity), then the skill
# end to end against the same mock; each exits 77 (skipped) when node or
# the npm peers in tests/node are missing.
rest_skill_unit_test(salesforce sf_core test_sf_text)

add_test(NAME salesforce.integration.jsforce
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tests/test_sf_jsforce.sh)
set_tests_properties(salesforce.integration.jsforce PROPERTIES
  LABELS integration TIMEOUT 300 SKIP_RETURN_CODE 77
  ENVIRONMENT "NODE_MODULES=${PROJECT_SOURCE_DIR}/tests/node/node_modules")

rest_skill_e2e_test(salesforce.integration.e2e test_sf_e2e.sh)
