# Man pages, completion scripts and documents, installed with the binaries.
# The pages and scripts are generated from the built skillhost (its --help
# and its command table, scripts/gen-man.sh), so they say what the binary
# does; the documents are the repository's own.
set(SKILLHOST_GEN_DIR ${CMAKE_BINARY_DIR}/generated)
if(TARGET skillreg)
  set(_skillreg $<TARGET_FILE:skillreg>)
  set(_skillreg_dep skillreg)
else()
  set(_skillreg -)
  set(_skillreg_dep)
endif()
file(GLOB _cli_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/host/cli/*.c)
add_custom_command(OUTPUT ${SKILLHOST_GEN_DIR}/stamp
  # A sanitizer build's leak report at exit must not fail the build.
  COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
          sh ${PROJECT_SOURCE_DIR}/scripts/gen-man.sh $<TARGET_FILE:skillhost>
          ${_skillreg} ${SKILLHOST_GEN_DIR} ${PROJECT_VERSION}
  DEPENDS skillhost ${_skillreg_dep} ${PROJECT_SOURCE_DIR}/scripts/gen-man.sh
          ${_cli_sources}
  COMMENT "Generating man pages and completion scripts from --help"
  VERBATIM)
add_custom_target(skillhost_docs ALL DEPENDS ${SKILLHOST_GEN_DIR}/stamp)

install(DIRECTORY ${SKILLHOST_GEN_DIR}/man1 DESTINATION ${CMAKE_INSTALL_MANDIR})
install(FILES ${SKILLHOST_GEN_DIR}/completion/bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  RENAME skillhost)
install(FILES ${SKILLHOST_GEN_DIR}/completion/zsh
  DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/site-functions RENAME _skillhost)
install(FILES ${SKILLHOST_GEN_DIR}/completion/fish
  DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d
  RENAME skillhost.fish)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/host/EMBEDDING.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/sdk/README.md ${PROJECT_SOURCE_DIR}/sdk/ABI.md
              ${PROJECT_SOURCE_DIR}/sdk/MANIFEST.md
              ${PROJECT_SOURCE_DIR}/sdk/manifest.schema.json
  DESTINATION ${CMAKE_INSTALL_DOCDIR}/sdk)
if(EXISTS ${PROJECT_SOURCE_DIR}/registry/FORMAT.md)
  install(FILES ${PROJECT_SOURCE_DIR}/registry/FORMAT.md
    DESTINATION ${CMAKE_INSTALL_DOCDIR}/registry)
endif()
# The schema where tools look for data, not only beside the docs.
install(FILES ${PROJECT_SOURCE_DIR}/sdk/manifest.schema.json
  DESTINATION ${CMAKE_INSTALL_DATADIR}/skillhost)
