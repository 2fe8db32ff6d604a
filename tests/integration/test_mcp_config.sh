#!/usr/bin/env bash
# `skillhost mcp-config`: the snippet each client's documentation asks for
# (Claude Desktop, VS Code, Cursor), over stdio and HTTP, and the stdio
# command it writes really starts a working server.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mcp_lib.sh"
need_node
# js EXPR: evaluate EXPR with `c` = the JSON in $out; prints the result.
js() { printf '%s' "$out" | node -e "const c=JSON.parse(require('fs').readFileSync(0,'utf8')); console.log($1)"; }

run "$SH" mcp-config --help; expect_rc 0 "--help"; expect_out "claude-desktop" "help names the clients"
run "$SH" mcp-config; expect_rc 2 "needs --client"
run "$SH" mcp-config --client emacs; expect_rc 2 "unknown client"; expect_err "vscode" "lists the known ones"
run "$SH" mcp-config --client vscode --http ftp://x; expect_rc 2 "bad URL"
run "$SH" mcp-config --client vscode --token; expect_rc 2 "--token without --http"
run "$SH" mcp-config --client cursor --name 'bad name'; expect_rc 2 "bad --name"

run "$SH" --home "$TMP/h" mcp-config --client claude-desktop --skill "$LIB/hello.so"
expect_rc 0 "claude-desktop stdio"
[ "$(js 'typeof c.mcpServers.skillhost.command')" = string ] && ok "mcpServers.skillhost.command" || fail "claude: $out"
[ "$(js 'c.mcpServers.skillhost.args.join(" ")')" = "--home $TMP/h serve --stdio --skill $LIB/hello.so" ] \
  && ok "args: --home, serve --stdio, the skill" || fail "claude args: $(js 'c.mcpServers.skillhost.args')"
[ "$(js 'c.mcpServers.skillhost.command')" = "$(readlink -f "$SH")" ] && ok "the command is this binary, absolute" || fail "command"
# The entry works: start it as a client would.
cmd=$(js 'c.mcpServers.skillhost.command'); mapfile -t args < <(js 'c.mcpServers.skillhost.args.join("\n")')
reply=$(printf '%s\n%s\n' "$INIT" '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' | timeout 10 "$cmd" "${args[@]}" 2>/dev/null)
case "$reply" in *example/hello.greet*) ok "the configured command serves the tools" ;; *) fail "configured server: $reply" ;; esac

run "$SH" mcp-config --client vscode; expect_rc 0 "vscode stdio"
[ "$(js 'c.servers.skillhost.type')" = stdio ] && ok "servers.skillhost.type stdio" || fail "vscode: $out"
run "$SH" mcp-config --client vscode --http http://127.0.0.1:8080 --token
expect_rc 0 "vscode http"
[ "$(js 'c.servers.skillhost.type + " " + c.servers.skillhost.url')" = "http http://127.0.0.1:8080/mcp" ] \
  && ok "type http, /mcp added" || fail "vscode http: $out"
[ "$(js 'c.servers.skillhost.headers.Authorization')" = 'Bearer ${input:skillhost-token}' ] \
  && ok "the token comes from an input" || fail "vscode header"
[ "$(js 'c.inputs[0].type + " " + c.inputs[0].id + " " + c.inputs[0].password')" = "promptString skillhost-token true" ] \
  && ok "a password promptString input" || fail "vscode inputs: $out"

