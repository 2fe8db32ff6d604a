#!/usr/bin/env bash
# A registry folder served by Debian's nginx (as is: static files), then by
# nginx and `skillreg serve` as two mirrors of one registry: the host adds,
# searches and installs over HTTP from both, resumes a partial download
# with nginx's byte ranges, and falls over to the second server when the
# first one stops.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry_lib.sh"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || skip "nginx is not installed (scripts/deps.sh test)"

"$SR" -q init "$REG" >/dev/null
"$SR" -q publisher add "$REG" example "$DEVPUB" >/dev/null
"$SR" -q publisher add "$REG" testing "$DEVPUB" >/dev/null
"$SR" -q add "$REG" "$PKG/example-hello-1.0.0.skill" "$(pack_versioned 1.0.0)" >/dev/null ||
  { echo "FAIL: setup"; exit 1; }

# nginx as this user, with everything under a temporary prefix.
start_nginx() {
  local n=$TMP/nginx user=""
  mkdir -p "$n"
  [ "$(id -u)" = 0 ] && user="user $(id -un) $(id -gn);"
  NGINX_PORT=$(free_port)
  cat >"$n/nginx.conf" <<EOF
$user
worker_processes 1;
daemon off;
pid $n/nginx.pid;
error_log $n/error.log warn;
events { worker_connections 64; }
http {
  access_log $n/access.log;
  client_body_temp_path $n/body;
  proxy_temp_path $n/proxy;
  fastcgi_temp_path $n/fastcgi;
  uwsgi_temp_path $n/uwsgi;
  scgi_temp_path $n/scgi;
  types { application/json json; text/plain minisig; application/octet-stream skill; }
  default_type application/octet-stream;
  etag on;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $REG;
    location ~ ^/(index|root)\.json(\.minisig)?\$ {
      add_header Cache-Control "public, max-age=30";
    }
    location ~ ^/(roots|indexes|packages)/ {
      add_header Cache-Control "public, max-age=31536000, immutable";
    }
    location / { return 404; }
  }
}
EOF
  "$NGINX" -p "$n" -c "$n/nginx.conf" -e "$n/error.log" &
  NGINX_PID=$!
  SERVER_PIDS+=("$NGINX_PID")
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$NGINX_PORT/index.json" >/dev/null && return 0
    kill -0 "$NGINX_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "FAIL: nginx did not start: $(cat "$n/error.log" 2>/dev/null)"
  exit 1
}
start_nginx
NG=http://127.0.0.1:$NGINX_PORT/
ok "nginx serves the registry at $NG"

run curl -fsSI "${NG}packages/example/hello/hello-1.0.0.skill"
expect_out "immutable" "nginx: packages are immutable"; expect_out "ETag" "nginx: packages have an ETag"
run curl -fsSI "${NG}index.json"; expect_out "max-age=30" "nginx: the index is short-lived"

# ---- install from nginx --------------------------------------------------
run "$SH" registry add ng "$NG" --root-key "$KEYS/root.pub" --trust-publishers --namespace example --namespace testing
expect_rc 0 "registry add over nginx"; expect_out "trusted key" "publishers trusted as asked"
run "$SH" search version; expect_out "testing/versioned" "search over nginx"
run "$SH" install example/hello; expect_rc 0 "install from nginx"
run "$SH" call example/hello.greet '{"name":"nginx"}'; expect_out "Hello, nginx!" "the skill from nginx runs"

# A partial download left by an interrupted install is resumed with a
# byte range from nginx.
V=$REG/packages/testing/versioned/versioned-1.0.0.skill
hash=$(python3 -c 'import hashlib,sys; print(hashlib.blake2b(open(sys.argv[1],"rb").read(), digest_size=32).hexdigest())' "$V")
dl=$SKILLHOST_HOME/registries/ng/downloads
mkdir -p "$dl"
head -c $(( $(stat -c %s "$V") / 2 )) "$V" > "$dl/$hash.skill"
run "$SH" install testing/versioned@1.0.0; expect_rc 0 "install resumes a partial download"
expect_out "resumed" "the install says it resumed"
grep -q '" 206 ' "$TMP/nginx/access.log" && ok "nginx answered the resume with 206" || fail "no 206 in nginx's log"
[ ! -e "$dl/$hash.skill" ] && ok "the download is cleaned up" || fail "download leftover"

# ---- nginx and skillreg serve as mirrors of one registry -----------------
start_skillreg "$REG"
"$SH" remove example/hello >/dev/null
"$SH" remove testing/versioned >/dev/null
run "$SH" registry add both "$NG" --mirror "$RS_URL" --root-key "$KEYS/root.pub"
expect_rc 0 "a registry with nginx first and skillreg serve as its mirror"
"$SH" registry remove ng >/dev/null
kill "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null
run "$SH" install example/hello; expect_rc 0 "nginx is gone: the install comes from skillreg serve"
expect_err "trying the next mirror" "the fallover is reported"
run "$SH" registry update both; expect_rc 0 "the index comes from skillreg serve too"
run "$SH" install testing/versioned; expect_rc 0 "install from skillreg serve"
run "$SH" list; expect_out "testing/versioned" "both installed"
finish
