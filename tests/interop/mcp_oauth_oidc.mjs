// `skillhost serve --http --auth-issuer` with oidc-provider (a certified
// OpenID provider) as the authorization server, and real OAuth clients:
//  - the official SDK client's `authProvider`: discovery from the 401's
//    resource_metadata, the RFC 9728 document, the issuer's metadata,
//    dynamic client registration, authorization code with PKCE (the user's
//    browser, sign-in and consent are played by oidc_browser.mjs), the
//    RFC 8707 resource in both requests, a JWT access token for that
//    resource, then tools/list and tools/call;
//  - tokens the provider issues for another resource are refused, and a
//    key rotation on the provider is picked up by a JWKS refetch;
//  - mcp-remote, the stdio bridge, through the same flow with
//    oidc_browser.mjs as its BROWSER;
//  - RFC 7662: a server with --auth-introspect takes the provider's opaque
//    tokens through its introspection endpoint (cached; another resource,
//    unknown, revoked and bad client credentials refused).
// usage: node mcp_oauth_oidc.mjs NODE_MODULES SKILLHOST HELLO_SO TMPDIR
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { authorize } from "./oidc_browser.mjs";

const [nm, skillhost, helloSo, tmp] = process.argv.slice(2);
const here = path.dirname(fileURLToPath(import.meta.url));
const mod = (p) => import(pathToFileURL(path.join(nm, p)).href);
const { default: Provider, errors } = await mod("oidc-provider/lib/index.js");
const sdk = (p) => mod(`@modelcontextprotocol/sdk/dist/esm/${p}`);
const { Client } = await sdk("client/index.js");
const { StreamableHTTPClientTransport } = await sdk("client/streamableHttp.js");
const { StdioClientTransport } = await sdk("client/stdio.js");

let failures = 0;
const ok = (what) => console.log(`ok: ${what}`);
const fail = (what, why) => { failures++; console.log(`FAIL: ${what}: ${why}`); };
const check = (cond, what, why = "") => (cond ? ok(what) : fail(what, why));
const jwtPart = (t, i) => JSON.parse(Buffer.from(t.split(".")[i], "base64url"));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- the authorization server ---
const jwk = (type, opts, kid, alg) => ({
  ...crypto.generateKeyPairSync(type, opts).privateKey.export({ format: "jwk" }),
  kid, alg, use: "sig" });
const keys = [
  jwk("rsa", { modulusLength: 2048 }, "rsa1", "RS256"),
  jwk("ec", { namedCurve: "P-256" }, "ec1", "ES256"),
  jwk("ed25519", {}, "ed1", "EdDSA"),
];
let resource;            // set once skillhost is up
let signAlg = "RS256";   // the alg the next access token is signed with
const OTHER = "http://127.0.0.1:1/other";
// Resources whose tokens are opaque (RFC 7662 introspection).
const OPAQUE = "https://mcp.example/opaque";
const OPAQUE_OTHER = "https://mcp.example/opaque-other";
const RS_SECRET = "rs-secret-0123456789abcdef";
let introspections = 0;
const served = http.createServer((req, res) => handler(req, res));
await new Promise((r) => served.listen(0, "127.0.0.1", r));
const issuer = `http://127.0.0.1:${served.address().port}`;
const seenAuth = [];     // the authorization requests' query strings
const seenToken = [];    // the token requests' bodies (resource, verifier)

