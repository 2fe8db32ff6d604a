# cmake -DSKILLHOST=... -DPUB=... -DSEC=... -P devkey.cmake
# Make the build's dev signing key once; later builds keep it.
if(EXISTS "${SEC}")
  file(TOUCH "${SEC}")
  return()
endif()
execute_process(COMMAND "${SKILLHOST}" keygen -W --force -p "${PUB}" -s "${SEC}"
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cannot generate the dev signing key (${rc})")
endif()
