// Vercel's AI SDK MCP client (@ai-sdk/mcp, createMCPClient with its
// Streamable HTTP transport) against `skillhost serve --http` with a
// bearer token: lists the tools, turns them into AI SDK tools and calls
// them (a result, an isError result), and answers an elicitation:
//   node ai_sdk_mcp.mjs NODE_MODULES URL TOKEN
// The server must serve hello and testing-asker. Needs Node >= 22.
// Prints "ok: ..." or "FAIL: ..." per check; exits 1 when any failed.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [nodeModules, url, token] = process.argv.slice(2);
const { createMCPClient, ElicitationRequestSchema } = await import(
  pathToFileURL(path.join(nodeModules, "@ai-sdk/mcp/dist/index.js")).href);

let failures = 0;
const check = (cond, what, why = "") => {
  if (cond) console.log(`ok: ${what}`);
  else { failures++; console.log(`FAIL: ${what}: ${why}`); }
};
const textOf = (r) => (r?.content ?? []).map((b) => b.text ?? "").join("\n");

try {
  const client = await createMCPClient({
    transport: { type: "http", url,
                 headers: { Authorization: `Bearer ${token}` } },
    clientName: "ai-sdk-interop",
    capabilities: { elicitation: {} },
  });
  check(client.serverInfo?.name === "skillhost", "connected; server info",
        JSON.stringify(client.serverInfo));
  let asked;
  client.onElicitationRequest(ElicitationRequestSchema, async (req) => {
    asked = req.params;
    return { action: "accept", content: { name: "Grace", age: 85 } };
  });
  const listed = await client.listTools();
  const names = listed.tools.map((t) => t.name);
  const byEnd = (s) => names.find((n) => n.endsWith(s));
  const greet = byEnd("greet"), ask = byEnd("ask");
  check(greet && ask, "listTools has the hello and asker tools",
        names.join(","));
  const tools = await client.tools();
  check(typeof tools[greet]?.execute === "function",
        "tools() gives AI SDK tools with execute()",
        Object.keys(tools).join(","));
  const opts = { toolCallId: "call-1", messages: [] };
  let r = await tools[greet].execute({ name: "Ada" }, opts);
  check(!r.isError && textOf(r) === "Hello, Ada!", "a call returns its text",
        JSON.stringify(r));
  r = await tools[greet].execute({ name: "" }, opts).catch((e) => e);
  check(r?.isError === true || /name/.test(String(r?.message ?? textOf(r))),
        "bad arguments come back as an error naming the field",
        JSON.stringify(r) ?? String(r));
  r = await tools[ask].execute({}, opts);
  check(asked?.requestedSchema?.properties?.name?.type === "string" &&
        /accepted: .*Grace/.test(textOf(r)),
        "an elicitation mid-call is answered through the AI SDK client",
        JSON.stringify({ asked, r }));
  await client.close();
} catch (e) {
  failures++;
  console.log(`FAIL: ${e?.stack ?? e}`);
}

// Without the token the server refuses the client.
try {
  const bad = await createMCPClient({ transport: { type: "http", url } });
  await bad.close();
  check(false, "no token is refused", "connected");
} catch (e) {
  check(/401|unauthori/i.test(String(e?.message ?? e) + String(e?.cause ?? "")),
        "no token is refused (401)", String(e));
}
process.exit(failures ? 1 : 0);
