// The official MCP TypeScript SDK client (@modelcontextprotocol/sdk) reading
// what `skillhost serve` offers besides tools, over stdio or HTTP:
//   node mcp_sdk_resources.mjs NODE_MODULES stdio SKILLHOST_BIN ARG...
//   node mcp_sdk_resources.mjs NODE_MODULES http URL [TOKEN]
// The server serves testing-library with --page-size 2. The client makes
// five artifacts, lists resources and templates following nextCursor to
// the end, reads every resource_link a call returned and a dynamic
// resource, lists and gets prompts, completes a prompt argument and a
// template variable. Prints "ok: ..." or
// "FAIL: ..." per check and exits 1 when any failed.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [nodeModules, mode, target, ...rest] = process.argv.slice(2);
const sdk = (p) =>
  import(pathToFileURL(path.join(nodeModules,
    "@modelcontextprotocol/sdk/dist/esm", p)).href);
const { Client } = await sdk("client/index.js");
const { StdioClientTransport } = await sdk("client/stdio.js");
const { StreamableHTTPClientTransport } = await sdk("client/streamableHttp.js");
const { ResourceListChangedNotificationSchema } = await sdk("types.js");

let failures = 0;
const check = (cond, what, why = "") => {
  if (cond) console.log(`ok: ${what}`);
  else { failures++; console.log(`FAIL: ${what}: ${why}`); }
};

const transport = mode === "stdio"
  ? new StdioClientTransport({ command: target, args: rest, stderr: "inherit" })
  : new StreamableHTTPClientTransport(new URL(target), rest[0]
    ? { requestInit: { headers: { Authorization: `Bearer ${rest[0]}` } } } : {});
const client = new Client({ name: "skillhost-resources", version: "1.0.0" });
let listChanged = 0;
client.setNotificationHandler(ResourceListChangedNotificationSchema,
  () => { listChanged++; });

try {
  await client.connect(transport);
  const caps = client.getServerCapabilities();
  check(caps?.resources && caps?.prompts && caps?.completions,
        "the server declares resources, prompts and completions",
        JSON.stringify(caps));
  const { tools } = await client.listTools();
  const tool = tools.find((t) => t.name.endsWith("write_report"));
  check(tool, "write_report is listed");

  const res = await client.callTool({
    name: tool.name,
    arguments: { name: "part", text: "chapter", count: 5 },
  });
  const links = res.content.filter((b) => b.type === "resource_link");
  check(links.length === 5, "five resource_links", JSON.stringify(res));
  check(!JSON.stringify(res).includes(process.env.SKILLHOST_HOME),
        "no server path in the result");
  for (const l of links) {
    const r = await client.readResource({ uri: l.uri });
    check(r.contents[0]?.text === "chapter" && r.contents[0].uri === l.uri,
          `reads ${l.name}`, JSON.stringify(r));
  }

  // Every resource, page by page (the page size is 2).
  const uris = [];
  let cursor, pages = 0;
  do {
    const page = await client.listResources(cursor ? { cursor } : {});
    check(page.resources.length <= 2, `page ${pages + 1} holds at most 2`);
    uris.push(...page.resources.map((r) => r.uri));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 20);
  check(pages === 4 && uris.length === 7 && new Set(uris).size === 7,
        "resources/list follows cursors to all 7 resources",
        `${pages} pages: ${uris}`);
  check(links.every((l) => uris.includes(l.uri)) &&
        uris.includes("library://readme") &&
        uris.includes("library://live/today"),
        "the list holds the links, the skill's resource and its dynamic one");
  const readme = await client.readResource({ uri: "library://readme" });
  check(readme.contents[0]?.text?.startsWith("# Library"),
        "reads the skill's resource");
  const templates = [];
  cursor = undefined;
  pages = 0;
  do {
    const page = await client.listResourceTemplates(cursor ? { cursor } : {});
    templates.push(...page.resourceTemplates.map((t) => t.uriTemplate));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 20);
  check(pages === 2 && templates.includes("library://topics/{topic}") &&
        templates.includes("library://live/{item}"),
        "lists the resource templates following cursors", `${templates}`);
  const live = await client.readResource({ uri: "library://live/k" });
  check(/^live k from pid \d+$/.test(live.contents[0]?.text ?? ""),
        "reads a dynamic resource (the skill's read callback)",
        JSON.stringify(live));
  const note = await client.readResource({ uri: "library://topics/sales" });
  check(note.contents[0]?.text === "Notes on sales.", "reads a templated URI");

  const { prompts } = await client.listPrompts();
  const p = prompts.find((x) => x.name === "summarize_report");
  check(p && p.arguments?.some((a) => a.name === "topic" && a.required),
        "lists the prompt with its arguments", JSON.stringify(prompts));
  const got = await client.getPrompt({
    name: "summarize_report", arguments: { topic: "Q3", style: "short" },
  });
  check(got.messages[0]?.content?.text ===
        "Summarize the report on Q3 in a short style.",
        "gets the prompt with the arguments in it", JSON.stringify(got));
  try {
    await client.getPrompt({ name: "summarize_report", arguments: {} });
    check(false, "a missing required argument is refused", "it was not");
  } catch (e) {
    check(e.code === -32602 && /topic/.test(e.message),
          "a missing required argument is refused naming it", e.message);
  }
  const c1 = await client.complete({
    ref: { type: "ref/prompt", name: "summarize_report" },
    argument: { name: "style", value: "lo" },
  });
  check(JSON.stringify(c1.completion.values) === '["long"]',
        "completes a prompt argument", JSON.stringify(c1));
  const c2 = await client.complete({
    ref: { type: "ref/resource", uri: "library://topics/{topic}" },
    argument: { name: "topic", value: "su" },
  });
  check(JSON.stringify(c2.completion.values) === '["support"]',
        "completes a template variable", JSON.stringify(c2));
  check(listChanged >= 1, "resources/list_changed arrived", `${listChanged}`);
  await client.close();
} catch (e) {
  failures++;
  console.log(`FAIL: session: ${e?.stack ?? e}`);
}
process.exit(failures ? 1 : 0);
