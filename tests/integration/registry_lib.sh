# Helpers for the registry integration tests (sourced after lib.sh).
# Env from ctest: BUILD_DIR (skillreg is $BUILD_DIR/registry/skillreg),
# SKILLS_OUT (packages and the dev key the build signed with), TESTS_DIR.
: "${BUILD_DIR:?run through ctest}"
SR=$BUILD_DIR/registry/skillreg
PKG=$SKILLS_OUT/packages
DEVPUB=$SKILLS_OUT/dev.pub
DEVSEC=$SKILLS_OUT/dev.sec
EVIL=$(dirname "${BASH_SOURCE[0]}")/registry_evil_server.mjs
PLATFORM=$(ls "$SKILLS_OUT/pkgsrc/example-hello-1.0.0/lib" | grep -- -linux- | head -1)
[ -x "$SR" ] || skip "$SR is not built"
# The packages the tests publish, and where a test's registry and its keys
# live.
HELLO=$PKG/example-hello-1.0.0.skill
NOOP=$PKG/testing-noop-1.0.0.skill
REG=$TMP/reg
KEYS=$TMP/reg.keys

# Quiet, fast downloads: no progress bar, short backoff.
export SKILLHOST_PROGRESS=0 SKILLHOST_BACKOFF_MS=50 SKILLHOST_RETRIES=2

# Every server a test starts is stopped when it exits, whatever happens.
SERVER_PIDS=()
cleanup() {
  for p in "${SERVER_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${SERVER_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  cleanup_test
}
trap cleanup EXIT

# start_skillreg DIR [ARGS...]: serve DIR on a free loopback port; sets
# RS_URL (ending in /) and RS_PID.
start_skillreg() {
  local dir=$1 out=$TMP/skillreg-serve.$RANDOM
  shift
  "$SR" serve "$dir" --http 127.0.0.1:0 "$@" >"$out" 2>"$out.err" &
  RS_PID=$!
  SERVER_PIDS+=("$RS_PID")
  for _ in $(seq 100); do
    RS_URL=$(sed -n 's/.* at \(http[^ ]*\) .*/\1/p' "$out")
    [ -n "$RS_URL" ] && return 0
    kill -0 "$RS_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "FAIL: skillreg serve did not start: $(cat "$out.err")"
  exit 1
}

# start_evil DIR [ALT]: the adversarial server over DIR (mode "alt" serves
# from ALT); sets EVIL_URL (no trailing slash) and EVIL_PID. Mirrors are
# $EVIL_URL/m/NAME/.
start_evil() {
  command -v node >/dev/null || skip "node is needed (scripts/deps.sh test)"
  local out=$TMP/evil.$RANDOM
  node "$EVIL" --dir "$1" ${2:+--alt "$2"} --max-seconds 300 >"$out" 2>"$out.err" &
  EVIL_PID=$!
  SERVER_PIDS+=("$EVIL_PID")
  for _ in $(seq 100); do
    local port
    port=$(head -1 "$out")
    if [ -n "$port" ]; then EVIL_URL=http://127.0.0.1:$port; return 0; fi
    sleep 0.05
  done
  echo "FAIL: the test server did not start: $(cat "$out.err")"
  exit 1
}
evil_mode() { # evil_mode MIRROR PATH MODE
  curl -fsS "$EVIL_URL/__mode?mirror=$1&path=$2&mode=$3" >/dev/null
}
evil_reset() { curl -fsS "$EVIL_URL/__reset" >/dev/null; }

# pack_versioned VERSION [DESCRIPTION] [EPOCH] [SEC] [PUB]: package
# testing/versioned at VERSION (its code says that version), signed with
# SEC (default the dev key); prints the .skill path. EPOCH changes the
# archive's bytes without changing its content.
pack_versioned() {
  local v=$1 desc=${2:-Test fixture: one skill, several versions.}
  local epoch=${3:-0} sec=${4:-$DEVSEC} pub=${5:-$DEVPUB}
  local src=$TMP/src/versioned-$v-$epoch-$RANDOM out
  out=$TMP/pk/testing-versioned-$v-$epoch-$RANDOM.skill
  mkdir -p "$src/lib/$PLATFORM" "$TMP/pk"
  cp "$SKILLS_OUT/lib/testing-versioned-$v.so" "$src/lib/$PLATFORM/versioned.so"
  python3 - "$src/manifest.json" "$v" "$desc" "$PLATFORM" <<'EOF'
import json, sys
path, v, desc, plat = sys.argv[1:]
json.dump({"name": "testing/versioned", "version": v, "abi": 1,
           "description": desc, "license": "MIT",
           "platforms": {plat: f"lib/{plat}/versioned.so"},
           "tools": [{"name": "version", "description": "Return this build's version."}],
           "permissions": {"network": ["api.example.com"], "filesystem": ["artifacts"]}},
          open(path, "w"))
EOF
  SOURCE_DATE_EPOCH=$epoch "$SH" pack "$src" -o "$out" -p "$pub" >/dev/null &&
    "$SH" sign "$out" -s "$sec" >/dev/null || { echo "FAIL: pack $v" >&2; return 1; }
  echo "$out"
}

# store_snapshot: a digest of everything installed, to prove a refusal
# changed nothing.
store_snapshot() {
  ( cd "$SKILLHOST_HOME" 2>/dev/null &&
    { cat installed.json 2>/dev/null; cat trust.json 2>/dev/null
      find skills -type f 2>/dev/null | sort | xargs -r sha256sum; } ) | sha256sum
}
expect_store_unchanged() { # expect_store_unchanged BEFORE what
  if [ "$(store_snapshot)" = "$1" ]; then ok "$2: store unchanged"; else fail "$2: the store changed"; fi
  if [ -z "$(ls -A "$SKILLHOST_HOME/staging" 2>/dev/null)" ]; then :; else fail "$2: staging leftovers"; fi
}

# index_version_seen REGISTRY: the highest index version the client stored.
index_version_seen() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["index_version"])' \
    "$SKILLHOST_HOME/registries/$1/state.json"
}

# free_port: a free loopback TCP port.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
