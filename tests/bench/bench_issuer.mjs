// A local OAuth issuer for bench_mcp.sh --oauth: oauth2-mock-server on
// loopback with one signing key, serving its metadata and JWKS; writes
// its URL and one access token (for AUDIENCE, valid for an hour) to
// OUT.url and OUT.token, then serves until killed.
//   node bench_issuer.mjs NODE_MODULES OUT AUDIENCE [ALG]   (ALG: RS256,
//   ES256 or EdDSA; default ES256)
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [nm, out, audience, alg = "ES256"] = process.argv.slice(2);
const { OAuth2Server } = await import(
  pathToFileURL(path.join(nm, "oauth2-mock-server/dist/index.mjs")).href);
const as = new OAuth2Server();
await as.issuer.keys.generate(alg, { kid: "bench", ...(alg === "EdDSA" ? { crv: "Ed25519" } : {}) });
await as.start(0, "127.0.0.1");
const token = await as.issuer.buildToken({
  kid: "bench",
  expiresIn: 3600,
  scopesOrTransform: (h, p) => { p.aud = audience; p.sub = "bench"; p.client_id = "bench"; },
});
fs.writeFileSync(`${out}.token.tmp`, token);
fs.renameSync(`${out}.token.tmp`, `${out}.token`);
fs.writeFileSync(`${out}.url.tmp`, as.issuer.url);
fs.renameSync(`${out}.url.tmp`, `${out}.url`);
const stop = async () => { await as.stop(); process.exit(0); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
