#!/usr/bin/env bash
# Egress by address and HTTP memory, end to end with a hostile installed
# skill (testing/egress: its manifest lists localhost, 127.0.0.1, 0.0.0.0,
# 169.254.169.254, [::1], [::ffff:127.0.0.1], [64:ff9b::7f00:1] and
# *.hostile.test) against real local servers (egress_server.py):
# "internal" plays a service on the operator's loopback that no skill may
# reach, and must never see a request; "permitted" is one the operator
# permits by its literal address; "v6" the same on ::1; "proxy" plays the
# operator's HTTP proxy. Every name or URL form that leads to a
# non-public address is refused with the host, address and rule, both
# isolated and in-process; the permitted literal address is reached; a
# skill that never frees its responses stops at the per-call limit with
# the host's RSS bounded.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"
PKG=$SKILLS_OUT/packages
HITS=$TMP/hits
: > "$HITS"
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"; }
trap cleanup EXIT

# serve ADDRESS NAME: start a server, set PORT.
serve() {
  python3 "$TESTS_DIR/integration/egress_server.py" "$1" "$2" "$HITS" > "$TMP/$2.port" &
  PIDS+=($!)
  for _ in $(seq 600); do [ -s "$TMP/$2.port" ] && break; sleep 0.05; done
  PORT=$(cat "$TMP/$2.port")
  [ -n "$PORT" ] || { fail "server $2 on $1 did not start"; finish; }
}
serve 127.0.0.1 internal; PI=$PORT
serve 127.0.0.1 permitted; PP=$PORT
serve ::1 v6; P6=$PORT
serve 127.0.0.1 proxy; PX=$PORT

install_for_test "$PKG/testing-egress-1.0.0.skill"
case $? in 0) ;; 2) finish; exit 0 ;; *) finish; exit 1 ;; esac

MODE=()
fetch() { run "$SH" "${MODE[@]}" call testing/egress.fetch "{\"url\":\"$1\"}" --compact; }
# refused URL RULE WHAT: refused with the host's message naming RULE.
refused() {
  fetch "$1"
  expect_rc 1 "$3: refused${MODE[*]:+ (${MODE[*]})}"
  expect_out "request failed: status 5" "$3: the skill sees SKILL_ERR_DENIED"
  expect_err "$2" "$3: the message names the rule"
  expect_err "skillhost permit testing/egress" "$3: the message says how to permit it"
  expect_out "skillhost: request to" "$3: the tool result carries the host's reason"
  expect_out "$2" "$3: the tool result names the rule"
}
reached() { # reached URL BODY WHAT
  fetch "$1"
  expect_rc 0 "$3${MODE[*]:+ (${MODE[*]})}"
  expect_out "$2" "$3: the server's answer"
}

for mode in isolated in-process; do
  MODE=(); [ "$mode" = in-process ] && MODE=(--in-process)
  # Names in the manifest that lead to the operator's loopback.
  refused "http://localhost:$PI/ok" "loopback" "localhost (in the manifest) resolving to loopback"
  expect_err "request to localhost refused: it resolves to" "localhost: names the host and the address"
  refused "http://127.0.0.1:$PI/ok" "127.0.0.1 is loopback 127.0.0.0/8" "127.0.0.1 listed in the manifest"
  SKILLHOST_HTTP_RESOLVE="api.hostile.test:$PI:127.0.0.1" refused "http://api.hostile.test:$PI/ok" \
    "it resolves to 127.0.0.1, which is loopback 127.0.0.0/8" "an allowed public-looking name resolving to 127.0.0.1"
  SKILLHOST_HTTP_RESOLVE="meta.hostile.test:80:169.254.169.254" refused "http://meta.hostile.test/latest/meta-data/" \
    "169.254.169.254, which is link-local 169.254.0.0/16 (cloud metadata)" "a name resolving to the metadata address"
  refused "http://169.254.169.254/latest/meta-data/" "cloud metadata" "the metadata address"
  refused "http://[::1]:$PI/ok" "loopback ::1" "[::1]"
  refused "http://[::ffff:127.0.0.1]:$PI/ok" "IPv4-mapped IPv6 ::ffff:0:0/96 of loopback" "[::ffff:127.0.0.1]"
  refused "http://[64:ff9b::7f00:1]:$PI/ok" "NAT64 64:ff9b::/96 of loopback" "NAT64 of 127.0.0.1"
  refused "http://2130706433:$PI/ok" "loopback 127.0.0.0/8" "decimal 2130706433"
  refused "http://0x7f.1:$PI/ok" "loopback 127.0.0.0/8" "hex 0x7f.1"
  refused "http://0177.0.0.1:$PI/ok" "loopback 127.0.0.0/8" "octal 0177.0.0.1"
  refused "http://0.0.0.0:$PI/ok" "unspecified" "0.0.0.0"
done
MODE=()
[ ! -s "$HITS" ] && ok "no refused request reached any server" || fail "a refused request got through: $(cat "$HITS")"

