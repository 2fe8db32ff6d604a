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
run "$SH" mcp-config --client cursor; expect_rc 0 "cursor stdio"
[ "$(js 'c.mcpServers.skillhost.args.join(" ")')" = "serve --stdio" ] && ok "cursor stdio args" || fail "cursor stdio: $out"

run "$SH" mcp-config --client claude-desktop --http http://127.0.0.1:9000/mcp --token
expect_rc 0 "claude-desktop http"
[ "$(js 'c.mcpServers.skillhost.command + " " + c.mcpServers.skillhost.args.join(" ")')" = \
  'npx -y mcp-remote http://127.0.0.1:9000/mcp --header Authorization:${SKILLHOST_AUTH}' ] \
  && ok "HTTP for Claude Desktop goes through mcp-remote" || fail "claude http: $out"
[ -n "$(js 'c.mcpServers.skillhost.env.SKILLHOST_AUTH')" ] && ok "with the header in env" || fail "claude env"
finish
