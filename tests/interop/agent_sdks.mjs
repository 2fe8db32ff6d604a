// agent_sdks.mjs - the vendors' official SDKs against tests/fakes/fake_llm.mjs.
//
// The fake stands in for each vendor in the host's agent tests, so it must
// be faithful. Here each official SDK runs the same scenario the host runs
// (parallel calls, a tool error, bad arguments, an unknown tool, the answer)
// the way the SDK's documentation does it, with the tool declarations
// `skillhost tools --format VENDOR` prints and the tools run by
// `skillhost call`. If the fake accepts every SDK request (auth, versions,
// SigV4 signed by the AWS SDK, shapes, result ids) and every SDK parses the
// fake's answers into its types, the fake speaks the vendor's wire format;
// the host passing the same fake then means the host does too. Then a few
// wrong requests, which the fake must refuse, show its checks can fail.
//
// argv: SKILLHOST_BIN NODE_MODULES_DIR DECLS_DIR SKILL.so...
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startFake } from '../fakes/fake_llm.mjs';

const [bin, modulesDir, declsDir, ...skills] = process.argv.slice(2);
const require = createRequire(path.join(modulesDir, 'package.json'));
let failures = 0;
const ok = m => console.log('ok: ' + m);
const fail = m => { console.log('FAIL: ' + m); failures++; };
const check = (c, m) => (c ? ok(m) : fail(m));

const PROMPT = 'Greet Ada, then report.';
const keys = { openai: 'sk-sdk-openai', azure: 'az-sdk', anthropic: 'sk-ant-sdk', gemini: 'AIza-sdk' };
const aws = { accessKeyId: 'AKIASDKTEST0000001', secretAccessKey: 'sdk/secret+key/0123456789', sessionToken: 'FwoGsdktoken', region: 'ap-southeast-2' };
const decls = v => JSON.parse(fs.readFileSync(path.join(declsDir, v + '.json'), 'utf8'));
const expectTools = decls('openai').tools.map(t => t.function.name);

const scenario = raw => [
  { calls: [{ name: 'example__hello__greet', args: { name: 'Ada' }, expectText: 'Hello, Ada!' },
    { name: 'testing__everything__fail', args: { why: 'disk full' }, expectError: true, expectText: 'disk full' },
    { name: 'testing__everything__structured', args: { n: 4 }, expectText: '16' }] },
  { calls: [{ name: 'no_such_tool', args: {}, expectError: true, expectText: 'no tool named' },
    { name: 'example__hello__greet', args: { nmae: 'Bo' }, expectError: true, expectText: 'nmae' },
    ...(raw ? [{ name: 'example__hello__greet', rawArgs: '{"name": "Ada"', expectError: true, expectText: 'not valid JSON' }] : [])] },
  { text: 'All done.' }];

// Run a tool the way a client of the host would: `skillhost call`.
function runTool(name, args) {
  const skillArgs = skills.flatMap(s => ['--skill', s]);
  const r = spawnSync(bin, ['call', name, typeof args === 'string' ? args : JSON.stringify(args), ...skillArgs, '--compact'], { encoding: 'utf8' });
  if (r.status === 4) return { isError: true, text: `There is no tool named "${name}".` };
  const res = JSON.parse(r.stdout);
  return { isError: !!res.isError, text: res.content.filter(b => b.type === 'text').map(b => b.text).join('\n') };
}

async function withFake(vendor, cfgExtra, fn) {
  const fake = await startFake({ keys, aws, expectTools, prompt: PROMPT, lifetimeMs: 30000, scripts: { [vendor]: scenario(['openai', 'azure', 'responses'].includes(vendor)) }, ...cfgExtra });
  try {
    const answer = await fn(`http://127.0.0.1:${fake.port}`);
    check(answer === 'All done.', `${vendor} SDK: parses the fake's final answer`);
  } catch (e) {
    fail(`${vendor} SDK: ${e.message}`);
  } finally {
    fake.close();
  }
  const v = fake.state.violations;
  check(v.length === 0, `${vendor} SDK: the fake accepts every request the SDK sends${v.length ? ': ' + v.join(' | ') : ''}`);
  check(fake.state.requests === 3, `${vendor} SDK: 3 requests (${fake.state.requests})`);
}

