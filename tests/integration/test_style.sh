#!/usr/bin/env bash
# The style checker: every C source and header the project tracks is in
# the shape .clang-format describes. Fix a failure with
#   clang-format -i FILE
. "$(dirname "$0")/lib.sh"
command -v clang-format >/dev/null || skip "clang-format is not installed (apt-get install clang-format)"
cd "$SOURCE_DIR"
if git rev-parse --git-dir >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.c' '*.h' | grep -v '^tests/fuzz/corpus/')
else
  mapfile -t files < <(find host sdk registry skills tests -name '*.[ch]' -not -path '*/corpus/*')
fi
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -eq 0 ]; then ok "${#files[@]} files match .clang-format"
else fail "not formatted (run clang-format -i): ${bad[*]}"; fi
finish