const makeProvider = (jwks) => {
  const p = new Provider(issuer, {
    jwks: { keys: jwks },
    clients: [{
      // The resource server's own client, for introspection.
      client_id: "skillhost-rs", client_secret: RS_SECRET,
      grant_types: [], redirect_uris: [], response_types: [],
    }, {
      client_id: "minter", client_secret: "minter-secret-0123456789",
      grant_types: ["client_credentials"], redirect_uris: [], response_types: [],
      scope: "mcp:tools",
    }],
    scopes: ["openid", "offline_access", "mcp:tools"],
    findAccount: (ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      registration: { enabled: true },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, indicator) => {
          if (indicator === OPAQUE || indicator === OPAQUE_OTHER)
            return { scope: "mcp:tools", audience: indicator, accessTokenTTL: 600,
                     accessTokenFormat: "opaque" };
          if (indicator !== resource && indicator !== OTHER)
            throw new errors.InvalidTarget();
          return { scope: "mcp:tools", audience: indicator, accessTokenTTL: 600,
                   accessTokenFormat: "jwt", jwt: { sign: { alg: signAlg } } };
        },
      },
    },
  });
  p.use(async (ctx, next) => {
    if (ctx.path === "/auth") seenAuth.push(ctx.querystring);
    if (ctx.path === "/token/introspection") introspections++;
    await next();
  });
  p.on("grant.success", (ctx) => seenToken.push({ ...ctx.oidc.params }));
  return p;
};
let provider = makeProvider(keys);
let handler = provider.callback();