# The operator permits one literal address and port.
run "$SH" permit testing/egress "127.0.0.1:$PP"; expect_rc 0 "permit 127.0.0.1:$PP"
run "$SH" permit testing/egress "[::1]:$P6"; expect_rc 0 "permit [::1]:$P6"
run "$SH" permit testing/egress "[::1"; expect_rc 2 "a malformed address permit is a usage error"
expect_err "an address (127.0.0.1:8080, [::1]:8080)" "the usage error says what a permit looks like"
for mode in isolated in-process; do
  MODE=(); [ "$mode" = in-process ] && MODE=(--in-process)
  reached "http://127.0.0.1:$PP/ok" "ok from permitted" "the permitted address is reached"
  reached "http://localhost:$PP/ok" "ok from permitted" "localhost reaches the permitted address"
  reached "http://[::1]:$P6/ok" "ok from v6" "the permitted [::1] address is reached"
  refused "http://127.0.0.1:$PI/ok" "loopback 127.0.0.0/8" "the permit opens that port only"
  # A public-looking allowed host (pinned to the permitted server)
  # redirecting to the operator's loopback or the metadata address.
  export SKILLHOST_HTTP_RESOLVE="api.hostile.test:$PP:127.0.0.1"
  refused "http://api.hostile.test:$PP/redirect?to=http://127.0.0.1:$PI/ok" "loopback 127.0.0.0/8" "a redirect to 127.0.0.1"
  refused "http://api.hostile.test:$PP/redirect?to=http://169.254.169.254/latest/meta-data/" "cloud metadata" "a redirect to 169.254.169.254"
  refused "http://api.hostile.test:$PP/redirect?to=http://[::ffff:127.0.0.1]:$PI/ok" "IPv4-mapped" "a redirect to [::ffff:127.0.0.1]"
  reached "http://api.hostile.test:$PP/redirect?to=http://127.0.0.1:$PP/ok" "|http://127.0.0.1:$PP/ok|ok from permitted" \
    "a redirect to the permitted address is followed"
  unset SKILLHOST_HTTP_RESOLVE
done
MODE=()
grep -q "^internal" "$HITS" && fail "the internal server was reached: $(cat "$HITS")" || ok "the internal server never saw a request"
run "$SH" info testing/egress; expect_out "127.0.0.1:$PP" "info shows the address permit"
run "$SH" permit testing/egress "127.0.0.1:$PP" --remove; expect_rc 0 "permit --remove"
refused "http://127.0.0.1:$PP/ok" "loopback" "refused again once the permit is removed"

# The operator's proxy is the operator's egress point: reaching it on
# loopback is allowed, and the proxy makes the onward connection.
http_proxy="http://127.0.0.1:$PX" run "$SH" call testing/egress.fetch \
  '{"url":"http://api.hostile.test/ok"}' --compact
expect_rc 0 "a request through the operator's proxy on 127.0.0.1"
expect_out "ok from proxy" "the proxy answered"
grep -q "^proxy http://api.hostile.test/ok" "$HITS" && ok "the proxy got the absolute URL" || fail "the proxy saw: $(cat "$HITS")"

# --- HTTP memory held by one call ---
# hoard MODE... : 300 x 1 MiB responses, none freed; peak RSS of the host
# (and its worker) in MiB in $RSS.
hoard() {
  RSS=$(python3 - "$SH" "$@" <<PYEOF
import os, resource, subprocess, sys
# A sanitizer build keeps freed memory in quarantine (256 MiB by default),
# which would count as held; a small one measures what the host holds.
env = dict(os.environ)
env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=8"
r = subprocess.run([sys.argv[1]] + sys.argv[2:] + ["call", "testing/egress.hoard",
    '{"url":"http://127.0.0.1:$PP/big","count":300}', "--compact"],
    capture_output=True, text=True, env=env)
open("$TMP/hoard.out", "w").write(r.stdout)
open("$TMP/hoard.err", "w").write(r.stderr)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
PYEOF
)
  out=$(cat "$TMP/hoard.out"); err=$(cat "$TMP/hoard.err")
}
run "$SH" permit testing/egress "127.0.0.1:$PP"; expect_rc 0 "permit again"
for mode in isolated in-process; do
  MODE=(); [ "$mode" = in-process ] && MODE=(--in-process)
  hoard "${MODE[@]}"
  expect_out "then status 7" "$mode: a skill that never frees stops with SKILL_ERR_NOMEM"
  n=$(sed -n 's/.*held \([0-9]*\) responses.*/\1/p' <<<"$out")
  [ -n "$n" ] && [ "$n" -ge 55 ] && [ "$n" -le 64 ] && ok "$mode: held $n MiB under the 64 MiB default" \
    || fail "$mode: held '$n' responses: $out"
  expect_err "HTTP responses it has not freed" "$mode: the message says what is held"
  expect_err "skillhost config testing/egress http-memory" "$mode: the message says how to raise it"
  [ "$RSS" -lt 200 ] && ok "$mode: peak RSS $RSS MiB (300 MiB asked for)" || fail "$mode: peak RSS $RSS MiB"
done
run "$SH" config testing/egress http-memory 8M; expect_rc 0 "http-memory policy"
hoard
n=$(sed -n 's/.*held \([0-9]*\) responses.*/\1/p' <<<"$out")
[ -n "$n" ] && [ "$n" -ge 5 ] && [ "$n" -le 8 ] && ok "http-memory 8M holds $n" || fail "http-memory 8M: $out"
run "$SH" config testing/egress http-memory lots; expect_rc 2 "http-memory must be a size"
# Many small responses: an isolated skill also stops at the host's handle
# table (4096), with a message; all are released when the call ends, so
# the next call starts from nothing. 4200 requests to a one-thread Python
# server can outlast the default 60 s deadline on a loaded machine.
run "$SH" call testing/egress.hoard "{\"url\":\"http://127.0.0.1:$PP/ok\",\"count\":4200}" --compact --timeout 10m
expect_out "held 4096 responses" "isolated: 4096 small responses held, then refused"
expect_out "then status 7" "isolated: the 4097th is SKILL_ERR_NOMEM"
expect_err "handles (HTTP responses, artifacts) it has not freed" "isolated: the handle limit says why"
run "$SH" call testing/egress.hoard "{\"url\":\"http://127.0.0.1:$PP/ok\",\"count\":3}" --compact
expect_out "held 3 responses" "the next call starts with nothing held"
finish