// ---- OpenAI Chat Completions, and Azure OpenAI -------------------------
async function chatLoop(client, model, tools) {
  const messages = [{ role: 'user', content: PROMPT }];
  for (;;) {
    const r = await client.chat.completions.create({ model, messages, tools });
    if (!(r.usage.prompt_tokens >= 100)) throw new Error('usage not parsed');
    const msg = r.choices[0].message;
    messages.push(msg);
    if (!msg.tool_calls || !msg.tool_calls.length) return msg.content;
    for (const tc of msg.tool_calls) {
      const res = runTool(tc.function.name, tc.function.arguments);
      messages.push({ role: 'tool', tool_call_id: tc.id, content: (res.isError ? 'Error: ' : '') + res.text });
    }
  }
}
const openaiMod = require('openai');
const OpenAI = openaiMod.OpenAI || openaiMod.default || openaiMod;
await withFake('openai', {}, base => chatLoop(new OpenAI({ apiKey: keys.openai, baseURL: base + '/v1', maxRetries: 0 }), 'gpt-fake', decls('openai').tools));
await withFake('azure', {}, base => chatLoop(new openaiMod.AzureOpenAI({ apiKey: keys.azure, endpoint: base, apiVersion: '2024-10-21', deployment: 'my-deployment', maxRetries: 0 }), 'my-deployment', decls('openai').tools));

// ---- OpenAI Responses -------------------------------------------------
await withFake('responses', {}, async base => {
  const client = new OpenAI({ apiKey: keys.openai, baseURL: base + '/v1', maxRetries: 0 });
  const input = [{ role: 'user', content: PROMPT }];
  for (;;) {
    const r = await client.responses.create({ model: 'gpt-fake', input, tools: decls('openai-responses').tools });
    input.push(...r.output);
    const calls = r.output.filter(o => o.type === 'function_call');
    if (!calls.length) return r.output_text;
    for (const c of calls) {
      const res = runTool(c.name, c.arguments);
      input.push({ type: 'function_call_output', call_id: c.call_id, output: (res.isError ? 'Error: ' : '') + res.text });
    }
  }
});

// ---- Anthropic Messages -----------------------------------------------
const anthropicMod = require('@anthropic-ai/sdk');
const Anthropic = anthropicMod.Anthropic || anthropicMod.default || anthropicMod;
await withFake('anthropic', {}, async base => {
  const client = new Anthropic({ apiKey: keys.anthropic, baseURL: base, maxRetries: 0 });
  const messages = [{ role: 'user', content: PROMPT }];
  for (;;) {
    const r = await client.messages.create({ model: 'claude-fake', max_tokens: 1024, messages, tools: decls('anthropic').tools });
    messages.push({ role: 'assistant', content: r.content });
    if (r.stop_reason !== 'tool_use') return r.content.filter(b => b.type === 'text').map(b => b.text).join('');
    messages.push({ role: 'user', content: r.content.filter(b => b.type === 'tool_use').map(b => {
      const res = runTool(b.name, b.input);
      return { type: 'tool_result', tool_use_id: b.id, content: res.text, ...(res.isError ? { is_error: true } : {}) };
    }) });
  }
});

// ---- Bedrock Converse, signed by the AWS SDK --------------------------
const br = require('@aws-sdk/client-bedrock-runtime');
const { NodeHttpHandler } = require('@smithy/node-http-handler');
async function bedrockLoop(client, modelId) {
  const messages = [{ role: 'user', content: [{ text: PROMPT }] }];
  for (;;) {
    const r = await client.send(new br.ConverseCommand({ modelId, messages, toolConfig: decls('bedrock').toolConfig }));
    messages.push(r.output.message);
    if (r.stopReason !== 'tool_use') return r.output.message.content.map(b => b.text || '').join('');
    messages.push({ role: 'user', content: r.output.message.content.filter(b => b.toolUse).map(b => {
      const res = runTool(b.toolUse.name, b.toolUse.input);
      return { toolResult: { toolUseId: b.toolUse.toolUseId, content: [{ text: res.text }], status: res.isError ? 'error' : 'success' } };
    }) });
  }
}
const bedrockClient = (base, secret) => new br.BedrockRuntimeClient({ region: aws.region, endpoint: base, maxAttempts: 1, requestHandler: new NodeHttpHandler(),
  credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: secret || aws.secretAccessKey, sessionToken: aws.sessionToken } });
await withFake('bedrock', {}, base => bedrockLoop(bedrockClient(base), 'amazon.nova-lite-v1:0'));

