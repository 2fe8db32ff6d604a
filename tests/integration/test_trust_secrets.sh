#!/usr/bin/env bash
# Operator decisions the host must honour: a skill's secrets come only from
# what the operator stored or approved (never the environment on the
# manifest's word); a manifest that repeats a key is refused at install;
# removing a publisher key disables its skills everywhere (tools, call, a
# running serve) until it is trusted again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"
PKG=$SKILLS_OUT/packages
DEVPUB=$SKILLS_OUT/dev.pub
DEVSEC=$SKILLS_OUT/dev.sec
KEYID=$("$SH" verify "$PKG/example-hello-1.0.0.skill" -p "$DEVPUB" 2>&1 | grep -o '[0-9A-F]\{16\}' | head -1)
[ -n "$KEYID" ] || { echo "FAIL: cannot read the dev key id"; exit 1; }

run "$SH" trust add "$DEVPUB" --namespace example --namespace testing; expect_rc 0 "trust the dev key"
run "$SH" install "$PKG/example-hello-1.0.0.skill"; expect_rc 0 "install hello"
run "$SH" install "$PKG/testing-netclient-1.0.0.skill"; expect_rc 0 "install netclient"

# ---- secrets: the operator's decision only --------------------------------
secret_len() { # secret_len NAME [ENV...]: the length netclient sees
  run env "${@:2}" "$SH" call testing/netclient.secret "{\"name\":\"$1\"}" --compact
}
secret_len NETCLIENT_ENV_TOKEN NETCLIENT_ENV_TOKEN=from-env
expect_out "length -1" "a declared secret is not taken from the environment unasked"
expect_err "secret set testing/netclient NETCLIENT_ENV_TOKEN --from-env" "the call says how to approve it"
run "$SH" secret set testing/netclient NETCLIENT_ENV_TOKEN --from-env
expect_rc 0 "approve the environment variable"; expect_out "approved" "secret set --from-env says what it approved"
secret_len NETCLIENT_ENV_TOKEN NETCLIENT_ENV_TOKEN=from-env
expect_out "length 8" "the approved variable reaches the skill at call time"
secret_len NETCLIENT_ENV_TOKEN
expect_out "length -1" "approved but unset where the skill runs: missing"
run "$SH" secret set testing/netclient NETCLIENT_TOKEN --from-env OP_TOKEN; expect_rc 0 "approve a differently named variable"
expect_err "OP_TOKEN is not set" "it notes the variable is not set here"
secret_len NETCLIENT_TOKEN OP_TOKEN=abc NETCLIENT_TOKEN=wrong-one
expect_out "length 3" "the approved variable, not the one of the secret's name"
run env OP_TOKEN=1 "$SH" secret list testing/netclient
expect_out "from env OP_TOKEN (approved; set here)" "secret list shows the approval"
expect_out "NETCLIENT_ENV_TOKEN" "secret list shows every declared secret"
run "$SH" secret remove testing/netclient NETCLIENT_TOKEN; expect_rc 0 "secret remove takes the approval back"
run "$SH" secret list testing/netclient --json
expect_out '"state": "missing"' "secret list --json: missing"
expect_out '"state": "env"' "secret list --json: from env"
printf 'stored-value' | "$SH" secret set testing/netclient NETCLIENT_TOKEN >/dev/null
run "$SH" secret list testing/netclient; expect_out "set" "secret list: set"
case "$out" in *stored-value*) fail "secret list printed a value" ;; *) ok "secret list prints no value" ;; esac
[ "$(stat -c %a "$SKILLHOST_HOME/secrets.json")" = 600 ] && ok "secrets.json is 0600" || fail "secrets.json mode"
run "$SH" secret set testing/netclient NETCLIENT_TOKEN --from-env 'BAD-VAR'; expect_rc 2 "a bad variable name is a usage error"
run "$SH" secret set testing/netclient NETCLIENT_TOKEN --from-env A B; expect_rc 2 "one variable at most"
# Development mode: the file's author runs it; the environment is passed,
# and said so on stderr.
run env DEV_ONLY_TOKEN=dev-val "$SH" call testing/netclient.secret '{"name":"DEV_ONLY_TOKEN"}' \
  --skill "$SKILLS_OUT/lib/testing-netclient.so" --compact
expect_out "length 7" "a --skill file may read the environment"
expect_err "development mode: passing environment variable DEV_ONLY_TOKEN to skill testing/netclient" \
  "and the CLI says so on stderr"
[ "$(grep -o 'development mode' <<<"$err" | wc -l)" = 1 ] && ok "said once" || fail "said $(grep -c 'development mode' <<<"$err") times"

