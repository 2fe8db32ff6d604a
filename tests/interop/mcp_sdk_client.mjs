// The official MCP TypeScript SDK client (@modelcontextprotocol/sdk) against
// `skillhost serve`, over stdio or Streamable HTTP:
//   node mcp_sdk_client.mjs NODE_MODULES stdio SKILLHOST_BIN ARG...
//   node mcp_sdk_client.mjs NODE_MODULES http URL [TOKEN]
// The server must serve testing-everything, testing-sleeper and
// testing-noop with a small --page-size. MCP_STATELESS=1 skips what needs
// a session (cancellation, logging/setLevel). Prints "ok: ..." or "FAIL: ..."
// per check and exits 1 when any failed.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [nodeModules, mode, target, ...rest] = process.argv.slice(2);
const sdk = (p) =>
  import(pathToFileURL(path.join(nodeModules,
    "@modelcontextprotocol/sdk/dist/esm", p)).href);
const { Client } = await sdk("client/index.js");
const { StdioClientTransport } = await sdk("client/stdio.js");
const { StreamableHTTPClientTransport } = await sdk("client/streamableHttp.js");
const { LoggingMessageNotificationSchema } = await sdk("types.js");

let failures = 0;
const ok = (what) => console.log(`ok: ${what}`);
const fail = (what, why) => {
  failures++;
  console.log(`FAIL: ${what}: ${why}`);
};
const check = (cond, what, why = "") => (cond ? ok(what) : fail(what, why));
const withTimeout = (p, ms, what) =>
  Promise.race([p, new Promise((_, rej) =>
    setTimeout(() => rej(new Error(`${what}: no answer in ${ms} ms`)), ms))]);

let transport;
if (mode === "stdio") {
  transport = new StdioClientTransport({
    command: target, args: rest, stderr: "inherit",
  });
} else {
  const opts = rest[0]
    ? { requestInit: { headers: { Authorization: `Bearer ${rest[0]}` } } }
    : {};
  transport = new StreamableHTTPClientTransport(new URL(target), opts);
}
const client = new Client({ name: "skillhost-interop", version: "1.0.0" });
const logs = [];
client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
  logs.push(n.params);
});

