# skip.sh - how a shell test says it cannot run (sourced, not run).
#
# skip WHY         the whole test cannot run here: exit 77, which ctest
#                  reports as skipped. WHY names what is missing and how to
#                  get it (e.g. "minisign is not installed (apt-get install
#                  minisign)").
# skip_part WHY    some checks cannot run here; the test goes on with the
#                  rest. Returns 0 locally.
#
# Under CI=true a skip is a failure: CI installs everything (scripts/deps.sh
# test), so a missing tool there is a broken setup that would otherwise pass
# silently. skip exits 1; skip_part records a failure through the test's
# fail() when it has one (lib.sh), else sets skip_part_failed=1 for the test
# to check, and prints FAIL either way.
skip_part_failed=0

skip() {
  if [ "${CI:-}" = true ]; then
    echo "FAIL: would skip, but CI=true makes every skip a failure: $*"
    exit 1
  fi
  echo "SKIP: $*"
  exit 77
}

skip_part() {
  if [ "${CI:-}" = true ]; then
    skip_part_failed=1
    if declare -F fail >/dev/null; then
      fail "would skip some checks, but CI=true makes every skip a failure: $*"
    else
      echo "FAIL: would skip some checks, but CI=true makes every skip a failure: $*"
    fi
    return 0
  fi
  echo "SKIP (some checks): $*"
}
