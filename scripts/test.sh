#!/usr/bin/env bash
# The tests: install what is missing, build with warnings as errors, and run
# the whole suite (unit, integration and interop tests) with ctest.
#   scripts/test.sh              the normal build, in build-test/, and
#                                clang-tidy over the C sources (tidy.sh)
#   scripts/test.sh --sanitize   an ASan+UBSan build, in build-asan/
#   scripts/test.sh --fuzz       clang libFuzzer targets, short runs, in build-fuzz/
# The suite runs under scripts/no_leftovers.py: it fails when any test
# leaves a process running, and names it. With CI=true a skipped test fails.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-normal}
"$top/scripts/deps.sh" test

case "$mode" in
  normal)   dir=build-test; flags=(-DSKILLHOST_WERROR=ON); labels=() ;;
  --sanitize) dir=build-asan; flags=(-DSKILLHOST_WERROR=ON -DSKILLHOST_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
            labels=(-LE "interop|slow") ;;
  --fuzz)   dir=build-fuzz; flags=(-DCMAKE_C_COMPILER=clang -DSKILLHOST_FUZZ=ON -DSKILLHOST_BENCH=OFF)
            labels=(-L fuzz) ;;
  *) echo "usage: scripts/test.sh [--sanitize|--fuzz]" >&2; exit 2 ;;
esac

cmake -S "$top" -B "$top/$dir" "${flags[@]}"
cmake --build "$top/$dir" -j"$(nproc)"
# Static analysis with the repository's .clang-tidy, in the normal mode
# only (its compile_commands.json is the plain build's); any finding fails.
if [ "$mode" = normal ]; then
  "$top/scripts/tidy.sh" "$top/$dir"
fi
cd "$top/$dir"
# Sanitizers: stop at the first report, and keep leak checking on.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The tests' temporary folders go under one folder of their own, so the
# leftover check can tell this suite's processes from anyone else's.
TMPDIR=$(mktemp -d /tmp/skillhost-suite.XXXXXX)
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
"$top/scripts/no_leftovers.py" --watch "$top/$dir" --watch "$TMPDIR" -- \
  ctest --output-on-failure -j2 "${labels[@]}"