try {
  await withTimeout(client.connect(transport), 10000, "connect");
  ok(`connected over ${mode}`);
  const info = client.getServerVersion();
  check(info?.name === "skillhost", "server info names skillhost",
        JSON.stringify(info));
  check(client.getServerCapabilities()?.tools !== undefined,
        "server offers tools");

  // Pagination: walk every page; no tool twice; the order is stable.
  const names = [];
  const byCanon = {}; // canonical "ns/skill.tool" -> the name served
  let cursor, pages = 0;
  do {
    const r = await client.listTools(cursor ? { cursor } : {});
    names.push(...r.tools.map((t) => t.name));
    for (const t of r.tools) byCanon[t._meta?.["io.skillhost/canonical"]] = t.name;
    cursor = r.nextCursor;
    pages++;
  } while (cursor && pages < 1000);
  check(pages > 1, `tools/list paginates (${pages} pages)`);
  check(new Set(names).size === names.length, "no tool listed twice");
  check(names.includes(byCanon["testing/everything.text"]) &&
        names.includes(byCanon["testing/sleeper.sleep"]) &&
        names.includes(byCanon["testing/noop.echo"]),
        `all skills listed (${names.length} tools)`, names.join(","));
  // Portable names (what Claude Desktop, Codex and Copilot accept): the
  // bare name when unique, skill_tool when two skills share it.
  check(names.every((n) => /^[A-Za-z0-9_-]{1,64}$/.test(n)),
        "tool names are portable", names.join(","));
  check(byCanon["testing/everything.text"] === "text" &&
        byCanon["testing/everything.echo"] === "everything_echo" &&
        byCanon["testing/noop.echo"] === "noop_echo",
        "bare when unique, skill_tool on a collision", JSON.stringify(byCanon));

  // Every content type.
  const want = {
    [byCanon["testing/everything.text"]]: "text",
    [byCanon["testing/everything.image"]]: "image",
    [byCanon["testing/everything.audio"]]: "audio",
    [byCanon["testing/everything.resource"]]: "resource",
    [byCanon["testing/everything.link"]]: "resource_link",
  };
  for (const [tool, type] of Object.entries(want)) {
    const r = await client.callTool({ name: tool, arguments: {} });
    check(r.content?.[0]?.type === type && !r.isError,
          `${tool} returns ${type}`, JSON.stringify(r).slice(0, 200));
  }
  const img = await client.callTool({ name: "testing.everything.image" });
  check(img.content[0].mimeType === "image/png" &&
        Buffer.from(img.content[0].data, "base64")
          .subarray(1, 4).toString() === "PNG",
        "image data is a base64 PNG");
  const mixed = await client.callTool({ name: "testing.everything.mixed" });
  check(mixed.content.map((b) => b.type).join(",") === "text,image,resource",
        "mixed content in order");
  const st = await client.callTool({
    name: "testing.everything.structured", arguments: { n: 5 } });
  check(st.structuredContent?.square === 25, "structuredContent checked " +
        "against the output schema");
  const echo = await client.callTool({
    name: "testing.noop.echo", arguments: { text: "héllo ✓" } });
  check(echo.content[0].text === "héllo ✓", "UTF-8 round trip");
  const bad = await client.callTool({
    name: "testing.noop.echo", arguments: { nope: 1 } });
  check(bad.isError === true && /text/.test(bad.content[0].text),
        "invalid arguments come back as isError naming the field");
  const failed = await client.callTool({
    name: "testing.everything.fail", arguments: { why: "on purpose" } });
  check(failed.isError === true && failed.content[0].text === "on purpose",
        "tool errors are isError results");
  let unknownErr;
  try {
    await client.callTool({ name: "no.such.tool" });
  } catch (e) {
    unknownErr = e;
  }
  check(unknownErr?.code === -32602, "unknown tool is JSON-RPC -32602",
        String(unknownErr));

  // Progress, from a call that reports it over time (the SDK drops
  // progress that arrives in the same read as the response, as happens on
  // stdio when a tool reports all its steps at once).
  const progress = [];
  await client.callTool({ name: "testing.sleeper.sleep",
                          arguments: { ms: 450 } }, undefined,
                        { onprogress: (p) => progress.push(p) });
  check(progress.length === 4 && progress[3].progress === 400 &&
        progress[3].total === 450 &&
        progress.every((p, i) => !i || p.progress > progress[i - 1].progress),
        `progress notifications (${progress.length})`,
        JSON.stringify(progress));

  // Logging levels. Stateless, a level lasts one request: calls log at
  // the default level (info and up).
  if (process.env.MCP_STATELESS) {
    logs.length = 0;
    await client.callTool({ name: "testing.everything.log" });
    check(logs.length === 7, `7 log messages at the default level ` +
          `(${logs.length})`);
  } else {
  await client.setLoggingLevel("debug");
  logs.length = 0;
  await client.callTool({ name: "testing.everything.log" });
  check(logs.length === 8 && logs.every((l) =>
          l.logger === "testing/everything"),
        `8 log messages at debug (${logs.length})`);
  await client.setLoggingLevel("error");
  logs.length = 0;
  await client.callTool({ name: "testing.everything.log" });
  check(logs.length === 4, `4 log messages at error (${logs.length})`);
  await client.setLoggingLevel("info");
  }

  // Cancellation: abort a long sleep; the sleeper must see it. Without a
  // session (stateless HTTP) a cancellation has no call to reach.
  if (!process.env.MCP_STATELESS) {
  logs.length = 0;
  const ac = new AbortController();
  const t0 = Date.now();
  const sleeping = client.callTool(
    { name: "testing.sleeper.sleep", arguments: { ms: 30000 } }, undefined,
    { signal: ac.signal });
  setTimeout(() => ac.abort("interop test"), 500);
  let aborted;
  try {
    await sleeping;
  } catch (e) {
    aborted = e;
  }
  check(aborted !== undefined && Date.now() - t0 < 5000,
        "the cancelled call ends early", String(aborted));
  // The server keeps serving while the sleeper winds down.
  await client.ping();
  for (let i = 0; i < 50 && !logs.some((l) =>
         /sleeper saw cancellation/.test(l.data)); i++)
    await new Promise((r) => setTimeout(r, 100));
  check(logs.some((l) => /sleeper saw cancellation/.test(l.data)),
        "the sleeper saw the cancellation", JSON.stringify(logs));
  }

  // A long call does not hold up others.
  const slow = client.callTool({ name: "testing.sleeper.sleep",
                                 arguments: { ms: 1500 } });
  const t1 = Date.now();
  await client.ping();
  await client.callTool({ name: "testing.noop.noop", arguments: {} });
  check(Date.now() - t1 < 1000, "ping and a call answer during a long call");
  const slowR = await slow;
  check(slowR.content[0].text === "slept 1500 ms", "the long call finishes");

  // Concurrent calls, answered out of order as they finish.
  const many = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    client.callTool({ name: "testing.noop.echo",
                      arguments: { text: `n${i}` } })));
  check(many.every((r, i) => r.content[0].text === `n${i}`),
        "50 concurrent calls each get their own answer");
} catch (e) {
  fail("session", e?.stack || String(e));
} finally {
  try {
    if (mode === "http" && !process.env.MCP_STATELESS)
      await transport.terminateSession();
    await client.close();
  } catch (e) {
    fail("close", String(e));
  }
}
console.log(failures ? `${failures} failure(s)` : "all passed");
process.exit(failures ? 1 : 0);
