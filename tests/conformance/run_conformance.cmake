# Runs powerfx_conformance over the shared upstream Power Fx test files and our own, then
# enforces the ratchet: the test fails if any non-skipped case fails (the runner exits non-zero)
# or if fewer cases pass than expected_passes.txt records. More passes than recorded only prints
# a reminder to raise the number.
#   cmake -DRUNNER=... -DSHARED_DIR=... -DOWN_DIR=... -DEXPECTED_FILE=... -P run_conformance.cmake
cmake_minimum_required(VERSION 3.25)

if(NOT IS_DIRECTORY "${SHARED_DIR}")
  message(FATAL_ERROR "Power Fx reference tests not found at ${SHARED_DIR}")
endif()
file(GLOB shared_files "${SHARED_DIR}/*.txt")
file(GLOB own_files "${OWN_DIR}/*.txt")
if(NOT shared_files)
  message(FATAL_ERROR "no .txt test files in ${SHARED_DIR}")
endif()
list(SORT shared_files)
list(SORT own_files)

execute_process(COMMAND "${RUNNER}" ${shared_files} ${own_files}
                OUTPUT_VARIABLE output ERROR_VARIABLE errors RESULT_VARIABLE status)
message("${output}${errors}")

string(REGEX MATCH "([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped\n?$" summary "${output}")
if(NOT summary)
  message(FATAL_ERROR "the runner printed no summary line (exit status ${status})")
endif()
set(passed ${CMAKE_MATCH_1})
set(failed ${CMAKE_MATCH_2})

file(STRINGS "${EXPECTED_FILE}" expected_lines REGEX "^[0-9]+")
list(GET expected_lines 0 expected)

if(NOT status EQUAL 0 OR failed GREATER 0)
  message(FATAL_ERROR "${failed} conformance case(s) failed; each case must pass or be skipped "
                      "for a stated reason (tests/conformance/runner/classify.h)")
endif()
if(passed LESS expected)
  message(FATAL_ERROR "${passed} cases passed, fewer than the ${expected} recorded in "
                      "${EXPECTED_FILE}")
endif()
if(passed GREATER expected)
  message(STATUS "${passed} cases passed, more than the ${expected} recorded: raise "
                 "${EXPECTED_FILE}")
endif()
