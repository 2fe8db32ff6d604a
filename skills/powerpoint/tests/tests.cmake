# Tests of skillhost/powerpoint, included from ../CMakeLists.txt.
#
# Unit tests (cmocka) link pptx_core directly. The shell tests drive
# pptx_tool, opc_lint, LibreOffice and node, with the ECMA-376 schemas from
# tests/data/specs; a test that needs something this machine lacks
# (soffice, node's pptxgenjs, xmllint) exits 77, which ctest reports as
# skipped, and fails under CI=true (tests/skip.sh).
set(PPTX_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/tests)

foreach(name test_pptx_xml test_pptx_img test_pptx_core test_pptx_skill
    test_pptx_text test_pptx_edit test_pptx_zip test_pptx_jparse)
  add_executable(${name} ${PPTX_TEST_DIR}/${name}.c)
  target_link_libraries(${name} PRIVATE pptx_core PkgConfig::CMOCKA
    SkillSDK::sdk ${CMAKE_DL_LIBS})
  target_compile_definitions(${name} PRIVATE
    PPTX_SKILL_SO="$<TARGET_FILE:skill_powerpoint>")
  add_test(NAME pptx.unit.${name} COMMAND ${name})
  set_tests_properties(pptx.unit.${name} PROPERTIES LABELS unit TIMEOUT 120)
endforeach()
add_dependencies(test_pptx_skill skill_powerpoint)
add_dependencies(test_pptx_zip skill_powerpoint)
# Decks pptxgenjs and LibreOffice wrote, for the zip reader.
target_compile_definitions(test_pptx_zip PRIVATE
  PPTX_ZIP_DIR="${PPTX_TEST_DIR}/zip")

set(PPTX_TEST_ENV
  "PPTX_TOOL=$<TARGET_FILE:pptx_tool>"
  "OPC_LINT=$<TARGET_FILE:opc_lint>"
  "SOURCE_DIR=${PROJECT_SOURCE_DIR}"
  "BUILD_DIR=${PROJECT_BINARY_DIR}"
  "PPTX_TEST_DIR=${PPTX_TEST_DIR}"
  "SKILLS_OUT=${SKILLHOST_BUILD_SKILLS_DIR}"
  "SKILLHOST_BIN=$<TARGET_FILE:skillhost>"
  "PPTX_SKILL_SO=$<TARGET_FILE:skill_powerpoint>")
foreach(name schema render foreign badinput e2e edit)
  add_test(NAME pptx.integration.${name}
    COMMAND bash ${PPTX_TEST_DIR}/test_pptx_${name}.sh)
  set_tests_properties(pptx.integration.${name} PROPERTIES
    LABELS integration TIMEOUT 600 SKIP_RETURN_CODE 77
    ENVIRONMENT "${PPTX_TEST_ENV}")
endforeach()

if(SKILLHOST_FUZZ)
  add_executable(fuzz_pptx_read ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_pptx_read.c)
  target_compile_options(fuzz_pptx_read PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_pptx_read PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_pptx_read PRIVATE pptx_core)
  # A short run: replay the seed corpus, then fuzz for 20 seconds. New
  # inputs go to the first folder, in the build tree, not the sources.
  file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/fuzz_corpus)
  add_test(NAME fuzz.fuzz_pptx_read COMMAND fuzz_pptx_read
    -max_total_time=20 -rss_limit_mb=2048
    ${CMAKE_CURRENT_BINARY_DIR}/fuzz_corpus ${PPTX_TEST_DIR}/corpus)
  set_tests_properties(fuzz.fuzz_pptx_read PROPERTIES LABELS fuzz TIMEOUT 120)

  # The zip reader alone, with a write-back round trip on what loads;
  # seeded with our deck and decks pptxgenjs and LibreOffice wrote.
  add_executable(fuzz_pptx_zip ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_pptx_zip.c)
  target_compile_options(fuzz_pptx_zip PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_pptx_zip PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_pptx_zip PRIVATE pptx_core)
  file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/fuzz_corpus_zip)
  add_test(NAME fuzz.fuzz_pptx_zip COMMAND fuzz_pptx_zip
    -max_total_time=20 -rss_limit_mb=2048
    ${CMAKE_CURRENT_BINARY_DIR}/fuzz_corpus_zip ${PPTX_TEST_DIR}/corpus
    ${PPTX_TEST_DIR}/zip)
  set_tests_properties(fuzz.fuzz_pptx_zip PROPERTIES LABELS fuzz TIMEOUT 120)

  # create_presentation's argument path: jparse against cJSON, base64 in
  # place against a fresh buffer, the folded CRC against zlib's, the deck
  # model from the tree.
  add_executable(fuzz_pptx_json ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_pptx_json.c)
  target_compile_options(fuzz_pptx_json PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(fuzz_pptx_json PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(fuzz_pptx_json PRIVATE pptx_core)
  file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/fuzz_corpus_json)
  add_test(NAME fuzz.fuzz_pptx_json COMMAND fuzz_pptx_json
    -max_total_time=20 -rss_limit_mb=2048
    ${CMAKE_CURRENT_BINARY_DIR}/fuzz_corpus_json ${PPTX_TEST_DIR}/corpus_json)
  set_tests_properties(fuzz.fuzz_pptx_json PROPERTIES LABELS fuzz TIMEOUT 120)
endif()
