#!/usr/bin/env bash
# The installed embedding API: `cmake --install`, then a program that embeds
# libskillhost through <skillhost/skillhost.h> only, built with pkg-config
# and with find_package(skillhost), calls a skill's tool in process and in a
# sandboxed worker. The program defines functions named like the library's
# internals (config_free, runtime_close, json_int64, ...): the library must
# not call them, and it must export only the skillhost_* API.
. "$(dirname "$0")/lib.sh"
prefix=$TMP/prefix
run cmake --install "$BUILD_DIR" --prefix "$prefix"; expect_rc 0 "cmake --install"

# Only the public headers are installed.
for f in include/skillhost/skillhost.h include/skillhost/runtime.h include/skillhost/status.h \
         lib/pkgconfig/skillhost.pc lib/cmake/skillhost/skillhostConfig.cmake \
         lib/cmake/skillhost/skillhostConfigVersion.cmake lib/cmake/skillhost/skillhostTargets.cmake \
         lib/libskillhost.so.1; do
  [ -e "$prefix/$f" ] && ok "installed $f" || fail "missing $f"
done
extra=$(cd "$prefix/include/skillhost" && ls | grep -vxE 'skillhost.h|runtime.h|status.h')
[ -z "$extra" ] && ok "no internal header is installed" || fail "internal headers installed: $extra"
[ ! -e "$prefix/lib/libskillhost.a" ] && ok "the static archive is not installed" || fail "libskillhost.a installed"
run readelf -d "$prefix/lib/libskillhost.so"
expect_out "Library soname: [libskillhost.so.1]" "SONAME is libskillhost.so.1"
# The public headers stand alone: no cJSON, curl or sodium, no SDK header.
if grep -hE '#include' "$prefix"/include/skillhost/*.h | grep -vE '<std(def|int)\.h>|"(runtime|status)\.h"'; then
  fail "public headers include more than the C library and each other"
else ok "public headers include only <stddef.h>, <stdint.h> and each other"; fi

# Exported symbols: the API, nothing else.
nm -D --defined-only "$prefix/lib/libskillhost.so" | awk '{print $3}' | sort > "$TMP/syms"
others=$(grep -v '^skillhost_' "$TMP/syms")
[ -z "$others" ] && ok "exports only skillhost_* ($(wc -l < "$TMP/syms") symbols)" || fail "also exports: $(echo $others | head -c 400)"
for s in skillhost_open skillhost_close skillhost_list_tools skillhost_call skillhost_free \
         skillhost_status_name skillhost_version; do
  grep -qx "$s" "$TMP/syms" && ok "exports $s" || fail "does not export $s"
done

hello=$SKILLS_OUT/lib/hello.so
export SKILLHOST_WORKER=$prefix/libexec/skillhost/skillhost-worker
export LD_LIBRARY_PATH=$prefix/lib

# 1. pkg-config.
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
# SAN_FLAGS: the sanitizer runtime of a sanitizer build's libraries.
# shellcheck disable=SC2086
run cc ${SAN_FLAGS:-} $(pkg-config --cflags skillhost) -std=c11 -Wall -Wextra -Werror \
  "$TESTS_DIR/integration/embed/embed.c" -o "$TMP/embed-pc" $(pkg-config --libs skillhost)
expect_rc 0 "build the embedding program with pkg-config"
run readelf -d "$TMP/embed-pc"; expect_out "[libskillhost.so.1]" "linked against libskillhost.so.1"
for mode in inproc isolated; do
  run "$TMP/embed-pc" "$hello" "$mode"
  expect_rc 0 "pkg-config build: embed and call ($mode)"
  expect_out "ok: call" "call result ($mode)"
  expect_out "ok: the library called none of this program's look-alike functions" "no interposition ($mode)"
done

# 2. find_package.
run cmake -S "$TESTS_DIR/integration/embed" -B "$TMP/embed-cmake" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_FLAGS="${SAN_FLAGS:-} -Wall -Wextra -Werror"
expect_rc 0 "configure the embedding program with find_package(skillhost)"
run cmake --build "$TMP/embed-cmake"; expect_rc 0 "build it"
run "$TMP/embed-cmake/embed" "$hello" isolated
expect_rc 0 "find_package build: embed and call (isolated)"
expect_out "ok: list tools" "tools listed"
finish
