// The credential broker (skillhost login/logout, host-managed refresh)
// against real components on 127.0.0.1:
//  - oidc-provider (certified OpenID/OAuth server) with PKCE required,
//    refresh token rotation, revocation and the device flow; its
//    interactions approve alice at once, the rest is the provider's own;
//  - a Jira REST stand-in that accepts a bearer token only while the
//    provider still holds it as a valid access token (AccessToken.find);
//  - the Salesforce org mock of the skill's tests, whose token endpoint
//    verifies RS256 JWT bearer assertions with the app's public key.
// This driver plays the browser: it fetches the authorization URL the CLI
// prints, follows the redirects (keeping cookies) to the CLI's loopback
// listener, and approves device codes through the provider's own forms.
// Usage: node oauth_broker.mjs NODE_MODULES SKILLHOST LIBDIR SOURCE_DIR TMP
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

const [NM, SH, LIB, SRC, TMP] = process.argv.slice(2);
const { default: Provider } = await import(path.join(NM, "oidc-provider/lib/index.js"));
const { startOrg } = await import(path.join(SRC, "skills/salesforce/tests/sf_mock.mjs"));

let failures = 0;
const ok = (m) => console.log(`ok: ${m}`);
const fail = (m) => { failures++; console.log(`FAIL: ${m}`); };
const check = (c, m, extra = "") => (c ? ok(m) : fail(`${m}${extra ? `: ${extra}` : ""}`));

// ---- the authorization server ----
const CLIENT = "skillhost-jira", SECRET = "jira-app-secret-0123456789";
let accessTtl = 3600;
const counts = { refresh: 0, code: 0, device: 0 };
const asServer = http.createServer();
await new Promise((r) => asServer.listen(0, "127.0.0.1", r));
const ISSUER = `http://127.0.0.1:${asServer.address().port}`;
const provider = new Provider(ISSUER, {
  clients: [{
    client_id: CLIENT, client_secret: SECRET, token_endpoint_auth_method: "client_secret_post",
    application_type: "native", redirect_uris: ["http://127.0.0.1/callback"], response_types: ["code"],
    grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
  }],
  features: { devInteractions: { enabled: false }, deviceFlow: { enabled: true }, revocation: { enabled: true } },
  pkce: { required: () => true },
  rotateRefreshToken: true,
  issueRefreshToken: async () => true,
  ttl: { AccessToken: () => accessTtl, RefreshToken: 86400, Grant: 86400, Session: 3600, Interaction: 600, DeviceCode: 600, AuthorizationCode: 60 },
  scopes: ["openid", "offline_access", "read:jira-work", "write:jira-work", "read:jira-user"],
  interactions: { url: (ctx, i) => `/interaction/${i.uid}` },
  findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  cookies: { keys: ["broker-test-cookie-key"] },
});
provider.on("grant.success", (ctx) => {
  const g = ctx.oidc.params.grant_type;
  if (g === "refresh_token") counts.refresh++;
  else if (g === "authorization_code") counts.code++;
  else if (g?.endsWith("device_code")) counts.device++;
});
const cb = provider.callback();
asServer.on("request", async (req, res) => {
  if (req.url.startsWith("/interaction/")) {
    // The user: alice logs in and consents to what was asked.
    try {
      const d = await provider.interactionDetails(req, res);
      const grant = d.grantId ? await provider.Grant.find(d.grantId)
        : new provider.Grant({ accountId: "alice", clientId: d.params.client_id });
      grant.addOIDCScope(d.params.scope ?? "");
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { login: { accountId: "alice" }, consent: { grantId } },
        { mergeWithLastSubmission: false });
    } catch (e) { res.writeHead(500); res.end(String(e)); }
    return;
  }
  cb(req, res);
});

