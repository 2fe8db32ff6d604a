# Helpers for the MCP server tests (sourced after lib.sh, not run).
# Every server listens on 127.0.0.1 with port 0 and reports its URL through
# --ready-file; every server started here is stopped on exit.
NODE_DIR=${SOURCE_DIR:?}/tests/node
NM=$NODE_DIR/node_modules
MCP_PIDS=()
trap 'for p in "${MCP_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; cleanup_test' EXIT

# start_server NAME ARGS...: `skillhost serve ARGS` in the background, its
# stderr in $TMP/NAME.err; sets URL (http://127.0.0.1:PORT) and PID.
# SERVE_POLICY=in-process puts the global --in-process before `serve`.
start_server() {
  local name=$1 global=()
  shift
  [ "${SERVE_POLICY:-isolated}" = in-process ] && global=(--in-process)
  rm -f "$TMP/$name.ready"
  "$SH" "${global[@]}" serve "$@" --ready-file "$TMP/$name.ready" 2>"$TMP/$name.err" &
  PID=$!
  MCP_PIDS+=("$PID")
  for _ in $(seq 300); do
    [ -s "$TMP/$name.ready" ] && break
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ ! -s "$TMP/$name.ready" ]; then
    echo "FAIL: server $name did not start"; cat "$TMP/$name.err"; exit 1
  fi
  URL=$(head -1 "$TMP/$name.ready")
}

# stop_server PID: SIGTERM, then wait up to 20 s; sets stop_rc.
stop_server() {
  kill -TERM "$1" 2>/dev/null
  for _ in $(seq 200); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$1" 2>/dev/null; then kill -9 "$1"; stop_rc=137; else
    wait "$1" 2>/dev/null; stop_rc=$?; fi
}

# need_node: the npm peers are installed by scripts/deps.sh; say so and
# skip only when they truly are absent.
need_node() {
  if ! command -v node >/dev/null || [ ! -d "$NM/@modelcontextprotocol/sdk" ]; then
    skip "node or the npm peers in tests/node are missing (run scripts/deps.sh)"
  fi
}

# post URL BODY [CURL ARGS...]: POST an MCP message; sets code, body and
# hdr (the response headers).
post() {
  local url=$1 data=$2; shift 2
  code=$(curl -s -o "$TMP/body" -D "$TMP/hdr" -w '%{http_code}' --max-time 20 \
    -H 'Content-Type: application/json' \
    -H 'Accept: application/json, text/event-stream' "$@" \
    --data-binary "$data" "$url")
  body=$(cat "$TMP/body"); hdr=$(cat "$TMP/hdr")
}

expect_code() { # expect_code WANT what
  if [ "$code" = "$1" ]; then ok "$2 (HTTP $code)"; else
    fail "$2: HTTP $code, wanted $1"; echo "  body: $body"; fi
}
expect_body() { # expect_body SUBSTRING what
  case "$body" in *"$1"*) ok "$2" ;; *) fail "$2: body lacks '$1'"; echo "  body: $body" ;; esac
}
expect_hdr() { # expect_hdr SUBSTRING what (case-insensitive)
  if grep -qi -- "$1" "$TMP/hdr"; then ok "$2"; else
    fail "$2: headers lack '$1'"; cat "$TMP/hdr"; fi
}

INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'

# open_session URL [CURL ARGS...]: initialize; sets SID.
open_session() {
  local url=$1; shift
  post "$url" "$INIT" "$@"
  SID=$(grep -i '^mcp-session-id:' "$TMP/hdr" | awk '{print $2}' | tr -d '\r')
  post "$url" '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
    -H "Mcp-Session-Id: $SID" "$@"
}

# echo_calls_config FILE URL SID FIRST COUNT: a curl config (-K) of COUNT
# tools/call of testing.noop.echo, ids FIRST.., each answering "n<id>",
# sent one after another over one connection: calls that come as fast as
# one client can send them, without a curl process per call.
echo_calls_config() {
  local i
  : >"$1"
  for i in $(seq "$4" $(($4 + $5 - 1))); do
    {
      echo "url = \"$2\""
      echo 'header = "Content-Type: application/json"'
      echo 'header = "Accept: application/json, text/event-stream"'
      echo "header = \"Mcp-Session-Id: $3\""
      echo 'header = "MCP-Protocol-Version: 2025-11-25"'
      printf 'data-binary = "%s"\n' "{\\\"jsonrpc\\\":\\\"2.0\\\",\\\"id\\\":$i,\\\"method\\\":\\\"tools/call\\\",\\\"params\\\":{\\\"name\\\":\\\"testing.noop.echo\\\",\\\"arguments\\\":{\\\"text\\\":\\\"n$i\\\"}}}"
      echo next
    } >>"$1"
  done
}

# rss_kb PID: resident set size in KiB.
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# install_for_test PKG: trust the build's dev key and install PKG. Returns
# 0 when installed; 1 after a failure; 2 when this is a sanitizer build
# whose sandboxed probe is killed (seccomp and ASan do not mix), which
# the caller reports as a skip of its install checks, naming the cause.
install_for_test() {
  "$SH" trust add "$SKILLS_OUT/dev.pub" --namespace testing >/dev/null 2>&1
  if "$SH" install "$1" >/dev/null 2>"$TMP/install.err"; then return 0; fi
  if [ "$SANITIZED" = 1 ] && grep -q "killed by signal" "$TMP/install.err"; then
    skip_part "install under ASan: $(cat "$TMP/install.err")"
    return 2
  fi
  fail "install $(basename "$1"): $(cat "$TMP/install.err")"
  return 1
}
