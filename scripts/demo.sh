#!/usr/bin/env bash
# The demo: install what is missing, build (the build packages and signs
# every skill with a dev key it generates), then trust that key, install the
# signed example skill into a fresh store, and call it through the host.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh" build
cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSKILLHOST_TESTS=OFF >/dev/null
cmake --build "$top/build" -j"$(nproc)" >/dev/null
out=$top/build/skills-out
export PATH=$top/build/host:$PATH
export SKILLHOST_HOME=$top/build/demo-home
rm -rf "$SKILLHOST_HOME"

set -x
skillhost --version
skillhost trust add "$out/dev.pub" --namespace example --namespace skillhost
skillhost install "$out/packages/example-hello-1.0.0.skill"
skillhost list
skillhost tools
skillhost call example/hello.greet '{"name": "Ada"}'
# Arguments are checked against the tool's schema before the skill runs:
skillhost call example/hello.greet '{"nmae": "Ada"}' || true
# A deck, built in C by the first-party PowerPoint skill:
skillhost install "$out/packages/skillhost-powerpoint-1.0.0.skill"
skillhost call skillhost/powerpoint.create_presentation '{"title": "Demo", "slides": [{"layout": "title", "title": "skillhost", "subtitle": "signed skills for any agent"}, {"layout": "bullets", "title": "Why", "bullets": ["Verified before loading", {"text": "minisign signatures", "level": 1}, "One C ABI"]}]}'
