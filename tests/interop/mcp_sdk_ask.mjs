// The official MCP TypeScript SDK client answering the server's requests
// mid-call: elicitation/create (form mode) and sampling/createMessage from
// the testing/asker skill, over stdio or Streamable HTTP (where they travel
// on the call's event stream):
//   node mcp_sdk_ask.mjs NODE_MODULES stdio SKILLHOST_BIN ARG...
//   node mcp_sdk_ask.mjs NODE_MODULES http URL
// The server must serve testing-asker with --call-timeout 3s; with
// MCP_CONFIRM=1 the host policy confirm-destructive is on. Prints
// "ok: ..." or "FAIL: ..." per check and exits 1 when any failed.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [nodeModules, mode, target, ...rest] = process.argv.slice(2);
const sdk = (p) =>
  import(pathToFileURL(path.join(nodeModules,
    "@modelcontextprotocol/sdk/dist/esm", p)).href);
const { Client } = await sdk("client/index.js");
const { StdioClientTransport } = await sdk("client/stdio.js");
const { StreamableHTTPClientTransport } = await sdk("client/streamableHttp.js");
const { ElicitRequestSchema, CreateMessageRequestSchema } = await sdk("types.js");

let failures = 0;
const check = (cond, what, why = "") => {
  if (cond) console.log(`ok: ${mode}: ${what}`);
  else { failures++; console.log(`FAIL: ${mode}: ${what}: ${why}`); }
};
const transportOf = () => mode === "stdio"
  // The whole environment: the SDK passes only a few variables by
  // default, and the server needs SKILLHOST_HOME.
  ? new StdioClientTransport({ command: target, args: rest, stderr: "inherit",
                               env: { ...process.env } })
  : new StreamableHTTPClientTransport(new URL(target));
const textOf = (r) => (r.content ?? []).map((b) => b.text ?? "").join("\n");

// What the handlers do next, and what they saw.
let elicitAnswer, sampleAnswer, seen = [];
const client = new Client({ name: "skillhost-ask", version: "1.0.0" },
  { capabilities: { elicitation: {}, sampling: {} } });
client.setRequestHandler(ElicitRequestSchema, async (req, extra) => {
  seen.push(req);
  if (elicitAnswer === "hang")
    return new Promise((resolve) => extra.signal.addEventListener("abort",
      () => { seen.push("aborted"); resolve({ action: "cancel" }); }));
  return elicitAnswer;
});
client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
  seen.push(req);
  return sampleAnswer;
});

