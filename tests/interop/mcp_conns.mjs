// Raw TCP clients for the HTTP server's abuse tests; loopback only, and
// every mode ends by itself.
//   node mcp_conns.mjs idle PORT N HOLD_MS
//     open N connections that send nothing, hold them HOLD_MS, close them;
//     prints {"opened","closedByServer","errors","firstCloseMs"}
//   node mcp_conns.mjs slow PORT WHAT MAX_MS
//     send part of a request (WHAT: headers | body) and stall; prints
//     {"closedAfterMs"} once the server hangs up (null after MAX_MS)
//   node mcp_conns.mjs loris PORT N MAX_MS [FROM]
//     slowloris: N connections each trickle a request header, a byte every
//     200 ms, never finishing it; prints {"opened","closedByServer",
//     "errors","minCloseMs","maxCloseMs"} once all are closed (or MAX_MS)
//   node mcp_conns.mjs flood PORT N [FROM]
//     N initialize requests, 8 at a time on kept-alive connections; prints
//     {"status":{code:count},"retryAfter","message"} (the first 429's)
// FROM is the local address to connect from (127.0.0.x), so two clients
// can be told apart on loopback.
import http from "node:http";
import net from "node:net";

const [mode, port, arg, ms] = process.argv.slice(2);
const host = "127.0.0.1";
const sleep = (t) => new Promise((r) => setTimeout(r, t));

if (mode === "idle") {
  const n = Number(arg), hold = Number(ms);
  const t0 = Date.now();
  let opened = 0, closedByServer = 0, errors = 0, firstCloseMs = null;
  const socks = [];
  let closing = false;
  await Promise.all(Array.from({ length: n }, () => new Promise((res) => {
    const s = net.connect({ host, port: Number(port) });
    socks.push(s);
    s.on("connect", () => { opened++; res(); });
    s.on("error", () => { errors++; res(); });
    s.on("close", () => {
      if (!closing) {
        closedByServer++;
        if (firstCloseMs === null) firstCloseMs = Date.now() - t0;
      }
      res();
    });
    s.on("data", () => {});
  })));
  await sleep(hold);
  closing = true;
  for (const s of socks) s.destroy();
  console.log(JSON.stringify({ opened, closedByServer, errors, firstCloseMs }));
} else if (mode === "slow") {
  const max = Number(ms);
  const t0 = Date.now();
  const s = net.connect({ host, port: Number(port) });
  const closed = new Promise((res) => {
    s.on("close", () => res(Date.now() - t0));
    s.on("error", () => {});
  });
  s.on("data", () => {});
  s.on("connect", () => {
    if (arg === "headers")
      s.write(`POST /mcp HTTP/1.1\r\nHost: ${host}:${port}\r\nContent-Ty`);
    else
      s.write(`POST /mcp HTTP/1.1\r\nHost: ${host}:${port}\r\n` +
              "Content-Type: application/json\r\n" +
              "Accept: application/json, text/event-stream\r\n" +
              "Content-Length: 1000\r\n\r\n{\"jsonrpc\":");
  });
  const r = await Promise.race([closed, sleep(max).then(() => null)]);
  s.destroy();
  console.log(JSON.stringify({ closedAfterMs: r }));
} else if (mode === "loris") {
  const n = Number(arg), max = Number(ms), from = process.argv[6];
  const t0 = Date.now();
  const head = `GET /healthz HTTP/1.1\r\nHost: ${host}:${port}\r\nX-Slow: `;
  let opened = 0, closedByServer = 0, errors = 0;
  let minCloseMs = null, maxCloseMs = null;
  const socks = [];
  let done = false;
  const all = Promise.all(Array.from({ length: n }, () => new Promise((res) => {
    const s = net.connect({ host, port: Number(port), localAddress: from });
    let i = 0, timer = null;
    socks.push(s);
    s.on("connect", () => {
      opened++;
      timer = setInterval(() => {
        /* One more byte of a header that never ends. */
        s.write(i < head.length ? head[i] : "a");
        i++;
      }, 200);
    });
    s.on("error", () => { if (!done) errors++; });
    s.on("close", () => {
      clearInterval(timer);
      if (!done) {
        const t = Date.now() - t0;
        closedByServer++;
        minCloseMs = minCloseMs === null ? t : Math.min(minCloseMs, t);
        maxCloseMs = maxCloseMs === null ? t : Math.max(maxCloseMs, t);
      }
      res();
    });
    s.on("data", () => {});
  })));
  await Promise.race([all, sleep(max)]);
  done = true;
  for (const s of socks) s.destroy();
  console.log(JSON.stringify({ opened, closedByServer, errors, minCloseMs,
                               maxCloseMs }));
} else if (mode === "flood") {
  const n = Number(arg), from = ms;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {},
              clientInfo: { name: "flood", version: "1" } } });
  const status = {};
  let retryAfter = null, message = null, next = 0;
  const one = () => new Promise((res) => {
    const rq = http.request({ host, port: Number(port), path: "/mcp",
      method: "POST", agent, localAddress: from,
      headers: { "Content-Type": "application/json",
                 Accept: "application/json, text/event-stream" } }, (r) => {
      let text = "";
      r.setEncoding("utf8");
      r.on("data", (d) => { text += d; });
      r.on("end", () => {
        status[r.statusCode] = (status[r.statusCode] || 0) + 1;
        if (r.statusCode === 429 && message === null) {
          retryAfter = r.headers["retry-after"] ?? null;
          try { message = JSON.parse(text).error.message; }
          catch { message = `not JSON-RPC: ${text}`; }
        }
        res();
      });
    });
    rq.on("error", (e) => { status[e.code] = (status[e.code] || 0) + 1; res(); });
    rq.end(body);
  });
  const worker = async () => { while (next++ < n) await one(); };
  await Promise.all(Array.from({ length: 8 }, worker));
  agent.destroy();
  console.log(JSON.stringify({ status, retryAfter, message }));
} else {
  console.error("usage: mcp_conns.mjs idle|slow|loris|flood ...");
  process.exit(2);
}
