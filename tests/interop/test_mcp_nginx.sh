#!/usr/bin/env bash
# Stateless mode behind Debian's nginx: two `skillhost serve --http
# --stateless` backends on loopback behind one nginx upstream. Clients (the
# official SDK client and curl) go through nginx; requests spread over
# both backends, event streams pass unbuffered, and when one backend drains
# and exits the other takes every request.
. "$TESTS_DIR/integration/lib.sh"
. "$TESTS_DIR/integration/mcp_lib.sh"
need_node
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$NGINX" ]; then
  skip "nginx is not installed (apt-get install nginx-light)"
fi
LIBS=(--skill "$LIB/testing-everything.so" --skill "$LIB/testing-sleeper.so"
      --skill "$LIB/testing-noop.so" --page-size 3)

start_server a --http 127.0.0.1:0 --stateless "${LIBS[@]}"; PA=$PID; UA=$URL
start_server b --http 127.0.0.1:0 --stateless "${LIBS[@]}"; PB=$PID; UB=$URL
PORT=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
mkdir -p "$TMP/nginx"
user=""; [ "$(id -u)" = 0 ] && user="user root;"
cat > "$TMP/nginx/nginx.conf" <<CONF
$user
worker_processes 1;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
  log_format up '\$upstream_addr \$status';
  access_log $TMP/nginx/access.log up;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  upstream skillhost {
    server ${UA#http://} max_fails=1 fail_timeout=30s;
    server ${UB#http://} max_fails=1 fail_timeout=30s;
    keepalive 16;
  }
  server {
    listen 127.0.0.1:$PORT;
    location / {
      proxy_pass http://skillhost;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_buffering off;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_read_timeout 60s;
    }
  }
}
CONF
"$NGINX" -t -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" >/dev/null 2>&1 || { fail "nginx rejects the config"; "$NGINX" -t -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx"; finish; }
"$NGINX" -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" 2>>"$TMP/nginx/error.log" &
NGX=$!
MCP_PIDS+=("$NGX")
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
M=http://127.0.0.1:$PORT/mcp

echo "--- the SDK client through nginx"
MCP_STATELESS=1 timeout 120 node "$TESTS_DIR/interop/mcp_sdk_client.mjs" "$NM" http "$M" > "$TMP/sdk.out" 2>&1
rc=$?; grep -E "^(ok|FAIL):" "$TMP/sdk.out" | grep -v "^ok:" ; [ "$rc" = 0 ] && ok "the SDK client passes through nginx" || { fail "SDK client through nginx"; tail -5 "$TMP/sdk.out"; }

: > "$TMP/nginx/access.log.mark"
good=0
for i in $(seq 40); do
  post "$M" "{\"jsonrpc\":\"2.0\",\"id\":$i,\"method\":\"tools/call\",\"params\":{\"name\":\"testing.noop.echo\",\"arguments\":{\"text\":\"n$i\"}}}"
  [ "$code" = 200 ] && case "$body" in *"\"text\":\"n$i\""*) good=$((good + 1)) ;; esac
done
[ "$good" = 40 ] && ok "40 calls through nginx, each answered" || fail "only $good of 40 calls answered"
a=$(grep -c "^${UA#http://} 200" "$TMP/nginx/access.log"); b=$(grep -c "^${UB#http://} 200" "$TMP/nginx/access.log")
[ "$a" -gt 5 ] && [ "$b" -gt 5 ] && ok "both backends served ($a and $b requests)" || fail "spread: $a and $b"
post "$M" '{"jsonrpc":"2.0","id":50,"method":"tools/call","params":{"name":"testing.everything.progress","arguments":{"steps":3},"_meta":{"progressToken":"t"}}}'
expect_hdr "content-type: text/event-stream" "event streams pass through nginx"
expect_body '"progress":3' "with their progress events"
case "$body" in *'"id":50,"result"'*) ok "and the response" ;; *) fail "no response in the stream" ;; esac

# One backend drains and exits; nginx sends everything to the other.
stop_server "$PA"; [ "$stop_rc" = 0 ] && ok "backend a drains and exits" || fail "backend a exit $stop_rc"
good=0
for i in $(seq 20); do
  post "$M" "{\"jsonrpc\":\"2.0\",\"id\":$i,\"method\":\"tools/call\",\"params\":{\"name\":\"testing.noop.echo\",\"arguments\":{\"text\":\"m$i\"}}}"
  [ "$code" = 200 ] && case "$body" in *"\"text\":\"m$i\""*) good=$((good + 1)) ;; esac
done
[ "$good" = 20 ] && ok "with one backend gone, all 20 calls are answered" || fail "only $good of 20 after failover"
kill -QUIT "$NGX"; wait "$NGX" 2>/dev/null
stop_server "$PB"; [ "$stop_rc" = 0 ] && ok "backend b stops cleanly" || fail "backend b exit $stop_rc"
finish
