// fake_llm.mjs - a local stand-in for the model vendors' APIs.
//
// Speaks each vendor's wire format on 127.0.0.1, by path:
//   POST /v1/chat/completions                         openai
//   POST /openai/deployments/D/chat/completions?api-version=V   azure
//   POST /v1/responses                                openai-responses
//   POST /v1/messages                                 anthropic
//   POST /model/ID/converse                           bedrock
//   POST /v1beta/models/M:generateContent             gemini
//   POST /api/chat                                    ollama
// and plays a script per vendor: each request gets the next scripted turn
// (tool calls, a final answer, or an HTTP failure). Every request is
// checked the way the real service would refuse it, and more: the
// headers (auth, versions, SigV4 with service "bedrock"), the tool
// declarations' exact shape, the conversation's shape, and that each tool
// result answers a call of the previous turn, by id, with the error flag
// the script expects. A violation is answered with HTTP 400 in the
// vendor's error shape (so the client fails loudly) and recorded.
//
// Usage: node fake_llm.mjs CONFIG.json   (or import {startFake})
// CONFIG: {"portFile": path, "reportFile": path, "lifetimeMs": 60000,
//          "keys": {"openai": "...", ...}, "aws": {"accessKeyId",
//          "secretAccessKey", "sessionToken"?, "region"}, "bearerBedrock"?,
//          "expectTools": [fc names], "prompt": "...",
//          "scripts": {"openai": [turn, ...], ...}}
// turn: {"calls": [{"name", "args", "rawArgs"?, "expectError"?,
//                   "expectText"?}], "text"?}
//     | {"text": "final answer"}
//     | {"status": 429|500|..., "headers": {...}, "echoKey"?: true}
//     | {"truncate": true}   headers promise more than is sent
//     | {"badJson": true}    200 with a body that is not JSON
//     | {"hangMs": n}        answer nothing for n ms, then a final answer
// The report file, rewritten after every request: {"requests": n,
// "served": {vendor: n}, "violations": [...], "timings": [...]}.
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';

const FC_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const ID_SAFE = /^[a-zA-Z0-9_-]+$/;

class Violation extends Error {}
const must = (cond, msg) => { if (!cond) throw new Violation(msg); };
const isObj = v => v !== null && typeof v === 'object' && !Array.isArray(v);
const onlyKeys = (o, allowed, where) => {
  for (const k of Object.keys(o)) must(allowed.includes(k), `${where}: unexpected key "${k}"`);
};

// ---- SigV4, the way AWS checks it (the AWS SDK test validates this) ----
const hmac = (k, s) => crypto.createHmac('sha256', k).update(s).digest();
const sha256hex = s => crypto.createHash('sha256').update(s).digest('hex');
const awsEncode = s => encodeURIComponent(s).replace(/[!'()*]/g,
  c => '%' + c.charCodeAt(0).toString(16).toUpperCase());
export function verifySigV4(req, body, aws) {
  const auth = req.headers.authorization || '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  must(m, `Authorization is not a SigV4 header: "${auth.slice(0, 40)}..."`);
  const [, akid, day, region, service, signed, sig] = m;
  must(akid === aws.accessKeyId, `SigV4 credential names access key ${akid}`);
  must(service === 'bedrock', `SigV4 service is "${service}", Bedrock signs as "bedrock"`);
  must(region === aws.region, `SigV4 region is "${region}", expected "${aws.region}"`);
  const date = req.headers['x-amz-date'];
  must(/^\d{8}T\d{6}Z$/.test(date || ''), 'x-amz-date missing or malformed');
  must(date.slice(0, 8) === day, 'x-amz-date and the credential scope disagree');
  const t = Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8),
    +date.slice(9, 11), +date.slice(11, 13), +date.slice(13, 15));
  must(Math.abs(Date.now() - t) < 5 * 60 * 1000, 'x-amz-date is more than 5 minutes off');
  const names = signed.split(';');
  must(names.includes('host') && names.includes('x-amz-date'), 'host and x-amz-date must be signed');
  if (aws.sessionToken) {
    must(req.headers['x-amz-security-token'] === aws.sessionToken, 'x-amz-security-token missing or wrong');
    must(names.includes('x-amz-security-token'), 'x-amz-security-token must be signed');
  }
  const [path, query = ''] = req.url.split('?');
  // Non-S3 services: each segment of the path as sent is encoded again.
  const canonPath = path.split('/').map(awsEncode).join('/');
  const canonQuery = query ? query.split('&').map(p => p.split('=').map(x => awsEncode(decodeURIComponent(x))).join('=')).sort().join('&') : '';
  const headers = names.map(n => {
    must(req.headers[n] !== undefined, `signed header ${n} was not sent`);
    return `${n}:${String(req.headers[n]).trim().replace(/\s+/g, ' ')}\n`;
  }).join('');
  const creq = [req.method, canonPath, canonQuery, headers, signed, sha256hex(body)].join('\n');
  const sts = ['AWS4-HMAC-SHA256', date, `${day}/${region}/${service}/aws4_request`, sha256hex(creq)].join('\n');
  const k = hmac(hmac(hmac(hmac('AWS4' + aws.secretAccessKey, day), region), service), 'aws4_request');
  must(hmac(k, sts).toString('hex') === sig, 'SigV4 signature does not match (canonical request:\n' + creq + ')');
}

