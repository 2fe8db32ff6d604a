#!/usr/bin/env bash
# The installed SDK: `cmake --install`, then build skills out of tree with
# find_package(SkillSDK) and with pkg-config, and run them in the host.
. "$(dirname "$0")/lib.sh"
prefix=$TMP/prefix
run cmake --install "$BUILD_DIR" --prefix "$prefix"; expect_rc 0 "cmake --install"
for f in include/skill/skill.h include/skill/entry.h include/skill/ext/config.h \
         bin/skillhost lib/pkgconfig/skill-sdk.pc lib/cmake/SkillSDK/SkillSDKConfig.cmake \
         include/skillhost/runtime.h; do
  [ -e "$prefix/$f" ] && ok "installed $f" || fail "missing $f"
done
ls "$prefix"/lib/libskillhost.so* >/dev/null 2>&1 && ok "installed libskillhost.so" || fail "missing libskillhost.so"
SHI=$prefix/bin/skillhost

# 1. find_package, on the SDK's own example.
run cmake -S "$SOURCE_DIR/sdk/examples/hello" -B "$TMP/hello-cmake" -DCMAKE_PREFIX_PATH="$prefix"
expect_rc 0 "configure hello with find_package"
run cmake --build "$TMP/hello-cmake"; expect_rc 0 "build hello with find_package"
run "$SHI" call example/hello.greet '{"name":"pkg"}' --skill "$TMP/hello-cmake/hello.so"
expect_rc 0 "installed host runs the out-of-tree skill"; expect_out "Hello, pkg!" "greeting"
nm -D --defined-only "$TMP/hello-cmake/hello.so" | grep -v ' w ' | awk '{print $3}' | grep -v '^_' > "$TMP/syms"
[ "$(cat "$TMP/syms")" = skill_entry_v1 ] && ok "only skill_entry_v1 is exported" || fail "exported: $(cat "$TMP/syms")"

# 2. pkg-config.
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
run cc $(pkg-config --cflags skill-sdk) -Wall -Wextra -Werror "$SOURCE_DIR/sdk/examples/hello/hello.c" -o "$TMP/hello-pc.so" $(pkg-config --libs skill-sdk)
expect_rc 0 "build hello with pkg-config"
run "$SHI" call example/hello.greet '{"name":"pc"}' --skill "$TMP/hello-pc.so"
expect_rc 0 "pkg-config build runs"; expect_out "Hello, pc!" "greeting (pkg-config)"

# 3. `skillhost new` scaffolds a project that builds against the installed SDK.
run "$SHI" new acme/weather-now --dir "$TMP/weather"; expect_rc 0 "new"
run "$SHI" new acme/weather-now --dir "$TMP/weather"; expect_rc 5 "new refuses to overwrite"
run "$SHI" new NotAName; expect_rc 2 "new refuses a bad name"
run cmake -S "$TMP/weather" -B "$TMP/weather/build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="-Wall -Wextra -Werror"
expect_rc 0 "configure the scaffold"
run cmake --build "$TMP/weather/build"; expect_rc 0 "build the scaffold"
run "$SHI" call acme/weather-now.hello '{"who":"Ada"}' --skill "$TMP/weather/build/weather-now.so"
expect_rc 0 "scaffolded skill runs"; expect_out "Hello, Ada!" "scaffold greeting"
finish