// ---- the Jira stand-in: only a bearer token the provider holds ----
const api = { ok: 0, unauthorized: 0, seen: [] };
const jira = http.createServer(async (req, res) => {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
  const tok = m ? await provider.AccessToken.find(m[1]) : null;
  api.seen.push(m?.[1] ?? null);
  if (!tok || tok.isExpired || tok.clientId !== CLIENT) {
    api.unauthorized++;
    res.writeHead(401, { "content-type": "application/json", "www-authenticate": 'Bearer realm="jira"' });
    res.end(JSON.stringify({ code: 401, message: "Unauthorized; scope does not match" }));
    return;
  }
  api.ok++;
  if (req.url.startsWith("/ex/jira/cloud-1/rest/api/3/project/search")) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ startAt: 0, maxResults: 50, total: 1, isLast: true,
      values: [{ id: "10000", key: "OPS", name: "Operations", projectTypeKey: "software", lead: { displayName: "Alice" } }] }));
    return;
  }
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify({ errorMessages: ["no such resource"] }));
});
await new Promise((r) => jira.listen(0, "127.0.0.1", r));
const JIRA = `http://127.0.0.1:${jira.address().port}/ex/jira/cloud-1`;

// ---- the Salesforce org, with the JWT bearer grant ----
const keys = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const other = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
fs.writeFileSync(`${TMP}/sf.key`, keys.privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
fs.writeFileSync(`${TMP}/other.key`, other.privateKey.export({ type: "pkcs1", format: "pem" }), { mode: 0o600 });
const sf = await startOrg({ clientId: "3MVG9-connected-app", clientSecret: "sf-app-secret", webServer: true, jwt: { publicKey: keys.publicKey, clientId: "3MVG9-connected-app", user: "ops@example.com",
  audience: "https://login.salesforce.com" } });

// ---- helpers ----
const env = { ...process.env };
function sh(args, { input = null } = {}) {
  return new Promise((resolve) => {
    const p = spawn(SH, args, { env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "", err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    if (input !== null) p.stdin.end(input); else p.stdin.end();
    p.on("close", (code) => resolve({ code, out, err }));
  });
}
// Start a command and resolve once its stderr matches re (the child keeps
// running); done is its exit.
function shWait(args, re) {
  const p = spawn(SH, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  const done = new Promise((resolve) => p.on("close", (code) => resolve({ code, out, err })));
  p.stdout.on("data", (d) => (out += d));
  const seen = new Promise((resolve, reject) => {
    p.stderr.on("data", (d) => { err += d; const m = re.exec(err); if (m) resolve(m); });
    done.then(() => reject(new Error(`exited before printing ${re}: ${err}`)));
  });
  return { seen, done };
}
// A browser: cookies per origin, redirects followed by hand.
const jar = new Map();
async function browse(url, init = {}) {
  for (let hops = 0; hops < 20; hops++) {
    const u = new URL(url);
    const cookie = jar.get(u.host);
    const r = await fetch(url, { ...init, redirect: "manual", headers: { ...(init.headers ?? {}), ...(cookie ? { cookie } : {}) } });
    const set = r.headers.getSetCookie?.() ?? [];
    if (set.length) {
      const have = new Map((jar.get(u.host) ?? "").split("; ").filter(Boolean).map((c) => c.split(/=(.*)/s).slice(0, 2)));
      for (const c of set) { const [nv] = c.split(";"); const [n, v] = nv.split(/=(.*)/s); have.set(n, v); }
      jar.set(u.host, [...have].map(([n, v]) => `${n}=${v}`).join("; "));
    }
    const loc = r.headers.get("location");
    if (r.status >= 300 && r.status < 400 && loc) { url = new URL(loc, url).href; init = {}; continue; }
    return { status: r.status, url, text: await r.text() };
  }
  throw new Error("too many redirects");
}
const records = () => JSON.parse(fs.readFileSync(`${process.env.SKILLHOST_HOME}/secrets.json`, "utf8")).skills;
const record = (skill) => { const r = records()[`oauth:${skill}`]; return r ? JSON.parse(r.TOKENS) : null; };
async function tokenPost(form) {
  const r = await fetch(`${ISSUER}/token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form) });
  return { status: r.status, body: await r.json() };
}
const destroy = async (t) => { const a = await provider.AccessToken.find(t); if (a) await a.destroy(); };

const JIRA_SO = `${LIB}/jira.so`, SF_SO = `${LIB}/salesforce.so`;
const JM = `${SRC}/skills/jira/manifest.json`, SM = `${SRC}/skills/salesforce/manifest.json`;
const listProjects = () => sh(["call", "skillhost/jira.list_projects", "{}", "--skill", JIRA_SO]);

try {
  // ---- configuration the operator does ----
  for (const [k, v] of [["oauth-client-id", CLIENT], ["oauth-authorization-endpoint", `${ISSUER}/auth`],
    ["oauth-token-endpoint", `${ISSUER}/token`], ["oauth-device-endpoint", `${ISSUER}/device/auth`]]) {
    const r = await sh(["config", "skillhost/jira", k, v]);
    check(r.code === 0, `config ${k}`, r.err);
  }
  let r = await sh(["config", "skillhost/jira", "oauth-token-endpoint", "http://auth.example/token"]);
  check(r.code === 2 && /https/.test(r.err), "a plain-http endpoint off loopback is refused", r.err);
  await sh(["secret", "set", "skillhost/jira", "JIRA_BASE_URL", "--force"], { input: JIRA });

  // Without the client secret the manifest names, login says how to set it.
  r = await sh(["login", "skillhost/jira", "--no-browser", "--manifest", JM, "--timeout", "5s"]);
  check(r.code !== 0 && /JIRA_OAUTH_CLIENT_SECRET/.test(r.err) && /secret set/.test(r.err),
    "login without the client secret names it", r.err);
  await sh(["secret", "set", "skillhost/jira", "JIRA_OAUTH_CLIENT_SECRET", "--force"], { input: SECRET });

  // ---- authorization code + PKCE on the loopback ----
  let run = shWait(["login", "skillhost/jira", "--no-browser", "--manifest", JM, "--timeout", "120s"],
    /\n {2}(http\S+)\n[\s\S]*redirect to (http:\/\/127\.0\.0\.1:\d+\/callback)/);
  let [, authUrl, redirect] = await run.seen;
  const q = new URL(authUrl).searchParams;
  check(q.get("code_challenge_method") === "S256" && /^[A-Za-z0-9_-]{43}$/.test(q.get("code_challenge") ?? "") &&
    q.get("state")?.length >= 32 && q.get("redirect_uri") === redirect && q.get("audience") === "api.atlassian.com",
    "the authorization URL carries PKCE S256, a state and the manifest's extra parameters", authUrl);
  // A redirect with another state is refused, and the listener waits on.
  const forged = await fetch(`${redirect}?code=forged&state=${"0".repeat(32)}`);
  check(forged.status === 400, "a callback with a wrong state is refused (400)");
  const page = await browse(authUrl);
  check(page.status === 200 && /Logged in/.test(page.text), "the browser lands on the CLI's listener", `${page.status} ${page.text}`);
  r = await run.done;
  check(r.code === 0 && /logged in/.test(r.err), "login exits 0", r.err);
  const closed = await fetch(redirect).then(() => false, () => true);
  check(closed, "the one-shot listener is closed after the login");
  let rec = record("skillhost/jira");
  check(rec?.refresh_token && rec?.access_token && counts.code === 1, "the refresh and access tokens are in the secret store");
  const mode = fs.statSync(`${process.env.SKILLHOST_HOME}/secrets.json`).mode & 0o777;
  check(mode === 0o600, `secrets.json is 0600 (${mode.toString(8)})`);

  // ---- the skill gets the access token, never the refresh token ----
  r = await listProjects();
  check(r.code === 0 && /"OPS"/.test(r.out), "Jira accepts the brokered bearer token", r.out + r.err);
  check(api.seen.at(-1) === rec.access_token, "the skill sent the current access token");
  r = await sh(["secret", "list", "skillhost/jira", "--json"]);
  check(!r.out.includes(rec.refresh_token) && !r.err.includes(rec.refresh_token), "secret list never shows the refresh token");
  const row = (() => { try { return JSON.parse(r.out).find((x) => x.name === "JIRA_BEARER_TOKEN"); } catch { return null; } })();
  check(row?.state === "login", "secret list shows the access token as served by the login", r.out);
  // The same in-process: the host's secret and HTTP services are the
  // ones an isolated worker's proxy reaches (isolation is the default).
  await sh(["config", "skillhost/jira", "isolation", "in-process"]);
  r = await listProjects();
  check(r.code === 0 && /"OPS"/.test(r.out), "in-process too, the brokered token is accepted", r.err);
  await sh(["config", "skillhost/jira", "isolation", "--unset"]);

  // ---- expiry mid-session: a 401 refreshes and retries transparently ----
  const rt1 = rec.refresh_token, at1 = rec.access_token;
  await destroy(at1);
  const u0 = api.unauthorized;
  r = await listProjects();
  rec = record("skillhost/jira");
  check(r.code === 0 && /"OPS"/.test(r.out), "a call whose token expired mid-session succeeds", r.out + r.err);
  check(api.unauthorized === u0 + 1 && counts.refresh === 1, `one 401, one refresh (401s ${api.unauthorized - u0}, refreshes ${counts.refresh})`);
  check(rec.refresh_token !== rt1 && rec.access_token !== at1, "the rotated refresh token was stored");

  // ---- refresh before expiry: a short-lived token is renewed before use ----
  accessTtl = 2;
  await destroy(rec.access_token);
  r = await listProjects();           // refreshes on the 401: a 2 s token
  accessTtl = 3600;
  rec = record("skillhost/jira");
  // (Not r.code: on a loaded machine the 2 s token may expire before
  // its retry; what matters is the next call.)
  check(rec.lifetime === 2, "a short-lived token was issued", JSON.stringify({ l: rec.lifetime, e: r.err }));
  await new Promise((res) => setTimeout(res, 2100));
  const u1 = api.unauthorized, r1 = counts.refresh;
  r = await listProjects();
  check(r.code === 0 && api.unauthorized === u1 && counts.refresh === r1 + 1,
    "a token past its refresh margin is refreshed before the request (no 401)",
    `401s ${api.unauthorized - u1}, refreshes ${counts.refresh - r1}: ${r.err}`);

  // ---- concurrent refreshes spend the rotating refresh token once ----
  rec = record("skillhost/jira");
  await destroy(rec.access_token);
  const r2 = counts.refresh;
  const par = await Promise.all([listProjects(), listProjects(), listProjects()]);
  check(par.every((p) => p.code === 0), "three concurrent calls after expiry all succeed",
    par.map((p) => p.code + p.err).join(" | "));
  check(counts.refresh === r2 + 1, `they refreshed once (${counts.refresh - r2})`);

  // ---- a revoked refresh token: the clear error ----
  rec = record("skillhost/jira");
  let rv = await fetch(`${ISSUER}/token/revocation`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: rec.refresh_token, client_id: CLIENT, client_secret: SECRET }) });
  check(rv.status === 200, "the provider revoked the refresh token");
  await destroy(rec.access_token);
  r = await listProjects();
  check(r.code !== 0 && (r.out + r.err).includes("run `skillhost login skillhost/jira`"),
    "a revoked refresh token says: run `skillhost login skillhost/jira`", r.out + r.err);

  // ---- device flow (RFC 8628), approved in the provider's own pages ----
  run = shWait(["login", "skillhost/jira", "--device", "--manifest", JM, "--timeout", "120s"],
    /open\n\n {2}(\S+)\n\nand enter the code\n\n {2}(\S+)\n/);
  const [, verify, userCode] = await run.seen;
  let pg = await browse(verify);
  let xsrf = /name="xsrf" value="([^"]+)"/.exec(pg.text)?.[1];
  pg = await browse(verify, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ xsrf, user_code: userCode }).toString() });
  xsrf = /name="xsrf" value="([^"]+)"/.exec(pg.text)?.[1];
  pg = await browse(verify, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ xsrf, user_code: userCode, confirm: "yes" }).toString() });
  check(pg.status === 200, "the device code was approved", `${pg.status} ${pg.text.slice(0, 200)}`);
  r = await run.done;
  check(r.code === 0 && counts.device === 1, "login --device polls until approved and exits 0", r.err);
  r = await listProjects();
  check(r.code === 0 && /"OPS"/.test(r.out), "Jira accepts the device flow's token", r.err);

  // A denied device login ends with the provider's answer.
  run = shWait(["login", "skillhost/jira", "--device", "--manifest", JM, "--timeout", "120s"],
    /open\n\n {2}(\S+)\n\nand enter the code\n\n {2}(\S+)\n/);
  const [, verify2, code2] = await run.seen;
  pg = await browse(verify2);
  xsrf = /name="xsrf" value="([^"]+)"/.exec(pg.text)?.[1];
  pg = await browse(verify2, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ xsrf, user_code: code2, abort: "yes" }).toString() });
  r = await run.done;
  check(r.code !== 0 && /denied/.test(r.err), "a denied device login fails, saying so", r.err);

  // ---- logout revokes (RFC 7009) and removes the tokens ----
  r = await sh(["config", "skillhost/jira", "oauth-revocation-endpoint", `${ISSUER}/token/revocation`]);
  run = shWait(["login", "skillhost/jira", "--no-browser", "--manifest", JM], /\n {2}(http\S+)\n/);
  [, authUrl] = await run.seen;
  await browse(authUrl);
  r = await run.done;
  rec = record("skillhost/jira");
  check(r.code === 0 && rec?.revocation_endpoint, "logged in again, with the operator's revocation endpoint", r.err);
  r = await sh(["logout", "skillhost/jira"]);
  check(r.code === 0 && /revoked/.test(r.err), "logout says the provider revoked the tokens", r.err);
  check(record("skillhost/jira") === null, "logout removed the tokens from the store");
  const after = await tokenPost({ grant_type: "refresh_token", refresh_token: rec.refresh_token, client_id: CLIENT, client_secret: SECRET });
  check(after.status === 400 && after.body.error === "invalid_grant", "the provider refuses the logged-out refresh token", JSON.stringify(after));
  r = await listProjects();
  check(r.code !== 0, "after logout the skill has no token");
  r = await sh(["logout", "skillhost/jira"]);
  check(r.code === 4 && /not logged in/.test(r.err), "logout twice says it is not logged in", `${r.code} ${r.err}`);

  // ---- Salesforce: the JWT bearer flow (RFC 7523) ----
  for (const [k, v] of [["oauth-client-id", "3MVG9-connected-app"], ["oauth-token-endpoint", `${sf.url}/services/oauth2/token`]])
    await sh(["config", "skillhost/salesforce", k, v]);
  r = await sh(["login", "skillhost/salesforce", "--jwt", "--jwt-key", `${TMP}/other.key`, "--jwt-subject", "ops@example.com", "--manifest", SM]);
  check(r.code !== 0 && /invalid_grant/.test(r.err), "an assertion signed with another key is refused", r.err);
  r = await sh(["login", "skillhost/salesforce", "--jwt", "--jwt-key", `${TMP}/sf.key`, "--jwt-subject", "ops@example.com", "--manifest", SM]);
  check(r.code === 0, "login --jwt with the app's key", r.err);
  const jwtGrants = () => sf.org.state.tokenRequests.filter((t) => t.grant.endsWith("jwt-bearer")).length;
  const g0 = jwtGrants();
  r = await sh(["call", "skillhost/salesforce.limits", "{}", "--skill", SF_SO]);
  check(r.code === 0 && /DailyApiRequests|Max/.test(r.out), "Salesforce accepts the JWT flow's token at the instance_url it gave", r.out.slice(0, 300) + r.err);
  sf.org.expireSessions();
  r = await sh(["call", "skillhost/salesforce.limits", "{}", "--skill", SF_SO]);
  check(r.code === 0 && jwtGrants() === g0 + 1, "an expired session is renewed with a new signed assertion",
    `${jwtGrants() - g0} ${r.err}`);
  const srec = record("skillhost/salesforce");
  check(srec && !srec.refresh_token && srec.values?.SALESFORCE_INSTANCE_URL === sf.url,
    "the JWT login keeps no refresh token, and serves instance_url");

  // ---- Salesforce: the web-server flow with PKCE ----
  await sh(["config", "skillhost/salesforce", "oauth-authorization-endpoint", `${sf.url}/services/oauth2/authorize`]);
  await sh(["secret", "set", "skillhost/salesforce", "SALESFORCE_CLIENT_SECRET", "--force"], { input: "sf-app-secret" });
  run = shWait(["login", "skillhost/salesforce", "--no-browser", "--manifest", SM], /\n {2}(http\S+)\n/);
  [, authUrl] = await run.seen;
  pg = await browse(authUrl);
  r = await run.done;
  const grants = (g) => sf.org.state.tokenRequests.filter((t) => t.grant === g).length;
  check(r.code === 0 && grants("authorization_code") === 1 && record("skillhost/salesforce")?.refresh_token,
    "login to Salesforce with the web-server flow and PKCE", r.err);
  r = await sh(["call", "skillhost/salesforce.limits", "{}", "--skill", SF_SO]);
  check(r.code === 0 && /DailyApiRequests|Max/.test(r.out), "Salesforce accepts the web-server flow's token", r.err);
  sf.org.expireSessions();
  r = await sh(["call", "skillhost/salesforce.limits", "{}", "--skill", SF_SO]);
  check(r.code === 0 && grants("refresh_token") === 1, "an expired session is refreshed with the stored refresh token", r.err);

  // ---- the installed, signed package: its own manifest, egress, doctor ----
  r = await sh(["trust", "add", `${LIB}/../dev.pub`, "--namespace", "skillhost"]);
  r = await sh(["install", `${LIB}/../packages/skillhost-jira-1.0.0.skill`]);
  check(r.code === 0, "install the signed Jira package", r.err);
  await sh(["permit", "skillhost/jira", `127.0.0.1:${jira.address().port}`]);
  run = shWait(["login", "skillhost/jira", "--no-browser"], /\n {2}(http\S+)\n/);
  [, authUrl] = await run.seen;
  await browse(authUrl);
  r = await run.done;
  check(r.code === 0, "login of the installed skill reads its installed manifest", r.err);
  r = await sh(["call", "skillhost/jira.list_projects", "{}"]);
  check(r.code === 0 && /"OPS"/.test(r.out), "the installed (isolated) skill's call is accepted", r.out + r.err);
  rec = record("skillhost/jira");
  await destroy(rec.access_token);
  r = await sh(["call", "skillhost/jira.list_projects", "{}"]);
  check(r.code === 0 && record("skillhost/jira").access_token !== rec.access_token,
    "the installed skill's expired token is refreshed transparently", r.err);
  r = await sh(["doctor"]);
  check(!/declared secrets not set: [^\n]*JIRA_BEARER_TOKEN/.test(r.out + r.err), "doctor counts the login's secret as provided", r.out);
  rec = record("skillhost/jira");
  r = await sh(["remove", "skillhost/jira", "--purge"]);
  check(r.code === 0 && !/warning/.test(r.err) && record("skillhost/jira") === null, "remove --purge logs the skill out", r.err);
  const purged = await tokenPost({ grant_type: "refresh_token", refresh_token: rec.refresh_token, client_id: CLIENT, client_secret: SECRET });
  check(purged.body.error === "invalid_grant", "and revoked its refresh token", JSON.stringify(purged.body));
} catch (e) {
  fail(`driver: ${e.stack}`);
}
await sf.stop();
jira.close();
asServer.close();
console.log(failures ? `${failures} failure(s)` : "all passed");
process.exit(failures ? 1 : 0);
