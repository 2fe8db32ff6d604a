#!/usr/bin/env bash
# libskillhost's layering (host/CMakeLists.txt): no include cycle among the
# host/lib modules, no include from a layer up to one above it, and the
# checker itself catches each kind of fault on small trees.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { fail "python3 is needed to check the layers"; finish; }
run python3 "$SOURCE_DIR/scripts/check_layers.py" --self-test
expect_rc 0 "the checker reports upward includes, cycles and name clashes"
run python3 "$SOURCE_DIR/scripts/check_layers.py" "$SOURCE_DIR"
expect_rc 0 "host/lib has no include cycle and no upward include"
expect_out "no include cycle, no upward include" "checker verdict"
finish
