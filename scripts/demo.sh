#!/usr/bin/env bash
# The demo: install what is missing, build, then use the host to list and
# call the SDK's example skill.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh" build
cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSKILLHOST_TESTS=OFF >/dev/null
cmake --build "$top/build" -j"$(nproc)" >/dev/null
bin="$top/build/host/skillhost"
hello="$top/build/skills-out/lib/hello.so"
export SKILLHOST_HOME=${SKILLHOST_HOME:-$top/build/demo-home}

set -x
"$bin" --version
"$bin" tools --skill "$hello"
"$bin" call example/hello.greet '{"name": "Ada"}' --skill "$hello"
# Arguments are checked against the tool's schema before the skill runs:
"$bin" call example/hello.greet '{"nmae": "Ada"}' --skill "$hello" || true
