# What the first-party REST skills (jira, salesforce) declare alike in
# CMake; included from each skill's CMakeLists.txt.

# rest_skill_core(target sources...): the host-independent part of a REST
# skill, a static library its unit tests link directly and the skill links.
function(rest_skill_core target)
  add_library(${target} STATIC ${ARGN})
  target_include_directories(${target} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${target} PUBLIC skill_restkit PkgConfig::CJSON)
  set_target_properties(${target} PROPERTIES
    POSITION_INDEPENDENT_CODE ON
    C_VISIBILITY_PRESET hidden)
endfunction()

# rest_skill_unit_test(prefix core name): tests/<name>.c, a cmocka test
# linked with the skill's core library, as test <prefix>.unit.<name>.
function(rest_skill_unit_test prefix core name)
  add_executable(${name} ${CMAKE_CURRENT_SOURCE_DIR}/tests/${name}.c)
  target_link_libraries(${name} PRIVATE ${core} PkgConfig::CMOCKA)
  add_test(NAME ${prefix}.unit.${name} COMMAND ${name})
  set_tests_properties(${prefix}.unit.${name} PROPERTIES
    LABELS unit TIMEOUT 120)
endfunction()

# rest_skill_e2e_test(test script [ENV var=value...]): the skill's node
# end-to-end test, tests/<script>, run against the built package and
# skillhost with the npm peers of tests/node; 77 is a skip (a failure under
# CI=true). Under the sanitizers the skill runs inside skillhost, so
# LeakSanitizer checks its code at exit (isolated workers are covered by
# the normal run).
function(rest_skill_e2e_test test script)
  cmake_parse_arguments(E2E "" "" "ENV" ${ARGN})
  set(env "SKILLHOST_BIN=$<TARGET_FILE:skillhost>"
          "SKILLS_OUT=${SKILLHOST_BUILD_SKILLS_DIR}"
          "NODE_MODULES=${PROJECT_SOURCE_DIR}/tests/node/node_modules"
          ${E2E_ENV})
  add_test(NAME ${test}
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/tests/${script})
  set_tests_properties(${test} PROPERTIES
    LABELS integration TIMEOUT 600 SKIP_RETURN_CODE 77
    ENVIRONMENT "${env}")
  if(SKILLHOST_SANITIZE)
    set_property(TEST ${test} APPEND PROPERTY ENVIRONMENT
      SKILL_ISOLATION=in-process)
  endif()
endfunction()
