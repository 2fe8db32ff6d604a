#!/usr/bin/env bash
# Issue 20: the skillhost binary does not link libarchive, libmicrohttpd,
# libcrypto or libcurl (nor the thirty libraries they bring), so a
# `skillhost call` does not map them; the commands that need one open it on first use
# (util/dynlib.h). Checked on the binaries, on what a call loads, and with
# the library missing or the wrong one: the commands that need it fail with
# exit 5 and a message naming what to install, leaving nothing behind, and
# the others (call, verify, tools) do not notice.
. "$(dirname "$0")/lib.sh"
PKG=$SKILLS_OUT/packages
DEVPUB=$SKILLS_OUT/dev.pub
HELLO=$PKG/example-hello-1.0.0.skill
WORKER=$BUILD_DIR/host/skillhost-worker

# --- the binaries name none of them ---
for bin in "$SH" "$WORKER"; do
  needed=$(readelf -d "$bin") || fail "readelf -d $bin"
  case "$needed" in *"(NEEDED)"*) ;; *) fail "readelf shows no NEEDED in $bin" ;; esac
  for lib in libarchive libmicrohttpd libcrypto libcurl; do
    case "$needed" in
      *"[$lib."*) fail "$(basename "$bin") has DT_NEEDED on $lib: open it with dlopen on first use (dynlib.h), do not link it" ;;
      *) ok "$(basename "$bin") does not link $lib" ;;
    esac
  done
done
# Nor does anything they link bring them (or their dependencies) in.
loaded=$(LD_TRACE_LOADED_OBJECTS=1 "$SH" 2>&1)
case "$loaded" in *libc.so*) ok "the loader lists skillhost's libraries" ;; *) fail "no library list: $loaded" ;; esac
for lib in libarchive libmicrohttpd libcrypto libcurl libxml2 libicuuc libgnutls libnettle libp11-kit; do
  case "$loaded" in
    *"$lib."*) fail "starting skillhost maps $lib" ;;
    *) ok "starting skillhost does not map $lib" ;;
  esac
done

# --- a call does not open them ---
run "$SH" trust add "$DEVPUB" --namespace example --namespace testing; expect_rc 0 "trust add"
run "$SH" install "$HELLO"; expect_rc 0 "install (libarchive opened on demand)"
for policy in isolated in-process; do
  # The default policy first, then the operator's in-process one.
  if [ "$policy" != isolated ]; then
    run "$SH" config example/hello isolation "$policy"; expect_rc 0 "config isolation $policy"
  fi
  out=$(LD_DEBUG=files "$SH" call example/hello.greet '{"name":"lean"}' \
        --compact 2>"$TMP/ld.err") && rc=0 || rc=$?
  err=$(cat "$TMP/ld.err")
  expect_rc 0 "call, $policy"
  expect_out "Hello, lean!" "the $policy call answers"
  case "$err" in *"calling init"*) ok "LD_DEBUG=files reports the $policy call's loads" ;; *) fail "no LD_DEBUG output: $err" ;; esac
  case "$err" in
    *libarchive*|*libmicrohttpd*|*libcrypto*|*libcurl*) fail "a $policy call loads a library it does not use: $(grep -E 'libarchive|libmicrohttpd|libcrypto|libcurl' "$TMP/ld.err" | head -3)" ;;
    *) ok "a $policy call loads none of libarchive, libmicrohttpd, libcrypto, libcurl" ;;
  esac
done
# ... and pack does, at run time.
LD_DEBUG=files "$SH" pack "$SKILLS_OUT/pkgsrc/example-hello-1.0.0" -o "$TMP/debug.skill" 2>"$TMP/ld.err" >/dev/null
grep -q "file=libarchive.so.13 .*dynamically loaded by" "$TMP/ld.err" \
  && ok "pack opens libarchive.so.13 with dlopen" \
  || fail "pack did not dlopen libarchive.so.13: $(grep -m3 libarchive "$TMP/ld.err")"

# --- the library missing, or not the one the host was built for ---
# LD_LIBRARY_PATH is searched first: a file that is no library stands for
# a missing one, a library without libarchive's functions for the wrong one.
mkdir -p "$TMP/missing" "$TMP/wrong"
for so in libarchive.so.13 libmicrohttpd.so.12; do
  echo "not a shared object" >"$TMP/missing/$so"
