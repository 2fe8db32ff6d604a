#!/usr/bin/env bash
# clang-tidy with the repository's .clang-tidy over every C file of host/,
# registry/, skills/ and sdk/examples that the build compiles; fails on any
# warning, naming it.
#   scripts/tidy.sh [build-dir]    (default: build-test; needs its
#                                   compile_commands.json)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/build-test}
db=$dir/compile_commands.json
tidy=$(command -v clang-tidy || command -v clang-tidy-14 || true)
if [ -z "$tidy" ]; then
  echo "tidy: clang-tidy is not installed; run scripts/deps.sh test" >&2
  exit 1
fi
if [ ! -f "$db" ]; then
  echo "tidy: $db is missing; configure $dir with cmake first" >&2
  exit 1
fi
# The files the build compiles (a fuzz target exists only in the fuzz
# build), as paths relative to the top.
mapfile -t files < <(python3 - "$db" "$top" <<'PY'
import json, os, sys
db, top = sys.argv[1], sys.argv[2]
seen = set()
for e in json.load(open(db)):
    f = os.path.relpath(os.path.join(e["directory"], e["file"]), top)
    if f.endswith(".c") and f.startswith(("host/", "registry/", "skills/",
                                          "sdk/examples/")):
        seen.add(f)
print("\n".join(sorted(seen)))
PY
)
if [ ${#files[@]} -eq 0 ]; then
  echo "tidy: no C files in $db" >&2
  exit 1
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# Two at a time: the suite's machines have few cores. --quiet drops the
# "N warnings generated" chatter; what is left are findings and errors.
cd "$top"
printf '%s\n' "${files[@]}" |
  xargs -P"${TIDY_JOBS:-2}" -n4 "$tidy" -p "$dir" --quiet >"$out" 2>&1 || true
if grep -qE '(warning|error):' "$out"; then
  grep -E '(warning|error):' "$out" | sort -u >&2
  echo "tidy: $(grep -cE '(warning|error):' "$out") findings in" \
    "${#files[@]} files; fix them or mark a false positive with" \
    "// NOLINT(check): reason" >&2
  exit 1
fi
echo "tidy: ${#files[@]} files, no findings"