// ---- tool declarations -------------------------------------------------
function checkSchema(s, where) {
  must(isObj(s) && s.type === 'object', `${where}: the parameters schema must be an object schema`);
}
const declCheckers = {
  openai(body, where) {
    return (body.tools || []).map((t, i) => {
      const w = `${where}.tools[${i}]`;
      onlyKeys(t, ['type', 'function'], w);
      must(t.type === 'function', `${w}.type must be "function"`);
      onlyKeys(t.function, ['name', 'description', 'parameters', 'strict'], `${w}.function`);
      must(FC_NAME.test(t.function.name), `${w}.function.name is not ^[a-zA-Z0-9_-]{1,64}$`);
      must(typeof t.function.description === 'string', `${w}.function.description`);
      checkSchema(t.function.parameters, `${w}.function.parameters`);
      must(typeof t.function.strict === 'boolean', `${w}.function.strict must be a boolean`);
      if (t.function.strict) strictOk(t.function.parameters, `${w}.function.parameters`);
      return t.function.name;
    });
  },
  responses(body, where) {
    return (body.tools || []).map((t, i) => {
      const w = `${where}.tools[${i}]`;
      onlyKeys(t, ['type', 'name', 'description', 'parameters', 'strict'], w);
      must(t.type === 'function', `${w}.type must be "function"`);
      must(FC_NAME.test(t.name), `${w}.name is not a function name`);
      checkSchema(t.parameters, `${w}.parameters`);
      must(typeof t.strict === 'boolean', `${w}.strict must be a boolean`);
      if (t.strict) strictOk(t.parameters, `${w}.parameters`);
      return t.name;
    });
  },
  anthropic(body, where) {
    return (body.tools || []).map((t, i) => {
      const w = `${where}.tools[${i}]`;
      onlyKeys(t, ['name', 'description', 'input_schema'], w);
      must(FC_NAME.test(t.name), `${w}.name is not ^[a-zA-Z0-9_-]{1,64}$`);
      checkSchema(t.input_schema, `${w}.input_schema`);
      return t.name;
    });
  },
  bedrock(body, where) {
    const tools = body.toolConfig ? body.toolConfig.tools : [];
    if (body.toolConfig) onlyKeys(body.toolConfig, ['tools', 'toolChoice'], `${where}.toolConfig`);
    return tools.map((t, i) => {
      const w = `${where}.toolConfig.tools[${i}]`;
      onlyKeys(t, ['toolSpec'], w);
      onlyKeys(t.toolSpec, ['name', 'description', 'inputSchema'], `${w}.toolSpec`);
      must(FC_NAME.test(t.toolSpec.name), `${w}.toolSpec.name is not [a-zA-Z0-9_-]{1,64}`);
      must(typeof t.toolSpec.description === 'string' && t.toolSpec.description.length > 0, `${w}.toolSpec.description`);
      onlyKeys(t.toolSpec.inputSchema, ['json'], `${w}.toolSpec.inputSchema`);
      checkSchema(t.toolSpec.inputSchema.json, `${w}.toolSpec.inputSchema.json`);
      return t.toolSpec.name;
    });
  },
  gemini(body, where) {
    if (!body.tools) return [];
    must(Array.isArray(body.tools) && body.tools.length === 1, `${where}.tools must hold one functionDeclarations tool`);
    onlyKeys(body.tools[0], ['functionDeclarations'], `${where}.tools[0]`);
    return body.tools[0].functionDeclarations.map((d, i) => {
      const w = `${where}.tools[0].functionDeclarations[${i}]`;
      onlyKeys(d, ['name', 'description', 'parameters', 'parametersJsonSchema'], w);
      must(/^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/.test(d.name), `${w}.name breaks Gemini's name rule`);
      must(!(d.parameters && d.parametersJsonSchema), `${w}: parameters and parametersJsonSchema are exclusive`);
      if (d.parametersJsonSchema) {
        checkSchema(d.parametersJsonSchema, `${w}.parametersJsonSchema`);
        must(!('$schema' in d.parametersJsonSchema), `${w}.parametersJsonSchema: $schema is not accepted`);
      }
      if (d.parameters) openApiOk(d.parameters, `${w}.parameters`, true);
      return d.name;
    });
  },
  ollama(body, where) {
    return (body.tools || []).map((t, i) => {
      const w = `${where}.tools[${i}]`;
      onlyKeys(t, ['type', 'function'], w);
      must(t.type === 'function', `${w}.type`);
      onlyKeys(t.function, ['name', 'description', 'parameters'], `${w}.function`);
      checkSchema(t.function.parameters, `${w}.function.parameters`);
      return t.function.name;
    });
  },
};
declCheckers.azure = declCheckers.openai;