done
echo 'int not_the_library;' >"$TMP/wrong.c"
cc -shared -fPIC -o "$TMP/wrong/libarchive.so.13" "$TMP/wrong.c" || fail "cannot build the stand-in library"
cp "$TMP/wrong/libarchive.so.13" "$TMP/wrong/libmicrohttpd.so.12"

store_state() { (cd "$SKILLHOST_HOME" && find . -print | LC_ALL=C sort && cat installed.json); }
run "$SH" remove example/hello; expect_rc 0 "remove before the refusals"
before=$(store_state)

LD_LIBRARY_PATH=$TMP/missing run "$SH" install "$HELLO"
expect_rc 5 "install without libarchive"
expect_err "cannot load libarchive (libarchive.so.13)" "it names the library"
expect_err "apt-get install libarchive13" "it names the Debian package"
[ "$before" = "$(store_state)" ] && ok "the refused install left the store as it was" \
  || fail "the refused install changed the store: $(diff <(echo "$before") <(store_state))"

LD_LIBRARY_PATH=$TMP/wrong run "$SH" install "$HELLO"
expect_rc 5 "install with the wrong libarchive"
expect_err "has no archive_" "it names the missing function"
expect_err "not the libarchive skillhost was built for" "it says the library is the wrong one"
expect_err "apt-get install libarchive13" "it names the Debian package again"
[ "$before" = "$(store_state)" ] && ok "the second refusal left the store as it was" || fail "the store changed"

LD_LIBRARY_PATH=$TMP/missing run "$SH" pack "$SKILLS_OUT/pkgsrc/example-hello-1.0.0" -o "$TMP/out.skill"
expect_rc 5 "pack without libarchive"; expect_err "apt-get install libarchive13" "pack names the package"
[ ! -e "$TMP/out.skill" ] && ok "the refused pack wrote no file" || fail "the refused pack left $TMP/out.skill"
[ -z "$(find "$TMP" -maxdepth 1 -name 'out.skill*')" ] && ok "nor a temporary file" || fail "a temporary file is left"

# verify only checks the signature: it never needed libarchive.
LD_LIBRARY_PATH=$TMP/missing run "$SH" verify "$HELLO" -p "$DEVPUB"
expect_rc 0 "verify without libarchive"; expect_out "example/hello 1.0.0" "verify names the package"

# serve --http opens libmicrohttpd before the store and the skills: it
# fails at once, having opened, run and written nothing (the trace would
# show the runtime it opened and closed; the debug log, the store).
run "$SH" install "$HELLO"; expect_rc 0 "install hello for serve to find"
before_serve=$(store_state)
for dir in missing wrong; do
  LD_LIBRARY_PATH=$TMP/$dir SKILLHOST_TRACE=timings SKILLHOST_LOG_LEVEL=debug \
    run "$SH" serve --http 127.0.0.1:0 \
    --skill "$LIB/hello.so" --ready-file "$TMP/$dir.ready"
  expect_rc 5 "serve --http with the $dir libmicrohttpd"
  expect_err "libmicrohttpd" "it names the library"
  expect_err "apt-get install libmicrohttpd12" "it names the Debian package"
  [ ! -e "$TMP/$dir.ready" ] && ok "no ready file" || fail "serve wrote its ready file"
  case "$err" in
    *"runtime:"*|*"store:"*) fail "serve --http opened the store or the skills before it failed: $(grep -E 'runtime:|store:' <<<"$err" | head -3)" ;;
    *) ok "serve --http failed before it opened the store or a skill" ;;
  esac
  [ "$(grep -c . <<<"$err")" = 1 ] && ok "the error is all it printed" || fail "more than the error: $err"
  [ "$before_serve" = "$(store_state)" ] && ok "the store is as it was" || fail "serve changed the store"
done
# ... nor does it create a store that is not there.
SKILLHOST_HOME=$TMP/nohome LD_LIBRARY_PATH=$TMP/missing run "$SH" serve --http 127.0.0.1:0 --ready-file "$TMP/nohome.ready"
expect_rc 5 "serve --http without libmicrohttpd, no store yet"
[ ! -e "$TMP/nohome" ] && ok "no store created" || fail "serve created $TMP/nohome"
run "$SH" remove example/hello; expect_rc 0 "remove again"