run "$SH" mcp-config --client cursor --http https://mcp.example.com/mcp --token-env MY_TOKEN --name tools
expect_rc 0 "cursor http"
[ "$(js 'c.mcpServers.tools.url')" = https://mcp.example.com/mcp ] && ok "cursor url kept" || fail "cursor: $out"
[ "$(js 'c.mcpServers.tools.headers.Authorization')" = 'Bearer ${env:MY_TOKEN}' ] && ok "cursor reads the token from env" || fail "cursor header"
SKILLHOST_HOME="$TMP/envhome" run "$SH" mcp-config --client cursor; expect_rc 0 "cursor stdio"
[ "$(js 'c.mcpServers.skillhost.args.join(" ")')" = "--home $TMP/envhome serve --stdio" ] && ok "cursor stdio args carry the store of SKILLHOST_HOME" || fail "cursor stdio: $out"
[ "$(js 'c.mcpServers.skillhost.env.SKILLHOST_HOME')" = "$TMP/envhome" ] && ok "and SKILLHOST_HOME in env" || fail "cursor env: $out"
# A relative --home becomes absolute: the client starts elsewhere.
(cd "$TMP" && "$SH" --home rel mcp-config --client windsurf) > "$TMP/ws.json"
out=$(cat "$TMP/ws.json")
[ "$(js 'c.mcpServers.skillhost.env.SKILLHOST_HOME')" = "$TMP/rel" ] && ok "a relative store is made absolute" || fail "windsurf: $out"

# The other clients' shapes.
run "$SH" --home "$TMP/h" mcp-config --client zed; expect_rc 0 "zed"
[ "$(js 'c.context_servers.skillhost.args.slice(-2).join(" ")')" = "serve --stdio" ] && ok "zed context_servers" || fail "zed: $out"
run "$SH" --home "$TMP/h" mcp-config --client gemini-cli --http http://127.0.0.1:8080 --token
[ "$(js 'c.mcpServers.skillhost.httpUrl + " " + c.mcpServers.skillhost.headers.Authorization')" = 'http://127.0.0.1:8080/mcp Bearer $SKILLHOST_TOKEN' ] \
  && ok "gemini-cli httpUrl and \$VAR header" || fail "gemini http: $out"
run "$SH" mcp-config --client windsurf --http http://127.0.0.1:8080/mcp
[ "$(js 'c.mcpServers.skillhost.serverUrl')" = http://127.0.0.1:8080/mcp ] && ok "windsurf serverUrl" || fail "windsurf http: $out"
run "$SH" --home "$TMP/h" mcp-config --client claude-code --skill "$LIB/hello.so"; expect_rc 0 "claude-code"
expect_out "claude mcp add --scope project --transport stdio --env 'SKILLHOST_HOME=$TMP/h' 'skillhost' -- '$(readlink -f "$SH")' '--home' '$TMP/h' 'serve' '--stdio' '--skill'" "claude-code: the claude mcp add command"
run "$SH" --home "$TMP/h" mcp-config --client codex; expect_rc 0 "codex"
expect_out '[mcp_servers.skillhost]' "codex TOML table"; expect_out "env = { SKILLHOST_HOME = \"$TMP/h\" }" "codex env"
run "$SH" mcp-config --client codex --http http://h:1/mcp --token-env TOK
expect_out 'bearer_token_env_var = "TOK"' "codex reads the token from a variable"

# --write: merged, other entries kept, a backup, idempotent, refusals.
printf '{"mcpServers":{"other":{"command":"x"}},"theme":"dark"}' > "$TMP/cursor.json"
run "$SH" --home "$TMP/h" mcp-config --client cursor --write --config-file "$TMP/cursor.json"; expect_rc 0 "--write"
out=$(cat "$TMP/cursor.json")
[ "$(js 'Object.keys(c.mcpServers).join(",") + " " + c.theme')" = "other,skillhost dark" ] && ok "--write keeps the other entries" || fail "merged: $out"
[ "$(cat "$TMP/cursor.json.bak")" = '{"mcpServers":{"other":{"command":"x"}},"theme":"dark"}' ] && ok "the old file is in .bak" || fail "backup"
sum=$(md5sum < "$TMP/cursor.json")
run "$SH" --home "$TMP/h" mcp-config --client cursor --write --config-file "$TMP/cursor.json"; expect_rc 0 "--write again"
expect_out "nothing changed" "a second --write says so"
[ "$(md5sum < "$TMP/cursor.json")" = "$sum" ] && ok "and changes nothing" || fail "second write changed the file"
run "$SH" --home "$TMP/other" mcp-config --client cursor --write --config-file "$TMP/cursor.json"
[ "$(node -e 'console.log(require(process.argv[1]).mcpServers.skillhost.env.SKILLHOST_HOME)' "$TMP/cursor.json")" = "$TMP/other" ] && ok "a changed entry is replaced" || fail "replace"
printf '{ // a comment\n "mcpServers": {} }' > "$TMP/zed.json"
run "$SH" mcp-config --client zed --write --config-file "$TMP/zed.json"; expect_rc 5 "an unparsable file is refused"
expect_err "cannot parse $TMP/zed.json" "naming the file"
[ "$(cat "$TMP/zed.json")" = "$(printf '{ // a comment\n "mcpServers": {} }')" ] && [ ! -e "$TMP/zed.json.bak" ] && ok "and left as it was" || fail "zed file touched"
HOME="$TMP/fakehome" run "$SH" --home "$TMP/h" mcp-config --client gemini-cli --write; expect_rc 0 "--write to the client's own file"
[ -f "$TMP/fakehome/.gemini/settings.json" ] && ok "gemini-cli: ~/.gemini/settings.json created" || fail "no gemini settings"
printf 'model = "o3"\n\n[mcp_servers.other]\ncommand = "x"\n' > "$TMP/config.toml"
run "$SH" --home "$TMP/h" mcp-config --client codex --write --config-file "$TMP/config.toml"; expect_rc 0 "codex --write"
grep -q '^model = "o3"' "$TMP/config.toml" && grep -q '^\[mcp_servers.other\]' "$TMP/config.toml" && grep -q '^\[mcp_servers.skillhost\]' "$TMP/config.toml" \
  && ok "codex: merged into config.toml, the rest kept" || fail "codex toml: $(cat "$TMP/config.toml")"
sum=$(md5sum < "$TMP/config.toml")
run "$SH" --home "$TMP/h" mcp-config --client codex --write --config-file "$TMP/config.toml"; expect_out "nothing changed" "codex --write is idempotent"
[ "$(md5sum < "$TMP/config.toml")" = "$sum" ] && ok "codex file unchanged" || fail "codex rewrite changed it"
run "$SH" --home "$TMP/h2" mcp-config --client codex --write --config-file "$TMP/config.toml"
[ "$(grep -c '^\[mcp_servers.skillhost\]' "$TMP/config.toml")" = 1 ] && grep -q "$TMP/h2" "$TMP/config.toml" && ! grep -q "\"$TMP/h\"" "$TMP/config.toml" \
  && ok "codex: the table is replaced, not repeated" || fail "codex replace: $(cat "$TMP/config.toml")"
printf 'mcp_servers = { skillhost = { command = "x" } }\n' > "$TMP/inline.toml"
run "$SH" mcp-config --client codex --write --config-file "$TMP/inline.toml"; expect_rc 5 "inline mcp_servers refused"
run "$SH" mcp-config --client cursor --config-file x; expect_rc 2 "--config-file needs --write"

run "$SH" mcp-config --client claude-desktop --http http://127.0.0.1:9000/mcp --token
expect_rc 0 "claude-desktop http"
[ "$(js 'c.mcpServers.skillhost.command + " " + c.mcpServers.skillhost.args.join(" ")')" = \
  'npx -y mcp-remote http://127.0.0.1:9000/mcp --header Authorization:${SKILLHOST_AUTH}' ] \
  && ok "HTTP for Claude Desktop goes through mcp-remote" || fail "claude http: $out"
[ -n "$(js 'c.mcpServers.skillhost.env.SKILLHOST_AUTH')" ] && ok "with the header in env" || fail "claude env"
finish