// OpenAI refuses strict:true unless every object is closed and complete.
function strictOk(s, where) {
  if (!isObj(s)) return;
  if (s.type === 'object' || s.properties) {
    must(s.additionalProperties === false, `${where}: strict needs additionalProperties:false`);
    const props = Object.keys(s.properties || {});
    must(props.every(p => (s.required || []).includes(p)), `${where}: strict needs every property required`);
  }
  for (const [k, v] of Object.entries(s.properties || {})) strictOk(v, `${where}.properties.${k}`);
  if (s.items) strictOk(s.items, `${where}.items`);
}

// Gemini's Schema message: these fields and no others.
const OPENAPI_KEYS = ['type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems',
  'properties', 'required', 'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example',
  'anyOf', 'propertyOrdering', 'default', 'items', 'minimum', 'maximum'];
function openApiOk(s, where, root) {
  must(isObj(s), `${where} must be an object`);
  onlyKeys(s, OPENAPI_KEYS, where);
  if (s.anyOf) must(Object.keys(s).length === 1, `${where}: anyOf must be the only field`);
  if (s.type !== undefined) must(['STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL'].includes(s.type), `${where}.type "${s.type}"`);
  if (root) must(s.type === 'OBJECT' && s.properties && Object.keys(s.properties).length, `${where}: OBJECT with empty properties`);
  if (s.type === 'ARRAY') must(isObj(s.items), `${where}: ARRAY needs items`);
  for (const [k, v] of Object.entries(s.properties || {})) openApiOk(v, `${where}.properties.${k}`);
  if (isObj(s.items) && Object.keys(s.items).length) openApiOk(s.items, `${where}.items`);
  (s.anyOf || []).forEach((b, i) => openApiOk(b, `${where}.anyOf[${i}]`));
}

// ---- requests into a neutral conversation ------------------------------
// Each turn: {role:'user', text} | {role:'assistant', text, calls:[{id,name,args}], raw}
//          | {role:'results', results:[{id, name, isError, text}]}
const str = (v, w) => { must(typeof v === 'string', `${w} must be a string`); return v; };
const textOfParts = c => typeof c === 'string' ? c : c.map(b => b.text || '').join('');

