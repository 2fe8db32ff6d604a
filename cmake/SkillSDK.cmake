# skill_add_skill(<target> SOURCES <src>... [LIBRARIES <lib>...])
#
# Builds a skill shared object against the SDK: a MODULE library with hidden
# visibility (only skill_entry_v1 is exported), no undefined symbols, and no
# "lib" prefix. Used in-tree and, through SkillSDKConfig.cmake, out of tree.
function(skill_add_skill target)
  cmake_parse_arguments(SK "" "OUTPUT_NAME" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${target} MODULE ${SK_SOURCES})
  target_link_libraries(${target} PRIVATE SkillSDK::sdk ${SK_LIBRARIES})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    POSITION_INDEPENDENT_CODE ON)
  if(SK_OUTPUT_NAME)
    set_target_properties(${target} PROPERTIES OUTPUT_NAME ${SK_OUTPUT_NAME})
  endif()
  if(NOT CMAKE_C_FLAGS MATCHES "fsanitize" AND NOT SKILLHOST_SANITIZE AND NOT SKILLHOST_FUZZ)
    target_link_options(${target} PRIVATE -Wl,--no-undefined)
  endif()
endfunction()