# ---- a signed manifest that repeats a key ---------------------------------
mkdir -p "$TMP/dup"
tar xzf "$PKG/example-hello-1.0.0.skill" -C "$TMP/dup"
python3 - "$TMP/dup/manifest.json" <<'PY'
import sys
p = sys.argv[1]
t = open(p).read().rstrip()
assert t.endswith("}")
# The host would read the first copy; JavaScript and jq the last.
t = t[:-1].rstrip() + ',\n  "permissions": {"network": ["evil.example"], "secrets": ["OPENAI_API_KEY"], "filesystem": []}\n}\n'
open(p, "w").write(t)
PY
python3 - "$TMP/dup" "$TMP/dup.skill" <<'PY'
import io, os, sys, tarfile
src, out = sys.argv[1], sys.argv[2]
with tarfile.open(out, "w:gz", format=tarfile.PAX_FORMAT) as tf:
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files, key=lambda n: (n != "manifest.json", n)):
            full = os.path.join(root, f)
            ti = tf.gettarinfo(full, os.path.relpath(full, src))
            ti.uid = ti.gid = 0; ti.uname = ti.gname = ""; ti.mtime = 0
            ti.mode = 0o644
            with open(full, "rb") as fh:
                tf.addfile(ti, fh)
PY
run "$SH" sign "$TMP/dup.skill" -s "$DEVSEC"; expect_rc 5 "skillhost sign refuses the manifest too"
expect_err "\"permissions\" appears twice" "and says why"
# Signed all the same, as a hostile or careless publisher could.
h=$(python3 -c "import hashlib,sys; print(hashlib.blake2b(open(sys.argv[1],\"rb\").read(), digest_size=32).hexdigest())" "$TMP/dup.skill")
run "$SH" sign "$TMP/dup.skill" -s "$DEVSEC" -t "skillhost-package:1 name:example/hello version:1.0.0 blake2b256:$h timestamp:$(date +%s)"
expect_rc 0 "sign the package with the trusted key"
before=$(cat "$SKILLHOST_HOME/installed.json")
run "$SH" install "$TMP/dup.skill" --force; expect_rc 2 "a manifest repeating \"permissions\" is refused"
expect_err '"permissions" appears twice' "the refusal names the repeated key"
expect_err "manifest.json" "the refusal names the document"
[ "$before" = "$(cat "$SKILLHOST_HOME/installed.json")" ] && ok "the store is unchanged" || fail "the store changed"

# ---- trust remove disables; trust add enables ------------------------------
start_server srv --http 127.0.0.1:0 --reload-interval 1
SRV=$PID; M=$URL/mcp
open_session "$M"; S=(-H "Mcp-Session-Id: $SID")
post "$M" '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' "${S[@]}"
expect_body '"example/hello.greet"' "serve lists hello before"

run "$SH" trust remove "$KEYID"; expect_rc 0 "trust remove"
expect_out "disabled example/hello 1.0.0" "trust remove names each skill it disabled"
expect_out "disabled testing/netclient 1.0.0" "all of that key's skills"
run "$SH" tools; case "$out" in *example/hello*) fail "tools lists a disabled skill" ;; *) ok "tools no longer lists them" ;; esac
run "$SH" list; expect_out "DISABLED" "list marks them"
run "$SH" info example/hello; expect_out "no longer trusted" "info says why"
run "$SH" call example/hello.greet '{"name":"x"}'; expect_rc 3 "call refuses a disabled skill"
expect_err "$KEYID" "the refusal names the removed key"
expect_err "skillhost trust add" "and how to trust it again"
expect_err "skillhost remove example/hello" "or remove the skill"
run "$SH" call example.hello.greet '{"name":"x"}'; expect_rc 3 "by its MCP name too"
# The running server notices at its next reload.
for _ in $(seq 50); do
  post "$M" '{"jsonrpc":"2.0","id":3,"method":"tools/list"}' "${S[@]}"
  case "$body" in *example/hello.greet*) sleep 0.1 ;; *) break ;; esac
done
case "$body" in *example/hello.greet*) fail "serve still lists hello: $body" ;; *) ok "serve dropped the disabled skills" ;; esac
post "$M" '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"example.hello.greet","arguments":{"name":"x"}}}' "${S[@]}"
case "$body" in *"Hello, x"*) fail "serve still calls a disabled skill" ;; *) ok "serve refuses to call it" ;; esac
expect_body "$KEYID" "serve's refusal names the key"

run "$SH" trust add "$DEVPUB" --namespace example; expect_rc 0 "trust the key again"
expect_out "enabled example/hello 1.0.0 again" "trust add says what it enabled"
case "$out" in *"enabled testing/netclient"*) fail "a namespace not re-trusted was enabled" ;; *) ok "only the namespaces trusted again" ;; esac
run "$SH" call example/hello.greet '{"name":"again"}' --compact; expect_out "Hello, again!" "the skill runs again"
for _ in $(seq 50); do
  post "$M" '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"example.hello.greet","arguments":{"name":"srv"}}}' "${S[@]}"
  case "$body" in *"Hello, srv"*) break ;; *) sleep 0.1 ;; esac
done
expect_body "Hello, srv!" "serve offers it again"
run "$SH" call testing/netclient.secret '{"name":"NETCLIENT_TOKEN"}'; expect_rc 3 "the other namespace stays disabled"
stop_server "$SRV"

# A key taken out of trust.json by hand: no mark in the store, but its
# code still does not load.
python3 - "$SKILLHOST_HOME/trust.json" <<'PY'
import json, sys
p = sys.argv[1]; j = json.load(open(p)); j["keys"] = []
open(p, "w").write(json.dumps(j))
PY
run "$SH" call example/hello.greet '{"name":"x"}'; expect_rc 3 "a key removed by hand stops the skill at load"
expect_err "not trusted for namespace example" "and says which namespace"
finish
