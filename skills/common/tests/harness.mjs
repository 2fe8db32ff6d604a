// harness.mjs - what the skills' node end-to-end tests share: the
// "ok: ..."/"FAIL: ..." check lines and their exit status, and a skillhost
// CLI for one skill in a throwaway home that keeps everything any process
// printed, so a test can look for leaked secrets and sanitizer reports.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

let failures = 0;
export const ok = (what) => console.log(`ok: ${what}`);
export const fail = (what, why = "") => {
  failures++;
  console.log(`FAIL: ${what}${why ? `: ${why}` : ""}`);
};
export const check = (cond, what, why = "") => (cond ? ok(what) : fail(what, why));

// The summary line, then exit 1 when any check failed.
export function finish() {
  console.log(failures ? `${failures} failure(s)` : "all passed");
  process.exit(failures ? 1 : 0);
}

// The skillhost binary bin driving skill in a new home under the system's
// temporary folder (named tmpPrefix...), with every environment variable
// starting with envPrefix removed so the developer's own credentials
// cannot leak in. cli.captured accumulates all output; cli.remove() deletes
// the home.
export function skillhostCli({ bin, skill, tmpPrefix, envPrefix }) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  const env = { ...process.env, SKILLHOST_HOME: path.join(tmp, "home") };
  for (const k of Object.keys(env)) if (k.startsWith(envPrefix)) delete env[k];
  const cli = { bin, skill, tmp, env, captured: "" };

  // Run skillhost without blocking: a mock may answer from this process.
  cli.run = (args, input) => new Promise((resolve) => {
    const p = spawn(bin, args, { env });
    let out = "", err = "";
    const timer = setTimeout(() => p.kill("SIGKILL"), 60000);
    p.stdout.on("data", (d) => { out += d; });
    p.stderr.on("data", (d) => { err += d; });
    p.on("close", (rc) => {
      clearTimeout(timer);
      cli.captured += out + err;
      resolve({ rc, out, err });
    });
    // A command that exits before reading its input (a refusal) closes
    // the pipe: its exit status and stderr say what happened, not EPIPE.
    p.stdin.on("error", () => {});
    p.stdin.end(input ?? "");
  });
  // Set a secret of the skill; value null removes it.
  cli.secret = async (name, value) => {
    const r = value === null ? await cli.run(["secret", "remove", skill, name])
                             : await cli.run(["secret", "set", skill, name], value);
    if (r.rc !== 0) fail(`secret ${value === null ? "remove" : "set"} ${name}`, r.err);
  };
  // `skillhost call` one tool; the result's parts picked out.
  cli.call = async (tool, args, extra = []) => {
    const r = await cli.run(["-v", "call", "--compact", ...extra, `${skill}.${tool}`, JSON.stringify(args)]);
    let res;
    try { res = JSON.parse(r.out); } catch { res = { isError: true, content: [{ text: `not JSON: ${r.out} ${r.err}` }] }; }
    return { rc: r.rc, isError: !!res.isError, text: res.content?.[0]?.text ?? "", sc: res.structuredContent, err: r.err };
  };
  cli.expectOk = (r, what) => check(!r.isError && r.rc === 0, what, r.text.slice(0, 600));
  // A tool error (isError, exit 1) whose text holds every needle (a
  // string, or a RegExp it matches).
  cli.expectErr = (r, what, ...needles) => {
    const missing = needles.filter((n) => !(n instanceof RegExp ? n.test(r.text) : r.text.includes(n)));
    check(r.isError && r.rc === 1 && !missing.length, what,
      `isError=${r.isError} rc=${r.rc}; lacks ${missing.join(" | ")}; text: ${r.text.slice(0, 600)}`);
  };
  // Trust the build's dev key, install the signed package file from
  // outDir/packages; honours SKILL_ISOLATION (in-process runs the skill
  // inside skillhost, so a sanitizer build sees its leaks at exit).
  // Returns the install's result.
  cli.installSigned = async (outDir, packageFile) => {
    let r = await cli.run(["trust", "add", path.join(outDir, "dev.pub"), "--namespace", skill.split("/")[0]]);
    check(r.rc === 0, `trust the build's dev key for ${skill.split("/")[0]}/*`, r.err);
    r = await cli.run(["install", path.join(outDir, "packages", packageFile)]);
    if (process.env.SKILL_ISOLATION)
      check((await cli.run(["config", skill, "isolation", process.env.SKILL_ISOLATION])).rc === 0,
        `isolation ${process.env.SKILL_ISOLATION}`);
    return r;
  };
  // An MCP client (the official TypeScript SDK from nodeModules) on
  // `skillhost -v serve --stdio`, logging at debug into logs; the server's
  // stderr goes into cli.captured.
  cli.mcp = async (nodeModules, name, logs) => {
    const sdk = (p) => import(pathToFileURL(path.join(nodeModules, "@modelcontextprotocol/sdk/dist/esm", p)).href);
    const { Client } = await sdk("client/index.js");
    const { StdioClientTransport } = await sdk("client/stdio.js");
    const { LoggingMessageNotificationSchema } = await sdk("types.js");
    const transport = new StdioClientTransport({ command: bin, args: ["-v", "serve", "--stdio"], env, stderr: "pipe" });
    transport.stderr?.on("data", (d) => { cli.captured += d; });
    const client = new Client({ name, version: "1.0.0" });
    client.setNotificationHandler(LoggingMessageNotificationSchema, (m) => logs.push(m.params));
    await client.connect(transport);
    await client.setLoggingLevel("debug");
    return client;
  };
  cli.remove = () => fs.rmSync(tmp, { recursive: true, force: true });
  return cli;
}

// For the mocks: the first queued fault ({method?, path, query?, reqBody?,
// times, status, body?, contentType?, headers?}) that matches the request
// at URL u (reqBody, a RegExp, tested against the request's body entry.body),
// used up once (it is dropped after `times` answers) and recorded in the
// request's log entry; returns the answer, or null when none matches. A
// body that is not a string is sent as JSON (contentType jsonType); an
// empty one, like a load balancer's, has no content type.
export function takeFault(faults, method, u, entry, jsonType, headers = {}) {
  const fi = faults.findIndex((f) => (!f.method || f.method === method) && f.path.test(u.pathname) &&
    (!f.query || f.query.test(u.search)) && (!f.reqBody || f.reqBody.test(String(entry.body ?? ""))));
  if (fi < 0) return null;
  const f = faults[fi];
  if (--f.times <= 0) faults.splice(fi, 1);
  entry.fault = f.status;
  const text = typeof f.body === "string" ? f.body : f.body === undefined ? "" : JSON.stringify(f.body);
  const type = f.contentType ?? (text ? jsonType : null);
  return { status: f.status, headers: { ...(type ? { "content-type": type } : {}), ...headers, ...(f.headers ?? {}) },
    body: text };
}