// A token straight from the provider (client credentials) for a resource.
const mint = async (res, alg = "RS256") => {
  signAlg = alg;
  const r = await fetch(`${issuer}/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded",
      Authorization: `Basic ${Buffer.from("minter:minter-secret-0123456789").toString("base64")}` },
    body: new URLSearchParams({ grant_type: "client_credentials", resource: res,
                                scope: "mcp:tools" }),
  });
  const j = await r.json();
  signAlg = "RS256";
  if (!j.access_token) throw new Error(`client_credentials: ${JSON.stringify(j)}`);
  return j.access_token;
};

// --- the resource server ---
const ready = path.join(tmp, "oidc.ready");
const srv = spawn(skillhost, ["serve", "--http", "127.0.0.1:0", "--auth-issuer",
  issuer, "--skill", helloSo, "--ready-file", ready],
  { stdio: ["ignore", "ignore", fs.openSync(path.join(tmp, "serve-oidc.err"), "w")] });
const started = Date.now();
let base;
for (let i = 0; i < 150 && !base; i++) {
  await sleep(100);
  if (fs.existsSync(ready)) base = fs.readFileSync(ready, "utf8").trim();
}
if (!base) {
  console.log("FAIL: the server did not start");
  console.log(fs.readFileSync(path.join(tmp, "serve-oidc.err"), "utf8"));
  srv.kill("SIGKILL"); served.close(); process.exit(1);
}
resource = `${base}/mcp`;
const INIT = { jsonrpc: "2.0", id: 1, method: "initialize", params: {
  protocolVersion: "2025-06-18", capabilities: {},
  clientInfo: { name: "oidc-test", version: "1" } } };
const post = (tok) => fetch(resource, { method: "POST", headers: {
  "Content-Type": "application/json", Accept: "application/json, text/event-stream",
  ...(tok ? { Authorization: `Bearer ${tok}` } : {}) }, body: JSON.stringify(INIT) });

// The SDK's OAuthClientProvider: state in memory, the browser played.
const sdkProvider = (login) => {
  const st = {};
  const redirect = "http://127.0.0.1:1/callback";
  return {
    st,
    get redirectUrl() { return redirect; },
    get clientMetadata() {
      return { client_name: "skillhost-oidc-test", redirect_uris: [redirect],
               grant_types: ["authorization_code", "refresh_token"],
               response_types: ["code"], token_endpoint_auth_method: "client_secret_basic",
               scope: "mcp:tools" };
    },
    clientInformation: () => st.client,
    saveClientInformation: (c) => { st.client = c; },
    tokens: () => st.tokens,
    saveTokens: (t) => { st.tokens = t; },
    saveCodeVerifier: (v) => { st.verifier = v; },
    codeVerifier: () => st.verifier,
    saveDiscoveryState: (d) => { st.discovery = d; },
    discoveryState: () => st.discovery,
    redirectToAuthorization: async (url) => {
      st.authUrl = url;
      const { callback } = await authorize(url.href, login);
      st.code = new URL(callback).searchParams.get("code");
    },
  };
};

const startServer = async (name, args) => {
  const rf = path.join(tmp, `${name}.ready`);
  const err = path.join(tmp, `${name}.err`);
  const p = spawn(skillhost, ["serve", "--http", "127.0.0.1:0", "--skill", helloSo,
    "--ready-file", rf, ...args], { stdio: ["ignore", "ignore", fs.openSync(err, "w")] });
  for (let i = 0; i < 150; i++) {
    await sleep(100);
    if (fs.existsSync(rf)) return { p, url: fs.readFileSync(rf, "utf8").trim(), err };
    if (p.exitCode !== null) break;
  }
  p.kill("SIGKILL");
  throw new Error(`${name} did not start: ${fs.readFileSync(err, "utf8")}`);
};
const stopServer = async (p) => {
  p.kill("SIGTERM");
  if (p.exitCode === null) await new Promise((res) => p.on("exit", res));
};

async function introspectionChecks() {
  const secret = path.join(tmp, "rs.secret");
  fs.writeFileSync(secret, `${RS_SECRET}\n`, { mode: 0o600 });
  const s2 = await startServer("intro", ["--auth-issuer", issuer, "--auth-audience", OPAQUE,
    "--auth-introspect", `${issuer}/token/introspection`,
    "--auth-client-id", "skillhost-rs", "--auth-client-secret-file", secret]);
  const go = (t) => fetch(`${s2.url}/mcp`, { method: "POST", headers: {
    "Content-Type": "application/json", Accept: "application/json, text/event-stream",
    Authorization: `Bearer ${t}` }, body: JSON.stringify(INIT) });
  try {
    const opaque = await mint(OPAQUE);
    check(opaque.split(".").length === 1, "the provider issues an opaque token for that resource",
          opaque.slice(0, 20));
    let n0 = introspections;
    let r = await go(opaque);
    check(r.status === 200 && introspections === n0 + 1,
          "an opaque token is accepted after one introspection", `${r.status} ${introspections - n0}`);
    await r.text();
    n0 = introspections;
    r = await go(opaque);
    check(r.status === 200 && introspections === n0,
          "the answer is cached: the same token again costs no introspection",
          `${r.status} ${introspections - n0}`);
    await r.text();
    r = await go(await mint(OPAQUE_OTHER));
    let www = r.headers.get("www-authenticate") ?? "";
    check(r.status === 401 && /aud/.test(www),
          "an active opaque token for another resource is refused (aud)", `${r.status} ${www}`);
    n0 = introspections;
    r = await go("no-such-token-0123456789");
    www = r.headers.get("www-authenticate") ?? "";
    check(r.status === 401 && /not active/.test(www) && introspections === n0 + 1,
          "an unknown opaque token is refused: not active", `${r.status} ${www}`);
    r = await go("no-such-token-0123456789");
    check(r.status === 401 && introspections === n0 + 1,
          "and the negative answer is cached too", `${r.status} ${introspections - n0}`);
    // A JWT still takes the local path: one for this server's audience is
    // minted under the JWT resource of the first server, so it is refused
    // for aud without any introspection.
    n0 = introspections;
    r = await go(await mint(resource));
    www = r.headers.get("www-authenticate") ?? "";
    check(r.status === 401 && /aud/.test(www) && introspections === n0,
          "a JWT is checked locally, never introspected", `${r.status} ${www}`);
    // A revoked token, on a token not seen before: the provider says
    // not active.
    const rev = await mint(OPAQUE);
    await fetch(`${issuer}/token/revocation`, { method: "POST", headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Authorization: `Basic ${Buffer.from("minter:minter-secret-0123456789").toString("base64")}` },
      body: new URLSearchParams({ token: rev }) });
    r = await go(rev);
    www = r.headers.get("www-authenticate") ?? "";
    check(r.status === 401 && /not active/.test(www),
          "a revoked opaque token is refused", `${r.status} ${www}`);
  } finally {
    await stopServer(s2.p);
  }
  // Wrong credentials: the server starts (the endpoint is only asked per
  // token), refuses opaque tokens, and logs why.
  fs.writeFileSync(secret, "wrong-secret\n", { mode: 0o600 });
  const s3 = await startServer("intro-bad", ["--auth-issuer", issuer, "--auth-audience", OPAQUE,
    "--auth-introspect", `${issuer}/token/introspection`,
    "--auth-client-id", "skillhost-rs", "--auth-client-secret-file", secret]);
  try {
    const r = await fetch(`${s3.url}/mcp`, { method: "POST", headers: {
      "Content-Type": "application/json", Accept: "application/json, text/event-stream",
      Authorization: `Bearer ${await mint(OPAQUE)}` }, body: JSON.stringify(INIT) });
    const www = r.headers.get("www-authenticate") ?? "";
    await sleep(200);
    const log = fs.readFileSync(s3.err, "utf8");
    check(r.status === 401 && /could not be introspected/.test(www) &&
          /introspection: POST .*HTTP 401 \(check --auth-client-id/.test(log),
          "bad client credentials: opaque tokens refused, the log says why",
          `${r.status} ${www} ${log.slice(-300)}`);
  } finally {
    await stopServer(s3.p);
  }
}

const textOf = (c) => (c?.content ?? []).map((b) => b.text ?? "").join("");

try {
  // 1. The SDK client, from nothing but the server's URL.
  const pvd = sdkProvider("alice"), pv = pvd.st;
  const transport = new StreamableHTTPClientTransport(new URL(resource), { authProvider: pvd });
  let unauth = false;
  try {
    await new Client({ name: "oidc-sdk", version: "1.0.0" }).connect(transport);
  } catch (e) {
    unauth = /Unauthorized/i.test(String(e));
  }
  check(unauth && pv.client?.client_id && pv.client?.client_secret,
        "the SDK client discovered the issuer from the 401 and registered itself (DCR)",
        `unauth=${unauth} client=${JSON.stringify(pv.client)}`);
  const q = pv.authUrl?.searchParams;
  check(q?.get("code_challenge_method") === "S256" && q.get("code_challenge") &&
        q.get("resource") === resource && q.get("client_id") === pv.client?.client_id,
        "the authorization request carries PKCE (S256) and the resource (RFC 8707)",
        pv.authUrl?.href);
  check(pv.code, "the user signed in and consented; the code came back", pv.code);
  await transport.finishAuth(pv.code);
  const tr = seenToken.find((t) => t.grant_type === "authorization_code");
  check(tr?.resource === resource && tr?.code_verifier,
        "the token request names the resource and sends the PKCE verifier",
        JSON.stringify(tr));
  const at = pv.tokens?.access_token ?? "";
  const h = at.split(".").length === 3 ? jwtPart(at, 0) : {};
  const c = at.split(".").length === 3 ? jwtPart(at, 1) : {};
  check(h.typ === "at+jwt" && c.aud === resource && c.iss === issuer &&
        c.sub === "alice" && c.client_id === pv.client?.client_id,
        "the provider issued a JWT access token (RFC 9068) for this resource",
        JSON.stringify({ h, c }));
  const client = new Client({ name: "oidc-sdk", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(resource), { authProvider: pvd }));
  const { tools } = await client.listTools();
  const greet = tools.find((x) => x.name.endsWith("greet"))?.name;
  const call = greet && await client.callTool({ name: greet, arguments: { name: "Ada" } });
  check(textOf(call) === "Hello, Ada!", "with its token the SDK client lists and calls tools",
        JSON.stringify(call ?? tools));
  await client.close();

  // 2. The provider's tokens, each algorithm, and for another resource.
  for (const alg of ["RS256", "ES256", "EdDSA"]) {
    const r = await post(await mint(resource, alg));
    check(r.status === 200, `an ${alg} token from the provider is accepted`, r.status);
  }
  let r = await post(await mint(OTHER));
  let www = r.headers.get("www-authenticate") ?? "";
  check(r.status === 401 && /error="invalid_token"/.test(www) && /aud/.test(www),
        "a token the provider issued for another resource is refused", `${r.status} ${www}`);
  r = await post(null);
  www = r.headers.get("www-authenticate") ?? "";
  check(r.status === 401 && www.includes(`resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`),
        "no token: 401 naming the metadata", `${r.status} ${www}`);

  // 3. Key rotation: the provider restarts with a new signing key first in
  // its JWKS. The server refetches on the unknown kid (no more often than
  // every 10 s, counted from its start).
  const wait = started + 11000 - Date.now();
  if (wait > 0) await sleep(wait);
  const fresh = [jwk("rsa", { modulusLength: 2048 }, "rsa2", "RS256"), ...keys];
  provider = makeProvider(fresh);
  handler = provider.callback();
  const rotated = await mint(resource);
  check(jwtPart(rotated, 0).kid === "rsa2", "the provider now signs with the new key",
        JSON.stringify(jwtPart(rotated, 0)));
  r = await post(rotated);
  check(r.status === 200, "a token signed by the rotated-in key is accepted (JWKS refetched)",
        `${r.status} ${r.headers.get("www-authenticate")}`);

  // 4. mcp-remote, with only the server's URL: it discovers, registers,
  // opens "the browser" (oidc_browser.mjs through $BROWSER), receives the
  // code on its loopback callback, and bridges the SDK client's calls.
  const bin = path.join(tmp, "bin");
  fs.mkdirSync(bin, { recursive: true });
  const browser = path.join(bin, "browser");
  fs.writeFileSync(browser, `#!/bin/sh\nexec "${process.execPath}" "${path.join(here, "oidc_browser.mjs")}" "$@"\n`);
  fs.chmodSync(browser, 0o755);
  // The opener mcp-remote uses (the `open` package) runs its own xdg-open,
  // which hands http URLs to $BROWSER when no desktop is running; the
  // fallback /usr/bin/xdg-open does too.
  const cfg = path.join(tmp, "mcp-auth");
  fs.mkdirSync(cfg, { recursive: true });
  const env = { ...process.env, MCP_REMOTE_CONFIG_DIR: cfg, BROWSER: browser,
                OIDC_LOGIN: "bob", DISPLAY: "", WAYLAND_DISPLAY: "",
                XDG_CURRENT_DESKTOP: "", PATH: `${bin}:${process.env.PATH}` };
  const before = seenAuth.length;
  const rc = new Client({ name: "via-mcp-remote", version: "1.0.0" });
  const stderr = [];
  const bridge = new StdioClientTransport({
    command: process.execPath,
    args: [path.join(nm, "mcp-remote/dist/proxy.js"), resource, "--transport", "http-only",
           "--auth-timeout", "60"],
    env, stderr: "pipe" });
  bridge.stderr?.on("data", (d) => stderr.push(String(d)));
  try {
    await rc.connect(bridge);
    const { tools: t2 } = await rc.listTools();
    const g2 = t2.find((x) => x.name.endsWith("greet"))?.name;
    const c2 = g2 && await rc.callTool({ name: g2, arguments: { name: "Bo" } });
    check(seenAuth.length > before && textOf(c2) === "Hello, Bo!",
          "mcp-remote signed in through the provider (DCR, code + PKCE) and bridged a call",
          JSON.stringify(c2 ?? t2));
    const q2 = new URLSearchParams(seenAuth[before] ?? "");
    check(q2.get("resource") === resource && q2.get("code_challenge_method") === "S256",
          "mcp-remote's authorization request carries the resource and PKCE", seenAuth[before]);
  } catch (e) {
    fail("mcp-remote through the OAuth flow", `${e}\n${stderr.join("").slice(-2000)}`);
  }
  await rc.close().catch(() => {});

  // 5. RFC 7662: a second server that also takes opaque tokens, asking
  // the provider's introspection endpoint as its own client.
  await introspectionChecks();
} catch (err) {
  fail("driver", err.stack);
}
srv.kill("SIGTERM");
await new Promise((res) => srv.on("exit", res));
served.close();
process.exit(failures ? 1 : 0);
