// Apply each MCP client's and model vendor's documented tool-name and
// schema rules to a list of declarations. Usage:
//   node client_profiles.mjs mcp FILE        (a tools/list result line)
//   node client_profiles.mjs VENDOR FILE     (`skillhost tools --format`)
// Prints "ok: ..." / "FAIL: ..." lines; exits 1 on any failure.
// Rules (see host/lib/schema/schema_portable.c for the sources):
//  - Claude Desktop / claude.ai, Codex CLI, Copilot CLI, OpenAI, Anthropic,
//    Bedrock, Ollama: names match ^[a-zA-Z0-9_-]{1,64}$;
//  - Gemini: names start with a letter or "_", [a-zA-Z0-9_.:-], at most 64;
//  - every target: the schema's top level is "type": "object" and has no
//    oneOf/anyOf/allOf (Anthropic, OpenAI, Bedrock, Gemini), no
//    not/enum/const (OpenAI, Codex, Copilot);
//  - names are unique in the list (clients key tools by name).
import { readFileSync } from "node:fs";

const [, , kind, file] = process.argv;
const text = readFileSync(file, "utf8");
let failures = 0;
const fail = (m) => { console.log(`FAIL: ${kind}: ${m}`); failures++; };

let decls; // [{name, schema}]
if (kind === "mcp") {
  const line = text.split("\n").find((l) => l.includes('"id":2,'));
  const tools = JSON.parse(line).result.tools;
  decls = tools.map((t) => ({ name: t.name, schema: t.inputSchema,
                              canon: t._meta?.["io.skillhost/canonical"],
                              title: t.title }));
  for (const d of decls) {
    if (!d.canon || !/^[a-z0-9-]+\/[a-z0-9-]+\.[A-Za-z][A-Za-z0-9_-]*$/.test(d.canon))
      fail(`${d.name}: no canonical name in _meta`);
    if (!d.title) fail(`${d.name}: no title`);
  }
} else {
  const j = JSON.parse(text);
  const pick = {
    anthropic: () => j.tools.map((t) => ({ name: t.name, schema: t.input_schema })),
    openai: () => j.tools.map((t) => ({ name: t.function.name, schema: t.function.parameters })),
    ollama: () => j.tools.map((t) => ({ name: t.function.name, schema: t.function.parameters })),
    bedrock: () => j.toolConfig.tools.map((t) => ({ name: t.toolSpec.name, schema: t.toolSpec.inputSchema.json })),
    gemini: () => j.tools[0].functionDeclarations.map((t) => ({ name: t.name, schema: t.parametersJsonSchema })),
  }[kind];
  if (!pick) { console.log(`FAIL: unknown kind ${kind}`); process.exit(1); }
  decls = pick();
}

const nameRule = kind === "gemini" ? /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/
                                   : /^[a-zA-Z0-9_-]{1,64}$/;
const seen = new Set();
for (const d of decls) {
  if (!nameRule.test(d.name)) fail(`name "${d.name}" breaks ${nameRule}`);
  if (seen.has(d.name)) fail(`name "${d.name}" is listed twice`);
  seen.add(d.name);
  const s = d.schema;
  if (!s || typeof s !== "object" || s.type !== "object")
    fail(`${d.name}: top level is not "type": "object"`);
  for (const k of ["oneOf", "anyOf", "allOf", "not", "enum", "const"])
    if (s && k in s) fail(`${d.name}: top-level ${k}`);
}
if (!failures) console.log(`ok: ${kind}: ${decls.length} tools pass every client's name and schema rules`);
process.stdout.write(JSON.stringify(decls.map((d) => [d.canon ?? null, d.name])) + "\n");
process.exit(failures ? 1 : 0);
