// `skillhost serve --http --auth-issuer` against a real authorization
// server, oauth2-mock-server, on loopback: RFC 9728 metadata, the 401
// challenge, RS256/ES256/EdDSA tokens accepted through the official SDK
// client, and the refusals (audience, expiry, unknown key, wrong key,
// alg none, HS256 signed with the public key, insufficient scope), a key
// rotation on the issuer mid-run, the rate limit on JWKS refetches, a
// session bound to its principal, and the SDK client's own OAuth flow
// (discovery from the 401, authorization code with PKCE, RFC 8707
// resource, calls with the token).
// usage: node mcp_oauth.mjs NODE_MODULES SKILLHOST HELLO_SO TMPDIR
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [nm, skillhost, helloSo, tmp] = process.argv.slice(2);
const mod = (p) => import(pathToFileURL(path.join(nm, p)).href);
const { OAuth2Server } = await mod("oauth2-mock-server/dist/index.mjs");
const { Client } = await mod("@modelcontextprotocol/sdk/dist/esm/client/index.js");
const { StreamableHTTPClientTransport } =
  await mod("@modelcontextprotocol/sdk/dist/esm/client/streamableHttp.js");

let failures = 0;
const ok = (what) => console.log(`ok: ${what}`);
const fail = (what, why) => { failures++; console.log(`FAIL: ${what}: ${why}`); };
const check = (cond, what, why = "") => (cond ? ok(what) : fail(what, why));
const b64u = (x) => Buffer.from(typeof x === "string" ? x : JSON.stringify(x))
  .toString("base64url");

const as = new OAuth2Server();
await as.issuer.keys.generate("RS256", { kid: "rsa1" });
await as.issuer.keys.generate("ES256", { kid: "ec1" });
await as.issuer.keys.generate("EdDSA", { kid: "ed1", crv: "Ed25519" });
await as.start(0, "127.0.0.1");
const issuer = as.issuer.url;

// serve, with the resource taken from its own URL (the default).
const ready = path.join(tmp, "oauth.ready");
const srv = spawn(skillhost, ["serve", "--http", "127.0.0.1:0", "--auth-issuer",
  issuer, "--skill", helloSo, "--ready-file", ready],
  { stdio: ["ignore", "ignore", fs.openSync(path.join(tmp, "serve.err"), "w")] });
let base;
for (let i = 0; i < 100 && !base; i++) {
  await new Promise((r) => setTimeout(r, 100));
  if (fs.existsSync(ready)) base = fs.readFileSync(ready, "utf8").trim();
}
if (!base) {
  console.log("FAIL: the server did not start");
  console.log(fs.readFileSync(path.join(tmp, "serve.err"), "utf8"));
  srv.kill("SIGKILL"); await as.stop(); process.exit(1);
}
const resource = `${base}/mcp`;

const token = (opts = {}) => as.issuer.buildToken({
  kid: opts.kid,
  expiresIn: opts.expiresIn ?? 600,
  scopesOrTransform: (header, payload) => {
    payload.aud = opts.aud ?? resource;
    payload.sub = opts.sub ?? "alice";
    payload.client_id = "cli-1";
    payload.scope = "mcp:tools";
    if (opts.payload) Object.assign(payload, opts.payload);
  },
});
// initialize: what a client sends first, so 200 means the token passed.
const INIT = { jsonrpc: "2.0", id: 1, method: "initialize", params: {
  protocolVersion: "2025-06-18", capabilities: {},
  clientInfo: { name: "oauth-test", version: "1" } } };
const post = (tok, body = INIT) =>
  fetch(resource, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      ...(tok ? { Authorization: `Bearer ${tok}` } : {}),
    },
    body: JSON.stringify(body),
  });
const refused = async (tok, what, re) => {
  const r = await post(tok);
  const www = r.headers.get("www-authenticate") ?? "";
  check(r.status === 401 && /error="invalid_token"/.test(www) &&
        www.includes(`resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`) &&
        (!re || re.test(www)),
        `refused: ${what}`, `${r.status} ${www}`);
};

