// mcp-remote (the stdio bridge Claude Desktop users run for remote
// servers) between the official SDK client (stdio) and `skillhost serve
// --http` with a bearer header:
//   node mcp_remote.mjs NODE_MODULES URL TOKEN CONFIG_DIR
// The server must serve hello and testing-asker. Lists and calls tools
// through the bridge, and answers an elicitation that crosses it. Prints
// "ok: ..." or "FAIL: ..." per check; exits 1 when any failed.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [nodeModules, url, token, configDir] = process.argv.slice(2);
const sdk = (p) =>
  import(pathToFileURL(path.join(nodeModules,
    "@modelcontextprotocol/sdk/dist/esm", p)).href);
const { Client } = await sdk("client/index.js");
const { StdioClientTransport } = await sdk("client/stdio.js");
const { ElicitRequestSchema } = await sdk("types.js");

let failures = 0;
const check = (cond, what, why = "") => {
  if (cond) console.log(`ok: ${what}`);
  else { failures++; console.log(`FAIL: ${what}: ${why}`); }
};
const textOf = (r) => (r.content ?? []).map((b) => b.text ?? "").join("\n");
const bridge = (auth) => new StdioClientTransport({
  command: process.execPath,
  args: [path.join(nodeModules, "mcp-remote/dist/proxy.js"), url,
         "--transport", "http-only", "--silent",
         ...(auth ? ["--header", `Authorization:Bearer ${auth}`] : [])],
  env: { ...process.env, MCP_REMOTE_CONFIG_DIR: configDir },
  stderr: "pipe",
});

try {
  const client = new Client({ name: "via-mcp-remote", version: "1.0.0" },
    { capabilities: { elicitation: {} } });
  let asked;
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    asked = req.params;
    return { action: "accept", content: { name: "Lin", age: 7 } };
  });
  await client.connect(bridge(token));
  check(client.getServerVersion()?.name === "skillhost",
        "connected through mcp-remote", JSON.stringify(client.getServerVersion()));
  const { tools } = await client.listTools();
  const byEnd = (s) => tools.find((t) => t.name.endsWith(s))?.name;
  const greet = byEnd("greet"), ask = byEnd("ask");
  check(greet && ask, "the tools are listed through the bridge",
        tools.map((t) => t.name).join(","));
  let r = await client.callTool({ name: greet, arguments: { name: "Ada" } });
  check(!r.isError && textOf(r) === "Hello, Ada!", "a call crosses the bridge",
        JSON.stringify(r));
  r = await client.callTool({ name: greet, arguments: {} });
  check(r.isError && /name/.test(textOf(r)),
        "an invalid call comes back as isError naming the field", textOf(r));
  r = await client.callTool({ name: ask, arguments: {} });
  check(asked?.message && /accepted: .*Lin/.test(textOf(r)),
        "an elicitation crosses the bridge and back",
        JSON.stringify({ asked, r }));
  await client.close();
} catch (e) {
  failures++;
  console.log(`FAIL: ${e?.stack ?? e}`);
}

process.exit(failures ? 1 : 0);