const normalizers = {
  openai(body) {
    must(typeof body.model === 'string', 'model is required');
    must(Array.isArray(body.messages), 'messages must be an array');
    const turns = [];
    body.messages.forEach((m, i) => {
      const w = `messages[${i}]`;
      if (m.role === 'system' || m.role === 'developer') { onlyKeys(m, ['role', 'content', 'name'], w); return; }
      if (m.role === 'user') { onlyKeys(m, ['role', 'content', 'name'], w); turns.push({ role: 'user', text: textOfParts(m.content) }); return; }
      if (m.role === 'assistant') {
        // What the API itself returned may come back as it was.
        onlyKeys(m, ['role', 'content', 'tool_calls', 'refusal', 'name', 'annotations', 'audio', 'function_call'], w);
        must(m.content === null || typeof m.content === 'string', `${w}.content must be a string or null`);
        const calls = (m.tool_calls || []).map((c, k) => {
          onlyKeys(c, ['id', 'type', 'function'], `${w}.tool_calls[${k}]`);
          must(c.type === 'function', `${w}.tool_calls[${k}].type`);
          onlyKeys(c.function, ['name', 'arguments'], `${w}.tool_calls[${k}].function`);
          return { id: str(c.id, 'id'), name: c.function.name, args: str(c.function.arguments, `${w}.tool_calls[${k}].function.arguments`) };
        });
        turns.push({ role: 'assistant', text: m.content, calls });
        return;
      }
      must(m.role === 'tool', `${w}.role "${m.role}" is not a Chat Completions role`);
      onlyKeys(m, ['role', 'tool_call_id', 'content'], w);
      const last = turns[turns.length - 1];
      const r = { id: str(m.tool_call_id, `${w}.tool_call_id`), text: str(m.content, `${w}.content`) };
      r.isError = r.text.startsWith('Error:');
      if (last && last.role === 'results') last.results.push(r); else turns.push({ role: 'results', results: [r] });
    });
    return turns;
  },
  responses(body) {
    must(typeof body.model === 'string', 'model is required');
    must(Array.isArray(body.input), 'input must be an array');
    const turns = [];
    const lastOf = role => { const l = turns[turns.length - 1]; if (l && l.role === role) return l; const t = role === 'results' ? { role, results: [] } : { role, text: null, calls: [], raw: [] }; turns.push(t); return t; };
    body.input.forEach((it, i) => {
      const w = `input[${i}]`;
      const type = it.type || 'message';
      if (type === 'message' && it.role === 'user') { turns.push({ role: 'user', text: textOfParts(it.content) }); return; }
      if (type === 'message' && it.role === 'assistant') {
        const a = lastOf('assistant'); a.raw.push(it);
        a.text = (a.text || '') + textOfParts(it.content); return;
      }
      if (type === 'reasoning') { const a = lastOf('assistant'); a.raw.push(it); must(typeof it.id === 'string', `${w}.id`); return; }
      if (type === 'function_call') {
        const a = lastOf('assistant'); a.raw.push(it);
        a.calls.push({ id: str(it.call_id, `${w}.call_id`), name: str(it.name, `${w}.name`), args: str(it.arguments, `${w}.arguments`) });
        return;
      }
      must(type === 'function_call_output', `${w}.type "${type}" unexpected`);
      onlyKeys(it, ['type', 'call_id', 'output', 'id', 'status'], w);
      const r = { id: str(it.call_id, `${w}.call_id`), text: str(it.output, `${w}.output`) };
      r.isError = r.text.startsWith('Error:');
      lastOf('results').results.push(r);
    });
    return turns;
  },
  anthropic(body, req) {
    must(typeof body.model === 'string', 'model is required');
    must(Number.isInteger(body.max_tokens) && body.max_tokens > 0, 'max_tokens is required');
    must(Array.isArray(body.messages) && body.messages.length, 'messages must be a non-empty array');
    must(body.messages[0].role === 'user', 'the first message must be a user message');
    const turns = [];
    body.messages.forEach((m, i) => {
      const w = `messages[${i}]`;
      onlyKeys(m, ['role', 'content'], w);
      must(m.role === 'user' || m.role === 'assistant', `${w}.role`);
      const blocks = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
      must(Array.isArray(blocks) && blocks.length, `${w}.content must not be empty`);
      if (m.role === 'assistant') {
        const a = { role: 'assistant', text: null, calls: [], raw: blocks };
        blocks.forEach((b, k) => {
          if (b.type === 'text') a.text = (a.text || '') + b.text;
          else if (b.type === 'tool_use') {
            onlyKeys(b, ['type', 'id', 'name', 'input', 'caller'], `${w}.content[${k}]`);
            must(ID_SAFE.test(b.id), `${w}.content[${k}].id breaks the id pattern`);
            must(isObj(b.input), `${w}.content[${k}].input must be an object`);
            a.calls.push({ id: b.id, name: b.name, args: JSON.stringify(b.input) });
          } else must(['thinking', 'redacted_thinking'].includes(b.type), `${w}.content[${k}].type "${b.type}"`);
        });
        turns.push(a);
        return;
      }
      const results = blocks.filter(b => b.type === 'tool_result');
      if (results.length) {
        must(blocks.slice(0, results.length).every(b => b.type === 'tool_result'), `${w}: tool_result blocks must come first`);
        turns.push({ role: 'results', results: results.map((b, k) => {
          onlyKeys(b, ['type', 'tool_use_id', 'content', 'is_error', 'cache_control'], `${w}.content[${k}]`);
          must(b.is_error === undefined || typeof b.is_error === 'boolean', `${w}.content[${k}].is_error`);
          const c = typeof b.content === 'string' ? b.content : b.content.map(x => {
            must(['text', 'image'].includes(x.type), `${w}.content[${k}].content type ${x.type}`);
            if (x.type === 'image') must(x.source && x.source.type === 'base64' && /^image\//.test(x.source.media_type), 'image block');
            return x.type === 'text' ? x.text : '';
          }).join('');
          return { id: b.tool_use_id, text: c, isError: b.is_error === true };
        }) });
      } else turns.push({ role: 'user', text: blocks.map(b => b.text || '').join('') });
    });
    return turns;
  },
  bedrock(body) {
    onlyKeys(body, ['messages', 'system', 'toolConfig', 'inferenceConfig', 'additionalModelRequestFields'], 'request');
    must(Array.isArray(body.messages) && body.messages.length, 'messages must be a non-empty array');
    const turns = [];
    let usesTools = false;
    body.messages.forEach((m, i) => {
      const w = `messages[${i}]`;
      onlyKeys(m, ['role', 'content'], w);
      must(Array.isArray(m.content) && m.content.length, `${w}.content must be a non-empty array`);
      if (m.role === 'assistant') {
        const a = { role: 'assistant', text: null, calls: [], raw: m.content };
        m.content.forEach((b, k) => {
          must(Object.keys(b).length === 1, `${w}.content[${k}] must hold exactly one member`);
          if ('text' in b) a.text = (a.text || '') + b.text;
          else if (b.toolUse) {
            usesTools = true;
            onlyKeys(b.toolUse, ['toolUseId', 'name', 'input'], `${w}.content[${k}].toolUse`);
            must(ID_SAFE.test(b.toolUse.toolUseId) && b.toolUse.toolUseId.length <= 64, 'toolUseId pattern');
            a.calls.push({ id: b.toolUse.toolUseId, name: b.toolUse.name, args: JSON.stringify(b.toolUse.input) });
          } else must(b.reasoningContent, `${w}.content[${k}] unexpected block`);
        });
        turns.push(a);
        return;
      }
      must(m.role === 'user', `${w}.role`);
      const results = m.content.filter(b => b.toolResult);
      if (results.length) {
        usesTools = true;
        must(results.length === m.content.length, `${w}: a tool-result message holds tool results only`);
        turns.push({ role: 'results', results: results.map((b, k) => {
          const r = b.toolResult;
          onlyKeys(r, ['toolUseId', 'content', 'status'], `${w}.content[${k}].toolResult`);
          must(['success', 'error'].includes(r.status), `${w}.content[${k}].toolResult.status`);
          must(Array.isArray(r.content) && r.content.length, 'toolResult.content must be a non-empty array');
          const text = r.content.map(c => {
            must(Object.keys(c).length === 1 && ('text' in c || 'json' in c || 'image' in c), 'toolResult content block');
            if (c.image) must(['png', 'jpeg', 'gif', 'webp'].includes(c.image.format) && c.image.source.bytes, 'image block');
            return c.text !== undefined ? c.text : c.json !== undefined ? JSON.stringify(c.json) : '';
          }).join('');
          return { id: r.toolUseId, text, isError: r.status === 'error' };
        }) });
      } else turns.push({ role: 'user', text: m.content.map(b => b.text || '').join('') });
    });
    if (usesTools) must(body.toolConfig, 'toolConfig is required when messages hold toolUse or toolResult');
    return turns;
  },
  gemini(body) {
    onlyKeys(body, ['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'safetySettings'], 'request');
    must(Array.isArray(body.contents) && body.contents.length, 'contents must be a non-empty array');
    const turns = [];
    body.contents.forEach((c, i) => {
      const w = `contents[${i}]`;
      must(['user', 'model'].includes(c.role), `${w}.role must be user or model`);
      must(Array.isArray(c.parts) && c.parts.length, `${w}.parts must be non-empty`);
      if (c.role === 'model') {
        const a = { role: 'assistant', text: null, calls: [], raw: c.parts };
        c.parts.forEach((p, k) => {
          onlyKeys(p, ['text', 'functionCall', 'thoughtSignature', 'thought'], `${w}.parts[${k}]`);
          if (p.functionCall) {
            onlyKeys(p.functionCall, ['name', 'args', 'id'], `${w}.parts[${k}].functionCall`);
            must(isObj(p.functionCall.args), 'functionCall.args must be an object');
            a.calls.push({ id: p.functionCall.id, name: p.functionCall.name, args: JSON.stringify(p.functionCall.args), signature: p.thoughtSignature });
          } else if (!p.thought) a.text = (a.text || '') + (p.text || '');
        });
        turns.push(a);
        return;
      }
      const frs = c.parts.filter(p => p.functionResponse);
      if (frs.length) {
        must(frs.length === c.parts.length, `${w}: function responses go alone in their turn`);
        turns.push({ role: 'results', results: frs.map((p, k) => {
          const r = p.functionResponse;
          onlyKeys(r, ['name', 'response', 'id'], `${w}.parts[${k}].functionResponse`);
          must(isObj(r.response), 'functionResponse.response must be an object');
          const isError = 'error' in r.response;
          const v = isError ? r.response.error : r.response.output;
          return { id: r.id, name: r.name, text: typeof v === 'string' ? v : JSON.stringify(v), isError };
        }) });
      } else turns.push({ role: 'user', text: c.parts.map(p => p.text || '').join('') });
    });
    return turns;
  },
  ollama(body) {
    must(typeof body.model === 'string', 'model is required');
    must(body.stream === false, 'stream must be false for one JSON answer');
    const turns = [];
    body.messages.forEach((m, i) => {
      const w = `messages[${i}]`;
      if (m.role === 'system') return;
      if (m.role === 'user') { turns.push({ role: 'user', text: m.content }); return; }
      if (m.role === 'assistant') {
        onlyKeys(m, ['role', 'content', 'tool_calls', 'thinking', 'images'], w);
        turns.push({ role: 'assistant', text: m.content || null, calls: (m.tool_calls || []).map((c, k) => {
          onlyKeys(c.function, ['name', 'arguments', 'index'], `${w}.tool_calls[${k}].function`);
          must(isObj(c.function.arguments), `${w}.tool_calls[${k}].function.arguments must be an object`);
          return { name: c.function.name, args: JSON.stringify(c.function.arguments) };
        }) });
        return;
      }
      must(m.role === 'tool', `${w}.role`);
      onlyKeys(m, ['role', 'content', 'tool_name'], w);
      const r = { name: str(m.tool_name, `${w}.tool_name`), text: str(m.content, `${w}.content`) };
      r.isError = r.text.startsWith('Error:');
      const last = turns[turns.length - 1];
      if (last && last.role === 'results') last.results.push(r); else turns.push({ role: 'results', results: [r] });
    });
    return turns;
  },
};
normalizers.azure = normalizers.openai;

// ---- responses in each vendor's shape ----------------------------------
let seq = 0;
const nextId = p => `${p}${(++seq).toString(36)}${crypto.randomBytes(3).toString('hex')}`;
const usageOf = n => ({ in: 100 + n, out: 10 + n });

const builders = {
  openai(turn, n, model) {
    const u = usageOf(n);
    const calls = turn.calls ? turn.calls.map(c => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.rawArgs !== undefined ? c.rawArgs : JSON.stringify(c.args) } })) : undefined;
    const message = { role: 'assistant', content: turn.calls ? (turn.text || null) : turn.text, refusal: null, annotations: [] };
    if (calls) message.tool_calls = calls;
    return { id: nextId('chatcmpl-'), object: 'chat.completion', created: Math.floor(Date.now() / 1000), model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: calls ? 'tool_calls' : 'stop' }],
      usage: { prompt_tokens: u.in, completion_tokens: u.out, total_tokens: u.in + u.out }, system_fingerprint: 'fp_fake' };
  },
  responses(turn, n, model) {
    const u = usageOf(n);
    const output = [{ type: 'reasoning', id: nextId('rs_'), summary: [] }];
    if (turn.text) output.push({ type: 'message', id: nextId('msg_'), status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: turn.text, annotations: [] }] });
    for (const c of turn.calls || []) output.push({ type: 'function_call', id: nextId('fc_'), call_id: c.id, name: c.name, arguments: c.rawArgs !== undefined ? c.rawArgs : JSON.stringify(c.args), status: 'completed' });
    return { id: nextId('resp_'), object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'completed', model, output,
      parallel_tool_calls: true, tool_choice: 'auto', tools: [], error: null, incomplete_details: null,
      usage: { input_tokens: u.in, input_tokens_details: { cached_tokens: 0 }, output_tokens: u.out, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: u.in + u.out } };
  },
  anthropic(turn, n, model) {
    const u = usageOf(n);
    const content = [{ type: 'thinking', thinking: 'Let me see.', signature: 'c2lnbmF0dXJl' + n }];
    if (turn.text) content.push({ type: 'text', text: turn.text });
    for (const c of turn.calls || []) content.push({ type: 'tool_use', id: c.id, name: c.name, input: c.args });
    return { id: nextId('msg_'), type: 'message', role: 'assistant', model, content,
      stop_reason: turn.calls ? 'tool_use' : 'end_turn', stop_sequence: null,
      usage: { input_tokens: u.in, output_tokens: u.out, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } };
  },
  bedrock(turn, n) {
    const u = usageOf(n);
    const content = [];
    if (turn.text) content.push({ text: turn.text });
    for (const c of turn.calls || []) content.push({ toolUse: { toolUseId: c.id, name: c.name, input: c.args } });
    return { output: { message: { role: 'assistant', content } }, stopReason: turn.calls ? 'tool_use' : 'end_turn',
      usage: { inputTokens: u.in, outputTokens: u.out, totalTokens: u.in + u.out }, metrics: { latencyMs: 1 } };
  },
  gemini(turn, n, model) {
    const u = usageOf(n);
    const parts = [];
    if (turn.text) parts.push({ text: turn.text });
    (turn.calls || []).forEach((c, i) => {
      const p = { functionCall: { name: c.name, args: c.args } };
      if (i === 0) p.thoughtSignature = Buffer.from('sig' + n).toString('base64');
      parts.push(p);
    });
    return { candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: u.in, candidatesTokenCount: u.out, totalTokenCount: u.in + u.out }, modelVersion: model, responseId: nextId('') };
  },
  ollama(turn, n, model) {
    const u = usageOf(n);
    const message = { role: 'assistant', content: turn.text || '' };
    if (turn.calls) message.tool_calls = turn.calls.map(c => ({ function: { name: c.name, arguments: c.args } }));
    return { model, created_at: new Date().toISOString(), message, done: true, done_reason: 'stop',
      total_duration: 1000, load_duration: 10, prompt_eval_count: u.in, prompt_eval_duration: 10, eval_count: u.out, eval_duration: 10 };
  },
};
builders.azure = builders.openai;