try {
  // RFC 9728 metadata, both forms.
  for (const p of ["/.well-known/oauth-protected-resource/mcp",
                   "/.well-known/oauth-protected-resource"]) {
    const r = await fetch(base + p);
    const doc = r.ok ? await r.json() : {};
    check(r.status === 200 && doc.resource === resource &&
          JSON.stringify(doc.authorization_servers) === JSON.stringify([issuer]),
          `metadata at ${p} names the resource and the issuer`, JSON.stringify(doc));
  }

  // No token: 401 with the metadata URL and no error attribute.
  let r = await post(null);
  let www = r.headers.get("www-authenticate") ?? "";
  check(r.status === 401 &&
        www === `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`,
        "no token: 401 naming resource_metadata", `${r.status} ${www}`);

  // Each algorithm, through the SDK client: list and call.
  for (const kid of ["rsa1", "ec1", "ed1"]) {
    const t = await token({ kid });
    const client = new Client({ name: "oauth-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(resource),
      { requestInit: { headers: { Authorization: `Bearer ${t}` } } }));
    const { tools } = await client.listTools();
    const greet = tools.find((x) => x.name.endsWith("greet"))?.name;
    const c = greet && await client.callTool({ name: greet, arguments: { name: "Ada" } });
    check(c && !c.isError && c.content?.[0]?.text === "Hello, Ada!",
          `a ${JSON.parse(Buffer.from(t.split(".")[0], "base64url")).alg} token lists and calls tools`,
          JSON.stringify(c ?? tools));
    await client.close();
  }

  // Rotation: a key added on the issuer after the server started.
  await as.issuer.keys.generate("ES256", { kid: "ec2" });
  r = await post(await token({ kid: "ec2" }));
  check(r.status === 200, "a token signed by a key added mid-run is accepted (JWKS refetched)",
        `${r.status} ${r.headers.get("www-authenticate")}`);

  // A session is bound to the principal that opened it.
  {
    const alice = await token({ kid: "rsa1", sub: "alice" });
    r = await post(alice);
    const sid = r.headers.get("mcp-session-id");
    await r.text();
    const inSession = async (t, body) => fetch(resource, { method: "POST", headers: {
      "Content-Type": "application/json", Accept: "application/json, text/event-stream",
      "Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-06-18",
      Authorization: `Bearer ${t}` }, body: JSON.stringify(body) });
    r = await inSession(alice, { jsonrpc: "2.0", method: "notifications/initialized" });
    check(r.status === 202, "alice's session is open", r.status);
    r = await inSession(await token({ kid: "ec1", sub: "bob" }),
      { jsonrpc: "2.0", id: 2, method: "tools/list" });
    check(r.status === 404, "bob's valid token cannot use alice's session", r.status);
    r = await inSession(await token({ kid: "ed1", sub: "alice" }),
      { jsonrpc: "2.0", id: 3, method: "tools/list" });
    const text = await r.text();
    check(r.status === 200 && /greet/.test(text),
          "alice's next token (another key) keeps her session", `${r.status} ${text.slice(0, 200)}`);
  }

  // Refusals.
  await refused(await token({ kid: "rsa1", aud: "http://127.0.0.1:1/mcp" }),
    "a token for another audience", /aud/);
  await refused(await token({ kid: "rsa1", expiresIn: -3600 }), "an expired token", /expired/);
  await refused(await token({ kid: "rsa1", payload: { nbf: Math.floor(Date.now() / 1000) + 3600 } }),
    "a token not valid yet", /nbf/);
  await refused(await token({ kid: "rsa1", payload: { iss: "http://127.0.0.1:1" } }),
    "a token from another issuer", /issuer/);
  {
    // Signed by a key the issuer never published: first under a kid of its
    // own, then under the published kid (a bad signature).
    const other = new OAuth2Server();
    other.issuer.url = issuer;
    await other.issuer.keys.generate("RS256", { kid: "stranger" });
    const claims = (h, p) => { p.aud = resource; p.iss = issuer; };
    await refused(await other.issuer.buildToken({ scopesOrTransform: claims }),
      "a token signed by an unknown key", /no key stranger/);
    const other2 = new OAuth2Server();
    other2.issuer.url = issuer;
    await other2.issuer.keys.generate("RS256", { kid: "rsa1" });
    await refused(await other2.issuer.buildToken({ scopesOrTransform: claims }),
      "a token under a known kid signed by another key", /signature/);
  }
  const good = await token({ kid: "rsa1" });
  const [, body] = good.split(".");
  await refused(`${b64u({ alg: "none", typ: "JWT", kid: "rsa1" })}.${body}.`,
    "alg none", /none/);
  {
    // HS256 with the RSA public key's PEM as the HMAC secret: the classic
    // algorithm confusion.
    const jwk = as.issuer.keys.toJSON().find((k) => k.kid === "rsa1");
    const pem = crypto.createPublicKey({ key: jwk, format: "jwk" })
      .export({ type: "spki", format: "pem" });
    const input = `${b64u({ alg: "HS256", typ: "JWT", kid: "rsa1" })}.${body}`;
    const mac = crypto.createHmac("sha256", pem).update(input).digest("base64url");
    await refused(`${input}.${mac}`, "HS256 signed with the public key", /HS256/);
    // An RS256 header on the EC key: the kind must match the key.
    const [, , sig] = (await token({ kid: "ec1" })).split(".");
    const h2 = b64u({ alg: "RS256", typ: "JWT", kid: "ec1" });
    await refused(`${h2}.${body}.${sig}`, "RS256 claimed for an EC key", /not a RS256 key/);
  }
  await refused("not-a-jwt", "a token that is not a JWT");

  // A second new key at once: the refetch is rate-limited, so refused...
  await as.issuer.keys.generate("ES256", { kid: "ec3" });
  await refused(await token({ kid: "ec3" }), "a second unknown kid within the refetch interval",
    /no key ec3/);

  // /metrics is behind the token too; /healthz is not.
  r = await fetch(`${base}/metrics`);
  check(r.status === 401, "/metrics needs a token", r.status);
  r = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${good}` } });
  check(r.status === 200, "/metrics with a token", r.status);
  r = await fetch(`${base}/healthz`);
  check(r.status === 200, "/healthz needs none", r.status);

  // The SDK client's own OAuth: a 401, discovery through the metadata to
  // the issuer, authorization code with PKCE (the mock issuer approves at
  // once; the redirect is followed by hand), the token with `resource`
  // (RFC 8707: the issuer puts it in aud), then calls.
  {
    let resourceSent;
    as.service.once("beforeTokenSigning", (t, req) => {
      resourceSent = req.body.resource;
      t.payload.aud = req.body.resource;
    });
    let saved, verifier, code;
    const provider = {
      get redirectUrl() { return "http://127.0.0.1:1/callback"; },
      get clientMetadata() {
        return { client_name: "oauth-test", redirect_uris: ["http://127.0.0.1:1/callback"] };
      },
      clientInformation: () => ({ client_id: "test-client" }),
      tokens: () => saved,
      saveTokens: (t) => { saved = t; },
      saveCodeVerifier: (v) => { verifier = v; },
      codeVerifier: () => verifier,
      redirectToAuthorization: async (url) => {
        const res = await fetch(url, { redirect: "manual" });
        code = new URL(res.headers.get("location")).searchParams.get("code");
      },
    };
    const transport = new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider });
    const client = new Client({ name: "oauth-sdk", version: "1.0.0" });
    let unauth = false;
    try {
      await client.connect(transport);
    } catch (e) {
      unauth = /Unauthorized/i.test(String(e));
    }
    check(unauth && code, "the SDK client found the issuer from the 401 and got a code",
          `unauth=${unauth} code=${code}`);
    await transport.finishAuth(code);
    check(resourceSent === resource, "the SDK asked for a token for this resource", resourceSent);
    const client2 = new Client({ name: "oauth-sdk", version: "1.0.0" });
    await client2.connect(new StreamableHTTPClientTransport(new URL(resource), { authProvider: provider }));
    const { tools } = await client2.listTools();
    const greet = tools.find((x) => x.name.endsWith("greet"))?.name;
    const c = greet && await client2.callTool({ name: greet, arguments: { name: "Bo" } });
    check(c && c.content?.[0]?.text === "Hello, Bo!",
          "with its token the SDK client lists and calls tools", JSON.stringify(c ?? tools));
    await client2.close();
  }
} catch (err) {
  fail("driver", err.stack);
}
srv.kill("SIGTERM");
await new Promise((res) => srv.on("exit", res));
await as.stop();

// --auth-scope: 403 insufficient_scope for a token without it.
{
  const as2 = new OAuth2Server();
  await as2.issuer.keys.generate("EdDSA", { kid: "s1", crv: "Ed25519" });
  await as2.start(0, "127.0.0.1");
  const ready2 = path.join(tmp, "scope.ready");
  const s2 = spawn(skillhost, ["serve", "--http", "127.0.0.1:0", "--auth-issuer",
    as2.issuer.url, "--auth-audience", "https://mcp.example/mcp", "--auth-scope", "mcp:call",
    "--skill", helloSo, "--ready-file", ready2], { stdio: "ignore" });
  let b2;
  for (let i = 0; i < 100 && !b2; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (fs.existsSync(ready2)) b2 = fs.readFileSync(ready2, "utf8").trim();
  }
  const mk = (scope) => as2.issuer.buildToken({ scopesOrTransform: (h, p) => {
    p.aud = ["https://mcp.example/mcp", "other"]; p.scope = scope; } });
  const go = async (t) => fetch(`${b2}/mcp`, { method: "POST", headers: {
    "Content-Type": "application/json", Accept: "application/json, text/event-stream",
    Authorization: `Bearer ${t}` }, body: JSON.stringify(INIT) });
  let r = await go(await mk("openid"));
  const www = r.headers.get("www-authenticate") ?? "";
  check(r.status === 403 && /error="insufficient_scope"/.test(www) && /scope="mcp:call"/.test(www) &&
        www.includes('resource_metadata="https://mcp.example/.well-known/oauth-protected-resource/mcp"'),
        "--auth-scope: a token without the scope gets 403 insufficient_scope", `${r.status} ${www}`);
  r = await go(await mk("openid mcp:call"));
  check(r.status === 200, "--auth-scope: a token with it (aud an array) passes", r.status);
  s2.kill("SIGTERM");
  await new Promise((res) => s2.on("exit", res));
  await as2.stop();
}
process.exit(failures ? 1 : 0);