try {
  await client.connect(transportOf());
  const { tools } = await client.listTools();
  const name = (suffix) => tools.find((t) => t.name.endsWith(suffix))?.name;
  const ask = name("ask"), summarize = name("summarize"), wipe = name("wipe");
  const confirmOn = process.env.MCP_CONFIRM === "1";
  check(ask && summarize, "the asker's tools are listed",
        tools.map((t) => t.name).join(","));

  elicitAnswer = { action: "accept", content: { name: "Ada", age: 36 } };
  let r = await client.callTool({ name: ask, arguments: { message: "Who?" } });
  const q = seen[0]?.params;
  check(q?.message === "Who?" && q?.requestedSchema?.properties?.age?.type ===
        "integer", "the elicitation carries the message and the form",
        JSON.stringify(q));
  check(q?._meta?.["dev.skillhost/skill"] === "testing/asker",
        "it names the asking skill in _meta", JSON.stringify(q?._meta));
  check(!r.isError && /accepted: .*"name":"Ada".*"age":36/.test(textOf(r)),
        "the skill gets the accepted answer", textOf(r));

  elicitAnswer = { action: "decline" };
  r = await client.callTool({ name: ask, arguments: {} });
  check(!r.isError && textOf(r) === "declined", "a decline reaches the skill",
        textOf(r));

  elicitAnswer = { action: "accept", content: { name: "" } };
  r = await client.callTool({ name: ask, arguments: {} });
  check(r.isError && /does not match the form: \/name/.test(textOf(r)),
        "an answer that breaks the form is refused, saying where",
        textOf(r));

  sampleAnswer = { role: "assistant", model: "test-model-1",
                   content: { type: "text", text: "It greets the world." },
                   stopReason: "endTurn" };
  seen = [];
  r = await client.callTool({ name: summarize,
                              arguments: { text: "hello world" } });
  const s = seen[0]?.params;
  check(s?.messages?.[0]?.content?.text === "hello world" &&
        s?.maxTokens === 100 && s?.systemPrompt === "Summarize in one sentence."
        && s?.modelPreferences?.hints?.[0]?.name === "claude",
        "the sampling request carries messages, maxTokens, systemPrompt " +
        "and modelPreferences", JSON.stringify(s));
  check(!r.isError && textOf(r) ===
        "model test-model-1 said: It greets the world. (stop: endTurn)",
        "the skill gets the model's answer", textOf(r));

  // No answer: the call's deadline (3 s) ends the wait, and the server
  // cancels its request (the handler's signal fires).
  elicitAnswer = "hang";
  seen = [];
  const t0 = Date.now();
  r = await client.callTool({ name: ask, arguments: {} });
  check(r.isError && /deadline/.test(textOf(r)) && Date.now() - t0 < 10000,
        "an unanswered elicitation ends at the call's deadline", textOf(r));
  for (let i = 0; i < 40 && !seen.includes("aborted"); i++)
    await new Promise((res) => setTimeout(res, 50));
  check(seen.includes("aborted"),
        "the server cancels its request (notifications/cancelled)");
  // confirm-destructive: the host asks before the destructive tool runs.
  elicitAnswer = { action: "accept", content: { confirm: true } };
  seen = [];
  r = await client.callTool({ name: wipe, arguments: {} });
  if (confirmOn) {
    const m = seen[0]?.params;
    check(seen.length === 1 && /^Allow testing\/asker\.wipe to run\? It is marked destructive/
          .test(m?.message) && m?.requestedSchema?.properties?.confirm?.type
          === "boolean", "confirm-destructive asks first, with a yes/no form",
          JSON.stringify(m));
    check(!r.isError && /^wiped/.test(textOf(r)), "a yes lets it run",
          textOf(r));
    elicitAnswer = { action: "decline" };
    r = await client.callTool({ name: wipe, arguments: {} });
    check(r.isError && /the user did not confirm testing\/asker\.wipe \(decline\)/
          .test(textOf(r)), "a no refuses it, saying so", textOf(r));
    seen = [];
    await client.callTool({ name: summarize, arguments: { text: "x" } });
    check(!seen.some((q) => /Allow/.test(q?.params?.message ?? "")),
          "a read-only tool is not confirmed");
  } else {
    check(seen.length === 0 && /^wiped/.test(textOf(r)),
          "with the policy off a destructive tool runs unasked", textOf(r));
  }
  await client.close();

  // A client that declared neither capability is never asked.
  const plain = new Client({ name: "plain", version: "1.0.0" });
  await plain.connect(transportOf());
  r = await plain.callTool({ name: ask, arguments: {} });
  check(r.isError && /did not declare the "elicitation" capability/
        .test(textOf(r)), "without the capability the call fails clearly",
        textOf(r));
  r = await plain.callTool({ name: summarize, arguments: { text: "x" } });
  check(r.isError && /"sampling" capability/.test(textOf(r)),
        "likewise for sampling", textOf(r));
  r = await plain.callTool({ name: wipe, arguments: {} });
  if (confirmOn)
    check(r.isError && /confirm-destructive is on, but the user could not be asked: .*did not declare the "elicitation" capability.*use a client that supports elicitation/
          .test(textOf(r)), "confirm-destructive refuses where nobody can be asked",
          textOf(r));
  else
    check(!r.isError, "the plain client runs it with the policy off", textOf(r));
  await plain.close();
} catch (e) {
  failures++;
  console.log(`FAIL: ${mode}: ${e?.stack ?? e}`);
}
process.exit(failures ? 1 : 0);