function errorBody(vendor, status, message) {
  switch (vendor) {
    case 'anthropic': return { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error', message } };
    case 'bedrock': return { message };
    case 'gemini': return { error: { code: status, message, status: status === 429 ? 'RESOURCE_EXHAUSTED' : status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT' } };
    case 'ollama': return { error: message };
    default: return { error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'invalid_request_error', param: null, code: null } };
  }
}

function route(req) {
  const path = req.url.split('?')[0];
  if (path === '/v1/chat/completions') return { vendor: 'openai' };
  let m = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(path);
  if (m) return { vendor: 'azure', model: decodeURIComponent(m[1]) };
  if (path === '/v1/responses') return { vendor: 'responses' };
  if (path === '/v1/messages') return { vendor: 'anthropic' };
  if ((m = /^\/model\/([^/]+)\/converse$/.exec(path))) return { vendor: 'bedrock', model: decodeURIComponent(m[1]) };
  if ((m = /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(path))) return { vendor: 'gemini', model: decodeURIComponent(m[1]) };
  if (path === '/api/chat') return { vendor: 'ollama' };
  return null;
}

function checkAuth(vendor, req, body, cfg) {
  const keys = cfg.keys || {};
  must(/^application\/json/.test(req.headers['content-type'] || ''), 'Content-Type must be application/json');
  switch (vendor) {
    case 'openai': case 'responses':
      must(req.headers.authorization === `Bearer ${keys.openai}`, 'Authorization must be "Bearer $OPENAI_API_KEY"'); break;
    case 'azure': {
      must(req.headers['api-key'] === keys.azure, 'api-key header must hold $AZURE_OPENAI_API_KEY');
      must(!req.headers.authorization, 'Azure key auth sends no Authorization header');
      const q = new URLSearchParams(req.url.split('?')[1] || '');
      must(/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(q.get('api-version') || ''), 'api-version query parameter missing'); break;
    }
    case 'anthropic': {
      // The API takes the key as x-api-key (the documented header, with
      // version 2023-06-01) or, as SDK 1.x sends it, as a bearer token
      // (with version 2026-10-21). cfg.anthropicAuth pins one style.
      const viaHeader = req.headers['x-api-key'] === keys.anthropic && !req.headers.authorization;
      const viaBearer = req.headers.authorization === `Bearer ${keys.anthropic}` && !req.headers['x-api-key'];
      must(viaHeader || viaBearer, 'the key must come as x-api-key (or Authorization: Bearer), once');
      must(['2023-06-01', '2026-10-21'].includes(req.headers['anthropic-version']), 'anthropic-version header missing or unknown');
      if (cfg.anthropicAuth) must(cfg.anthropicAuth === (viaHeader ? 'x-api-key' : 'bearer') && req.headers['anthropic-version'] === cfg.anthropicVersion,
        `expected ${cfg.anthropicAuth} auth with anthropic-version ${cfg.anthropicVersion}`);
      break;
    }
    case 'bedrock':
      if (cfg.bearerBedrock) must(req.headers.authorization === `Bearer ${cfg.bearerBedrock}`, 'Authorization must be "Bearer $AWS_BEARER_TOKEN_BEDROCK"');
      else verifySigV4(req, body, cfg.aws); break;
    case 'gemini':
      must(req.headers['x-goog-api-key'] === keys.gemini, 'x-goog-api-key must hold $GEMINI_API_KEY');
      must(!/[?&]key=/.test(req.url), 'the key belongs in x-goog-api-key, not the URL'); break;
    case 'ollama': break;
  }
}

// ---- the conversation checks --------------------------------------------
// emitted: every assistant turn the fake served, across vendors, in order.
function checkConversation(vendor, turns, st, cfg) {
  const where = vendor;
  must(turns.length && turns[0].role === 'user', `${where}: the conversation must start with the user's prompt`);
  if (cfg.prompt) must(turns[0].text === cfg.prompt, `${where}: the first user message is not the prompt`);
  const assistants = turns.filter(t => t.role === 'assistant');
  must(assistants.length === st.emitted.length, `${where}: the request replays ${assistants.length} model turns, ${st.emitted.length} were served`);
  assistants.forEach((a, i) => {
    const e = st.emitted[i];
    must(a.calls.length === (e.calls || []).length, `${where}: model turn ${i} has ${a.calls.length} calls, ${(e.calls || []).length} were served`);
    a.calls.forEach((c, k) => {
      const ec = e.calls[k];
      must(c.name === ec.name, `${where}: model turn ${i} call ${k} is ${c.name}, ${ec.name} was served`);
      if (ec.rawArgs === undefined) must(JSON.stringify(JSON.parse(c.args)) === JSON.stringify(ec.args), `${where}: model turn ${i} call ${k} arguments changed`);
      else if (['openai', 'azure', 'responses'].includes(vendor)) must(c.args === ec.rawArgs, `${where}: the model's raw arguments were not sent back as they came`);
      if (c.id !== undefined && ec.vendorHasIds && e.vendor === vendor) must(c.id === ec.id, `${where}: call id ${c.id} is not the served ${ec.id}`);
    });
    if (e.vendor === vendor && vendor === 'gemini' && e.calls && e.calls.length)
      must(a.calls[0].signature === e.signature, 'gemini: the thought signature did not come back with its call');
    if (e.vendor === vendor && vendor === 'anthropic')
      must(a.raw[0].type === 'thinking' && a.raw[0].signature === e.signature, 'anthropic: the thinking block did not come back unchanged');
    if (e.vendor === vendor && vendor === 'responses')
      must(a.raw.some(x => x.type === 'reasoning' && x.id === e.reasoningId), 'responses: the reasoning item did not come back with its calls');
    if (e.vendor !== vendor && vendor === 'gemini')
      a.calls.forEach(c => must(c.signature, 'gemini: a function call from another model needs a thoughtSignature'));
  });
  // Every results turn answers the calls of the model turn just before it.
  turns.forEach((t, i) => {
    if (t.role !== 'results') return;
    const a = turns[i - 1];
    must(a && a.role === 'assistant', `${where}: tool results must follow the model turn that asked for them`);
    must(t.results.length === a.calls.length, `${where}: ${a.calls.length} calls, ${t.results.length} results`);
    const served = st.emitted[turns.slice(0, i).filter(x => x.role === 'assistant').length - 1];
    t.results.forEach((r, k) => {
      const c = a.calls[k];
      if (r.id !== undefined && c.id !== undefined) must(r.id === c.id, `${where}: result ${k} answers ${r.id}, the call was ${c.id}`);
      if (r.name !== undefined) must(r.name === c.name, `${where}: result ${k} names ${r.name}, the call was ${c.name}`);
      const sc = served.calls[k];
      must(r.isError === !!sc.expectError, `${where}: result for ${c.name} has error=${r.isError}, expected ${!!sc.expectError} (${r.text.slice(0, 200)})`);
      if (sc.expectText) must(r.text.includes(sc.expectText), `${where}: result for ${c.name} lacks "${sc.expectText}": ${r.text.slice(0, 200)}`);
    });
  });
  const last = turns[turns.length - 1];
  if (st.emitted.length) {
    const prev = st.emitted[st.emitted.length - 1];
    if (prev.calls) must(last.role === 'results', `${where}: the request should end with the results of the last calls`);
  }
}

export function startFake(cfg) {
  const st = { requests: 0, served: {}, emitted: [], violations: [], timings: [], lastServedAt: 0 };
  const scripts = cfg.scripts || {};
  const pos = {};
  const writeReport = () => { if (cfg.reportFile) fs.writeFileSync(cfg.reportFile, JSON.stringify({ requests: st.requests, served: st.served, violations: st.violations, timings: st.timings }, null, 1)); };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', d => chunks.push(d));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const now = Date.now();
      st.requests++;
      const r = route(req);
      const send = (status, obj, headers = {}) => {
        const text = JSON.stringify(obj);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
        res.end(text);
      };
      if (!r || req.method !== 'POST') { send(404, { error: { message: `no route ${req.method} ${req.url}` } }); writeReport(); return; }
      const vendor = r.vendor;
      try {
        let body;
        try { body = JSON.parse(raw); } catch { throw new Violation('the request body is not JSON'); }
        checkAuth(vendor, req, raw, cfg);
        const script = scripts[vendor] || [];
        const i = pos[vendor] || 0;
        must(i < script.length, `${vendor}: request ${i + 1} is beyond the script (${script.length} turns)`);
        const turn = script[i];
        pos[vendor] = i + 1;
        st.served[vendor] = (st.served[vendor] || 0) + 1;
        if (turn.status) {
          const hdr = { ...(turn.headers || {}) };
          if (vendor === 'bedrock') hdr['x-amzn-ErrorType'] = turn.status === 429 ? 'ThrottlingException' : 'InternalServerException';
          const msg = turn.echoKey ? `Incorrect API key provided: ${(cfg.keys || {})[vendor] || (cfg.aws || {}).secretAccessKey}` : `scripted HTTP ${turn.status}`;
          send(turn.status, errorBody(vendor, turn.status, msg), hdr);
          writeReport();
          return;
        }
        // Checks that need a well-formed request.
        const names = declCheckers[vendor](body, 'request');
        if (cfg.expectTools) must(JSON.stringify([...names].sort()) === JSON.stringify([...cfg.expectTools].sort()), `${vendor}: declared tools ${names.join(',')} are not ${cfg.expectTools.join(',')}`);
        const turns = normalizers[vendor](body, req);
        checkConversation(vendor, turns, st, cfg);
        if (st.lastServedAt) st.timings.push({ vendor, sinceLastMs: now - st.lastServedAt });
        if (turn.truncate) {
          const text = JSON.stringify(builders[vendor]({ text: 'never whole' }, st.emitted.length, r.model || body.model));
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
          res.write(text.slice(0, Math.floor(text.length / 2)));
          setTimeout(() => res.socket.destroy(), 20);
          writeReport();
          return;
        }
        if (turn.hangMs) {
          setTimeout(() => { if (!res.destroyed) send(200, builders[vendor]({ text: 'too late' }, 0, body.model)); }, turn.hangMs);
          writeReport();
          return;
        }
        if (turn.badJson) { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"id":"x","choices":[{"message":'); writeReport(); return; }
        const idPrefix = { openai: 'call_', azure: 'call_', responses: 'call_', anthropic: 'toolu_', bedrock: 'tooluse_' }[vendor];
        const served = { vendor, text: turn.text, calls: turn.calls && turn.calls.map(c => ({ ...c, id: idPrefix ? nextId(idPrefix) : undefined, vendorHasIds: !!idPrefix })) };
        const out = builders[vendor](served, st.emitted.length, r.model || body.model);
        if (vendor === 'gemini' && served.calls) served.signature = out.candidates[0].content.parts.find(p => p.functionCall).thoughtSignature;
        if (vendor === 'anthropic') served.signature = out.content[0].signature;
        if (vendor === 'responses') served.reasoningId = out.output[0].id;
        st.emitted.push(served);
        st.lastServedAt = Date.now();
        send(200, out);
      } catch (err) {
        if (!(err instanceof Violation)) throw err;
        st.violations.push(err.message);
        send(400, errorBody(vendor, 400, 'fake_llm: ' + err.message));
      }
      writeReport();
    });
  });
  return new Promise(resolve => server.listen(cfg.port || 0, '127.0.0.1', () => {
    const port = server.address().port;
    if (cfg.portFile) fs.writeFileSync(cfg.portFile, String(port));
    writeReport();
    const timer = setTimeout(() => server.close(), cfg.lifetimeMs || 60000);
    timer.unref();
    resolve({ port, state: st, close: () => { clearTimeout(timer); server.closeAllConnections(); server.close(); } });
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const f = await startFake(cfg);
  // Ends by itself: the lifetime timer, or SIGTERM from the test.
  process.on('SIGTERM', () => { f.close(); process.exit(0); });
  setTimeout(() => process.exit(0), (cfg.lifetimeMs || 60000) + 100).unref();
}
