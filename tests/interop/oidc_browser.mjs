// Plays the user's browser against oidc-provider's devInteractions: follows
// the authorization request's redirects with a cookie jar, signs in as the
// given account on the login form, grants the consent form, and stops at
// the first redirect that leaves the authorization server (the client's
// redirect_uri, carrying the code). Imported by the OAuth drivers, and run
// as a program it is the BROWSER that mcp-remote opens:
//   BROWSER="node oidc_browser.mjs" -> node oidc_browser.mjs AUTH_URL
// (the account comes from OIDC_LOGIN, default "alice"), which then GETs the
// redirect so that the code reaches the client's callback server.
import { pathToFileURL } from "node:url";

export async function authorize(authUrl, login = "alice") {
  const origin = new URL(authUrl).origin;
  const jar = new Map();
  const seen = [];
  let url = authUrl, method = "GET", body;
  for (let hop = 0; hop < 20; hop++) {
    const u = new URL(url, origin);
    if (u.origin !== origin) return { callback: u.href, seen };
    const headers = { Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") };
    if (body) headers["Content-Type"] = "application/x-www-form-urlencoded";
    const r = await fetch(u, { method, headers, body, redirect: "manual" });
    for (const c of r.headers.getSetCookie()) {
      const [kv] = c.split(";");
      const i = kv.indexOf("=");
      jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
    seen.push(`${method} ${u.pathname} ${r.status}`);
    method = "GET"; body = undefined;
    if (r.status >= 300 && r.status < 400) {
      url = r.headers.get("location");
      continue;
    }
    const html = await r.text();
    const m = /^\/interaction\/([^/]+)$/.exec(u.pathname);
    if (r.status !== 200 || !m)
      throw new Error(`the authorization server answered ${r.status} at ${u.pathname}: ${html.slice(0, 300)}`);
    // The interaction page: its form posts back to the same path.
    method = "POST";
    body = /name="login"/.test(html)
      ? new URLSearchParams({ prompt: "login", login, password: "x" }).toString()
      : new URLSearchParams({ prompt: "consent" }).toString();
    url = u.pathname;
  }
  throw new Error(`too many redirects: ${seen.join(", ")}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const { callback } = await authorize(process.argv[2], process.env.OIDC_LOGIN || "alice");
    const r = await fetch(callback);
    await r.text();
    process.exit(r.ok ? 0 : 1);
  } catch (e) {
    console.error(String(e));
    process.exit(1);
  }
}