// ---- Gemini and Ollama, when their SDKs are installed -----------------
// AGENT_SDK_EXTRA_MODULES names another folder with a node_modules, for
// SDKs tests/node/package.json does not list (yet).
const extra = process.env.AGENT_SDK_EXTRA_MODULES ? createRequire(path.join(process.env.AGENT_SDK_EXTRA_MODULES, 'package.json')) : null;
const optional = name => {
  for (const r of [require, extra]) { try { if (r) return r(name); } catch { /* next */ } }
  // Under CI=true every check must run (tests/skip.sh): a missing SDK fails.
  if (process.env.CI === 'true') fail(`${name} is not installed, and CI=true makes every skip a failure (npm ci in tests/node)`);
  else console.log(`skip: ${name} is not installed (add it to tests/node/package.json)`);
  return null;
};
const genai = optional('@google/genai');
const ollamaMod = optional('ollama');
if (genai) await withFake('gemini', {}, async base => {
  const ai = new genai.GoogleGenAI({ apiKey: keys.gemini, httpOptions: { baseUrl: base, apiVersion: 'v1beta' } });
  const contents = [{ role: 'user', parts: [{ text: PROMPT }] }];
  for (;;) {
    const r = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents, config: { tools: decls('gemini').tools } });
    contents.push(r.candidates[0].content);
    const calls = r.functionCalls || [];
    if (!calls.length) return r.text;
    contents.push({ role: 'user', parts: calls.map(c => {
      const res = runTool(c.name, c.args);
      return { functionResponse: { name: c.name, response: res.isError ? { error: res.text } : { output: res.text } } };
    }) });
  }
});
if (ollamaMod) await withFake('ollama', {}, async base => {
  const client = new ollamaMod.Ollama({ host: base });
  const messages = [{ role: 'user', content: PROMPT }];
  for (;;) {
    const r = await client.chat({ model: 'llama3.2', messages, tools: decls('ollama').tools, stream: false });
    messages.push(r.message);
    if (!r.message.tool_calls || !r.message.tool_calls.length) return r.message.content;
    for (const c of r.message.tool_calls) {
      const res = runTool(c.function.name, c.function.arguments);
      messages.push({ role: 'tool', content: (res.isError ? 'Error: ' : '') + res.text, tool_name: c.function.name });
    }
  }
});

// ---- the fake refuses what the vendors refuse -------------------------
{
  const fake = await startFake({ keys, aws, lifetimeMs: 30000, scripts: { bedrock: scenario(false), anthropic: scenario(false), openai: scenario(false) } });
  const base = `http://127.0.0.1:${fake.port}`;
  let refused = false;
  try { await bedrockLoop(bedrockClient(base, 'the-wrong-secret'), 'amazon.nova-lite-v1:0'); } catch { refused = true; }
  check(refused && fake.state.violations.some(v => /signature does not match/.test(v)), 'the fake refuses a SigV4 signature made with the wrong secret');
  const post = (p, headers, body) => fetch(base + p, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  let r = await post('/v1/messages', { 'x-api-key': keys.anthropic }, { model: 'c', max_tokens: 5, messages: [{ role: 'user', content: PROMPT }] });
  check(r.status === 400 && /anthropic-version/.test((await r.json()).error.message), 'the fake refuses a Messages request without anthropic-version');
  r = await post('/v1/messages', { 'x-api-key': 'sk-ant-wrong', 'anthropic-version': '2023-06-01' }, { model: 'c', max_tokens: 5, messages: [{ role: 'user', content: PROMPT }] });
  check(r.status === 400, 'the fake refuses a wrong key');
  r = await post('/v1/chat/completions', { authorization: 'Bearer ' + keys.openai }, { model: 'm', messages: [{ role: 'user', content: PROMPT }, { role: 'tool', tool_call_id: 'call_x', content: 'r' }] });
  check(r.status === 400, 'the fake refuses a tool result that answers no call');
  r = await post('/v1/chat/completions', { authorization: 'Bearer ' + keys.openai }, { model: 'm', messages: [{ role: 'user', content: PROMPT }], tools: [{ type: 'function', function: { name: 'a.b', parameters: { type: 'object' } } }] });
  check(r.status === 400, 'the fake refuses an illegal function name');
  fake.close();
}

console.log(failures ? `${failures} failure(s)` : 'all passed');
process.exit(failures ? 1 : 0);