# doctor says which of them are there, and what to install otherwise.
run "$SH" doctor
expect_out "libarchive        libarchive.so.13" "doctor finds libarchive"
expect_out "libmicrohttpd     libmicrohttpd.so.12" "doctor finds libmicrohttpd"
expect_out "libcrypto         libcrypto.so.3" "doctor finds libcrypto"
LD_LIBRARY_PATH=$TMP/missing run "$SH" doctor
expect_out "libarchive        MISSING: cannot load libarchive" "doctor reports libarchive missing"
expect_out "apt-get install libmicrohttpd12" "doctor says what to install"
LD_LIBRARY_PATH=$TMP/missing run "$SH" --json doctor
expect_out '"libarchive_error":' "doctor --json reports it"
expect_out '"libcrypto":' "and the libraries that are there"

# Without libcrypto, BLAKE2b-512 over large files (b2fast.h) falls back to
# libsodium: doctor, the info log and verify's trace say that libcrypto
# (libssl3) could not be loaded and that hashing falls back, not that
# libcrypto "has no BLAKE2B-512". verify still checks the signature.
mkdir -p "$TMP/nocrypto" "$TMP/big/assets"
echo "not a shared object" >"$TMP/nocrypto/libcrypto.so.3"
cp -r "$SKILLS_OUT/pkgsrc/example-hello-1.0.0/." "$TMP/big/"
head -c $((5 << 20)) /dev/urandom >"$TMP/big/assets/data.bin" # > B2FAST_MIN_BYTES
sed -i 's/^{/{ "include": ["assets\/data.bin"],/' "$TMP/big/manifest.json"
{ "$SH" pack "$TMP/big" -o "$TMP/big.skill" && "$SH" sign "$TMP/big.skill" -s "$SKILLS_OUT/dev.sec"; } >/dev/null \
  || fail "cannot make a 5 MiB package"
LD_LIBRARY_PATH=$TMP/nocrypto SKILLHOST_TRACE=timings SKILLHOST_LOG_LEVEL=info \
  run "$SH" verify "$TMP/big.skill" -p "$DEVPUB"
expect_rc 0 "verify of a 5 MiB package without libcrypto"
expect_out "example/hello 1.0.0" "it verifies with libsodium"
expect_err "hash: libcrypto (libcrypto.so.3, Debian package libssl3) could not be loaded; BLAKE2b-512 by libsodium (slower) instead" \
  "the trace says libcrypto could not be loaded and hashing fell back"
expect_err "info: cannot load libcrypto (libcrypto.so.3)" "the info log names the library"
expect_err "BLAKE2b-512 hashing falls back to libsodium, which is slower" "and says hashing falls back"
case "$err" in *"no BLAKE2B-512"*) fail "it blames BLAKE2B-512 for a missing library" ;; *) ok "it does not blame BLAKE2B-512" ;; esac
LD_LIBRARY_PATH=$TMP/nocrypto run "$SH" doctor
expect_out "BLAKE2b-512       libsodium, not libcrypto: cannot load libcrypto (libcrypto.so.3)" "doctor says hashing is libsodium's, and why"
expect_out "apt-get install libssl3); until then, BLAKE2b-512 hashing falls back to libsodium" "doctor names the package and the fallback"
LD_LIBRARY_PATH=$TMP/nocrypto run "$SH" --json doctor
expect_out '"blake2b": "libsodium"' "doctor --json: hashing by libsodium"
expect_out '"blake2b_fallback": "cannot load libcrypto' "doctor --json: why"
run "$SH" doctor
expect_out "BLAKE2b-512       lib" "doctor names the hash implementation with libcrypto there"
case "$out" in *"libsodium, not libcrypto"*) fail "doctor reports a fallback with libcrypto there" ;; *) ok "no fallback with libcrypto there" ;; esac

# What does not need them keeps working without them.
run "$SH" install "$HELLO"; expect_rc 0 "install again with libarchive"
LD_LIBRARY_PATH=$TMP/missing run "$SH" call example/hello.greet '{"name":"x"}' --compact
expect_rc 0 "call without libarchive and libmicrohttpd"; expect_out "Hello, x!" "it answers"
LD_LIBRARY_PATH=$TMP/missing run "$SH" tools; expect_rc 0 "tools without them"
expect_out "example/hello.greet" "tools lists the installed tool"
echo '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}' >"$TMP/init.json"
out=$(LD_LIBRARY_PATH=$TMP/missing "$SH" serve --stdio <"$TMP/init.json" 2>"$TMP/stdio.err") && rc=0 || rc=$?
expect_rc 0 "serve --stdio without libmicrohttpd"
expect_out '"protocolVersion"' "it answers initialize"

finish
